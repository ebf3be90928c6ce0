//! The same forward and backward pass for one point, in plain loops: no
//! kernels, no feature-major layout, nothing fused. Slow and plainly
//! correct: the fast path is tested against it on many shapes and every
//! activation, and the walk-through's trace shows its numbers.
//!
//! Batch norm normalises over a batch, so one point has no pass of its own
//! through it; callers refuse such networks.

use crate::net::backprop::{loss_backward, loss_forward, output_forward};
use crate::net::mlp::Mlp;

/// One layer's values for one point.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerPass {
    /// `z = a_prev · W + b`.
    pub z: Vec<f64>,
    /// `a = f(z)` (the output's activation for the last layer).
    pub a: Vec<f64>,
    /// `f′(z)` for a hidden layer; empty for the output, whose `dz` comes from the loss.
    pub f_prime: Vec<f64>,
    /// `dz = ∂L/∂z`.
    pub dz: Vec<f64>,
    /// `dW = a_prevᵀ · dz`: `[n_in, n_out]` row-major.
    pub dw: Vec<f64>,
    /// `db = dz`.
    pub db: Vec<f64>,
}

/// Forward and backward for the point `x` (scaled) with target `t`: the
/// loss and every layer's values. The network must have no batch norm.
pub fn one_point(mlp: &Mlp, x: &[f64], t: &[f64]) -> (f64, Vec<LayerPass>) {
    let last = mlp.layers().len() - 1;
    let mut passes: Vec<LayerPass> = Vec::with_capacity(last + 1);
    // Forward: z_j = b_j + Σ_i a_prev_i · W_ij, then a = f(z).
    for (l, layer) in mlp.layers().iter().enumerate() {
        let a_prev = if l == 0 { x } else { &passes[l - 1].a[..] };
        let (w, b) = (&mlp.params[layer.w_range()], &mlp.params[layer.b_range()]);
        let mut z = vec![0.0; layer.n_out];
        for (j, z) in z.iter_mut().enumerate() {
            *z = b[j];
            for (i, &a) in a_prev.iter().enumerate() {
                *z += a * w[i * layer.n_out + j];
            }
        }
        let mut a = vec![0.0; layer.n_out];
        let mut f_prime = Vec::new();
        if l == last {
            output_forward(mlp.output(), &z, &mut a, layer.n_out, 1);
        } else {
            let f = mlp.activations()[l];
            a = z.iter().map(|&z| f.f(z)).collect();
            f_prime = z.iter().zip(&a).map(|(&z, &a)| f.df(z, a)).collect();
        }
        let n = layer.n_out;
        let (dz, dw, db) = (vec![0.0; n], vec![0.0; layer.n_in * n], vec![0.0; n]);
        passes.push(LayerPass {
            z,
            a,
            f_prime,
            dz,
            dw,
            db,
        });
    }
    let out = &mut passes[last];
    let n_out = out.z.len();
    let mut scratch = vec![0.0; n_out];
    let loss = loss_forward(mlp.output(), &out.z, &out.a, t, n_out, 1, &mut scratch);
    // Backward: the loss gives the output's dz; each layer gives its dW, db
    // and, through W and the activation below, the dz of the layer below.
    loss_backward(mlp.output(), &out.a, t, &mut out.dz, n_out, 1);
    for l in (0..=last).rev() {
        let n_out = mlp.layers()[l].n_out;
        let w = &mlp.params[mlp.layers()[l].w_range()];
        let (below, here) = passes.split_at_mut(l);
        let here = &mut here[0];
        let a_prev = if l == 0 { x } else { &below[l - 1].a[..] };
        for (i, &a) in a_prev.iter().enumerate() {
            for j in 0..n_out {
                here.dw[i * n_out + j] = a * here.dz[j];
            }
        }
        here.db.copy_from_slice(&here.dz);
        if l > 0 {
            let below = &mut below[l - 1];
            for i in 0..below.dz.len() {
                let mut da = 0.0;
                for j in 0..n_out {
                    da += w[i * n_out + j] * here.dz[j];
                }
                below.dz[i] = da * below.f_prime[i];
            }
        }
    }
    (loss, passes)
}
