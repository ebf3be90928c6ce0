//! Backpropagation: the whole algorithm, in one file.
//!
//! A network is a chain of layers. Forward, each layer computes its output
//! from its input. Backward, each receives the gradient of the loss with
//! respect to its output and returns the gradient with respect to its input
//! and to its parameters: the chain rule, one link at a time. Each kind of
//! layer is a pair of functions below, forward and backward side by side:
//!
//! | layer           | forward                     | backward                                     |
//! |-----------------|-----------------------------|----------------------------------------------|
//! | dense           | z = a_prev·W + b            | dW = a_prevᵀ·dz, db = Σ dz, da_prev = dz·Wᵀ  |
//! | activation      | a = f(z)                    | dz = da ⊙ f′(z)                              |
//! | batch norm      | h = γ·(z − μ)/√(σ² + ε) + β | dz, dγ, dβ (see `batchnorm_backward`)        |
//! | output and loss | ŷ = σ(z), L = mean BCE(ŷ,y) | dz = (ŷ − y) / N                             |
//!
//! At the end, `Mlp::forward_train` and `Mlp::backward` run the chain: the
//! tutorial's `forward` and `backward`, layer by layer.
//!
//! **Shapes.** A batch has `rows` points. Values per unit are stored
//! feature-major, `[units, rows]`: unit `j`'s value for row `r` is at
//! `j * rows + r`, so every loop runs along the batch. Weights keep the
//! tutorial's layout `W: [n_in, n_out]` (row-major, `W[i, j]` at
//! `i * n_out + j`). A gradient is named after what it differentiates: `dz`
//! is ∂L/∂z, `dw` is ∂L/∂W.
//!
//! **Speed.** The dense products are calls into `fast`, which computes the
//! plain sums written in each function's comment, vectorised; its tests
//! hold it equal to those plain loops. Everything else here is plain Rust.

use serde::Serialize;

use crate::fast::{self, math};
use crate::net::activation::Activation;
use crate::net::mlp::{LayerParams, Mlp, Workspace};

// ---------------------------------------------------------------------------
// Dense: z = a_prev·W + b

/// `z[j, r] = b[j] + Σ_i a_prev[i, r] · W[i, j]`, then the activation
/// that follows, `a = f(z)` (`z` is kept for the backward pass).
///
/// a_prev: [n_in, rows], w: [n_in, n_out], b: [n_out] -> z, a: [n_out, rows]
#[allow(clippy::too_many_arguments)]
pub fn dense_activation_forward(
    a_prev: &[f64],
    w: &[f64],
    b: &[f64],
    z: &mut [f64],
    f: Activation,
    a: &mut [f64],
    rows: usize,
    n_in: usize,
    n_out: usize,
) {
    fast::dense_forward_then(a_prev, w, b, z, f, a, rows, n_in, n_out);
}

/// The dense product alone, `z = a_prev·W + b`, for a layer whose output
/// goes to batch norm or to the loss.
#[allow(clippy::too_many_arguments)]
pub fn dense_forward(
    a_prev: &[f64],
    w: &[f64],
    b: &[f64],
    z: &mut [f64],
    rows: usize,
    n_in: usize,
    n_out: usize,
) {
    fast::dense_forward(a_prev, w, b, z, rows, n_in, n_out);
}

/// The parameters' gradients: `dW[i, j] = Σ_r a_prev[i, r] · dz[j, r]`
/// (`dW = a_prevᵀ·dz`) and `db[j] = Σ_r dz[j, r]`.
///
/// a_prev: [n_in, rows], dz: [n_out, rows] -> dw: [n_in, n_out], db: [n_out]
#[allow(clippy::too_many_arguments)]
pub fn dense_backward(
    a_prev: &[f64],
    dz: &[f64],
    dw: &mut [f64],
    db: &mut [f64],
    rows: usize,
    n_in: usize,
    n_out: usize,
) {
    fast::dense_backward_params(a_prev, dz, dw, db, rows, n_in, n_out);
}

