//! How every setting reads from JSON (see `json`): the names of each
//! object's fields, which are optional (taking the type's `Default`), and the
//! names of each choice. The forms are the ones the settings are written in
//! (`TrainConfig::to_json`): choices are snake_case names, tagged settings
//! carry a `kind`, SGD's momentum is `"none"`, `{"classic": mu}` or
//! `{"nesterov": mu}`.

use crate::data::features::Feature;
use crate::error::{ConfigError, Result};
use crate::io::json::{Decode, Fields, Json, join, name};
use crate::net::activation::ActivationKind;
use crate::net::backprop::OutputLoss;
use crate::net::init::InitKind;
use crate::net::mlp::Regularization;
use crate::train::clip::Clipping;
use crate::train::config::{CustomKind, DataConfig, DataSource, NetworkConfig, TrainConfig};
use crate::train::optim::{
    AdagradConfig, AdamConfig, AdamWConfig, Momentum, OptimizerConfig, RmsPropConfig, SgdConfig,
};
use crate::train::schedule::Schedule;

/// Choices read by name, from one table: the decoder, the list shown in
/// errors, `ALL` and `NAMES` (which the page's settings table publishes).
macro_rules! by_name {
    ($t:ty, [$first:literal => $fv:expr $(, $name:literal => $v:expr)* $(,)?]) => {
        impl Decode for $t {
            fn decode(v: &Json, path: &str) -> Result<Self> {
                name(v, path, &[($first, $fv) $(, ($name, $v))*], concat!($first $(, ", ", $name)*))
            }
        }

        impl $t {
            /// Every choice, in the order the configs' error messages list them.
            pub const ALL: &'static [Self] = &[$fv $(, $v)*];
            /// The name of each of `ALL`, as configs and links write it.
            pub const NAMES: &'static [&'static str] = &[$first $(, $name)*];
        }
    };
}

by_name!(DataSource, [
    "moons" => DataSource::Moons,
    "circles" => DataSource::Circles,
    "xor" => DataSource::Xor,
    "gaussians" => DataSource::Gaussians,
    "spiral" => DataSource::Spiral,
    "spiral3" => DataSource::Spiral3,
    "tutorial" => DataSource::Tutorial,
    "custom" => DataSource::Custom,
    "reg_plane" => DataSource::RegPlane,
    "reg_gauss" => DataSource::RegGauss,
    "sine" => DataSource::Sine,
    "sign" => DataSource::Sign,
    "abs" => DataSource::Abs,
    "cubic" => DataSource::Cubic,
]);

by_name!(CustomKind, [
    "classes" => CustomKind::Classes,
    "values" => CustomKind::Values,
    "curve" => CustomKind::Curve,
]);

by_name!(ActivationKind, [
    "relu" => ActivationKind::Relu,
    "leaky_relu" => ActivationKind::LeakyRelu,
    "tanh" => ActivationKind::Tanh,
    "sigmoid" => ActivationKind::Sigmoid,
    "elu" => ActivationKind::Elu,
    "gelu" => ActivationKind::Gelu,
    "linear" => ActivationKind::Linear,
]);

by_name!(Feature, [
    "x1" => Feature::X1,
    "x2" => Feature::X2,
    "x1_sq" => Feature::X1Sq,
    "x2_sq" => Feature::X2Sq,
    "x1_x2" => Feature::X1X2,
    "sin_x1" => Feature::SinX1,
    "sin_x2" => Feature::SinX2,
]);

by_name!(OutputLoss, [
    "sigmoid_bce" => OutputLoss::SigmoidBce,
    "softmax_ce" => OutputLoss::SoftmaxCe,
    "identity_mse" => OutputLoss::IdentityMse,
]);

