//! Backprop Playground's engine: datasets, a multi-layer perceptron with
//! hand-written forward and backward passes, losses, optimizers and the
//! training loop. Pure Rust; it never depends on anything wasm-specific.

pub mod activation;
pub mod batchnorm;
pub mod clip;
pub mod config;
pub mod data;
pub mod dataset;
mod decode;
pub mod draw;
pub mod error;
pub mod gradcheck;
pub mod health;
pub mod history;
pub mod init;
pub mod inspect;
pub mod json;
pub mod kernels;
pub mod loss;
pub mod mlp;
pub mod model_io;
pub mod optim;
pub mod range;
pub mod render;
pub mod scaler;
pub mod schedule;
pub mod settings;
pub mod stop;
pub mod trainer;

pub use activation::{Activation, ActivationKind};
pub use clip::Clipping;
pub use config::{DataConfig, DataSource, NetworkConfig, TrainConfig};
pub use data::Data;
pub use dataset::{Dataset, DatasetKind};
pub use error::{ConfigError, Result};
pub use init::InitKind;
pub use loss::OutputLoss;
pub use mlp::{Mlp, Regularization, Workspace};
pub use optim::{Optimizer, OptimizerConfig};
pub use scaler::StandardScaler;
pub use schedule::Schedule;
pub use stop::{Stop, StopRule};
pub use trainer::{Status, Trainer};