/// The input's gradient, `da_prev[i, r] = Σ_j W[i, j] · dz[j, r]`
/// (`da_prev = dz·Wᵀ`), then back through the activation below,
/// `dz_prev = da_prev ⊙ f′(z_prev)`: the tutorial's
/// `delta = np.dot(delta, W.T) * relu_derivative(z)`.
///
/// dz: [n_out, rows], w: [n_in, n_out], z_prev, a_prev = f(z_prev): [n_in, rows]
/// -> dz_prev: [n_in, rows]
#[allow(clippy::too_many_arguments)]
pub fn dense_activation_backward(
    dz: &[f64],
    w: &[f64],
    f: Activation,
    z_prev: &[f64],
    a_prev: &[f64],
    dz_prev: &mut [f64],
    rows: usize,
    n_in: usize,
    n_out: usize,
) {
    fast::dense_backward_input_then(dz, w, f, z_prev, a_prev, dz_prev, rows, n_in, n_out);
}

/// The gradient of the network's input, `dx = dz·Wᵀ`, when it is asked for.
pub fn dense_backward_input(dz: &[f64], w: &[f64], dx: &mut [f64], rows: usize, n_in: usize, n_out: usize) {
    fast::dense_backward_input(dz, w, dx, rows, n_in, n_out);
}

// ---------------------------------------------------------------------------
// Activation: a = f(z), dz = da ⊙ f′(z)
//
// Each function and its derivative sit side by side in `activation.rs`
// (`Activation::f` and `Activation::df`). The dense functions above apply
// them: an activation never stands alone in this network.

// ---------------------------------------------------------------------------
// Batch norm: h = γ·(z − μ)/√(σ² + ε) + β, per unit over the batch

/// PyTorch's `BatchNorm1d` defaults.
pub const BN_EPS: f64 = 1e-5;
pub const BN_MOMENTUM: f64 = 0.1;

/// Running mean and (unbiased) variance of one layer's units, used in eval mode.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningStats {
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
}

impl RunningStats {
    /// PyTorch's initial state: mean 0, variance 1.
    pub fn new(n: usize) -> Self {
        Self {
            mean: vec![0.0; n],
            var: vec![1.0; n],
        }
    }
}

/// Training mode: `μ` and `σ²` (biased) are the batch's, per unit. Keeps
/// `zhat = (z − μ)/√(σ² + ε)` and `inv_std = 1/√(σ² + ε)` for the backward
/// pass, and moves `running` towards the batch's mean and unbiased variance
/// (PyTorch's rule; one row has no unbiased variance and leaves it alone).
///
/// z: [n, rows], gamma, beta: [n] -> h, zhat: [n, rows], inv_std: [n]
#[allow(clippy::too_many_arguments)]
pub fn batchnorm_forward(
    z: &[f64],
    h: &mut [f64],
    zhat: &mut [f64],
    inv_std: &mut [f64],
    gamma: &[f64],
    beta: &[f64],
    mut running: Option<&mut RunningStats>,
    rows: usize,
    n: usize,
) {
    let m = rows as f64;
    for j in 0..n {
        let zj = &z[j * rows..(j + 1) * rows];
        let mean = zj.iter().sum::<f64>() / m;
        let var = zj.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / m;
        inv_std[j] = 1.0 / (var + BN_EPS).sqrt();
        for ((zh, h), &zv) in zhat[j * rows..(j + 1) * rows]
            .iter_mut()
            .zip(&mut h[j * rows..(j + 1) * rows])
            .zip(zj)
        {
            *zh = (zv - mean) * inv_std[j];
            *h = gamma[j] * *zh + beta[j];
        }
        if let (Some(r), true) = (running.as_deref_mut(), rows > 1) {
            let unbiased = var * m / (m - 1.0);
            r.mean[j] = (1.0 - BN_MOMENTUM) * r.mean[j] + BN_MOMENTUM * mean;
            r.var[j] = (1.0 - BN_MOMENTUM) * r.var[j] + BN_MOMENTUM * unbiased;
        }
    }
}

/// Training mode, backward. With `dzhat = dh · γ` and sums over the batch:
/// `dz = inv_std / rows · (rows·dzhat − Σ dzhat − zhat · Σ (dzhat · zhat))`,
/// `dγ = Σ dh · zhat`, `dβ = Σ dh`.
///
/// dh, zhat: [n, rows], inv_std, gamma: [n] -> dz: [n, rows], dgamma, dbeta: [n]
#[allow(clippy::too_many_arguments)]
pub fn batchnorm_backward(
    dh: &[f64],
    zhat: &[f64],
    inv_std: &[f64],
    gamma: &[f64],
    dz: &mut [f64],
    dgamma: &mut [f64],
    dbeta: &mut [f64],
    rows: usize,
    n: usize,
) {
    let m = rows as f64;
    for j in 0..n {
        let (dhj, zhj) = (&dh[j * rows..(j + 1) * rows], &zhat[j * rows..(j + 1) * rows]);
        dbeta[j] = fast::sum(dhj);
        dgamma[j] = fast::dot(dhj, zhj);
        let k = gamma[j] * inv_std[j] / m;
        for ((d, &dhv), &zh) in dz[j * rows..(j + 1) * rows].iter_mut().zip(dhj).zip(zhj) {
            *d = k * (m * dhv - dbeta[j] - zh * dgamma[j]);
        }
    }
}

