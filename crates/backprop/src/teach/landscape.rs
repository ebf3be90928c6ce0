//! The loss landscape around a network's parameters θ: the training loss over
//! the plane θ + a·d₁ + b·d₂ (Li et al., 2018, "Visualizing the Loss
//! Landscape of Neural Nets"), the two ways of choosing d₁ and d₂
//! (filter-normalised random directions, or the top two principal directions
//! of the run's own trajectory), where a snapshot of the run sits on that
//! plane, and the 1-D slice along the gradient.
//!
//! The loss is the mean data loss over every training point (no penalty),
//! in eval mode: with batch norm, every point of the plane uses the centre's
//! running statistics. Only parameters move; the statistics are not
//! directions. At the centre this is the loss `Trainer::evaluate_train`
//! reports.
//!
//! A slice is computed a few rows at a time (`compute_rows`), so that a page
//! can spread it over animation frames; its buffers are sized once and reused
//! by every later slice of the same size.

use rand::RngExt;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::StandardNormal;

use crate::error::{ConfigError, Result};
use crate::net::mlp::{Mlp, Workspace};
use crate::train::Trainer;
use crate::train::optim::Optimizer;

/// Most grid points along a side of a slice.
pub const MAX_SIDE: usize = 201;
/// The gradient line reaches at least this far (in parameter units), so that a
/// tiny step is seen as tiny beside the valley rather than filling the plot.
const LINE_MIN_REACH: f64 = 0.5;
/// Most snapshots PCA takes: its `[n, n]` Gram matrix and O(n³) rotations
/// stay small (a run's path keeps 40; a race of six, 6 × 24 plus starts).
pub const MAX_PCA_SNAPSHOTS: usize = 256;
/// A second principal direction whose variance is below this fraction of the
/// first is noise: the snapshots lie on a line.
const PCA_FLAT: f64 = 1e-12;

/// Two directions in parameter space (the layout of `Mlp::params`).
#[derive(Debug, Clone, PartialEq)]
pub struct Directions {
    pub d1: Vec<f64>,
    pub d2: Vec<f64>,
    /// For principal directions, the fraction of the trajectory's variance
    /// each explains; NaN for random ones.
    pub explained: [f64; 2],
}

/// A square grid of `side × side` points over `a0..=a1` (columns) and `b0..=b1` (rows).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub a0: f64,
    pub a1: f64,
    pub b0: f64,
    pub b1: f64,
    pub side: usize,
}

impl Grid {
    /// The value of `a` at column `c`.
    pub fn a(&self, c: usize) -> f64 {
        self.a0 + (self.a1 - self.a0) * c as f64 / (self.side - 1) as f64
    }
    /// The value of `b` at row `r`.
    pub fn b(&self, r: usize) -> f64 {
        self.b0 + (self.b1 - self.b0) * r as f64 / (self.side - 1) as f64
    }

    /// The smallest grid, centred on the origin, that holds every point of
    /// `path` (pairs `a, b`) with a quarter of its reach to spare, and at
    /// least `-reach..=reach` on both axes.
    pub fn around(path: &[f64], reach: f64, side: usize) -> Self {
        let far = path
            .iter()
            .filter(|v| v.is_finite())
            .fold(reach, |m, v| m.max(1.25 * v.abs()));
        Self {
            a0: -far,
            a1: far,
            b0: -far,
            b1: far,
            side,
        }
    }

    fn validate(&self) -> Result<()> {
        if !(2..=MAX_SIDE).contains(&self.side) {
            return Err(ConfigError::out_of_range(
                "landscape.side",
                format!("2 to {MAX_SIDE} points"),
                self.side,
            ));
        }
        for (field, lo, hi) in [
            ("landscape.a", self.a0, self.a1),
            ("landscape.b", self.b0, self.b1),
        ] {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(ConfigError::out_of_range(
                    field,
                    "a finite range from low to high",
                    format!("{lo}..{hi}"),
                ));
            }
        }
        Ok(())
    }
}

/// The loss along the (negative, normalised) gradient, `L(θ − t·g/|g|)`, and
/// where the optimizer's next step lands on it.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientLine {
    /// The distances `t`, evenly spaced from a little behind θ to past the step.
    pub t: Vec<f64>,
    pub loss: Vec<f64>,
    /// `|g|`, the full-batch gradient's norm at θ.
    pub grad_norm: f64,
    /// How far the optimizer's next step goes along `−g/|g|` (its projection
    /// on the line: for plain SGD exactly `lr·|g|`).
    pub step_t: f64,
    /// The loss on the line at `step_t`.
    pub step_loss: f64,
}

