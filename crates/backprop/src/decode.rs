//! How every setting reads from JSON (see `json`): the names of each
//! object's fields, which are optional (taking the type's `Default`), and the
//! names of each choice. The forms are the ones the settings are written in
//! (`TrainConfig::to_json`): choices are snake_case names, tagged settings
//! carry a `kind`, SGD's momentum is `"none"`, `{"classic": mu}` or
//! `{"nesterov": mu}`.

use crate::activation::ActivationKind;
use crate::clip::Clipping;
use crate::config::{DataConfig, DataSource, NetworkConfig, TrainConfig};
use crate::error::{ConfigError, Result};
use crate::init::InitKind;
use crate::json::{Decode, Fields, Json, join, name};
use crate::loss::OutputLoss;
use crate::mlp::Regularization;
use crate::optim::{
    AdagradConfig, AdamConfig, AdamWConfig, Momentum, OptimizerConfig, RmsPropConfig, SgdConfig,
};
use crate::schedule::Schedule;

/// Choices read by name: the table and the list shown in errors.
macro_rules! by_name {
    ($t:ty, $list:expr, [$($name:literal => $v:expr),* $(,)?]) => {
        impl Decode for $t {
            fn decode(v: &Json, path: &str) -> Result<Self> {
                name(v, path, &[$(($name, $v)),*], $list)
            }
        }
    };
}

by_name!(DataSource, "moons, circles, xor, gaussians, spiral, spiral3, tutorial, custom", [
    "moons" => DataSource::Moons,
    "circles" => DataSource::Circles,
    "xor" => DataSource::Xor,
    "gaussians" => DataSource::Gaussians,
    "spiral" => DataSource::Spiral,
    "spiral3" => DataSource::Spiral3,
    "tutorial" => DataSource::Tutorial,
    "custom" => DataSource::Custom,
]);

by_name!(ActivationKind, "relu, leaky_relu, tanh, sigmoid, elu, gelu, linear", [
    "relu" => ActivationKind::Relu,
    "leaky_relu" => ActivationKind::LeakyRelu,
    "tanh" => ActivationKind::Tanh,
    "sigmoid" => ActivationKind::Sigmoid,
    "elu" => ActivationKind::Elu,
    "gelu" => ActivationKind::Gelu,
    "linear" => ActivationKind::Linear,
]);

by_name!(OutputLoss, OutputLoss::NAMES, [
    "sigmoid_bce" => OutputLoss::SigmoidBce,
    "softmax_ce" => OutputLoss::SoftmaxCe,
    "identity_mse" => OutputLoss::IdentityMse,
]);

by_name!(InitKind, "he_normal, he_uniform, xavier_normal, xavier_uniform, lecun_normal, uniform, zeros", [
    "he_normal" => InitKind::HeNormal,
    "he_uniform" => InitKind::HeUniform,
    "xavier_normal" => InitKind::XavierNormal,
    "xavier_uniform" => InitKind::XavierUniform,
    "lecun_normal" => InitKind::LecunNormal,
    "uniform" => InitKind::Uniform,
    "zeros" => InitKind::Zeros,
]);

impl Decode for TrainConfig {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let f = Fields::of(
            v,
            path,
            &[
                "seed",
                "dataset",
                "network",
                "optimizer",
                "batch_size",
                "regularization",
                "clipping",
                "schedule",
            ],
        )?;
        let d = Self::default();
        Ok(Self {
            seed: f.or("seed", d.seed)?,
            dataset: f.or("dataset", d.dataset)?,
            network: f.or("network", d.network)?,
            optimizer: f.or("optimizer", d.optimizer)?,
            batch_size: f.or("batch_size", d.batch_size)?,
            regularization: f.or("regularization", d.regularization)?,
            clipping: f.or("clipping", d.clipping)?,
            schedule: f.or("schedule", d.schedule)?,
        })
    }
}

impl Decode for DataConfig {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let f = Fields::of(
            v,
            path,
            &[
                "kind",
                "n_samples",
                "noise",
                "train_ratio",
                "standardize",
                "classes",
            ],
        )?;
        let d = Self::default();
        Ok(Self {
            kind: f.or("kind", d.kind)?,
            n_samples: f.or("n_samples", d.n_samples)?,
            noise: f.or("noise", d.noise)?,
            train_ratio: f.or("train_ratio", d.train_ratio)?,
            standardize: f.or("standardize", d.standardize)?,
            classes: f.or("classes", d.classes)?,
        })
    }
}