/// Eval mode: the running statistics in place of the batch's.
///
/// z: [n, rows], gamma, beta: [n] -> h: [n, rows]
#[allow(clippy::too_many_arguments)]
pub fn batchnorm_eval(
    z: &[f64],
    h: &mut [f64],
    gamma: &[f64],
    beta: &[f64],
    running: &RunningStats,
    rows: usize,
    n: usize,
) {
    for j in 0..n {
        let inv_std = 1.0 / (running.var[j] + BN_EPS).sqrt();
        let (scale, shift) = (gamma[j] * inv_std, beta[j] - gamma[j] * inv_std * running.mean[j]);
        for (h, &zv) in h[j * rows..(j + 1) * rows]
            .iter_mut()
            .zip(&z[j * rows..(j + 1) * rows])
        {
            *h = scale * zv + shift;
        }
    }
}

// ---------------------------------------------------------------------------
// Output and loss: ŷ = out(z), L = mean loss(ŷ, t)

/// The output layer's activation and the loss it is trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputLoss {
    /// Sigmoid output, mean binary cross-entropy over all `rows * n_out`
    /// elements, computed stably from the logits (`binary_cross_entropy_with_logits`).
    SigmoidBce,
    /// Softmax over each row, mean cross-entropy over the batch (`cross_entropy`).
    SoftmaxCe,
    /// Identity output, mean squared error over all elements, no ½ (`mse_loss`).
    IdentityMse,
}

/// The output's activation: `ŷ = σ(z)`, softmax over each row, or `ŷ = z`.
///
/// z: [n_out, rows] -> yhat: [n_out, rows]
pub fn output_forward(out: OutputLoss, z: &[f64], yhat: &mut [f64], n_out: usize, rows: usize) {
    match out {
        OutputLoss::SigmoidBce => {
            fast::wide(|| yhat.iter_mut().zip(z).for_each(|(y, &z)| *y = math::sigmoid(z)))
        }
        OutputLoss::IdentityMse => yhat.copy_from_slice(z),
        OutputLoss::SoftmaxCe => {
            for r in 0..rows {
                // Subtracting the row's largest logit keeps every exp ≤ 1.
                let max = (0..n_out)
                    .map(|j| z[j * rows + r])
                    .fold(f64::NEG_INFINITY, f64::max);
                let mut sum = 0.0;
                for j in 0..n_out {
                    yhat[j * rows + r] = (z[j * rows + r] - max).exp();
                    sum += yhat[j * rows + r];
                }
                for j in 0..n_out {
                    yhat[j * rows + r] /= sum;
                }
            }
        }
    }
}

/// The mean loss over the batch, from the logits `z`, `yhat = output(z)` and
/// the targets `t` (one-hot for softmax); stable for any finite logits.
/// `scratch` (at least `n_out * rows`) holds per-element terms, so that
/// their loop vectorises.
///
/// z, yhat, t: [n_out, rows] -> L
#[allow(clippy::too_many_arguments)]
pub fn loss_forward(
    out: OutputLoss,
    z: &[f64],
    yhat: &[f64],
    t: &[f64],
    n_out: usize,
    rows: usize,
    scratch: &mut [f64],
) -> f64 {
    let elements = (n_out * rows).max(1) as f64;
    match out {
        OutputLoss::SigmoidBce => {
            // −(t ln σ(z) + (1 − t) ln(1 − σ(z))) = max(z, 0) − z·t + ln(1 + e^−|z|),
            // and ln(1 + e^−|z|) = −ln(max(σ(z), 1 − σ(z))): one log of a value
            // in [½, 1], from the sigmoid already computed. Where σ rounds to 1
            // the term's true value is below 1e-16, so the absolute error is too.
            let terms = &mut scratch[..n_out * rows];
            fast::wide(|| {
                for (((term, &z), &y), &t) in terms.iter_mut().zip(z).zip(yhat).zip(t) {
                    *term = math::relu(z) - z * t - math::ln_normal(math::larger(y, 1.0 - y));
                }
            });
            fast::sum(terms) / elements
        }
        OutputLoss::IdentityMse => z.iter().zip(t).map(|(&z, &t)| (z - t) * (z - t)).sum::<f64>() / elements,
        OutputLoss::SoftmaxCe => {
            let mut total = 0.0;
            for r in 0..rows {
                let max = (0..n_out)
                    .map(|j| z[j * rows + r])
                    .fold(f64::NEG_INFINITY, f64::max);
                let log_sum_exp = max
                    + (0..n_out)
                        .map(|j| (z[j * rows + r] - max).exp())
                        .sum::<f64>()
                        .ln();
                total += (0..n_out)
                    .map(|j| t[j * rows + r] * (log_sum_exp - z[j * rows + r]))
                    .sum::<f64>();
            }
            total / rows.max(1) as f64
        }
    }
}