/// A network's loss landscape over its training set: the centre, the two
/// directions and the slice, with every buffer sized once.
#[derive(Debug, Clone)]
pub struct Landscape {
    /// A copy of the network whose parameters are moved over the plane; its
    /// batch-norm running statistics are the centre's.
    model: Mlp,
    centre: Vec<f64>,
    dirs: Directions,
    /// The whole training set, loaded once (feature-major), and its rows.
    ws: Workspace,
    rows: usize,
    grid: Grid,
    /// The slice, `[side, side]` row-major: row `r` is `b(r)`, column `c` is `a(c)`.
    loss: Vec<f64>,
    /// The next row to compute; `grid.side` when the slice is complete.
    next_row: usize,
    /// Whether the slice belongs to the current centre and directions (a
    /// change of either waits for the next `start`).
    current: bool,
}

impl Landscape {
    /// The landscape of `model`'s loss on inputs `x: [rows, n_in]` and targets
    /// `t: [rows, n_out]` (row-major; one-hot for softmax), centred on
    /// `model`'s parameters, with zero directions until some are chosen.
    pub fn new(model: &Mlp, x: &[f64], t: &[f64]) -> Result<Self> {
        let rows = x.len() / model.n_in();
        if rows == 0 {
            return Err(ConfigError::invalid(
                "landscape",
                "the landscape needs at least one training point, got none",
            ));
        }
        if x.len() != rows * model.n_in() || t.len() != rows * model.n_out() {
            return Err(ConfigError::invalid(
                "landscape",
                format!(
                    "{} input values and {} targets do not make rows of {} inputs and {} outputs",
                    x.len(),
                    t.len(),
                    model.n_in(),
                    model.n_out()
                ),
            ));
        }
        let mut ws = Workspace::new(model, rows);
        ws.load(x, t);
        let p = model.params.len();
        let grid = Grid {
            a0: -1.0,
            a1: 1.0,
            b0: -1.0,
            b1: 1.0,
            side: 2,
        };
        Ok(Self {
            model: model.clone(),
            centre: model.params.clone(),
            dirs: Directions {
                d1: vec![0.0; p],
                d2: vec![0.0; p],
                explained: [f64::NAN; 2],
            },
            ws,
            rows,
            grid,
            loss: Vec::new(),
            next_row: grid.side,
            current: false,
        })
    }

    /// The landscape of a run's network over its training set, centred on its parameters.
    pub fn of_run(trainer: &Trainer) -> Result<Self> {
        Self::new(trainer.model(), &trainer.data().train_x, trainer.train_targets())
    }

    /// Moves the centre to `model`'s parameters and running statistics (a
    /// network of the same shape). The slice must be started again.
    pub fn centre_on(&mut self, model: &Mlp) -> Result<()> {
        if model.sizes() != self.model.sizes() || model.params.len() != self.centre.len() {
            return Err(ConfigError::invalid(
                "landscape.centre",
                format!(
                    "a network of layers {:?} does not fit a landscape of layers {:?}",
                    model.sizes(),
                    self.model.sizes()
                ),
            ));
        }
        if !model.is_finite() {
            return Err(ConfigError::invalid(
                "landscape.centre",
                "the parameters are not all finite",
            ));
        }
        self.centre.copy_from_slice(&model.params);
        for (mine, theirs) in self.model.running.iter_mut().zip(&model.running) {
            mine.mean.copy_from_slice(&theirs.mean);
            mine.var.copy_from_slice(&theirs.var);
        }
        self.current = false;
        Ok(())
    }

    /// Moves the centre to a snapshot (`Trainer::snapshot`'s layout: the
    /// parameters, then each batch-norm layer's running mean and variance).
    pub fn centre_on_snapshot(&mut self, snapshot: &[f64]) -> Result<()> {
        let p = self.centre.len();
        let stats: usize = self.model.running.iter().map(|r| 2 * r.mean.len()).sum();
        if snapshot.len() != p + stats {
            return Err(ConfigError::invalid(
                "landscape.centre",
                format!(
                    "a snapshot of this network has {} values, got {}",
                    p + stats,
                    snapshot.len()
                ),
            ));
        }
        if snapshot.iter().any(|v| !v.is_finite()) {
            return Err(ConfigError::invalid(
                "landscape.centre",
                "the snapshot's values are not all finite",
            ));
        }
        self.centre.copy_from_slice(&snapshot[..p]);
        let mut at = p;
        for r in &mut self.model.running {
            let k = r.mean.len();
            r.mean.copy_from_slice(&snapshot[at..at + k]);
            r.var.copy_from_slice(&snapshot[at + k..at + 2 * k]);
            at += 2 * k;
        }
        self.current = false;
        Ok(())
    }