impl Decode for NetworkConfig {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let f = Fields::of(
            v,
            path,
            &[
                "hidden",
                "activation",
                "activations",
                "leaky_slope",
                "elu_alpha",
                "output",
                "init",
                "init_scale",
                "batch_norm",
            ],
        )?;
        let d = Self::default();
        Ok(Self {
            hidden: f.or("hidden", d.hidden)?,
            activation: f.or("activation", d.activation)?,
            activations: f.or("activations", d.activations)?,
            leaky_slope: f.or("leaky_slope", d.leaky_slope)?,
            elu_alpha: f.or("elu_alpha", d.elu_alpha)?,
            output: f.or("output", d.output)?,
            init: f.or("init", d.init)?,
            init_scale: f.or("init_scale", d.init_scale)?,
            batch_norm: f.or("batch_norm", d.batch_norm)?,
        })
    }
}

/// The `kind` of a tagged setting (an object of any fields), which must be present.
fn kind<T: Copy>(v: &Json, path: &str, names: &[(&str, T)], expected: &'static str) -> Result<T> {
    Fields::any(v, path)?.req_name("kind", names, expected)
}

impl Decode for OptimizerConfig {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        #[derive(Clone, Copy)]
        enum K {
            Sgd,
            RmsProp,
            Adam,
            AdamW,
            Adagrad,
        }
        // The kind first, then the variant's own fields.
        let k = kind(
            v,
            path,
            &[
                ("sgd", K::Sgd),
                ("rmsprop", K::RmsProp),
                ("adam", K::Adam),
                ("adamw", K::AdamW),
                ("adagrad", K::Adagrad),
            ],
            "sgd, rmsprop, adam, adamw, adagrad",
        )?;
        Ok(match k {
            K::Sgd => {
                let f = Fields::of(v, path, &["kind", "lr", "momentum", "dampening", "weight_decay"])?;
                let d = SgdConfig::default();
                Self::Sgd(SgdConfig {
                    lr: f.or("lr", d.lr)?,
                    momentum: f.or("momentum", d.momentum)?,
                    dampening: f.or("dampening", d.dampening)?,
                    weight_decay: f.or("weight_decay", d.weight_decay)?,
                })
            }
            K::RmsProp => {
                let f = Fields::of(
                    v,
                    path,
                    &["kind", "lr", "alpha", "eps", "momentum", "weight_decay"],
                )?;
                let d = RmsPropConfig::default();
                Self::RmsProp(RmsPropConfig {
                    lr: f.or("lr", d.lr)?,
                    alpha: f.or("alpha", d.alpha)?,
                    eps: f.or("eps", d.eps)?,
                    momentum: f.or("momentum", d.momentum)?,
                    weight_decay: f.or("weight_decay", d.weight_decay)?,
                })
            }
            K::Adam => Self::Adam(adam(v, path, AdamConfig::default())?),
            K::AdamW => {
                // AdamW reads as Adam does, with its own default weight decay.
                let defaults = AdamConfig {
                    weight_decay: AdamWConfig::default().weight_decay,
                    ..AdamConfig::default()
                };
                Self::AdamW(adam(v, path, defaults)?.into())
            }
            K::Adagrad => {
                let f = Fields::of(
                    v,
                    path,
                    &[
                        "kind",
                        "lr",
                        "lr_decay",
                        "eps",
                        "weight_decay",
                        "initial_accumulator_value",
                    ],
                )?;
                let d = AdagradConfig::default();
                Self::Adagrad(AdagradConfig {
                    lr: f.or("lr", d.lr)?,
                    lr_decay: f.or("lr_decay", d.lr_decay)?,
                    eps: f.or("eps", d.eps)?,
                    weight_decay: f.or("weight_decay", d.weight_decay)?,
                    initial_accumulator_value: f
                        .or("initial_accumulator_value", d.initial_accumulator_value)?,
                })
            }
        })
    }
}

/// Adam's fields (AdamW's too) over `d`.
fn adam(v: &Json, path: &str, d: AdamConfig) -> Result<AdamConfig> {
    let f = Fields::of(
        v,
        path,
        &["kind", "lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"],
    )?;
    Ok(AdamConfig {
        lr: f.or("lr", d.lr)?,
        beta1: f.or("beta1", d.beta1)?,
        beta2: f.or("beta2", d.beta2)?,
        eps: f.or("eps", d.eps)?,
        weight_decay: f.or("weight_decay", d.weight_decay)?,
        amsgrad: f.or("amsgrad", d.amsgrad)?,
    })
}