/// `dz = ∂L/∂z` for the mean loss: `(ŷ − t) / N` for sigmoid + BCE (N is
/// every element) and softmax + CE (N is the rows), `2(ŷ − t) / N` for MSE.
/// The output's own derivative cancels against the loss's: that is why the
/// tutorial starts backward with `delta = y_pred - y_true`.
///
/// yhat, t: [n_out, rows] -> dz: [n_out, rows]
pub fn loss_backward(out: OutputLoss, yhat: &[f64], t: &[f64], dz: &mut [f64], n_out: usize, rows: usize) {
    let scale = match out {
        OutputLoss::SigmoidBce => 1.0 / (n_out * rows).max(1) as f64,
        OutputLoss::SoftmaxCe => 1.0 / rows.max(1) as f64,
        OutputLoss::IdentityMse => 2.0 / (n_out * rows).max(1) as f64,
    };
    for ((d, &y), &t) in dz.iter_mut().zip(yhat).zip(t) {
        *d = scale * (y - t);
    }
}

// ---------------------------------------------------------------------------
// The network: the chain, forward then backward

/// Which statistics batch norm uses in a forward pass.
enum Statistics<'a> {
    /// The batch's own (training); the running ones move towards them when given.
    Batch(Option<&'a mut [RunningStats]>),
    /// The running ones (evaluation).
    Running(&'a [RunningStats]),
}

impl Mlp {
    /// Forward in training mode over the first `rows` rows of `ws.x`;
    /// returns the mean data loss against `ws.t`. Batch norm normalises with
    /// the batch's statistics and, when `update_running`, moves the running
    /// ones.
    pub fn forward_train(&mut self, ws: &mut Workspace, rows: usize, update_running: bool) -> f64 {
        let stats = Statistics::Batch(update_running.then_some(&mut self.running[..]));
        forward(
            &self.layers,
            &self.activations,
            self.output,
            &self.params,
            stats,
            ws,
            rows,
        );
        let last = self.layers.len() - 1;
        let m = rows * self.n_out();
        let (z, yhat, t) = (&ws.z[last][..m], &ws.a[last][..m], &ws.t[..m]);
        loss_forward(self.output, z, yhat, t, self.n_out(), rows, &mut ws.da)
    }

    /// Forward in eval mode (batch norm uses the running statistics) over `rows` rows of `ws.x`.
    pub fn forward_eval(&self, ws: &mut Workspace, rows: usize) {
        let stats = Statistics::Running(&self.running);
        forward(
            &self.layers,
            &self.activations,
            self.output,
            &self.params,
            stats,
            ws,
            rows,
        );
    }

    /// Forward in eval mode over `rows` rows of `ws.x`, then the mean loss
    /// against `ws.t`: the training loss's formula, for test metrics.
    pub fn forward_eval_loss(&self, ws: &mut Workspace, rows: usize) -> f64 {
        self.forward_eval(ws, rows);
        let last = self.layers.len() - 1;
        let m = rows * self.n_out();
        let (z, yhat, t) = (&ws.z[last][..m], &ws.a[last][..m], &ws.t[..m]);
        loss_forward(self.output, z, yhat, t, self.n_out(), rows, &mut ws.da)
    }

    /// Backward after `forward_train` over the same `rows`: fills `ws.grads`
    /// (and `ws.dx = ∂L/∂x` when `want_dx`), keeping each layer's `dz`.
    pub fn backward(&self, ws: &mut Workspace, rows: usize, want_dx: bool) {
        let last = self.layers.len() - 1;
        let m = rows * self.n_out();
        loss_backward(
            self.output,
            &ws.a[last][..m],
            &ws.t[..m],
            &mut ws.dz[last][..m],
            self.n_out(),
            rows,
        );
        for l in (0..=last).rev() {
            let layer = self.layers[l];
            let (n_in, n_out) = (layer.n_in, layer.n_out);
            let a_prev = if l == 0 { &ws.x[..] } else { &ws.a[l - 1][..] };
            let w = &self.params[layer.w_range()];
            let (dw, db) = ws.grads[layer.w..layer.b + n_out].split_at_mut(n_in * n_out);
            dense_backward(a_prev, &ws.dz[l], dw, db, rows, n_in, n_out);
            if l == 0 {
                if want_dx {
                    dense_backward_input(&ws.dz[0], w, &mut ws.dx, rows, n_in, n_out);
                }
                break;
            }
            // Back through the layer below's activation, and its batch norm if it has one.
            let below = self.layers[l - 1];
            let (lower, upper) = ws.dz.split_at_mut(l);
            let f = self.activations[l - 1];
            match (below.gamma_range(), below.beta_range()) {
                (Some(g), Some(b)) => {
                    // dh = (dz·Wᵀ) ⊙ f′(h), then through the batch norm into dz_prev.
                    dense_activation_backward(
                        &upper[0],
                        w,
                        f,
                        &ws.h[l - 1],
                        &ws.a[l - 1],
                        &mut ws.da,
                        rows,
                        n_in,
                        n_out,
                    );
                    let (dgamma, dbeta) = ws.grads[g.start..b.end].split_at_mut(n_in);
                    let (zhat, inv_std) = (&ws.xhat[l - 1], &ws.inv_std[l - 1]);
                    batchnorm_backward(
                        &ws.da,
                        zhat,
                        inv_std,
                        &self.params[g],
                        &mut lower[l - 1],
                        dgamma,
                        dbeta,
                        rows,
                        n_in,
                    );
                }
                _ => dense_activation_backward(
                    &upper[0],
                    w,
                    f,
                    &ws.z[l - 1],
                    &ws.a[l - 1],
                    &mut lower[l - 1],
                    rows,
                    n_in,
                    n_out,
                ),
            }
        }
    }
}

/// The forward pass, layer by layer, into `ws` for its first `rows` rows.
fn forward(
    layers: &[LayerParams],
    activations: &[Activation],
    output: OutputLoss,
    params: &[f64],
    mut stats: Statistics<'_>,
    ws: &mut Workspace,
    rows: usize,
) {
    let last = layers.len() - 1;
    for (l, layer) in layers.iter().enumerate() {
        let (n_in, n_out) = (layer.n_in, layer.n_out);
        let m = rows * n_out;
        let (done, rest) = ws.a.split_at_mut(l);
        let a_prev = if l == 0 { &ws.x[..] } else { &done[l - 1][..] };
        let a = &mut rest[0][..m];
        let (w, b) = (&params[layer.w_range()], &params[layer.b_range()]);
        if l == last {
            dense_forward(a_prev, w, b, &mut ws.z[l], rows, n_in, n_out);
            output_forward(output, &ws.z[l][..m], a, n_out, rows);
            break;
        }
        let (Some(g), Some(bt)) = (layer.gamma_range(), layer.beta_range()) else {
            dense_activation_forward(a_prev, w, b, &mut ws.z[l], activations[l], a, rows, n_in, n_out);
            continue;
        };
        // With batch norm between them: z = a_prev·W + b, h = BN(z), a = f(h).
        dense_forward(a_prev, w, b, &mut ws.z[l], rows, n_in, n_out);
        let (gamma, beta) = (&params[g], &params[bt]);
        match &mut stats {
            Statistics::Running(running) => {
                batchnorm_eval(&ws.z[l], &mut ws.h[l], gamma, beta, &running[l], rows, n_out)
            }
            Statistics::Batch(running) => batchnorm_forward(
                &ws.z[l],
                &mut ws.h[l],
                &mut ws.xhat[l],
                &mut ws.inv_std[l],
                gamma,
                beta,
                running.as_deref_mut().map(|r| &mut r[l]),
                rows,
                n_out,
            ),
        }
        activations[l].forward_slice(&ws.h[l][..m], a);
    }
}
