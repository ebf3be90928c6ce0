//! The multi-layer perceptron's shape and parameters, and the buffers a
//! pass needs: dense layers (optionally batch-normalised) with hidden
//! activations and an output+loss pair. Its forward and backward passes are
//! in `backprop.rs`.
//!
//! All parameters live in one flat vector (`params`), layer by layer:
//! `W_l: [n_in, n_out]` row-major, then `b_l: [n_out]`, then, with batch
//! norm on a hidden layer, `gamma_l` and `beta_l`. Gradients use the same
//! layout, so an optimizer, clipping or a gradient check is one flat loop.
//!
//! Activations in a `Workspace` are feature-major, `[features, rows]`: each
//! unit's values over the batch sit together, so the loops run over the
//! batch and vectorise (see `fast`). `Workspace::load` and `row_major`
//! convert from and to the usual `[rows, features]`.

use rand::rngs::StdRng;

use crate::error::{ConfigError, Result};
use crate::fast::transpose;
use crate::net::activation::Activation;
use crate::net::backprop::{OutputLoss, RunningStats};
use crate::net::init::InitKind;
use crate::range::Range;

/// Most parameters a network may have; keeps memory and step time bounded for any input.
pub const MAX_PARAMS: usize = 100_000;
/// Most layers (hidden and output) a network may have.
pub const MAX_LAYERS: usize = 32;
/// Most hidden layers: all layers but the output one.
pub const MAX_HIDDEN: usize = MAX_LAYERS - 1;
/// Widest layer allowed.
pub const MAX_WIDTH: usize = 4096;
/// A layer's width: 1 to `MAX_WIDTH` units.
pub const WIDTH: Range = Range::closed(1.0, MAX_WIDTH as f64);
/// Most values (training rows × total layer width) a run's buffers may hold:
/// about 160 MB of workspace at worst, whatever the config says.
pub const MAX_BATCH_VALUES: usize = 4_000_000;

/// Parameters of a network of layer sizes `sizes` (input first): weights and
/// biases, and with batch norm a gamma and a beta per hidden unit. Saturates
/// rather than overflows, so any list can be measured.
pub fn param_count(sizes: &[usize], batch_norm: bool) -> usize {
    let hidden = sizes.len().saturating_sub(2);
    sizes
        .windows(2)
        .enumerate()
        .map(|(l, pair)| {
            let bn = if batch_norm && l < hidden { 2 } else { 0 };
            pair[0]
                .saturating_mul(pair[1])
                .saturating_add(pair[1].saturating_mul(1 + bn))
        })
        .fold(0, usize::saturating_add)
}

/// Checks layer sizes (input first) against the limits: 2 to 33 sizes, each
/// 1 to 4096, at most `MAX_PARAMS` parameters. Arithmetic only: nothing is built.
pub fn check_sizes(sizes: &[usize], batch_norm: bool) -> Result<()> {
    if sizes.len() < 2 || sizes.len() > MAX_LAYERS + 1 {
        return Err(ConfigError::out_of_range(
            "network.layers",
            "a list of 2 to 33 sizes (input, hidden…, output)",
            format!("{sizes:?}"),
        ));
    }
    if let Some(i) = sizes.iter().position(|&n| !WIDTH.contains(n as f64)) {
        return Err(ConfigError::out_of_range(
            format!("network.layers[{i}]"),
            WIDTH.to_string(),
            sizes[i],
        ));
    }
    if param_count(sizes, batch_norm) > MAX_PARAMS {
        return Err(ConfigError::out_of_range(
            "network.layers",
            "a network of at most 100,000 parameters",
            format!("{sizes:?} (more than {MAX_PARAMS} parameters)"),
        ));
    }
    Ok(())
}

/// Values one full-batch pass of `rows` training rows holds through layers `sizes`.
pub fn buffer_values(rows: usize, sizes: &[usize]) -> usize {
    rows.saturating_mul(sizes.iter().fold(0, |a: usize, &n| a.saturating_add(n)))
}