impl Decode for Momentum {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        const EXPECTED: &str = "\"none\", {\"classic\": mu} or {\"nesterov\": mu}";
        match v {
            Json::Str(s) if s == "none" => Ok(Self::None),
            Json::Obj(fields) if fields.len() == 1 => {
                let (key, mu) = &fields[0];
                let at = join(path, key);
                match key.as_str() {
                    "classic" => Ok(Self::Classic(f64::decode(mu, &at)?)),
                    "nesterov" => Ok(Self::Nesterov(f64::decode(mu, &at)?)),
                    _ => Err(ConfigError::UnknownName {
                        field: path.to_string(),
                        got: key.clone(),
                        expected: EXPECTED,
                    }),
                }
            }
            Json::Str(s) => Err(ConfigError::UnknownName {
                field: path.to_string(),
                got: s.clone(),
                expected: EXPECTED,
            }),
            _ => Err(ConfigError::invalid(path, format!("expected {EXPECTED}"))),
        }
    }
}

impl Decode for Regularization {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let names = [("none", 0), ("l1", 1), ("l2", 2)];
        let k = kind(v, path, &names, "none, l1, l2")?;
        if k == 0 {
            Fields::of(v, path, &["kind"])?;
            return Ok(Self::None);
        }
        let lambda = Fields::of(v, path, &["kind", "lambda"])?.req("lambda")?;
        Ok(if k == 1 {
            Self::L1 { lambda }
        } else {
            Self::L2 { lambda }
        })
    }
}

impl Decode for Clipping {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let names = [("none", 0), ("norm", 1), ("value", 2)];
        Ok(match kind(v, path, &names, "none, norm, value")? {
            0 => {
                Fields::of(v, path, &["kind"])?;
                Self::None
            }
            1 => Self::Norm {
                max_norm: Fields::of(v, path, &["kind", "max_norm"])?.req("max_norm")?,
            },
            _ => Self::Value {
                clip_value: Fields::of(v, path, &["kind", "clip_value"])?.req("clip_value")?,
            },
        })
    }
}

