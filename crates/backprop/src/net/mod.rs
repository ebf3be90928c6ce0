//! The network: its layers' maths (`backprop`, the algorithm in one file),
//! its activations, initialisers, and the parameters and buffers (`mlp`).

pub mod activation;
pub mod backprop;
pub mod init;
pub mod mlp;
pub mod reference;

pub use activation::{Activation, ActivationKind};
pub use backprop::{OutputLoss, RunningStats};
pub use init::InitKind;
pub use mlp::{LayerParams, Mlp, Regularization, Workspace};