/// Refuses a run whose full-batch buffers would exceed `MAX_BATCH_VALUES`.
pub fn check_buffers(rows: usize, sizes: &[usize]) -> Result<()> {
    let values = buffer_values(rows, sizes);
    if values > MAX_BATCH_VALUES {
        return Err(ConfigError::invalid(
            "network.hidden",
            format!(
                "{rows} training points through layers {sizes:?} need {values} values per pass; the limit is {MAX_BATCH_VALUES} (use fewer points or narrower layers)",
            ),
        ));
    }
    Ok(())
}

/// Where one dense layer's parameters sit in the flat vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerParams {
    pub n_in: usize,
    pub n_out: usize,
    /// Offset of `W: [n_in, n_out]`.
    pub w: usize,
    /// Offset of `b: [n_out]`.
    pub b: usize,
    /// Offset of `gamma: [n_out]`, followed by `beta: [n_out]`, when batch-normalised.
    pub bn: Option<usize>,
}

impl LayerParams {
    pub fn w_range(&self) -> std::ops::Range<usize> {
        self.w..self.w + self.n_in * self.n_out
    }
    pub fn b_range(&self) -> std::ops::Range<usize> {
        self.b..self.b + self.n_out
    }
    pub fn gamma_range(&self) -> Option<std::ops::Range<usize>> {
        self.bn.map(|g| g..g + self.n_out)
    }
    pub fn beta_range(&self) -> Option<std::ops::Range<usize>> {
        self.bn.map(|g| g + self.n_out..g + 2 * self.n_out)
    }
}

/// L1 or L2 penalty on the weights (never on biases or batch-norm parameters).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Regularization {
    #[default]
    None,
    /// `lambda * Σ|W|`; the gradient adds `lambda * sign(W)`.
    L1 { lambda: f64 },
    /// `0.5 * lambda * Σ W²`; the gradient adds `lambda * W`.
    L2 { lambda: f64 },
}

/// A network's shape and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    sizes: Vec<usize>,
    pub(super) activations: Vec<Activation>,
    pub(super) output: OutputLoss,
    pub(super) layers: Vec<LayerParams>,
    /// Every parameter, in the layout described in the module docs.
    pub params: Vec<f64>,
    /// Batch-norm running statistics, one per hidden layer (empty without batch norm).
    pub running: Vec<RunningStats>,
}

