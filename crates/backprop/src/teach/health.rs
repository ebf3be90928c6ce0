//! Training health, per layer, from the last step: how big the gradients and
//! weights are, how far the update moved the weights, and how many units
//! are dead (ReLU) or saturated (tanh, sigmoid); plus fixed-bin histograms of
//! activations and gradients, to show vanishing and exploding gradients.

use serde::Serialize;

use crate::net::activation::Activation;
use crate::net::mlp::{Mlp, Workspace};
use crate::train::clip::global_norm;

/// Histogram bins: activations over [-4, 4] in steps of 0.25 (values outside
/// land in the end bins); gradients by log10 |g| from -12 to 2 in steps of 0.5.
pub const BINS: usize = 32;
pub const ACT_RANGE: (f64, f64) = (-4.0, 4.0);
pub const GRAD_LOG10_RANGE: (f64, f64) = (-12.0, 2.0);

/// Counts over `BINS` equal bins of `[lo, hi]`; out-of-range values go to the end bins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u32>,
    /// Values that were exactly zero (a gradient histogram's log scale has no place for them).
    pub zeros: u32,
}

impl Histogram {
    fn new((lo, hi): (f64, f64)) -> Self {
        Self {
            lo,
            hi,
            counts: vec![0; BINS],
            zeros: 0,
        }
    }

    fn add(&mut self, v: f64) {
        if !v.is_finite() {
            return;
        }
        let t = ((v - self.lo) / (self.hi - self.lo) * BINS as f64).floor();
        self.counts[t.clamp(0.0, (BINS - 1) as f64) as usize] += 1;
    }
}

/// One layer's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerHealth {
    pub layer: usize,
    /// L2 norm of the layer's weight and bias gradients (before clipping).
    pub grad_norm: f64,
    /// L2 norm of the weights.
    pub weight_norm: f64,
    /// `|ΔW| / |W|` of the last update (healthy training is often near 1e-3).
    pub update_ratio: f64,
    /// Fraction of ReLU units with `z <= 0` for every row of the batch (0 for other activations).
    pub dead_fraction: f64,
    /// Fraction of tanh/sigmoid activations in the batch with |z| > 3 (0 for others).
    pub saturated_fraction: f64,
    /// The layer's outputs over the batch (hidden layers: after the activation).
    pub activations: Histogram,
    /// `dLoss/dz` over the batch, by log10 magnitude.
    pub gradients: Histogram,
}

/// The figures for every layer, from the workspace of the last step (`rows` rows),
/// the gradients `grads` (before clipping) and the parameters before the update.
pub fn layer_health(
    mlp: &Mlp,
    ws: &Workspace,
    rows: usize,
    grads: &[f64],
    before: &[f64],
) -> Vec<LayerHealth> {
    let last = mlp.layers().len() - 1;
    mlp.layers()
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            let (w, n) = (layer.w_range(), layer.n_out);
            let delta: f64 = w
                .clone()
                .map(|i| (mlp.params[i] - before.get(i).copied().unwrap_or(mlp.params[i])).powi(2))
                .sum::<f64>()
                .sqrt();
            let weight_norm = global_norm(&mlp.params[w]);
            let act = if l < last {
                Some(mlp.activations()[l])
            } else {
                None
            };
            let pre = if layer.bn.is_some() { &ws.h[l] } else { &ws.z[l] };
            let pre = &pre[..n * rows];
            let dead_fraction = match act {
                Some(Activation::Relu) if rows > 0 => {
                    let dead = (0..n)
                        .filter(|&j| pre[j * rows..(j + 1) * rows].iter().all(|&z| z <= 0.0))
                        .count();
                    dead as f64 / n as f64
                }
                _ => 0.0,
            };
            let saturated_fraction = match act {
                Some(f @ (Activation::Tanh | Activation::Sigmoid)) if rows > 0 => {
                    pre.iter().filter(|&&z| f.is_saturated(z)).count() as f64 / pre.len() as f64
                }
                _ => 0.0,
            };
            let mut activations = Histogram::new(ACT_RANGE);
            ws.a[l][..n * rows].iter().for_each(|&v| activations.add(v));
            let mut gradients = Histogram::new(GRAD_LOG10_RANGE);
            for &g in &ws.dz[l][..n * rows] {
                if g == 0.0 {
                    gradients.zeros += 1;
                } else {
                    gradients.add(g.abs().log10());
                }
            }
            LayerHealth {
                layer: l,
                grad_norm: global_norm(&grads[layer.w..layer.b + n]),
                weight_norm,
                update_ratio: if weight_norm > 0.0 {
                    delta / weight_norm
                } else {
                    0.0
                },
                dead_fraction,
                saturated_fraction,
                activations,
                gradients,
            }
        })
        .collect()
}
