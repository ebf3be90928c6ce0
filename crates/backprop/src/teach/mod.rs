//! What the page shows about a run besides its curves: gradient checks,
//! each layer's health, one point's pass through the network, and the
//! decision boundary's pixels.

#[cfg(feature = "bughunt")]
pub mod bughunt;
pub mod diagnose;
pub mod draw;
pub mod gradcheck;
pub mod health;
pub mod inspect;
pub mod landscape;
pub mod render;