impl Mlp {
    /// A network with `sizes = [n_0, …, n_L]`, one activation per hidden layer,
    /// and all parameters zero (call `init`). Batch norm, if on, follows every
    /// hidden dense layer, before its activation.
    pub fn new(
        sizes: &[usize],
        activations: &[Activation],
        output: OutputLoss,
        batch_norm: bool,
    ) -> Result<Self> {
        check_sizes(sizes, batch_norm)?;
        let hidden = sizes.len() - 2;
        if activations.len() != hidden {
            return Err(ConfigError::invalid(
                "network.activations",
                format!(
                    "{hidden} hidden layers need {hidden} activations, got {}",
                    activations.len()
                ),
            ));
        }
        let mut layers = Vec::with_capacity(sizes.len() - 1);
        let mut offset = 0usize;
        for (l, pair) in sizes.windows(2).enumerate() {
            let (n_in, n_out) = (pair[0], pair[1]);
            let w = offset;
            let b = w + n_in * n_out;
            offset = b + n_out;
            let bn = (batch_norm && l < hidden).then(|| {
                let g = offset;
                offset += 2 * n_out;
                g
            });
            layers.push(LayerParams {
                n_in,
                n_out,
                w,
                b,
                bn,
            });
        }
        let mut params = vec![0.0; offset];
        for layer in &layers {
            if let Some(g) = layer.gamma_range() {
                params[g].fill(1.0);
            }
        }
        let running = if batch_norm {
            sizes[1..sizes.len() - 1]
                .iter()
                .map(|&n| RunningStats::new(n))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            sizes: sizes.to_vec(),
            activations: activations.to_vec(),
            output,
            layers,
            params,
            running,
        })
    }

    /// Draws every weight matrix with `init` (biases 0, gamma 1, beta 0) and resets running statistics.
    pub fn init(&mut self, init: InitKind, uniform_a: f64, rng: &mut StdRng) {
        for layer in &self.layers {
            init.fill(
                &mut self.params[layer.w_range()],
                layer.n_in,
                layer.n_out,
                uniform_a,
                rng,
            );
            self.params[layer.b_range()].fill(0.0);
            if let (Some(g), Some(b)) = (layer.gamma_range(), layer.beta_range()) {
                self.params[g].fill(1.0);
                self.params[b].fill(0.0);
            }
        }
        for r in &mut self.running {
            *r = RunningStats::new(r.mean.len());
        }
    }

    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }
    pub fn layers(&self) -> &[LayerParams] {
        &self.layers
    }
    pub fn activations(&self) -> &[Activation] {
        &self.activations
    }
    pub fn output(&self) -> OutputLoss {
        self.output
    }
    pub fn n_in(&self) -> usize {
        self.sizes[0]
    }
    pub fn n_out(&self) -> usize {
        self.sizes[self.sizes.len() - 1]
    }
    pub fn has_batch_norm(&self) -> bool {
        !self.running.is_empty()
    }

    /// Adds the penalty's gradient to `grads` and returns the penalty.
    pub fn regularize(&self, reg: Regularization, grads: &mut [f64]) -> f64 {
        let mut penalty = 0.0;
        for layer in &self.layers {
            let r = layer.w_range();
            let (w, g) = (&self.params[r.clone()], &mut grads[r]);
            match reg {
                Regularization::None => {}
                Regularization::L1 { lambda } => {
                    for (g, &w) in g.iter_mut().zip(w) {
                        penalty += lambda * w.abs();
                        *g += lambda * sign(w);
                    }
                }
                Regularization::L2 { lambda } => {
                    for (g, &w) in g.iter_mut().zip(w) {
                        penalty += 0.5 * lambda * w * w;
                        *g += lambda * w;
                    }
                }
            }
        }
        penalty
    }

    /// The penalty alone, without touching gradients.
    pub fn penalty(&self, reg: Regularization) -> f64 {
        let weights = self.layers.iter().flat_map(|l| self.params[l.w_range()].iter());
        match reg {
            Regularization::None => 0.0,
            Regularization::L1 { lambda } => lambda * weights.map(|w| w.abs()).sum::<f64>(),
            Regularization::L2 { lambda } => 0.5 * lambda * weights.map(|w| w * w).sum::<f64>(),
        }
    }

    /// Output activations for `x: [rows, n_in]` (row-major) into `out: [rows, n_out]`,
    /// in eval mode, `ws.capacity()` rows at a time. Allocates nothing.
    pub fn predict(&self, x: &[f64], out: &mut [f64], ws: &mut Workspace) {
        let (n_in, n_out) = (self.n_in(), self.n_out());
        let rows = x.len() / n_in;
        let last = self.layers.len() - 1;
        let mut start = 0;
        while start < rows {
            let m = (rows - start).min(ws.cap);
            transpose(&x[start * n_in..(start + m) * n_in], &mut ws.x, m, n_in);
            self.forward_eval(ws, m);
            transpose(
                &ws.a[last][..m * n_out],
                &mut out[start * n_out..(start + m) * n_out],
                n_out,
                m,
            );
            start += m;
        }
    }

    /// `predict`, and the mean loss of those outputs against the targets
    /// `t: [rows, n_out]` (row-major), computed from the logits as in training.
    pub fn predict_loss(&self, x: &[f64], t: &[f64], out: &mut [f64], ws: &mut Workspace) -> f64 {
        let (n_in, n_out) = (self.n_in(), self.n_out());
        let rows = x.len() / n_in;
        let last = self.layers.len() - 1;
        let (mut total, mut start) = (0.0, 0);
        while start < rows {
            let m = (rows - start).min(ws.cap);
            ws.load(
                &x[start * n_in..(start + m) * n_in],
                &t[start * n_out..(start + m) * n_out],
            );
            // Each chunk's mean, weighted by its rows: every loss here is a mean over rows.
            total += self.forward_eval_loss(ws, m) * m as f64;
            let a = &ws.a[last][..m * n_out];
            transpose(a, &mut out[start * n_out..(start + m) * n_out], n_out, m);
            start += m;
        }
        total / rows.max(1) as f64
    }

    /// True when every parameter and running statistic is finite.
    pub fn is_finite(&self) -> bool {
        self.params.iter().all(|v| v.is_finite())
            && self
                .running
                .iter()
                .all(|r| r.mean.iter().chain(&r.var).all(|v| v.is_finite()))
    }
}

