//! From the settings to the config a run is made from, and back: the
//! page's own rules (a warm-up of a tenth of `sched_epochs`, `sched_gamma`
//! as a factor per hundred epochs) are written here and nowhere else.

use super::check::Checked;
use super::{
    BATCH, ClipChoice, MAX_SAFE_INTEGER, OptimizerChoice, PenaltyChoice, SCHED_GAMMA, ScheduleChoice,
    Settings, TABLE,
};
use crate::data::TRAIN_RATIO;
use crate::data::dataset::{NOISE, SAMPLES};
use crate::data::features::{self, Feature};
use crate::net::mlp::{MAX_HIDDEN, Regularization, WIDTH};
use crate::range::Range;
use crate::train::clip::Clipping;
use crate::train::config::{CustomKind, DataConfig, DataSource, NetworkConfig, TrainConfig};
use crate::train::optim::{
    AdagradConfig, AdamConfig, AdamWConfig, DECAY, EPS, LR, MAX_LR, Momentum, OptimizerConfig, RmsPropConfig,
    SgdConfig,
};
use crate::train::schedule::Schedule;

impl Settings {
    /// The run these settings describe. The page's own rules live here:
    /// `sched_gamma` is the exponential schedule's factor per hundred epochs
    /// (linearised), the warm-up is a tenth of `sched_epochs` (at least one),
    /// the cyclic schedule peaks at ten times the learning rate.
    pub fn to_config(&self) -> TrainConfig {
        TrainConfig {
            seed: self.seed,
            dataset: self.data_config(),
            network: NetworkConfig {
                features: self.features.clone(),
                hidden: self.layers.clone(),
                activation: self.activation,
                activations: (!self.activations.is_empty()).then(|| self.activations.clone()),
                init: self.init,
                batch_norm: self.bn,
                ..NetworkConfig::default()
            },
            optimizer: self.optimizer_config(self.optimizer, self.lr),
            batch_size: (self.batch > 0).then_some(self.batch),
            regularization: match self.reg {
                PenaltyChoice::None => Regularization::None,
                PenaltyChoice::L1 => Regularization::L1 { lambda: self.lambda },
                PenaltyChoice::L2 => Regularization::L2 { lambda: self.lambda },
            },
            clipping: match self.clip {
                ClipChoice::Off => Clipping::None,
                ClipChoice::Norm => Clipping::Norm {
                    max_norm: self.clip_at,
                },
                ClipChoice::Value => Clipping::Value {
                    clip_value: self.clip_at,
                },
            },
            schedule: self.schedule_config(),
        }
    }

    /// The data: what only generated points use (their number, noise and
    /// split) is left at its default otherwise, so a config holds only what
    /// the run uses.
    fn data_config(&self) -> DataConfig {
        let config = DataConfig {
            kind: self.dataset,
            standardize: self.standardize,
            // Only `custom` points read it; a link writes it only for them.
            custom: if self.dataset == DataSource::Custom {
                self.custom
            } else {
                CustomKind::Classes
            },
            ..DataConfig::default()
        };
        if !self.dataset.is_generated() {
            return config;
        }
        DataConfig {
            n_samples: self.n,
            noise: self.noise,
            train_ratio: self.ratio,
            ..config
        }
    }

    /// Optimizer `choice` at rate `lr`, its other hyper-parameters from these
    /// settings (the optimizer race trains several side by side).
    pub fn optimizer_config(&self, choice: OptimizerChoice, lr: f64) -> OptimizerConfig {
        let sgd = |momentum| {
            OptimizerConfig::Sgd(SgdConfig {
                lr,
                momentum,
                ..SgdConfig::default()
            })
        };
        let adam = AdamConfig {
            lr,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            ..AdamConfig::default()
        };
        match choice {
            OptimizerChoice::Sgd => sgd(Momentum::None),
            OptimizerChoice::Momentum => sgd(Momentum::Classic(self.momentum)),
            OptimizerChoice::Nesterov => sgd(Momentum::Nesterov(self.momentum)),
            OptimizerChoice::RmsProp => OptimizerConfig::RmsProp(RmsPropConfig {
                lr,
                alpha: self.alpha,
                eps: self.eps,
                ..RmsPropConfig::default()
            }),
            OptimizerChoice::Adam => OptimizerConfig::Adam(adam),
            OptimizerChoice::AdamW => OptimizerConfig::AdamW(AdamWConfig {
                weight_decay: AdamWConfig::default().weight_decay,
                ..adam.into()
            }),
            OptimizerChoice::Adagrad => OptimizerConfig::Adagrad(AdagradConfig {
                lr,
                eps: self.eps,
                ..AdagradConfig::default()
            }),
        }
    }

    fn schedule_config(&self) -> Schedule {
        let n = self.sched_epochs;
        match self.schedule {
            ScheduleChoice::Constant => Schedule::Constant,
            ScheduleChoice::Step => Schedule::Step {
                step_size: n,
                gamma: self.sched_gamma,
            },
            ScheduleChoice::Exponential => Schedule::Exponential {
                gamma: per_epoch(self.sched_gamma),
            },
            ScheduleChoice::Cosine => Schedule::Cosine {
                t_max: n,
                eta_min: 0.0,
            },
            ScheduleChoice::WarmupCosine => Schedule::WarmupCosine {
                warmup: (n / 10).max(1),
                total: n,
            },
            ScheduleChoice::Cyclic => Schedule::Cyclic {
                max_lr: (self.lr * 10.0).min(MAX_LR),
                step_size: n,
            },
        }
    }
}

