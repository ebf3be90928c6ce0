//! Run settings as the user writes them (read by `decode`, written by serde) and their validation.
//!
//! Every field has a default (the tutorial's run), unknown fields are
//! rejected, and `validate` names the offending field and value.

use serde::Serialize;

use crate::data::dataset::{DatasetKind, check_noise, check_samples};
use crate::data::features::{self, Feature};
use crate::data::regression::RegressionKind;
use crate::data::{MAX_POINTS, TUTORIAL_TRAIN_ROWS, ValueShape, train_rows};
use crate::error::{ConfigError, Result};
use crate::io::json::{Decode, parse_document};
use crate::net::activation::{Activation, ActivationKind};
use crate::net::backprop::OutputLoss;
use crate::net::init::InitKind;
use crate::net::mlp::{Mlp, Regularization, check_sizes};
use crate::range::Range;
use crate::train::clip::Clipping;
use crate::train::optim::OptimizerConfig;
use crate::train::schedule::Schedule;

/// Classes of hand-drawn (`custom`) data: 2 to 8.
pub const CLASSES: Range = Range::closed(2.0, 8.0);
/// A mini-batch: 1 row to every point there can be.
pub const BATCH: Range = Range::closed(1.0, MAX_POINTS as f64);
/// An L1 or L2 penalty's strength: 0 to 10.
pub const LAMBDA: Range = Range::closed(0.0, 10.0);

/// Where the points come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    Moons,
    Circles,
    Xor,
    Gaussians,
    Spiral,
    Spiral3,
    /// The tutorial's exact 1000 moons and its 800/200 split (ignores n_samples,
    /// noise and train_ratio).
    Tutorial,
    /// No points to start with: the user draws them (or imports a CSV).
    Custom,
    /// Regression (TensorFlow Playground's sets): a tilted plane.
    RegPlane,
    /// Regression: six bumps of alternating sign.
    RegGauss,
    /// 1-D regression: `y = 2 sin(πx / 2) + noise`.
    Sine,
    /// 1-D regression: a step from -1 to 1 at zero, plus noise.
    Sign,
    /// 1-D regression: `y = 2|x| - 2 + noise`.
    Abs,
    /// 1-D regression: `y = x³ - 3x + noise`.
    Cubic,
}

/// What hand-drawn or imported (`custom`) points carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomKind {
    /// A class label per point (2 to 8 classes).
    Classes,
    /// A value per 2-D point (regression).
    Values,
    /// A value per 1-D point `x`: a curve `y = f(x)` (regression).
    Curve,
}

impl DataSource {
    /// The generator behind this source, if it is generated.
    pub fn generator(self) -> Option<DatasetKind> {
        Some(match self {
            Self::Moons => DatasetKind::Moons,
            Self::Circles => DatasetKind::Circles,
            Self::Xor => DatasetKind::Xor,
            Self::Gaussians => DatasetKind::Gaussians,
            Self::Spiral => DatasetKind::Spiral,
            Self::Spiral3 => DatasetKind::Spiral3,
            _ => return None,
        })
    }

    /// The regression generator behind this source, if it is one.
    pub fn regression(self) -> Option<RegressionKind> {
        Some(match self {
            Self::RegPlane => RegressionKind::Plane,
            Self::RegGauss => RegressionKind::Gauss,
            Self::Sine => RegressionKind::Sine,
            Self::Sign => RegressionKind::Sign,
            Self::Abs => RegressionKind::Abs,
            Self::Cubic => RegressionKind::Cubic,
            _ => return None,
        })
    }

    /// Whether the points are generated from the seed (classes or values):
    /// `n_samples`, `noise` and `train_ratio` apply.
    pub fn is_generated(self) -> bool {
        self.generator().is_some() || self.regression().is_some()
    }
}

/// Which data to train on. Defaults: the tutorial's `make_moons(1000, noise=0.2)`, 80/20, standardised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataConfig {
    pub kind: DataSource,
    /// Number of points, 1 to 100,000.
    pub n_samples: usize,
    /// Standard deviation of the Gaussian noise, 0 to 10.
    pub noise: f64,
    /// Fraction of points used for training, in (0, 1).
    pub train_ratio: f64,
    /// Fit a standard scaler on the training rows and apply it everywhere.
    pub standardize: bool,
    /// Number of classes for `custom` data (2 to 8); generated data sets their own.
    pub classes: usize,
    /// What `custom` points carry: classes, values, or values along a curve.
    pub custom: CustomKind,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            kind: DataSource::Moons,
            n_samples: 1000,
            noise: 0.2,
            train_ratio: 0.8,
            standardize: true,
            classes: 2,
            custom: CustomKind::Classes,
        }
    }
}