    /// Filter-normalised random directions (Li et al., section 4): each entry
    /// drawn from N(0, 1) with `seed`, then, neuron by neuron, the incoming
    /// weights of the direction scaled to the norm of the centre's incoming
    /// weights for that neuron. Biases and batch-norm parameters get zero, as
    /// in the paper, so the picture does not depend on how a layer's
    /// weights happen to be scaled. Allocates nothing.
    pub fn use_random(&mut self, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        for d in [&mut self.dirs.d1, &mut self.dirs.d2] {
            d.fill(0.0);
            for layer in self.model.layers() {
                let (n_in, n_out) = (layer.n_in, layer.n_out);
                // Neuron j's filter is column j of W: [n_in, n_out].
                for j in 0..n_out {
                    let (mut d_sq, mut w_sq) = (0.0, 0.0);
                    for i in 0..n_in {
                        let k = layer.w + i * n_out + j;
                        let v: f64 = rng.sample(StandardNormal);
                        d[k] = v;
                        d_sq += v * v;
                        w_sq += self.centre[k] * self.centre[k];
                    }
                    let scale = if d_sq > 0.0 { (w_sq / d_sq).sqrt() } else { 0.0 };
                    for i in 0..n_in {
                        d[layer.w + i * n_out + j] *= scale;
                    }
                }
            }
        }
        self.dirs.explained = [f64::NAN; 2];
        self.current = false;
    }