/// The exponential schedule's factor per epoch for `sched_gamma`, read as
/// "about this much per hundred epochs": `1 - (1 - g) / 100`.
fn per_epoch(sched_gamma: f64) -> f64 {
    1.0 - (1.0 - sched_gamma) / 100.0
}

/// The shortest `sched_gamma` (in decimal digits) whose factor per epoch is
/// exactly `gamma`, if there is one in range.
fn per_hundred(gamma: f64) -> Option<f64> {
    let guess = 1.0 - (1.0 - gamma) * 100.0;
    shortest(guess, gamma)
}

/// The shortest rounding of `near` (1 to 17 significant digits, then the
/// numbers a few steps either side) that is a `sched_gamma` whose factor per
/// epoch is `gamma`.
fn shortest(near: f64, gamma: f64) -> Option<f64> {
    let roundings = (1..=17).filter_map(|digits| format!("{near:.*e}", digits - 1).parse().ok());
    let (mut up, mut down) = (near, near);
    let neighbours = (0..64).flat_map(move |_| {
        (up, down) = (up.next_up(), down.next_down());
        [up, down]
    });
    roundings
        .chain(neighbours)
        .find(|&g| SCHED_GAMMA.contains(g) && per_epoch(g) == gamma)
}

/// The value a link keeps for `sched_gamma` under the exponential schedule:
/// `per_epoch` maps about a hundred neighbouring numbers onto each factor,
/// so, of those that give `g`'s factor, the shortest in decimal digits (`g`
/// itself for any value of up to twelve significant digits). Reading the
/// factor back (`from_config`) gives the same value.
pub(super) fn exponential_gamma(g: f64) -> f64 {
    per_hundred(per_epoch(g)).unwrap_or(g)
}

/// The settings that describe `config` (a valid config, such as an imported
/// model's), with `base`'s values for what the config does not hold
/// (another optimizer's hyper-parameters, a switched-off penalty's
/// strength), and the config's fields that settings cannot hold, by path
/// (`network.activations`, `optimizer.weight_decay`, …): a link to the
/// result describes every other part of the run exactly.
pub fn from_config(config: &TrainConfig, base: &Checked) -> (Checked, Vec<String>) {
    let mut s = base.0.clone();
    if config.seed <= MAX_SAFE_INTEGER {
        s.seed = config.seed;
    }
    s.take_data(&config.dataset);
    s.take_network(&config.network);
    s.take_optimizer(&config.optimizer);
    s.take_training(config);
    s.keep_rules(base);
    // Points that are not generated ignore the generator's fields: an older
    // file may hold any there, and a link need not.
    let d = &config.dataset;
    let mut used = config.clone();
    if !d.kind.is_generated() {
        used.dataset = DataConfig {
            kind: d.kind,
            standardize: d.standardize,
            classes: d.classes,
            custom: d.custom,
            ..DataConfig::default()
        };
    }
    let mut lost = Vec::new();
    differences(&to_json(&used), &to_json(&s.to_config()), "", &mut lost);
    (Checked(s), lost)
}

/// Sets `field` to `v` when there is one and `range` holds it.
fn take(field: &mut f64, range: Range, v: Option<f64>) {
    if let Some(v) = v.filter(|&v| range.contains(v)) {
        *field = v;
    }
}

impl Settings {
    fn take_data(&mut self, d: &DataConfig) {
        self.dataset = d.kind;
        self.standardize = d.standardize;
        self.custom = d.custom;
        if !d.kind.is_generated() {
            return;
        }
        if SAMPLES.contains(d.n_samples as f64) {
            self.n = d.n_samples;
        }
        take(&mut self.noise, NOISE, Some(d.noise));
        take(&mut self.ratio, TRAIN_RATIO, Some(d.train_ratio));
    }

    fn take_network(&mut self, net: &NetworkConfig) {
        if net.hidden.len() <= MAX_HIDDEN && net.hidden.iter().all(|&n| WIDTH.contains(n as f64)) {
            self.layers.clone_from(&net.hidden);
        }
        self.activation = net.activation;
        self.activations = match &net.activations {
            Some(list) if list.len() <= MAX_HIDDEN => list.clone(),
            _ => Vec::new(),
        };
        // A link holds features as a set, in the table's order.
        if features::check(&net.features, "network.features").is_ok() {
            self.features = Feature::ALL
                .iter()
                .copied()
                .filter(|f| net.features.contains(f))
                .collect();
        }
        self.init = net.init;
        self.bn = net.batch_norm;
    }

