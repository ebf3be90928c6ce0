//! Output activations paired with their losses. Each computes the loss from
//! the logits and, beside it, `dz_out = dLoss/dz_out` for the batch.
//! Matrices are feature-major: `z: [n_out, rows]`, element `(r, j)` at `j * rows + r`.

use serde::Serialize;

use crate::activation::{larger, ln_normal, relu, sigmoid};
use crate::kernels::sum;

/// The output layer's activation and the loss it is trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    /// Output activations `a` from the logits `z` (both `[n_out, rows]`).
    pub fn activate(self, z: &[f64], a: &mut [f64], n_out: usize, rows: usize) {
        match self {
            Self::SigmoidBce => {
                crate::kernels::wide(|| a.iter_mut().zip(z).for_each(|(a, &z)| *a = sigmoid(z)))
            }
            Self::IdentityMse => a.copy_from_slice(z),
            Self::SoftmaxCe => {
                for r in 0..rows {
                    let max = (0..n_out)
                        .map(|j| z[j * rows + r])
                        .fold(f64::NEG_INFINITY, f64::max);
                    let mut sum = 0.0;
                    for j in 0..n_out {
                        let e = (z[j * rows + r] - max).exp();
                        a[j * rows + r] = e;
                        sum += e;
                    }
                    for j in 0..n_out {
                        a[j * rows + r] /= sum;
                    }
                }
            }
        }
    }

    /// The mean loss over the batch, from logits `z`, the output activations
    /// `a = activate(z)` and targets `t` (all `[n_out, rows]`; one-hot for
    /// softmax). Stable for any finite logits. `scratch` (at least
    /// `n_out * rows`) holds per-element terms, so that their loop vectorises
    /// and `kernels::sum` adds them.
    pub fn loss(
        self,
        z: &[f64],
        a: &[f64],
        t: &[f64],
        n_out: usize,
        rows: usize,
        scratch: &mut [f64],
    ) -> f64 {
        let elements = (n_out * rows).max(1) as f64;
        match self {
            Self::SigmoidBce => {
                // -(t log σ(z) + (1-t) log(1-σ(z))) = max(z, 0) - z t + ln(1 + e^{-|z|}),
                // and ln(1 + e^{-|z|}) = -ln(max(σ(z), 1 - σ(z))): one log of a value
                // in [½, 1], no exp, reusing the sigmoid already computed. Where σ
                // rounds to 1 the term's true value is below 1e-16, so the absolute
                // error is too.
                let terms = &mut scratch[..n_out * rows];
                crate::kernels::wide(|| {
                    for (((term, &z), &a), &t) in terms.iter_mut().zip(z).zip(a).zip(t) {
                        *term = relu(z) - z * t - ln_normal(larger(a, 1.0 - a));
                    }
                });
                sum(terms) / elements
            }
            Self::IdentityMse => z.iter().zip(t).map(|(&z, &t)| (z - t) * (z - t)).sum::<f64>() / elements,
            Self::SoftmaxCe => {
                let mut sum = 0.0;
                for r in 0..rows {
                    let max = (0..n_out)
                        .map(|j| z[j * rows + r])
                        .fold(f64::NEG_INFINITY, f64::max);
                    let lse = max
                        + (0..n_out)
                            .map(|j| (z[j * rows + r] - max).exp())
                            .sum::<f64>()
                            .ln();
                    sum += (0..n_out)
                        .map(|j| t[j * rows + r] * (lse - z[j * rows + r]))
                        .sum::<f64>();
                }
                sum / rows.max(1) as f64
            }
        }
    }

    /// `dz = dLoss/dz` for the mean loss, given the output activations `a` and targets `t`.
    pub fn backward(self, a: &[f64], t: &[f64], dz: &mut [f64], n_out: usize, rows: usize) {
        let scale = match self {
            Self::SigmoidBce => 1.0 / (n_out * rows).max(1) as f64,
            Self::IdentityMse => 2.0 / (n_out * rows).max(1) as f64,
            Self::SoftmaxCe => 1.0 / rows.max(1) as f64,
        };
        for ((d, &a), &t) in dz.iter_mut().zip(a).zip(t) {
            *d = scale * (a - t);
        }
    }
}
