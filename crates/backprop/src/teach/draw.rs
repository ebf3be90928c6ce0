//! The decision boundary's own forward pass. Drawing needs a colour per
//! pixel, not the checked f64 numerics, so the network is copied into f32
//! (twice the SIMD lanes of f64) in eval mode, with the input scaling and
//! each batch norm folded into the dense layers around them; the folding
//! itself is done in f64. A sigmoid output is computed in f32 too; softmax
//! and identity outputs are widened back to f64 and go through the engine's
//! own output function. Inputs other than the point itself (`x1², sin x1`,
//! …, see `data::features`) cannot be folded: they are computed per point
//! in f64 from the scaled point, then rounded to f32. A drawn output differs from
//! `Trainer::predict_data_space` by f32 rounding alone (well under 1e-4,
//! see the tests). After the first call nothing allocates while the
//! architecture stays.

use crate::data::features::{self, Feature};
use crate::data::scaler::StandardScaler;
use crate::net::activation::Activation;
use crate::net::backprop::BN_EPS;
use crate::net::backprop::OutputLoss;
use crate::net::mlp::Mlp;

/// Points pushed through the layers together: one unit's values for a chunk
/// (1 KiB of f32) stay in L1 while the next layer reads them.
const CHUNK: usize = 256;

#[derive(Debug, Clone, Default)]
struct Layer {
    n_in: usize,
    n_out: usize,
    /// `[n_in, n_out]` row-major, as the engine's weights.
    w: Vec<f32>,
    b: Vec<f32>,
}

/// A network prepared for drawing; `load` it from a model, then `predict`.
#[derive(Debug, Clone)]
pub struct DrawNet {
    layers: Vec<Layer>,
    activations: Vec<Activation>,
    output: OutputLoss,
    /// Two feature-major `[units, CHUNK]` buffers, one layer's input and output.
    buf: [Vec<f32>; 2],
    /// The output layer's logits and outputs in f64, `[n_out, CHUNK]`.
    z: Vec<f64>,
    a: Vec<f64>,
    /// While loading, one layer's `(scale, shift)` per unit (batch norm folded).
    fold: Vec<(f64, f64)>,
    /// The network's inputs; unless they are `x1, x2` (`scaled_inputs`),
    /// they are computed per point after `scaler`, not folded.
    features: Vec<Feature>,
    scaled_inputs: bool,
    scaler: StandardScaler,
}

impl Default for DrawNet {
    fn default() -> Self {
        Self {
            layers: Vec::new(),
            activations: Vec::new(),
            output: OutputLoss::SigmoidBce,
            buf: [Vec::new(), Vec::new()],
            z: Vec::new(),
            a: Vec::new(),
            fold: Vec::new(),
            features: features::PLAIN.to_vec(),
            scaled_inputs: false,
            scaler: StandardScaler::identity(2),
        }
    }
}