impl DataConfig {
    pub fn validate(&self) -> Result<()> {
        check_samples(self.n_samples)?;
        check_noise(self.noise)?;
        crate::data::check_train_ratio(self.train_ratio)?;
        CLASSES.check_whole("dataset.classes", self.classes as u64)
    }

    /// Training rows the run starts with: the generated points' share, the
    /// tutorial's 800, or none for hand-drawn data.
    pub fn train_rows(&self) -> usize {
        match self.kind {
            DataSource::Tutorial => TUTORIAL_TRAIN_ROWS,
            DataSource::Custom => 0,
            _ => train_rows(self.n_samples, self.train_ratio),
        }
    }

    /// The number of classes; 1 for regression, whose one output is the value.
    pub fn n_classes(&self) -> usize {
        if self.values().is_some() {
            return 1;
        }
        match self.kind {
            DataSource::Custom => self.classes,
            DataSource::Tutorial => 2,
            other => other.generator().map_or(2, DatasetKind::n_classes),
        }
    }
}

impl DataConfig {
    /// For regression data, its shape; `None` when points have classes.
    pub fn values(&self) -> Option<ValueShape> {
        match (self.kind, self.custom) {
            (DataSource::Custom, CustomKind::Classes) => None,
            (DataSource::Custom, custom) => Some(ValueShape {
                one_d: custom == CustomKind::Curve,
            }),
            (kind, _) => kind.regression().map(|r| ValueShape { one_d: r.is_1d() }),
        }
    }
}

/// The network's shape. Defaults: the tutorial's `[2, 10, 8, 1]` on the
/// inputs `x1, x2`, ReLU, He normal, no batch norm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkConfig {
    /// The inputs, computed from each standardised point (`data::features`),
    /// in the order of the first layer's rows; at least one, none twice.
    pub features: Vec<Feature>,
    /// Hidden layer widths; `[]` is logistic regression.
    pub hidden: Vec<usize>,
    /// Activation of every hidden layer, unless `activations` lists one per layer.
    pub activation: ActivationKind,
    pub activations: Option<Vec<ActivationKind>>,
    /// Negative slope of leaky ReLU (PyTorch default 0.01).
    pub leaky_slope: f64,
    /// Alpha of ELU (PyTorch default 1).
    pub elu_alpha: f64,
    /// Output and loss; `None` picks sigmoid + BCE for two classes, softmax +
    /// CE for more, identity + MSE for regression (one "class": the value).
    pub output: Option<OutputLoss>,
    pub init: InitKind,
    /// Half-width `a` of the `uniform` initialiser.
    pub init_scale: f64,
    /// Batch normalisation after every hidden dense layer, before its activation.
    pub batch_norm: bool,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            features: features::PLAIN.to_vec(),
            hidden: vec![10, 8],
            activation: ActivationKind::Relu,
            activations: None,
            leaky_slope: 0.01,
            elu_alpha: 1.0,
            output: None,
            init: InitKind::HeNormal,
            init_scale: 0.5,
            batch_norm: false,
        }
    }
}

impl NetworkConfig {
    /// The output and loss used for data with `n_classes` classes, and its width.
    pub fn output_for(&self, n_classes: usize) -> Result<(OutputLoss, usize)> {
        let output = self.output.unwrap_or(match n_classes {
            1 => OutputLoss::IdentityMse,
            2 => OutputLoss::SigmoidBce,
            _ => OutputLoss::SoftmaxCe,
        });
        match output {
            OutputLoss::SigmoidBce | OutputLoss::SoftmaxCe if n_classes == 1 => Err(ConfigError::invalid(
                "network.output",
                format!(
                    "{} predicts classes but the data has values; use identity_mse",
                    if output == OutputLoss::SigmoidBce {
                        "sigmoid_bce"
                    } else {
                        "softmax_ce"
                    }
                ),
            )),
            OutputLoss::SigmoidBce if n_classes > 2 => Err(ConfigError::invalid(
                "network.output",
                format!(
                    "sigmoid_bce has one output unit but the data has {n_classes} classes; use softmax_ce"
                ),
            )),
            OutputLoss::SoftmaxCe => Ok((output, n_classes)),
            _ => Ok((output, 1)),
        }
    }