by_name!(InitKind, [
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
                "custom",
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
            custom: f.or("custom", d.custom)?,
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
                "features",
            ],
        )?;
        let d = Self::default();
        Ok(Self {
            features: f.or("features", d.features)?,
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

/// How one kind of a tagged setting reads its fields.
type Reader<T> = fn(&Json, &str) -> Result<T>;

/// The `kind` of a tagged setting (an object of any fields), which must be present.
fn kind<T: Copy>(v: &Json, path: &str, names: &[(&str, T)], expected: &'static str) -> Result<T> {
    Fields::any(v, path)?.req_name("kind", names, expected)
}

impl Decode for OptimizerConfig {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let kinds: [(&str, Reader<Self>); 5] = [
            ("sgd", |v, p| {
                let f = Fields::of(v, p, &["kind", "lr", "momentum", "dampening", "weight_decay"])?;
                let d = SgdConfig::default();
                Ok(Self::Sgd(SgdConfig {
                    lr: f.or("lr", d.lr)?,
                    momentum: f.or("momentum", d.momentum)?,
                    dampening: f.or("dampening", d.dampening)?,
                    weight_decay: f.or("weight_decay", d.weight_decay)?,
                }))
            }),
            ("rmsprop", |v, p| {
                let f = Fields::of(v, p, &["kind", "lr", "alpha", "eps", "momentum", "weight_decay"])?;
                let d = RmsPropConfig::default();
                Ok(Self::RmsProp(RmsPropConfig {
                    lr: f.or("lr", d.lr)?,
                    alpha: f.or("alpha", d.alpha)?,
                    eps: f.or("eps", d.eps)?,
                    momentum: f.or("momentum", d.momentum)?,
                    weight_decay: f.or("weight_decay", d.weight_decay)?,
                }))
            }),
            ("adam", |v, p| Ok(Self::Adam(adam(v, p, AdamConfig::default())?))),
            ("adamw", |v, p| {
                // AdamW reads as Adam does, with its own default weight decay.
                let defaults = AdamConfig {
                    weight_decay: AdamWConfig::default().weight_decay,
                    ..AdamConfig::default()
                };
                Ok(Self::AdamW(adam(v, p, defaults)?.into()))
            }),
            ("adagrad", |v, p| {
                let f = Fields::of(
                    v,
                    p,
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
                Ok(Self::Adagrad(AdagradConfig {
                    lr: f.or("lr", d.lr)?,
                    lr_decay: f.or("lr_decay", d.lr_decay)?,
                    eps: f.or("eps", d.eps)?,
                    weight_decay: f.or("weight_decay", d.weight_decay)?,
                    initial_accumulator_value: f
                        .or("initial_accumulator_value", d.initial_accumulator_value)?,
                }))
            }),
        ];
        // The kind first, then that kind's own fields.
        let read = kind(v, path, &kinds, "sgd, rmsprop, adam, adamw, adagrad")?;
        read(v, path)
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
        let kinds: [(&str, Reader<Self>); 3] = [
            ("none", |v, p| Fields::of(v, p, &["kind"]).map(|_| Self::None)),
            ("l1", |v, p| {
                let f = Fields::of(v, p, &["kind", "lambda"])?;
                Ok(Self::L1 {
                    lambda: f.req("lambda")?,
                })
            }),
            ("l2", |v, p| {
                let f = Fields::of(v, p, &["kind", "lambda"])?;
                Ok(Self::L2 {
                    lambda: f.req("lambda")?,
                })
            }),
        ];
        let read = kind(v, path, &kinds, "none, l1, l2")?;
        read(v, path)
    }
}

impl Decode for Clipping {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let kinds: [(&str, Reader<Self>); 3] = [
            ("none", |v, p| Fields::of(v, p, &["kind"]).map(|_| Self::None)),
            ("norm", |v, p| {
                let f = Fields::of(v, p, &["kind", "max_norm"])?;
                Ok(Self::Norm {
                    max_norm: f.req("max_norm")?,
                })
            }),
            ("value", |v, p| {
                let f = Fields::of(v, p, &["kind", "clip_value"])?;
                Ok(Self::Value {
                    clip_value: f.req("clip_value")?,
                })
            }),
        ];
        let read = kind(v, path, &kinds, "none, norm, value")?;
        read(v, path)
    }
}

impl Decode for Schedule {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let kinds: [(&str, Reader<Self>); 6] = [
            ("constant", |v, p| {
                Fields::of(v, p, &["kind"]).map(|_| Self::Constant)
            }),
            ("step", |v, p| {
                let f = Fields::of(v, p, &["kind", "step_size", "gamma"])?;
                Ok(Self::Step {
                    step_size: f.req("step_size")?,
                    gamma: f.req("gamma")?,
                })
            }),
            ("exponential", |v, p| {
                let f = Fields::of(v, p, &["kind", "gamma"])?;
                Ok(Self::Exponential {
                    gamma: f.req("gamma")?,
                })
            }),
            ("cosine", |v, p| {
                let f = Fields::of(v, p, &["kind", "t_max", "eta_min"])?;
                Ok(Self::Cosine {
                    t_max: f.req("t_max")?,
                    eta_min: f.req("eta_min")?,
                })
            }),
            ("warmup_cosine", |v, p| {
                let f = Fields::of(v, p, &["kind", "warmup", "total"])?;
                Ok(Self::WarmupCosine {
                    warmup: f.req("warmup")?,
                    total: f.req("total")?,
                })
            }),
            ("cyclic", |v, p| {
                let f = Fields::of(v, p, &["kind", "max_lr", "step_size"])?;
                Ok(Self::Cyclic {
                    max_lr: f.req("max_lr")?,
                    step_size: f.req("step_size")?,
                })
            }),
        ];
        let read = kind(
            v,
            path,
            &kinds,
            "constant, step, exponential, cosine, warmup_cosine, cyclic",
        )?;
        read(v, path)
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
            OptimizerConfig::Sgd(SgdConfig::default()),
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
        let sources = DataSource::ALL;
        let kinds = ActivationKind::ALL;
        let inits = InitKind::ALL;
        let outputs = [
            None,
            Some(OutputLoss::SigmoidBce),
            Some(OutputLoss::SoftmaxCe),
            Some(OutputLoss::IdentityMse),
        ];
        for i in 0..optimizers.len().max(sources.len()) {
            let config = TrainConfig {
                seed: u64::MAX - i as u64,
                dataset: DataConfig {
                    kind: sources[i % sources.len()],
                    n_samples: 100 + i,
                    noise: 0.1 * i as f64,
                    train_ratio: 0.7,
                    standardize: i % 2 == 0,
                    classes: 2 + i % 3,
                    custom: CustomKind::ALL[i % CustomKind::ALL.len()],
                },
                network: NetworkConfig {
                    // A rotating, non-empty run of the features, in varying order.
                    features: (0..1 + i % Feature::ALL.len())
                        .map(|k| Feature::ALL[(i + k) % Feature::ALL.len()])
                        .collect(),
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
            let v = crate::io::json::parse(&text).expect("written JSON parses");
            assert_eq!(TrainConfig::decode(&v, ""), Ok(config), "{text}");
        }
    }

    #[test]
    fn tagged_settings_check_their_own_fields() {
        let read = |text: &str| {
            TrainConfig::decode(&crate::io::json::parse(text).expect("json"), "").map_err(|e| e.to_string())
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