    fn take_optimizer(&mut self, opt: &OptimizerConfig) {
        self.optimizer = OptimizerChoice::of(opt);
        take(&mut self.lr, LR, Some(opt.lr()));
        let (momentum, alpha, betas, eps) = match *opt {
            OptimizerConfig::Sgd(c) => match c.momentum {
                Momentum::Classic(mu) | Momentum::Nesterov(mu) => (Some(mu), None, None, None),
                Momentum::None => (None, None, None, None),
            },
            OptimizerConfig::RmsProp(c) => (None, Some(c.alpha), None, Some(c.eps)),
            OptimizerConfig::Adam(c) => (None, None, Some((c.beta1, c.beta2)), Some(c.eps)),
            OptimizerConfig::AdamW(c) => (None, None, Some((c.beta1, c.beta2)), Some(c.eps)),
            OptimizerConfig::Adagrad(c) => (None, None, None, Some(c.eps)),
        };
        take(&mut self.momentum, DECAY, momentum);
        take(&mut self.alpha, DECAY, alpha);
        take(&mut self.beta1, DECAY, betas.map(|b| b.0));
        take(&mut self.beta2, DECAY, betas.map(|b| b.1));
        take(&mut self.eps, EPS, eps);
    }

    /// The batch, the penalty, clipping and the schedule.
    fn take_training(&mut self, config: &TrainConfig) {
        match config.batch_size {
            None => self.batch = 0,
            Some(rows) if BATCH.contains(rows as f64) => self.batch = rows,
            Some(_) => {}
        }
        (self.reg, self.lambda) = match config.regularization {
            Regularization::None => (PenaltyChoice::None, self.lambda),
            Regularization::L1 { lambda } => (PenaltyChoice::L1, lambda),
            Regularization::L2 { lambda } => (PenaltyChoice::L2, lambda),
        };
        (self.clip, self.clip_at) = match config.clipping {
            Clipping::None => (ClipChoice::Off, self.clip_at),
            Clipping::Norm { max_norm } => (ClipChoice::Norm, max_norm),
            Clipping::Value { clip_value } => (ClipChoice::Value, clip_value),
        };
        let (epochs, gamma) = (self.sched_epochs, self.sched_gamma);
        (self.schedule, self.sched_epochs, self.sched_gamma) = match config.schedule {
            Schedule::Constant => (ScheduleChoice::Constant, epochs, gamma),
            Schedule::Step { step_size, gamma: g } if SCHED_GAMMA.contains(g) => {
                (ScheduleChoice::Step, step_size, g)
            }
            Schedule::Step { step_size, .. } => (ScheduleChoice::Step, step_size, gamma),
            Schedule::Exponential { gamma: g } => (
                ScheduleChoice::Exponential,
                epochs,
                per_hundred(g).unwrap_or(gamma),
            ),
            Schedule::Cosine { t_max, .. } => (ScheduleChoice::Cosine, t_max, gamma),
            Schedule::WarmupCosine { total, .. } => (ScheduleChoice::WarmupCosine, total, gamma),
            Schedule::Cyclic { step_size, .. } => (ScheduleChoice::Cyclic, step_size, gamma),
        };
    }

    /// A key that breaks a rule between keys goes back to `base`, then to its
    /// default (the defaults keep every rule), until none is broken.
    fn keep_rules(&mut self, base: &Settings) {
        let mut steps_back = [0u8; TABLE.len()];
        while let Some((_, keys)) = self.broken_rule() {
            let Some(i) = keys
                .iter()
                .filter_map(|&k| TABLE.iter().position(|spec| spec.key == k))
                .find(|&i| steps_back[i] < 2)
            else {
                break;
            };
            steps_back[i] += 1;
            let key = TABLE[i].key;
            let back = if steps_back[i] == 1 {
                base.get(key)
            } else {
                Settings::default().get(key)
            };
            if let Some(v) = back {
                self.set(key, &v);
            }
        }
    }
}

fn to_json(config: &TrainConfig) -> serde_json::Value {
    serde_json::to_value(config).unwrap_or_default()
}

/// The paths (`optimizer.weight_decay`) at which `a` and `b` differ.
fn differences(a: &serde_json::Value, b: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    use serde_json::Value as V;
    match (a, b) {
        (V::Object(x), V::Object(y)) => {
            let extra = y.keys().filter(|k| !x.contains_key(*k));
            for key in x.keys().chain(extra) {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let (u, v) = (x.get(key), y.get(key));
                differences(u.unwrap_or(&V::Null), v.unwrap_or(&V::Null), &here, out);
            }
        }
        _ if a != b => out.push(path.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn every_sched_gamma_has_a_value_that_reads_back_from_its_factor() {
        let mut rng = StdRng::seed_from_u64(5);
        let ends = [0.01, 0.01f64.next_up(), 1.0, 1.0f64.next_down(), 0.5, 0.99];
        let random = (0..50_000).map(|_| rng.random_range(0.01..=1.0));
        for g in ends.into_iter().chain(random) {
            let gamma = per_epoch(g);
            let kept = per_hundred(gamma).unwrap_or_else(|| panic!("no sched_gamma for the factor of {g:e}"));
            assert_eq!(per_epoch(kept), gamma, "{g:e}");
            assert_eq!(per_hundred(per_epoch(kept)), Some(kept), "{g:e}");
        }
    }
}
