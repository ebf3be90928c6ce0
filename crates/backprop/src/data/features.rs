//! The network's inputs: features computed from a standardised point
//! `(x₁, x₂)`, TensorFlow Playground's set. With `x₁²` and `x₂²` alone, the
//! circles become linearly separable: a network without hidden layers
//! draws a ring. Every model-facing path (training, evaluation, the grids,
//! the gradient check, the one-point trace) calls `write` or
//! `fill_feature_major` here, so a feature is defined once.

use serde::Serialize;

use crate::data::scaler::StandardScaler;
use crate::error::{ConfigError, Result};

/// One input of the network, computed from the standardised point `(x₁, x₂)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    X1,
    X2,
    X1Sq,
    X2Sq,
    X1X2,
    SinX1,
    SinX2,
}

/// The tutorial's inputs: the two coordinates themselves.
pub const PLAIN: [Feature; 2] = [Feature::X1, Feature::X2];

impl Feature {
    /// The feature's value at the standardised point `x`.
    pub fn of(self, x: [f64; 2]) -> f64 {
        let [x1, x2] = x;
        match self {
            Self::X1 => x1,
            Self::X2 => x2,
            Self::X1Sq => x1 * x1,
            Self::X2Sq => x2 * x2,
            Self::X1X2 => x1 * x2,
            Self::SinX1 => x1.sin(),
            Self::SinX2 => x2.sin(),
        }
    }
}

/// Checks a list of features: at least one, none twice. The list's order
/// is the order of the first layer's inputs (its weights' rows).
pub fn check(features: &[Feature], field: &str) -> Result<()> {
    if features.is_empty() {
        return Err(ConfigError::invalid(field, "at least one feature, got none"));
    }
    if let Some(i) = (1..features.len()).find(|&i| features[..i].contains(&features[i])) {
        return Err(ConfigError::invalid(
            format!("{field}[{i}]"),
            format!("{} is listed twice", Feature::NAMES[index_of(features[i])]),
        ));
    }
    Ok(())
}

fn index_of(f: Feature) -> usize {
    Feature::ALL.iter().position(|&g| g == f).unwrap_or(0)
}

/// Whether `features` are the point itself, `[x₁, x₂]`: then the scaling
/// can be folded into the first layer (see `teach::draw`).
pub fn is_plain(features: &[Feature]) -> bool {
    features == PLAIN
}

/// Appends the features of the standardised point `x` to `row`.
pub fn write(features: &[Feature], x: [f64; 2], row: &mut Vec<f64>) {
    row.extend(features.iter().map(|f| f.of(x)));
}

/// Row-major points `[rows, 2]` in data space into the network's
/// feature-major input `[features, rows]` (a `Workspace`'s `x`): each point
/// standardised by `scaler`, then each feature computed from it.
pub fn fill_feature_major(
    features: &[Feature],
    scaler: &StandardScaler,
    points: &[f64],
    x: &mut [f64],
    rows: usize,
) {
    for r in 0..rows {
        let p = scaler.transform_point([points[2 * r], points[2 * r + 1]]);
        for (k, f) in features.iter().enumerate() {
            x[k * rows + r] = f.of(p);
        }
    }
}
