//! Seeded regression datasets: each point has a real value to predict
//! instead of a class.
//!
//! - TensorFlow Playground's two 2-D sets (`regressPlane`, `regressGaussian`
//!   in its `dataset.ts`): inputs uniform in `[-6, 6]²`; the value is taken
//!   at the input moved by uniform noise of `noise · 6` in each coordinate,
//!   as TensorFlow Playground does.
//! - 1-D functions `y = f(x) + noise · ε` with `x` uniform in `[-2, 2]` and
//!   `ε` standard normal. A 1-D point is stored as `(x, 0)`: its second
//!   input is always zero, so it adds nothing to the network's output and
//!   receives no gradient.

use std::f64::consts::PI;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

use crate::data::dataset::{check_noise, check_samples};
use crate::error::Result;

/// Half-width of the 2-D sets' square of inputs (TensorFlow Playground's `radius`).
pub const RADIUS_2D: f64 = 6.0;
/// Half-width of the 1-D sets' interval of inputs.
pub const RADIUS_1D: f64 = 2.0;

/// The regression sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegressionKind {
    /// A tilted plane: `(x₁ + x₂) / 10`, from -1.2 to 1.2.
    Plane,
    /// Six bumps of alternating sign on a 3 × 2 grid: at each point, the
    /// bump largest in magnitude, `±max(0, 1 - d / 2)` at distance `d` from its centre.
    Gauss,
    /// `2 sin(πx / 2)`: one period over the interval.
    Sine,
    /// A step: `-1` below zero, `1` from zero on (the sign of `x`).
    Sign,
    /// `2|x| - 2`.
    Abs,
    /// `x³ - 3x`: from -2 to 2 and back, turning at ±1.
    Cubic,
}

impl RegressionKind {
    /// Whether the inputs are one number `x` (stored as `(x, 0)`).
    pub fn is_1d(self) -> bool {
        !matches!(self, Self::Plane | Self::Gauss)
    }

    /// The value at `(x₁, x₂)` without noise (`x₂` is ignored by the 1-D sets).
    pub fn value_at(self, x1: f64, x2: f64) -> f64 {
        match self {
            Self::Plane => (x1 + x2) / 10.0,
            Self::Gauss => gauss_value(x1, x2),
            Self::Sine => 2.0 * (PI * x1 / 2.0).sin(),
            Self::Sign => {
                if x1 < 0.0 {
                    -1.0
                } else {
                    1.0
                }
            }
            Self::Abs => 2.0 * x1.abs() - 2.0,
            Self::Cubic => x1 * x1 * x1 - 3.0 * x1,
        }
    }
}

/// TensorFlow Playground's bumps: centre and sign.
const BUMPS: [(f64, f64, f64); 6] = [
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
];

/// The bump largest in magnitude at `(x, y)` (0 far from every centre).
fn gauss_value(x: f64, y: f64) -> f64 {
    let mut value: f64 = 0.0;
    for (cx, cy, sign) in BUMPS {
        let d = (x - cx).hypot(y - cy);
        let bump = sign * (1.0 - d / 2.0).clamp(0.0, 1.0);
        if bump.abs() > value.abs() {
            value = bump;
        }
    }
    value
}

/// Points `[n, 2]` row-major and the value of each.
#[derive(Debug, Clone, PartialEq)]
pub struct Values {
    pub points: Vec<f64>,
    pub values: Vec<f64>,
}

/// Makes `n_samples` points of `kind` with noise `noise`, from `seed`.
pub fn generate(kind: RegressionKind, n_samples: usize, noise: f64, seed: u64) -> Result<Values> {
    check_samples(n_samples)?;
    check_noise(noise)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut points = Vec::with_capacity(2 * n_samples);
    let mut values = Vec::with_capacity(n_samples);
    for _ in 0..n_samples {
        if kind.is_1d() {
            let x = rng.random_range(-RADIUS_1D..RADIUS_1D);
            let e: f64 = rng.sample(StandardNormal);
            points.extend([x, 0.0]);
            values.push(kind.value_at(x, 0.0) + noise * e);
        } else {
            let mut uniform = || rng.random_range(-RADIUS_2D..RADIUS_2D);
            let (x, y) = (uniform(), uniform());
            let (dx, dy) = (uniform() * noise, uniform() * noise);
            points.extend([x, y]);
            values.push(kind.value_at(x + dx, y + dy));
        }
    }
    Ok(Values { points, values })
}
