//! Weight initialisers, seeded. Biases start at zero.

use rand::RngExt;
use rand::rngs::StdRng;
use rand_distr::StandardNormal;
use serde::Serialize;

/// How a weight matrix `W: [n_in, n_out]` is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InitKind {
    /// `N(0, 2/n_in)`: the tutorial's `randn * sqrt(2/n_in)`, for ReLU.
    HeNormal,
    /// `U(-a, a)` with `a = sqrt(6/n_in)`.
    HeUniform,
    /// `N(0, 2/(n_in+n_out))`.
    XavierNormal,
    /// `U(-a, a)` with `a = sqrt(6/(n_in+n_out))`.
    XavierUniform,
    /// `N(0, 1/n_in)`.
    LecunNormal,
    /// `U(-a, a)` with the configured `a`.
    Uniform,
    /// All zeros: every unit of a layer stays identical (no symmetry breaking).
    Zeros,
}

impl InitKind {
    /// Fills `w` (row-major `[n_in, n_out]`); `uniform_a` is used by `Uniform` only.
    pub fn fill(self, w: &mut [f64], n_in: usize, n_out: usize, uniform_a: f64, rng: &mut StdRng) {
        let (fan_in, fan_sum) = (n_in.max(1) as f64, (n_in + n_out).max(1) as f64);
        let normal = |std: f64, rng: &mut StdRng| std * rng.sample::<f64, _>(StandardNormal);
        let uniform = |a: f64, rng: &mut StdRng| if a > 0.0 { rng.random_range(-a..a) } else { 0.0 };
        for v in w.iter_mut() {
            *v = match self {
                Self::HeNormal => normal((2.0 / fan_in).sqrt(), rng),
                Self::HeUniform => uniform((6.0 / fan_in).sqrt(), rng),
                Self::XavierNormal => normal((2.0 / fan_sum).sqrt(), rng),
                Self::XavierUniform => uniform((6.0 / fan_sum).sqrt(), rng),
                Self::LecunNormal => normal((1.0 / fan_in).sqrt(), rng),
                Self::Uniform => uniform(uniform_a, rng),
                Self::Zeros => 0.0,
            };
        }
    }
}
