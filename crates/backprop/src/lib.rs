//! Backprop Playground's engine. Pure Rust; it never depends on anything
//! wasm-specific.
//!
//! - `net`: the network. `net/backprop.rs` is the algorithm, each layer's
//!   forward and backward side by side; `fast` computes its dense products.
//! - `data`: datasets, the points a run trains on, input scaling and the
//!   input features.
//! - `train`: the training loop, its configuration, optimizers, schedules,
//!   clipping, stop rules and history.
//! - `teach`: what the page shows about a run: gradient checks, layer
//!   health, per-point inspection, the decision boundary's pixels.
//! - `io`: reading configs and model files, writing model files.
//! - `settings`: the page's settings, one table of keys, ranges and rules.

pub mod data;
pub mod error;
pub mod fast;
pub mod io;
pub mod net;
pub mod range;
pub mod settings;
pub mod teach;
pub mod train;

pub use data::Data;
pub use data::dataset::{Dataset, DatasetKind};
pub use data::scaler::StandardScaler;
pub use error::{ConfigError, Result};
pub use net::{Activation, ActivationKind, InitKind, Mlp, OutputLoss, Regularization, Workspace};
pub use train::clip::Clipping;
pub use train::config::{CustomKind, DataConfig, DataSource, NetworkConfig, TrainConfig};
pub use train::optim::{Optimizer, OptimizerConfig};
pub use train::schedule::Schedule;
pub use train::stop::{Stop, StopRule};
pub use train::{Status, Trainer};