impl DrawNet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Copies `model` in eval mode, folding `scaler` (data space to model
    /// space) into the first layer when its inputs are the point itself, and
    /// every batch norm (with its running statistics) into the layer it
    /// follows. The folding is done in f64.
    pub fn load(&mut self, model: &Mlp, scaler: &StandardScaler, inputs: &[Feature]) {
        let fold_scaler = features::is_plain(inputs);
        self.features.clear();
        self.features.extend_from_slice(inputs);
        self.scaled_inputs = !fold_scaler;
        self.scaler.clone_from(scaler);
        let specs = model.layers();
        self.layers.resize_with(specs.len(), Layer::default);
        self.activations.clear();
        self.activations.extend_from_slice(model.activations());
        self.output = model.output();
        let mut widest = 0;
        let fold = &mut self.fold;
        for (l, (spec, layer)) in specs.iter().zip(&mut self.layers).enumerate() {
            let (n_in, n_out) = (spec.n_in, spec.n_out);
            widest = widest.max(n_in).max(n_out);
            let w = &model.params[spec.w_range()];
            let b = &model.params[spec.b_range()];
            // Per output unit, h = scale · z + shift (the identity without batch
            // norm), worked out once per unit.
            let affine = |j: usize| match (spec.gamma_range(), spec.beta_range()) {
                (Some(g), Some(bt)) => {
                    let r = &model.running[l];
                    let is = 1.0 / (r.var[j] + BN_EPS).sqrt();
                    let scale = model.params[g.start + j] * is;
                    (scale, model.params[bt.start + j] - scale * r.mean[j])
                }
                _ => (1.0, 0.0),
            };
            // The first layer reads data space: x_std = (x - mean) / scale.
            let input = |p: usize| {
                if l == 0 && fold_scaler {
                    let s = scaler.scale.get(p).copied().unwrap_or(1.0);
                    (1.0 / s, scaler.mean.get(p).copied().unwrap_or(0.0))
                } else {
                    (1.0, 0.0)
                }
            };
            layer.n_in = n_in;
            layer.n_out = n_out;
            layer.w.clear();
            layer.b.clear();
            fold.clear();
            fold.extend((0..n_out).map(affine));
            for p in 0..n_in {
                let (inv_s, _) = input(p);
                for (j, &(scale, _)) in fold.iter().enumerate() {
                    layer.w.push((w[p * n_out + j] * inv_s * scale) as f32);
                }
            }
            for (j, &(scale, shift)) in fold.iter().enumerate() {
                let moved: f64 = (0..n_in)
                    .map(|p| {
                        let (inv_s, mean) = input(p);
                        w[p * n_out + j] * inv_s * mean
                    })
                    .sum();
                layer.b.push(((b[j] - moved) * scale + shift) as f32);
            }
        }
        for buf in &mut self.buf {
            buf.resize(widest * CHUNK, 0.0);
        }
        let n_out = model.n_out();
        self.z.resize(n_out * CHUNK, 0.0);
        self.a.resize(n_out * CHUNK, 0.0);
    }

    /// Output activations for points in data space (`[rows, 2]`, row-major)
    /// into `out: [rows, n_out]`.
    pub fn predict(&mut self, points: &[f64], out: &mut [f64]) {
        let Some(first) = self.layers.first() else {
            return;
        };
        let n_in = first.n_in;
        let n_out = self.layers[self.layers.len() - 1].n_out;
        let rows = (points.len() / 2).min(out.len() / n_out);
        let last = self.layers.len() - 1;
        let mut start = 0;
        while start < rows {
            let m = (rows - start).min(CHUNK);
            let [cur, next] = &mut self.buf;
            if self.scaled_inputs {
                for r in 0..m {
                    let i = 2 * (start + r);
                    let x = self.scaler.transform_point([points[i], points[i + 1]]);
                    for (k, f) in self.features.iter().enumerate() {
                        cur[k * m + r] = f.of(x) as f32;
                    }
                }
            } else {
                // The scaling is in the first layer's weights.
                for r in 0..m {
                    for p in 0..n_in {
                        cur[p * m + r] = points[(start + r) * 2 + p] as f32;
                    }
                }
            }
            for (l, layer) in self.layers.iter().enumerate() {
                let act = if l == last {
                    Activation::Linear
                } else {
                    self.activations[l]
                };
                combine(layer, cur, next, m, act);
                std::mem::swap(cur, next);
            }
            // The logits are in `cur`, `[n_out, m]`.
            let rows_out = &mut out[start * n_out..(start + m) * n_out];
            if self.output == OutputLoss::SigmoidBce {
                // In place over contiguous f32 (so it vectorises), then widened.
                let logits = &mut cur[..n_out * m];
                logits.iter_mut().for_each(|z| *z = sigmoid(*z));
                if n_out == 1 {
                    for (o, &p) in rows_out.iter_mut().zip(logits.iter()) {
                        *o = f64::from(p);
                    }
                } else {
                    for (j, unit) in logits.chunks_exact(m).enumerate() {
                        for (r, &p) in unit.iter().enumerate() {
                            rows_out[r * n_out + j] = f64::from(p);
                        }
                    }
                }
            } else {
                let (z, a) = (&mut self.z[..n_out * m], &mut self.a[..n_out * m]);
                for (z, &v) in z.iter_mut().zip(&cur[..n_out * m]) {
                    *z = f64::from(v);
                }
                crate::net::backprop::output_forward(self.output, z, a, n_out, m);
                crate::fast::transpose(a, rows_out, n_out, m);
            }
            start += m;
        }
    }
}

/// Points per register block: four f32x4 vectors.
const BLOCK: usize = 16;

/// `out_j = f(b_j + Σ_p w[p, j] · a_p)` for every unit `j` over a chunk of
/// `m` points (`a: [n_in, m]`, `out: [n_out, m]`). Each block of 16 points
/// of two units accumulates in registers over the fan-in (fixed-length
/// loops the compiler turns into f32x4) and is stored once, activated.
fn combine(layer: &Layer, a: &[f32], out: &mut [f32], m: usize, act: Activation) {
    let (n_in, n_out) = (layer.n_in, layer.n_out);
    let full = m - m % BLOCK;
    let paired = n_out - n_out % 2;
    for j in (0..paired).step_by(2) {
        let (o0, o1) = out[j * m..(j + 2) * m].split_at_mut(m);
        for r in (0..full).step_by(BLOCK) {
            let mut acc0 = [layer.b[j]; BLOCK];
            let mut acc1 = [layer.b[j + 1]; BLOCK];
            for p in 0..n_in {
                let (w0, w1) = (layer.w[p * n_out + j], layer.w[p * n_out + j + 1]);
                let x: &[f32; BLOCK] = a[p * m + r..p * m + r + BLOCK].try_into().expect("block");
                for l in 0..BLOCK {
                    acc0[l] += w0 * x[l];
                    acc1[l] += w1 * x[l];
                }
            }
            o0[r..r + BLOCK].copy_from_slice(&acc0);
            o1[r..r + BLOCK].copy_from_slice(&acc1);
        }
    }
    for j in paired..n_out {
        let oj = &mut out[j * m..(j + 1) * m];
        for r in (0..full).step_by(BLOCK) {
            let mut acc = [layer.b[j]; BLOCK];
            for p in 0..n_in {
                let w = layer.w[p * n_out + j];
                let x: &[f32; BLOCK] = a[p * m + r..p * m + r + BLOCK].try_into().expect("block");
                for l in 0..BLOCK {
                    acc[l] += w * x[l];
                }
            }
            oj[r..r + BLOCK].copy_from_slice(&acc);
        }
    }
    for j in 0..n_out {
        let oj = &mut out[j * m..(j + 1) * m];
        for (r, o) in oj.iter_mut().enumerate().skip(full) {
            *o = layer.b[j]
                + (0..n_in)
                    .map(|p| layer.w[p * n_out + j] * a[p * m + r])
                    .sum::<f32>();
        }
        activate(act, oj);
    }
}

