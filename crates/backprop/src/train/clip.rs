//! Gradient clipping over the flat gradient vector, as `torch.nn.utils`.

use serde::Serialize;

use crate::error::Result;
use crate::range::Range;

/// A clipping threshold (`max_norm`, `clip_value`): any finite number above 0.
pub const THRESHOLD: Range = Range::above(0.0);

/// How gradients are clipped before each update.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Clipping {
    #[default]
    None,
    /// `clip_grad_norm_`: scale all gradients by `min(1, max_norm / (norm + 1e-6))`.
    Norm { max_norm: f64 },
    /// `clip_grad_value_`: clamp every element to `[-clip_value, clip_value]`.
    Value { clip_value: f64 },
}

/// What clipping saw and did on one step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ClipReport {
    /// The global L2 norm of the gradients before clipping.
    pub norm_before: f64,
    pub clipped: bool,
}

impl Clipping {
    pub fn validate(&self) -> Result<()> {
        let (field, v) = match *self {
            Self::None => return Ok(()),
            Self::Norm { max_norm } => ("clipping.max_norm", max_norm),
            Self::Value { clip_value } => ("clipping.clip_value", clip_value),
        };
        THRESHOLD.check(field, v)
    }

    /// Clips `grads` in place; never raises the norm.
    pub fn apply(&self, grads: &mut [f64]) -> ClipReport {
        let norm_before = global_norm(grads);
        let clipped = match *self {
            Self::None => false,
            Self::Norm { max_norm } => {
                let coef = max_norm / (norm_before + 1e-6);
                if coef < 1.0 {
                    grads.iter_mut().for_each(|g| *g *= coef);
                }
                coef < 1.0
            }
            Self::Value { clip_value } => {
                let mut any = false;
                for g in grads.iter_mut() {
                    let c = g.clamp(-clip_value, clip_value);
                    any |= c != *g;
                    *g = c;
                }
                any
            }
        };
        ClipReport { norm_before, clipped }
    }
}

/// `sqrt(Σ g²)` over every element.
pub fn global_norm(g: &[f64]) -> f64 {
    g.iter().map(|v| v * v).sum::<f64>().sqrt()
}