impl Decode for Schedule {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let names = [
            ("constant", 0),
            ("step", 1),
            ("exponential", 2),
            ("cosine", 3),
            ("warmup_cosine", 4),
            ("cyclic", 5),
        ];
        let k = kind(
            v,
            path,
            &names,
            "constant, step, exponential, cosine, warmup_cosine, cyclic",
        )?;
        let fields: &[&str] = match k {
            0 => &["kind"],
            1 => &["kind", "step_size", "gamma"],
            2 => &["kind", "gamma"],
            3 => &["kind", "t_max", "eta_min"],
            4 => &["kind", "warmup", "total"],
            _ => &["kind", "max_lr", "step_size"],
        };
        let f = Fields::of(v, path, fields)?;
        Ok(match k {
            0 => Self::Constant,
            1 => Self::Step {
                step_size: f.req("step_size")?,
                gamma: f.req("gamma")?,
            },
            2 => Self::Exponential {
                gamma: f.req("gamma")?,
            },
            3 => Self::Cosine {
                t_max: f.req("t_max")?,
                eta_min: f.req("eta_min")?,
            },
            4 => Self::WarmupCosine {
                warmup: f.req("warmup")?,
                total: f.req("total")?,
            },
            _ => Self::Cyclic {
                max_lr: f.req("max_lr")?,
                step_size: f.req("step_size")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every form the settings are written in (serde, `to_json`) reads back
    /// to the same settings: each choice, each tagged variant, each optional.
    #[test]
    fn what_is_written_reads_back() {
        let optimizers = [
            OptimizerConfig::Sgd(SgdConfig {
                lr: 0.3,
                momentum: Momentum::Nesterov(0.8),
                dampening: 0.1,
                weight_decay: 1e-4,
            }),
            OptimizerConfig::Sgd(SgdConfig {
                momentum: Momentum::Classic(0.9),
                ..SgdConfig::default()
            }),
            OptimizerConfig::RmsProp(RmsPropConfig {
                alpha: 0.9,
                momentum: 0.5,
                ..RmsPropConfig::default()
            }),
            OptimizerConfig::Adam(AdamConfig {
                amsgrad: true,
                beta2: 0.99,
                ..AdamConfig::default()
            }),
            OptimizerConfig::AdamW(AdamWConfig::default()),
            OptimizerConfig::Adagrad(AdagradConfig {
                lr_decay: 0.01,
                initial_accumulator_value: 0.1,
                ..AdagradConfig::default()
            }),
        ];
        let schedules = [
            Schedule::Constant,
            Schedule::Step {
                step_size: 10,
                gamma: 0.5,
            },
            Schedule::Exponential { gamma: 0.99 },
            Schedule::Cosine {
                t_max: 100,
                eta_min: 1e-4,
            },
            Schedule::WarmupCosine { warmup: 5, total: 50 },
            Schedule::Cyclic {
                max_lr: 0.5,
                step_size: 7,
            },
        ];
        let clippings = [
            Clipping::None,
            Clipping::Norm { max_norm: 1.0 },
            Clipping::Value { clip_value: 0.5 },
        ];
        let regs = [
            Regularization::None,
            Regularization::L1 { lambda: 1e-3 },
            Regularization::L2 { lambda: 0.1 },
        ];
        let sources = [
            DataSource::Moons,
            DataSource::Circles,
            DataSource::Xor,
            DataSource::Gaussians,
            DataSource::Spiral,
            DataSource::Spiral3,
            DataSource::Tutorial,
            DataSource::Custom,
        ];
        let kinds = [
            ActivationKind::Relu,
            ActivationKind::LeakyRelu,
            ActivationKind::Tanh,
            ActivationKind::Sigmoid,
            ActivationKind::Elu,
            ActivationKind::Gelu,
            ActivationKind::Linear,
        ];
        let inits = [
            InitKind::HeNormal,
            InitKind::HeUniform,
            InitKind::XavierNormal,
            InitKind::XavierUniform,
            InitKind::LecunNormal,
            InitKind::Uniform,
            InitKind::Zeros,
        ];
        let outputs = [
            None,
            Some(OutputLoss::SigmoidBce),
            Some(OutputLoss::SoftmaxCe),
            Some(OutputLoss::IdentityMse),
        ];
        for i in 0..8 {
            let config = TrainConfig {
                seed: u64::MAX - i as u64,
                dataset: DataConfig {
                    kind: sources[i % sources.len()],
                    n_samples: 100 + i,
                    noise: 0.1 * i as f64,
                    train_ratio: 0.7,
                    standardize: i % 2 == 0,
                    classes: 2 + i % 3,
                },
                network: NetworkConfig {
                    hidden: vec![3 + i, 4],
                    activation: kinds[i % kinds.len()],
                    activations: (i % 2 == 1)
                        .then(|| vec![kinds[(i + 1) % kinds.len()], kinds[(i + 2) % kinds.len()]]),
                    leaky_slope: 0.02,
                    elu_alpha: 0.7,
                    output: outputs[i % outputs.len()],
                    init: inits[i % inits.len()],
                    init_scale: 0.25,
                    batch_norm: i % 3 == 0,
                },
                optimizer: optimizers[i % optimizers.len()],
                batch_size: (i % 2 == 0).then_some(16 + i),
                regularization: regs[i % regs.len()],
                clipping: clippings[i % clippings.len()],
                schedule: schedules[i % schedules.len()],
            };
            let text = config.to_json();
            let v = crate::json::parse(&text).expect("written JSON parses");
            assert_eq!(TrainConfig::decode(&v, ""), Ok(config), "{text}");
        }
    }

    #[test]
    fn tagged_settings_check_their_own_fields() {
        let read = |text: &str| {
            TrainConfig::decode(&crate::json::parse(text).expect("json"), "").map_err(|e| e.to_string())
        };
        let e = read(r#"{"optimizer": {"kind": "sgd", "beta1": 0.9}}"#).expect_err("sgd has no beta1");
        assert!(e.starts_with("optimizer.beta1: unknown field `beta1`"), "{e}");
        let e = read(r#"{"optimizer": {"lr": 0.1}}"#).expect_err("kind is needed");
        assert_eq!(e, "optimizer: missing field `kind`");
        let e = read(r#"{"schedule": {"kind": "step", "gamma": 0.5}}"#).expect_err("step_size is needed");
        assert_eq!(e, "schedule: missing field `step_size`");
        let e = read(r#"{"optimizer": {"kind": "sgd", "momentum": {"heavy": 0.9}}}"#)
            .expect_err("unknown momentum");
        assert!(
            e.starts_with("optimizer.momentum: unknown value \"heavy\""),
            "{e}"
        );
        let e = read(r#"{"batch_size": 2.5}"#).expect_err("not whole");
        assert!(e.starts_with("batch_size: ") && e.contains("2.5"), "{e}");
        assert_eq!(read(r#"{"batch_size": null}"#).map(|c| c.batch_size), Ok(None));
        let e = read(r#"{"clipping": {"kind": "none", "max_norm": 1}}"#).expect_err("none has no max_norm");
        assert!(e.starts_with("clipping.max_norm: unknown field"), "{e}");
    }
}