    /// Checks every field for data with `n_classes` classes, arithmetically
    /// (nothing is built); returns the layer sizes, input first.
    pub fn validate(&self, n_classes: usize) -> Result<Vec<usize>> {
        if !(self.leaky_slope.is_finite() && (0.0..1.0).contains(&self.leaky_slope)) {
            return Err(ConfigError::out_of_range(
                "network.leaky_slope",
                "in [0, 1)",
                self.leaky_slope,
            ));
        }
        if !(self.elu_alpha.is_finite() && self.elu_alpha > 0.0 && self.elu_alpha <= 10.0) {
            return Err(ConfigError::out_of_range(
                "network.elu_alpha",
                "in (0, 10]",
                self.elu_alpha,
            ));
        }
        if !(self.init_scale.is_finite() && self.init_scale > 0.0 && self.init_scale <= 100.0) {
            return Err(ConfigError::out_of_range(
                "network.init_scale",
                "in (0, 100]",
                self.init_scale,
            ));
        }
        features::check(&self.features, "network.features")?;
        if let Some(i) = self.hidden.iter().position(|&n| n == 0) {
            return Err(ConfigError::out_of_range(
                format!("network.hidden[{i}]"),
                ">= 1",
                0,
            ));
        }
        if let Some(list) = &self.activations
            && list.len() != self.hidden.len()
        {
            return Err(ConfigError::invalid(
                "network.activations",
                format!(
                    "{} hidden layers need {} activations, got {}",
                    self.hidden.len(),
                    self.hidden.len(),
                    list.len()
                ),
            ));
        }
        let sizes = self.sizes(n_classes)?;
        check_sizes(&sizes, self.batch_norm)?;
        Ok(sizes)
    }

    /// The layer sizes for `n_classes` classes: the inputs (one per
    /// feature), hidden…, output.
    pub fn sizes(&self, n_classes: usize) -> Result<Vec<usize>> {
        let (_, n_out) = self.output_for(n_classes)?;
        let mut sizes = Vec::with_capacity(self.hidden.len() + 2);
        sizes.push(self.features.len());
        sizes.extend(&self.hidden);
        sizes.push(n_out);
        Ok(sizes)
    }

    /// Validates and builds the (zero-initialised) network.
    pub fn build(&self, n_classes: usize) -> Result<Mlp> {
        let sizes = self.validate(n_classes)?;
        let kinds = match &self.activations {
            Some(list) => list.clone(),
            None => vec![self.activation; self.hidden.len()],
        };
        let acts: Vec<Activation> = kinds
            .iter()
            .map(|&k| Activation::from_kind(k, self.leaky_slope, self.elu_alpha))
            .collect();
        let (output, _) = self.output_for(n_classes)?;
        Mlp::new(&sizes, &acts, output, self.batch_norm)
    }
}

/// Everything that defines a run. `Default` is the tutorial's: moons, `[2, 10, 8, 1]`,
/// ReLU, He init, sigmoid + BCE, full-batch gradient descent with lr 0.1.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TrainConfig {
    /// One seed for everything: the points, the split, the initial weights and the batch order.
    pub seed: u64,
    pub dataset: DataConfig,
    pub network: NetworkConfig,
    pub optimizer: OptimizerConfig,
    /// Rows per step; `None` is full batch (the tutorial's). Larger than the
    /// training set means full batch.
    pub batch_size: Option<usize>,
    pub regularization: Regularization,
    pub clipping: Clipping,
    pub schedule: Schedule,
}

/// Largest config text accepted, in bytes: far above any real config, small enough to parse instantly.
pub const MAX_CONFIG_BYTES: usize = 64 * 1024;

impl TrainConfig {
    /// Decodes and validates a config from JSON text. Every error names the
    /// field's path (`dataset.noise`, `optimizer.lr`, …) and the offending value;
    /// unknown fields are errors, missing ones take their defaults.
    pub fn from_json(text: &str) -> Result<Self> {
        let config = Self::decode_json(text)?;
        config.validate()?;
        Ok(config)
    }

    /// `from_json` without the validation, for a config about to be handed to
    /// `Trainer::new` or `update_live`, which validate it: a change is
    /// validated once.
    pub fn decode_json(text: &str) -> Result<Self> {
        Self::decode(&parse_document(text, "config", MAX_CONFIG_BYTES)?, "")
    }

    /// The config as compact JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks every field, arithmetically (no network or data is built); the
    /// error names the first bad one and its value. (Whether the training
    /// rows fit the buffers depends on the data; `Trainer` checks that.)
    pub fn validate(&self) -> Result<()> {
        self.dataset.validate()?;
        self.network.validate(self.dataset.n_classes())?;
        self.optimizer.validate()?;
        if let Some(rows) = self.batch_size {
            BATCH.check_whole("batch_size", rows as u64)?;
        }
        match self.regularization {
            Regularization::None => {}
            Regularization::L1 { lambda } | Regularization::L2 { lambda } => {
                LAMBDA.check("regularization.lambda", lambda)?;
            }
        }
        self.clipping.validate()?;
        self.schedule.validate()
    }
}