/// `sign(w)` with `sign(0) = 0`, as `torch.sign`.
fn sign(w: f64) -> f64 {
    if w > 0.0 {
        1.0
    } else if w < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Every buffer a forward and backward pass needs for up to `capacity` rows,
/// sized once so that training allocates nothing.
#[derive(Debug, Clone)]
pub struct Workspace {
    cap: usize,
    /// Inputs, feature-major `[n_0, rows]`.
    pub x: Vec<f64>,
    /// Targets `[n_L, rows]` (one-hot for softmax).
    pub t: Vec<f64>,
    /// Per layer, the dense output `z_l = W_lᵀ a_{l-1} + b_l`: `[n_{l+1}, rows]`.
    pub z: Vec<Vec<f64>>,
    /// Per hidden layer, the batch-norm output (empty without batch norm).
    pub h: Vec<Vec<f64>>,
    /// Per hidden layer, the normalised `z` and `1/sqrt(var + eps)` kept for backward.
    pub xhat: Vec<Vec<f64>>,
    pub inv_std: Vec<Vec<f64>>,
    /// Per layer, the activations `a_l` (the last is the network's output).
    pub a: Vec<Vec<f64>>,
    /// Per layer, `dLoss/dz_l`.
    pub dz: Vec<Vec<f64>>,
    /// Scratch `[widest, rows]`: the loss's terms in forward, `dLoss/da` before a batch norm in backward.
    pub(super) da: Vec<f64>,
    /// `dLoss/dx`: `[n_0, rows]`, filled by `backward(.., want_dx = true)`.
    pub dx: Vec<f64>,
    /// `dLoss/dparams`, in the layout of `Mlp::params`.
    pub grads: Vec<f64>,
}

impl Workspace {
    pub fn new(mlp: &Mlp, capacity: usize) -> Self {
        let cap = capacity.max(1);
        let outs: Vec<usize> = mlp.layers.iter().map(|l| l.n_out).collect();
        let hidden = outs.len() - 1;
        let bn = |n: usize| if mlp.has_batch_norm() { n } else { 0 };
        let widest = mlp.sizes.iter().copied().max().unwrap_or(1);
        Self {
            cap,
            x: vec![0.0; cap * mlp.n_in()],
            t: vec![0.0; cap * mlp.n_out()],
            z: outs.iter().map(|&n| vec![0.0; cap * n]).collect(),
            h: outs[..hidden].iter().map(|&n| vec![0.0; bn(cap * n)]).collect(),
            xhat: outs[..hidden].iter().map(|&n| vec![0.0; bn(cap * n)]).collect(),
            inv_std: outs[..hidden].iter().map(|&n| vec![0.0; bn(n)]).collect(),
            a: outs.iter().map(|&n| vec![0.0; cap * n]).collect(),
            dz: outs.iter().map(|&n| vec![0.0; cap * n]).collect(),
            da: vec![0.0; cap * widest],
            dx: vec![0.0; cap * mlp.n_in()],
            grads: vec![0.0; mlp.params.len()],
        }
    }

    /// How many rows the buffers hold.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Loads a batch given row-major: `x: [rows, n_0]`, `t: [rows, n_L]`; returns `rows`.
    pub fn load(&mut self, x: &[f64], t: &[f64]) -> usize {
        let n_in = self.x.len() / self.cap;
        let n_out = self.t.len() / self.cap;
        let rows = (x.len() / n_in.max(1)).min(self.cap);
        transpose(&x[..rows * n_in], &mut self.x, rows, n_in);
        transpose(&t[..rows * n_out], &mut self.t, rows, n_out);
        rows
    }

    /// A feature-major buffer `[n, rows]` as a row-major `[rows, n]` copy (for inspection).
    pub fn row_major(buf: &[f64], n: usize, rows: usize) -> Vec<f64> {
        let mut out = vec![0.0; n * rows];
        transpose(&buf[..n * rows], &mut out, n, rows);
        out
    }
}