/// The logistic function in f32, to within a few ulp: e^{-|z|} as in
/// `fast::math::exp_nonpositive`, with a degree-7 series (truncation below
/// 1e-8 relative).
#[inline(always)]
fn sigmoid(z: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split so that n · LN2_HI is exact for |n| < 2^11.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // 1.5 · 2^23: adding it rounds to an integer held in the low mantissa bits.
    const SHIFT: f32 = 12_582_912.0;
    let x = -z.abs();
    let x = if x < -87.0 { -87.0 } else { x };
    let kd = x * LOG2E + SHIFT;
    let n = kd - SHIFT;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p = 1.0 / 5040.0;
    for c in [1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
        p = p * r + c;
    }
    // 2^n in the exponent bits (n in [-126, 0]).
    let scale =
        f32::from_bits((kd.to_bits().wrapping_sub(SHIFT.to_bits()).wrapping_add(127) << 23) & 0x7f80_0000);
    let e = p * scale;
    let inv = 1.0 / (1.0 + e);
    if z >= 0.0 { inv } else { e * inv }
}

fn activate(act: Activation, z: &mut [f32]) {
    match act {
        Activation::Relu => z.iter_mut().for_each(|z| *z = if *z > 0.0 { *z } else { 0.0 }),
        Activation::Linear => {}
        other => z.iter_mut().for_each(|z| *z = other.f(f64::from(*z)) as f32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::Trainer;
    use crate::train::config::TrainConfig;

    fn grid() -> Vec<f64> {
        let n = 37;
        (0..n * n)
            .flat_map(|i| {
                [
                    -2.5 + 5.0 * (i % n) as f64 / n as f64,
                    -2.0 + 4.5 * (i / n) as f64 / n as f64,
                ]
            })
            .collect()
    }

    #[test]
    fn f32_sigmoid_is_close_to_the_f64_one() {
        let mut worst = 0.0f64;
        for i in -200_000..=200_000 {
            let z = i as f32 * 1e-3;
            let (got, want) = (f64::from(sigmoid(z)), crate::fast::math::sigmoid(f64::from(z)));
            // Relative, down to 1e-30 (f32 stops at e^-87 ≈ 1.6e-38).
            worst = worst.max((got - want).abs() / want.max(1e-30));
        }
        assert!(worst < 5e-7, "worst relative error {worst}");
        assert_eq!(sigmoid(1e30), 1.0);
        assert!(sigmoid(-1e30) >= 0.0 && sigmoid(-1e30) < 1e-37);
        assert!(sigmoid(f32::NAN).is_nan());
    }

    /// The drawn outputs match the f64 eval-mode prediction for settings that
    /// exercise every fold: scaling, batch norm, softmax, smooth activations.
    #[test]
    fn matches_the_f64_prediction() {
        let configs = [
            r#"{"dataset": {"kind": "tutorial"}}"#,
            r#"{"dataset": {"kind": "spiral3"}, "network": {"hidden": [12, 9], "activation": "tanh", "batch_norm": true}, "optimizer": {"kind": "adam", "lr": 0.01}}"#,
            r#"{"dataset": {"kind": "circles"}, "network": {"hidden": [6], "activation": "gelu", "batch_norm": true}}"#,
            r#"{"dataset": {"kind": "xor"}, "network": {"features": ["x1_x2", "sin_x1", "x2_sq", "x1"], "hidden": [5]}}"#,
        ];
        for text in configs {
            let config = TrainConfig::from_json(text).expect("config");
            let mut t = Trainer::new(config).expect("trainer");
            for _ in 0..40 {
                t.step_epoch();
            }
            let points = grid();
            let n_out = t.model().n_out();
            let rows = points.len() / 2;
            let mut want = vec![0.0; rows * n_out];
            t.predict_data_space(&points, &mut want);
            let mut net = DrawNet::new();
            net.load(t.model(), t.data().scaler(), t.data().features());
            let mut got = vec![f64::NAN; rows * n_out];
            net.predict(&points, &mut got);
            let worst = want
                .iter()
                .zip(&got)
                .map(|(w, g)| (w - g).abs())
                .fold(0.0, f64::max);
            assert!(worst < 1e-4, "{text}: worst difference {worst}");
            // Reloading reuses the buffers and gives the same result.
            net.load(t.model(), t.data().scaler(), t.data().features());
            let mut again = vec![0.0; rows * n_out];
            net.predict(&points, &mut again);
            assert_eq!(got, again);
        }
    }
}
