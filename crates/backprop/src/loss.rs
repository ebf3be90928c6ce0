//! Output activations paired with their losses. Each computes the loss from
//! the logits and, beside it, `dz_out = dLoss/dz_out` for the batch.

use serde::{Deserialize, Serialize};

use crate::activation::sigmoid;

/// The output layer's activation and the loss it is trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputLoss {
    /// Sigmoid output, mean binary cross-entropy over all `batch * n_out`
    /// elements, computed stably from the logits (`binary_cross_entropy_with_logits`).
    SigmoidBce,
    /// Softmax over each row, mean cross-entropy over the batch (`cross_entropy`).
    SoftmaxCe,
    /// Identity output, mean squared error over all elements, no ½ (`mse_loss`).
    IdentityMse,
}

impl OutputLoss {
    pub const NAMES: &'static str = "sigmoid_bce, softmax_ce, identity_mse";

    /// Output activations `a: [batch, n_out]` from the logits `z: [batch, n_out]`.
    pub fn activate(self, z: &[f64], a: &mut [f64], n_out: usize) {
        match self {
            Self::SigmoidBce => a.iter_mut().zip(z).for_each(|(a, &z)| *a = sigmoid(z)),
            Self::IdentityMse => a.copy_from_slice(z),
            Self::SoftmaxCe => {
                for (zr, ar) in z.chunks_exact(n_out).zip(a.chunks_exact_mut(n_out)) {
                    let max = zr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let mut sum = 0.0;
                    for (a, &z) in ar.iter_mut().zip(zr) {
                        *a = (z - max).exp();
                        sum += *a;
                    }
                    ar.iter_mut().for_each(|a| *a /= sum);
                }
            }
        }
    }

    /// The mean loss over the batch, from logits `z` and targets `t` (both `[batch, n_out]`;
    /// for softmax `t` is one-hot). Stable for any finite logits.
    pub fn loss(self, z: &[f64], t: &[f64], n_out: usize) -> f64 {
        let batch = (z.len() / n_out.max(1)).max(1) as f64;
        match self {
            Self::SigmoidBce => {
                // -(t log σ(z) + (1-t) log(1-σ(z))) = max(z, 0) - z t + ln(1 + e^{-|z|})
                let sum: f64 = z
                    .iter()
                    .zip(t)
                    .map(|(&z, &t)| z.max(0.0) - z * t + (-z.abs()).exp().ln_1p())
                    .sum();
                sum / z.len().max(1) as f64
            }
            Self::IdentityMse => {
                let sum: f64 = z.iter().zip(t).map(|(&z, &t)| (z - t) * (z - t)).sum();
                sum / z.len().max(1) as f64
            }
            Self::SoftmaxCe => {
                let mut sum = 0.0;
                for (zr, tr) in z.chunks_exact(n_out).zip(t.chunks_exact(n_out)) {
                    let max = zr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let lse = max + zr.iter().map(|&z| (z - max).exp()).sum::<f64>().ln();
                    sum += zr.iter().zip(tr).map(|(&z, &t)| t * (lse - z)).sum::<f64>();
                }
                sum / batch
            }
        }
    }

    /// `dz = dLoss/dz` for the mean loss, given the output activations `a` and targets `t`.
    pub fn backward(self, a: &[f64], t: &[f64], dz: &mut [f64], n_out: usize) {
        let elements = a.len().max(1) as f64;
        let batch = (a.len() / n_out.max(1)).max(1) as f64;
        let scale = match self {
            Self::SigmoidBce => 1.0 / elements,
            Self::IdentityMse => 2.0 / elements,
            Self::SoftmaxCe => 1.0 / batch,
        };
        for ((d, &a), &t) in dz.iter_mut().zip(a).zip(t) {
            *d = scale * (a - t);
        }
    }
}
