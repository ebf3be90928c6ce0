//! Hidden-layer activations, each with its derivative right beside it.

use serde::Serialize;

use crate::fast::Elementwise;
use crate::fast::math::{relu, sigmoid};

/// Names as they appear in configs and URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationKind {
    Relu,
    LeakyRelu,
    Tanh,
    Sigmoid,
    Elu,
    Gelu,
    Linear,
}

/// An activation with its parameter, as the network uses it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activation {
    /// `max(0, z)`; `f'(0)` is taken as 0, like PyTorch.
    Relu,
    /// `z` for `z > 0`, else `slope * z` (PyTorch's `negative_slope`, default 0.01).
    LeakyRelu {
        slope: f64,
    },
    Tanh,
    Sigmoid,
    /// `z` for `z > 0`, else `alpha * (exp(z) - 1)` (default `alpha = 1`).
    Elu {
        alpha: f64,
    },
    /// The exact GELU, `z * Phi(z)` with `erf`, not the tanh approximation.
    Gelu,
    /// The identity.
    Linear,
}

impl Activation {
    pub fn from_kind(kind: ActivationKind, leaky_slope: f64, elu_alpha: f64) -> Self {
        match kind {
            ActivationKind::Relu => Self::Relu,
            ActivationKind::LeakyRelu => Self::LeakyRelu { slope: leaky_slope },
            ActivationKind::Tanh => Self::Tanh,
            ActivationKind::Sigmoid => Self::Sigmoid,
            ActivationKind::Elu => Self::Elu { alpha: elu_alpha },
            ActivationKind::Gelu => Self::Gelu,
            ActivationKind::Linear => Self::Linear,
        }
    }

    pub fn kind(self) -> ActivationKind {
        match self {
            Self::Relu => ActivationKind::Relu,
            Self::LeakyRelu { .. } => ActivationKind::LeakyRelu,
            Self::Tanh => ActivationKind::Tanh,
            Self::Sigmoid => ActivationKind::Sigmoid,
            Self::Elu { .. } => ActivationKind::Elu,
            Self::Gelu => ActivationKind::Gelu,
            Self::Linear => ActivationKind::Linear,
        }
    }

    /// `a = f(z)`.
    #[inline]
    pub fn f(self, z: f64) -> f64 {
        match self {
            Self::Relu => relu(z),
            Self::LeakyRelu { slope } => {
                if z > 0.0 {
                    z
                } else {
                    slope * z
                }
            }
            Self::Tanh => z.tanh(),
            Self::Sigmoid => sigmoid(z),
            Self::Elu { alpha } => {
                if z > 0.0 {
                    z
                } else {
                    alpha * z.exp_m1()
                }
            }
            Self::Gelu => 0.5 * z * (1.0 + libm::erf(z * std::f64::consts::FRAC_1_SQRT_2)),
            Self::Linear => z,
        }
    }

    /// `f'(z)`, given `z` and the already computed `a = f(z)` (cheaper for tanh and sigmoid).
    #[inline]
    pub fn df(self, z: f64, a: f64) -> f64 {
        match self {
            Self::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::LeakyRelu { slope } => {
                if z > 0.0 {
                    1.0
                } else {
                    slope
                }
            }
            Self::Tanh => 1.0 - a * a,
            Self::Sigmoid => a * (1.0 - a),
            Self::Elu { alpha } => {
                if z > 0.0 {
                    1.0
                } else {
                    a + alpha
                }
            }
            Self::Gelu => {
                let cdf = 0.5 * (1.0 + libm::erf(z * std::f64::consts::FRAC_1_SQRT_2));
                let pdf = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
                cdf + z * pdf
            }
            Self::Linear => 1.0,
        }
    }

    /// `a = f(z)` over a slice; the match sits outside the loop so each arm vectorises.
    pub fn forward_slice(self, z: &[f64], a: &mut [f64]) {
        match self {
            Self::Relu => a.iter_mut().zip(z).for_each(|(a, &z)| *a = relu(z)),
            Self::Linear => a.copy_from_slice(&z[..a.len()]),
            Self::Tanh => a.iter_mut().zip(z).for_each(|(a, &z)| *a = z.tanh()),
            Self::Sigmoid => a.iter_mut().zip(z).for_each(|(a, &z)| *a = sigmoid(z)),
            other => a.iter_mut().zip(z).for_each(|(a, &z)| *a = other.f(z)),
        }
    }

    /// `d *= f'(z)` over slices (`a = f(z)` given), the match outside the loop.
    pub fn backward_slice(self, z: &[f64], a: &[f64], d: &mut [f64]) {
        match self {
            Self::Relu => d
                .iter_mut()
                .zip(z)
                .for_each(|(d, &z)| *d = if z > 0.0 { *d } else { 0.0 }),
            Self::Linear => {}
            Self::Tanh => d.iter_mut().zip(a).for_each(|(d, &a)| *d *= 1.0 - a * a),
            Self::Sigmoid => d.iter_mut().zip(a).for_each(|(d, &a)| *d *= a * (1.0 - a)),
            other => d
                .iter_mut()
                .zip(z)
                .zip(a)
                .for_each(|((d, &z), &a)| *d *= other.df(z, a)),
        }
    }

    /// Whether `f` (or a derivative the loss depends on) is not smooth at `z = 0`.
    pub fn has_kink(self) -> bool {
        matches!(self, Self::Relu | Self::LeakyRelu { .. } | Self::Elu { .. })
    }

    /// Whether a unit with pre-activation `z` counts as saturated (|z| > 3 for tanh and sigmoid).
    pub fn is_saturated(self, z: f64) -> bool {
        matches!(self, Self::Tanh | Self::Sigmoid) && z.abs() > SATURATION_Z
    }
}

/// Beyond this |z|, tanh' < 0.01 and sigmoid' < 0.05: the unit barely passes gradient.
pub const SATURATION_Z: f64 = 3.0;

/// How the dense kernels apply an activation (see `fast::dense_forward_then`).
impl Elementwise for Activation {
    fn forward(self, z: &[f64], a: &mut [f64]) {
        self.forward_slice(z, a);
    }
    fn backward(self, z: &[f64], a: &[f64], d: &mut [f64]) {
        self.backward_slice(z, a, d);
    }
    fn is_relu(self) -> bool {
        self == Self::Relu
    }
}