    /// The top two principal directions of the trajectory `snapshots` (each
    /// `stride` values, the parameters first, as `Trainer::snapshot`), as
    /// displacements from the centre, the way Li et al. (section 7) and
    /// scikit-learn's `PCA` compute them: the displacements are centred on
    /// their mean, and the directions are orthonormal. Returns the fraction
    /// of the variance each explains.
    ///
    /// Works on the `[n, n]` Gram matrix of the `n` snapshots, not on the
    /// parameters' covariance: a few dozen snapshots of many parameters.
    /// Costs O(n²·params + n³); the caller bounds `n`.
    pub fn use_pca(&mut self, snapshots: &[f64], stride: usize) -> Result<[f64; 2]> {
        let p = self.centre.len();
        if stride < p || !snapshots.len().is_multiple_of(stride) {
            return Err(ConfigError::invalid(
                "landscape.snapshots",
                format!(
                    "{} values are not snapshots of {stride} values holding {p} parameters",
                    snapshots.len()
                ),
            ));
        }
        let n = snapshots.len() / stride;
        if !(3..=MAX_PCA_SNAPSHOTS).contains(&n) {
            return Err(ConfigError::out_of_range(
                "landscape.snapshots",
                format!("at least 3 snapshots for two principal directions, at most {MAX_PCA_SNAPSHOTS}"),
                n,
            ));
        }
        if snapshots.iter().any(|v| !v.is_finite()) {
            return Err(ConfigError::invalid(
                "landscape.snapshots",
                "the snapshots' values are not all finite",
            ));
        }
        // x_i = s_i − θ − mean: [n, p]
        let mut x = vec![0.0; n * p];
        let mut mean = vec![0.0; p];
        for i in 0..n {
            for k in 0..p {
                let v = snapshots[i * stride + k] - self.centre[k];
                x[i * p + k] = v;
                mean[k] += v / n as f64;
            }
        }
        for row in x.chunks_exact_mut(p) {
            for (v, m) in row.iter_mut().zip(&mean) {
                *v -= m;
            }
        }
        // G = X Xᵀ: [n, n]; its eigenvalues are the principal variances (times n − 1).
        let mut gram = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let g = dot(&x[i * p..(i + 1) * p], &x[j * p..(j + 1) * p]);
                gram[i * n + j] = g;
                gram[j * n + i] = g;
            }
        }
        let total: f64 = (0..n).map(|i| gram[i * n + i]).sum();
        let (values, vectors) = symmetric_eigen(gram, n);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| values[j].total_cmp(&values[i]));
        let (l1, l2) = (values[order[0]], values[order[1]]);
        if !(l1 > 0.0 && l2 > PCA_FLAT * l1) {
            return Err(ConfigError::invalid(
                "landscape.snapshots",
                format!("the {n} snapshots lie on a line: there is no second principal direction"),
            ));
        }
        // d = Xᵀ u / sqrt(λ): unit length, since |Xᵀu|² = uᵀGu = λ.
        for (d, (col, lambda)) in [&mut self.dirs.d1, &mut self.dirs.d2]
            .into_iter()
            .zip([(order[0], l1), (order[1], l2)])
        {
            d.fill(0.0);
            for i in 0..n {
                let u = vectors[i * n + col] / lambda.sqrt();
                for (dk, xk) in d.iter_mut().zip(&x[i * p..(i + 1) * p]) {
                    *dk += u * xk;
                }
            }
        }
        self.dirs.explained = [l1 / total, l2 / total];
        self.current = false;
        Ok(self.dirs.explained)
    }

    /// Starts a slice over `grid`; `compute_rows` fills it. The loss buffer is
    /// reallocated only when the grid's size changes.
    pub fn start(&mut self, grid: Grid) -> Result<()> {
        grid.validate()?;
        if self.loss.len() != grid.side * grid.side {
            self.loss = vec![f64::NAN; grid.side * grid.side];
        } else {
            self.loss.fill(f64::NAN);
        }
        self.grid = grid;
        self.next_row = 0;
        self.current = true;
        Ok(())
    }

    /// Computes up to `rows` more rows of the slice; true once it is complete.
    /// Allocates nothing.
    pub fn compute_rows(&mut self, rows: usize) -> bool {
        if !self.current {
            return false;
        }
        let side = self.grid.side;
        let end = (self.next_row + rows).min(side);
        for r in self.next_row..end {
            let b = self.grid.b(r);
            for c in 0..side {
                let a = self.grid.a(c);
                self.loss[r * side + c] = self.loss_at(a, b);
            }
        }
        self.next_row = end;
        self.is_complete()
    }

    /// The loss at θ + a·d₁ + b·d₂, evaluated directly. Allocates nothing.
    pub fn loss_at(&mut self, a: f64, b: f64) -> f64 {
        let Self {
            model, centre, dirs, ..
        } = self;
        for (((w, &c), &d1), &d2) in model
            .params
            .iter_mut()
            .zip(centre.iter())
            .zip(&dirs.d1)
            .zip(&dirs.d2)
        {
            *w = c + a * d1 + b * d2;
        }
        self.data_loss()
    }

    /// The mean data loss of `self.model` over the training set, in eval mode.
    fn data_loss(&mut self) -> f64 {
        let rows = self.rows;
        self.model.forward_eval_loss(&mut self.ws, rows)
    }

    /// Writes θ + a·d₁ + b·d₂ into `out` (the layout of `Mlp::params`).
    pub fn point(&self, a: f64, b: f64, out: &mut [f64]) {
        for (((w, &c), &d1), &d2) in out
            .iter_mut()
            .zip(&self.centre)
            .zip(&self.dirs.d1)
            .zip(&self.dirs.d2)
        {
            *w = c + a * d1 + b * d2;
        }
    }

    /// Where `params` (or a snapshot that starts with them) sits on the plane:
    /// the `(a, b)` whose point is closest to it (least squares; for
    /// orthonormal directions, plain dot products). None while the directions
    /// do not span a plane, or `params` is too short.
    pub fn project(&self, params: &[f64]) -> Option<(f64, f64)> {
        let p = self.centre.len();
        let x = params.get(..p)?;
        let (d1, d2) = (&self.dirs.d1, &self.dirs.d2);
        let (g11, g12, g22) = (dot(d1, d1), dot(d1, d2), dot(d2, d2));
        let (mut r1, mut r2) = (0.0, 0.0);
        for k in 0..p {
            let v = x[k] - self.centre[k];
            r1 += d1[k] * v;
            r2 += d2[k] * v;
        }
        // Solve [g11 g12; g12 g22] [a b]ᵀ = [r1 r2]ᵀ.
        let det = g11 * g22 - g12 * g12;
        if det.is_nan() || det <= f64::EPSILON * g11 * g22 {
            return None;
        }
        Some(((g22 * r1 - g12 * r2) / det, (g11 * r2 - g12 * r1) / det))
    }

    /// The full-batch gradient of the data loss at the centre, and the line
    /// `L(θ − t·g/|g|)` at `side` points, with where `optimizer`'s next step
    /// at learning rate `lr` lands on it. The gradient uses batch statistics
    /// where batch norm is on (as a training step does); the line, like the
    /// slice, is in eval mode. A copy of the optimizer takes the step, so its
    /// state (momentum, moments) counts and the run's is untouched.
    pub fn gradient_line(&mut self, optimizer: &Optimizer, lr: f64, side: usize) -> Result<GradientLine> {
        if !(2..=MAX_SIDE).contains(&side) {
            return Err(ConfigError::out_of_range(
                "landscape.side",
                format!("2 to {MAX_SIDE} points"),
                side,
            ));
        }
        if !(lr.is_finite() && lr > 0.0) {
            return Err(ConfigError::out_of_range("landscape.lr", "finite and > 0", lr));
        }
        let state = optimizer.state().1.len();
        if state != self.centre.len() {
            return Err(ConfigError::invalid(
                "landscape.optimizer",
                format!(
                    "an optimizer for {state} parameters does not fit a landscape of {}",
                    self.centre.len()
                ),
            ));
        }
        let rows = self.rows;
        self.model.params.copy_from_slice(&self.centre);
        self.model.forward_train(&mut self.ws, rows, false);
        self.model.backward(&mut self.ws, rows, false);
        let g = self.ws.grads.clone();
        let grad_norm = dot(&g, &g).sqrt();
        if grad_norm == 0.0 || !grad_norm.is_finite() {
            return Err(ConfigError::invalid(
                "landscape.gradient",
                format!("the gradient's norm is {grad_norm}: there is no downhill direction"),
            ));
        }
        let mut stepped = self.centre.clone();
        optimizer.clone().step(&mut stepped, &g, lr);
        // The step's length along −g/|g|.
        let step_t = -stepped
            .iter()
            .zip(&self.centre)
            .zip(&g)
            .map(|((s, c), gk)| (s - c) * gk)
            .sum::<f64>()
            / grad_norm;
        let reach = (2.0 * step_t.abs()).max(LINE_MIN_REACH);
        let (t0, t1) = (-0.25 * reach, reach);
        let t: Vec<f64> = (0..side)
            .map(|i| t0 + (t1 - t0) * i as f64 / (side - 1) as f64)
            .collect();
        let mut along = |t: f64| {
            for ((w, &c), &gk) in self.model.params.iter_mut().zip(&self.centre).zip(&g) {
                *w = c - t * gk / grad_norm;
            }
            self.data_loss()
        };
        let loss = t.iter().map(|&t| along(t)).collect();
        let step_loss = along(step_t);
        Ok(GradientLine {
            t,
            loss,
            grad_norm,
            step_t,
            step_loss,
        })
    }

    pub fn directions(&self) -> &Directions {
        &self.dirs
    }
    pub fn centre(&self) -> &[f64] {
        &self.centre
    }
    pub fn grid(&self) -> Grid {
        self.grid
    }
    /// The slice so far (NaN where not yet computed), `[side, side]` row-major, rows along `b`.
    pub fn loss(&self) -> &[f64] {
        &self.loss
    }
    /// Rows computed so far of the slice started last.
    pub fn rows_done(&self) -> usize {
        self.next_row
    }
    /// True once every row of the slice started last is computed, for the
    /// centre and directions it was started with.
    pub fn is_complete(&self) -> bool {
        self.current && self.next_row == self.grid.side
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Eigenvalues and eigenvectors (the columns of the returned `[n, n]`,
/// row-major) of the symmetric `[n, n]` matrix `a`, by cyclic Jacobi
/// rotations: each rotation zeroes one off-diagonal pair, and sweeps repeat
/// until what is off the diagonal is rounding noise. Simple and accurate for
/// the few dozen snapshots a trajectory holds.
fn symmetric_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    const MAX_SWEEPS: usize = 64;
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum();
    for _ in 0..MAX_SWEEPS {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off <= f64::EPSILON * f64::EPSILON * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // The rotation angle that zeroes a[p][q]: t = tan φ, the smaller root of t² + 2θt − 1 = 0.
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A ← Jᵀ A J, V ← V J
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}
