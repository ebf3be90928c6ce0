//! The bug hunt: a network whose backprop carries one deliberate, classic
//! mistake in one layer, for the learner to find with the per-layer
//! gradient check and the gradient norms.
//!
//! A bug is a kind and a layer (`Bug`). The buggy backward below is the
//! chain of `Mlp::backward` rebuilt from the same per-layer functions of
//! `net/backprop.rs`, with the bugged layer's step substituted. Nothing in
//! `net/`, `train/` or `fast/` knows this module exists: the correct path
//! cannot be changed by it (`tests/bughunt.rs` holds the normal run's bits
//! equal with and without the `bughunt` feature).
//!
//! Layers are numbered from 1 in every text a learner reads (`W₂` is the
//! second dense layer's weights), from 0 in code. `δₖ` is layer k's
//! per-point delta, `∂L/∂zₖ` before the batch mean's 1/N.
//!
//! | kind               | buggy line (layer 2)         | correct line                     |
//! |--------------------|------------------------------|----------------------------------|
//! | missing derivative | `δ₂ = δ₃·W₃ᵀ`                | `δ₂ = (δ₃·W₃ᵀ) ⊙ f′(z₂)`         |
//! | missing transpose  | `δ₂ = (δ₃·W₃) ⊙ f′(z₂)`      | `δ₂ = (δ₃·W₃ᵀ) ⊙ f′(z₂)`         |
//! | summed batch       | `dW₂ = a₁ᵀ·δ₂`               | `dW₂ = a₁ᵀ·δ₂ / N`               |
//! | no bias gradient   | `db₂ = 0`                    | `db₂ = Σ δ₂ / N`                 |
//! | flipped update     | `W₂ ← W₂ + η·dW₂`            | `W₂ ← W₂ − η·dW₂`                |
//! | stale gradient     | `dW₂ += a₁ᵀ·δ₂ / N`          | `dW₂ = a₁ᵀ·δ₂ / N`               |
//!
//! The first two change the delta that flows on downwards, so every layer
//! below the bug inherits a wrong gradient: the gradient check flags the
//! bugged layer and those below it, and the bug is in the topmost layer it
//! flags. The other four stay in their layer.

use serde::Serialize;

use crate::data::Data;
use crate::error::{ConfigError, Result};
use crate::net::backprop::{dense_activation_backward, dense_backward, dense_backward_input, loss_backward};
use crate::net::mlp::{Mlp, Regularization, Workspace};
use crate::net::{ActivationKind, InitKind};
use crate::teach::gradcheck::{self, GradCheckConfig, LayerCheck};
use crate::train::clip::global_norm;
use crate::train::config::{DataConfig, DataSource, NetworkConfig, TrainConfig};
use crate::train::metrics::{Layout, count_correct, targets};
use crate::train::optim::{Optimizer, OptimizerConfig, SgdConfig};
use crate::train::shuffle::SplitMix64;
use crate::train::{make_data, replay};

/// The classic mistakes, each in one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BugKind {
    /// The activation's derivative forgotten on the way back into a hidden layer.
    MissingDerivative,
    /// The weight matrix above not transposed on the way back (square layers only).
    MissingTranspose,
    /// The layer's gradient summed over the batch instead of averaged.
    SummedBatch,
    /// The layer's bias gradient never computed (left at zero).
    NoBiasGradient,
    /// The layer's update goes uphill: `+ η·dW` instead of `− η·dW`.
    FlippedUpdate,
    /// The layer's gradient buffer is never zeroed: each step adds to the last ones.
    StaleGradient,
}

impl BugKind {
    pub const ALL: [Self; 6] = [
        Self::MissingDerivative,
        Self::MissingTranspose,
        Self::SummedBatch,
        Self::NoBiasGradient,
        Self::FlippedUpdate,
        Self::StaleGradient,
    ];
    pub const NAMES: [&'static str; 6] = [
        "missing_derivative",
        "missing_transpose",
        "summed_batch",
        "no_bias_gradient",
        "flipped_update",
        "stale_gradient",
    ];

    pub fn name(self) -> &'static str {
        let i = Self::ALL.iter().position(|&k| k == self).unwrap_or_default();
        Self::NAMES[i]
    }

    pub fn from_name(name: &str) -> Option<Self> {
        let i = Self::NAMES.iter().position(|&n| n == name)?;
        Some(Self::ALL[i])
    }

    /// Whether this kind can sit in layer `layer` (0-based) of a network of
    /// these `sizes` (`[n_in, hidden…, n_out]`): the two that act on the
    /// delta into a layer need a hidden layer (the output's derivative
    /// cancels against the loss's), the transpose a square matrix above it.
    pub fn fits(self, sizes: &[usize], layer: usize) -> bool {
        let n_layers = sizes.len().saturating_sub(1);
        match self {
            _ if layer >= n_layers => false,
            Self::MissingDerivative => layer + 1 < n_layers,
            Self::MissingTranspose => layer + 1 < n_layers && sizes[layer + 1] == sizes[layer + 2],
            _ => true,
        }
    }

    /// The buggy line and the correct one, for a bug in layer `layer` (0-based).
    pub fn lines(self, layer: usize) -> (String, String) {
        let (k, above, below) = (sub(layer + 1), sub(layer + 2), sub(layer));
        match self {
            Self::MissingDerivative => (
                format!("δ{k} = δ{above}·W{above}ᵀ"),
                format!("δ{k} = (δ{above}·W{above}ᵀ) ⊙ f′(z{k})"),
            ),
            Self::MissingTranspose => (
                format!("δ{k} = (δ{above}·W{above}) ⊙ f′(z{k})"),
                format!("δ{k} = (δ{above}·W{above}ᵀ) ⊙ f′(z{k})"),
            ),
            Self::SummedBatch => (
                format!("dW{k} = a{below}ᵀ·δ{k}"),
                format!("dW{k} = a{below}ᵀ·δ{k} / N"),
            ),
            Self::NoBiasGradient => (format!("db{k} = 0"), format!("db{k} = Σ δ{k} / N")),
            Self::FlippedUpdate => (format!("W{k} ← W{k} + η·dW{k}"), format!("W{k} ← W{k} − η·dW{k}")),
            Self::StaleGradient => (
                format!("dW{k} += a{below}ᵀ·δ{k} / N"),
                format!("dW{k} = a{below}ᵀ·δ{k} / N"),
            ),
        }
    }

    /// Whether the mistake reaches the layers below through the delta.
    pub fn flows_down(self) -> bool {
        matches!(self, Self::MissingDerivative | Self::MissingTranspose)
    }
}

/// `n` in subscript digits (`12` → `₁₂`); layer 0 is the input, `a₀ = x`.
fn sub(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|c| char::from_u32(0x2080 + c.to_digit(10).unwrap_or(0)).unwrap_or(c))
        .collect()
}

/// One hidden mistake: its kind and its layer (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bug {
    pub kind: BugKind,
    pub layer: usize,
}

impl Bug {
    /// Every bug that fits a network of these sizes.
    pub fn all_for(sizes: &[usize]) -> Vec<Self> {
        let n_layers = sizes.len().saturating_sub(1);
        BugKind::ALL
            .iter()
            .flat_map(|&kind| (0..n_layers).map(move |layer| Self { kind, layer }))
            .filter(|b| b.kind.fits(sizes, b.layer))
            .collect()
    }

    /// The bug `seed` picks: a kind (each as likely), then a layer it fits.
    pub fn from_seed(seed: u64, sizes: &[usize]) -> Option<Self> {
        let mut rng = SplitMix64::new(seed);
        let kinds: Vec<BugKind> = BugKind::ALL
            .into_iter()
            .filter(|k| (0..sizes.len()).any(|l| k.fits(sizes, l)))
            .collect();
        let kind = *kinds.get(pick(&mut rng, kinds.len())?)?;
        let layers: Vec<usize> = (0..sizes.len()).filter(|&l| kind.fits(sizes, l)).collect();
        let layer = *layers.get(pick(&mut rng, layers.len())?)?;
        Some(Self { kind, layer })
    }
}

/// A number below `n` from `rng` (`None` when `n` is 0).
fn pick(rng: &mut SplitMix64, n: usize) -> Option<usize> {
    (n > 0).then(|| (rng.next_u64() % n as u64) as usize)
}

// ---------------------------------------------------------------------------
// The buggy backward: `Mlp::backward`'s chain, one layer's step substituted

/// The gradient the buggy code hands to the optimizer, into `ws.grads`,
/// after `mlp.forward_train(ws, rows, …)`. `held` is the bugged layer's
/// gradient buffer as the buggy code keeps it (only a stale gradient
/// reads it; it is never zeroed, so it is the sum of every gradient so far).
/// The network has no batch norm (`Hunt` refuses one).
pub fn backward(mlp: &Mlp, ws: &mut Workspace, rows: usize, bug: Bug, held: &mut [f64]) {
    let layers = mlp.layers();
    let last = layers.len() - 1;
    let m = rows * mlp.n_out();
    loss_backward(
        mlp.output(),
        &ws.a[last][..m],
        &ws.t[..m],
        &mut ws.dz[last][..m],
        mlp.n_out(),
        rows,
    );
    for l in (0..=last).rev() {
        let layer = layers[l];
        let (n_in, n_out) = (layer.n_in, layer.n_out);
        let a_prev = if l == 0 { &ws.x[..] } else { &ws.a[l - 1][..] };
        let w = &mlp.params[layer.w_range()];
        let (dw, db) = ws.grads[layer.w..layer.b + n_out].split_at_mut(n_in * n_out);
        dense_backward(a_prev, &ws.dz[l], dw, db, rows, n_in, n_out);
        if bug.layer == l {
            corrupt_params(bug.kind, dw, db, rows, held);
        }
        if l == 0 {
            break;
        }
        // Back into layer l − 1: its delta, through its activation.
        let (lower, upper) = ws.dz.split_at_mut(l);
        let (z, a, dz_prev) = (&ws.z[l - 1], &ws.a[l - 1], &mut lower[l - 1]);
        let f = mlp.activations()[l - 1];
        match bug {
            Bug {
                kind: BugKind::MissingDerivative,
                layer,
            } if layer == l - 1 => dense_backward_input(&upper[0], w, dz_prev, rows, n_in, n_out),
            Bug {
                kind: BugKind::MissingTranspose,
                layer,
            } if layer == l - 1 => {
                untransposed_backward_input(&upper[0], w, dz_prev, rows, n_in, n_out);
                f.backward_slice(&z[..n_in * rows], &a[..n_in * rows], &mut dz_prev[..n_in * rows]);
            }
            _ => dense_activation_backward(&upper[0], w, f, z, a, dz_prev, rows, n_in, n_out),
        }
    }
}

/// The bugged layer's own gradients, as each local mistake leaves them.
fn corrupt_params(kind: BugKind, dw: &mut [f64], db: &mut [f64], rows: usize, held: &mut [f64]) {
    match kind {
        BugKind::SummedBatch => dw.iter_mut().chain(db.iter_mut()).for_each(|g| *g *= rows as f64),
        BugKind::NoBiasGradient => db.fill(0.0),
        // The optimizer subtracts what it is handed: handing it −dW moves W uphill.
        BugKind::FlippedUpdate => dw.iter_mut().chain(db.iter_mut()).for_each(|g| *g = -*g),
        BugKind::StaleGradient => {
            for (g, h) in dw.iter_mut().chain(db.iter_mut()).zip(held.iter_mut()) {
                *h += *g;
                *g = *h;
            }
        }
        BugKind::MissingDerivative | BugKind::MissingTranspose => {}
    }
}

/// The transpose forgotten: `dz_prev[i, r] = Σ_j W[j, i] · dz[j, r]`, W read
/// as if it were `[n_out, n_in]`; it runs only because W is square.
///
/// dz: [n_out, rows], w: [n, n] -> dz_prev: [n_in, rows]
fn untransposed_backward_input(
    dz: &[f64],
    w: &[f64],
    dz_prev: &mut [f64],
    rows: usize,
    n_in: usize,
    n_out: usize,
) {
    debug_assert_eq!(n_in, n_out, "a missing transpose needs a square matrix");
    for i in 0..n_in {
        for r in 0..rows {
            dz_prev[i * rows + r] = (0..n_out).map(|j| w[j * n_out + i] * dz[j * rows + r]).sum();
        }
    }
}

// ---------------------------------------------------------------------------
// A hunt: the buggy network, trained with the normal data, optimizer and metrics

/// Every hunt's network: three square hidden layers of tanh (smooth, so
/// the gradient check sees no kinks), on circles, trained full batch with
/// plain gradient descent. `bug_seed` seeds the points, the weights and the bug.
pub fn hunt_config(bug_seed: u64) -> TrainConfig {
    TrainConfig {
        seed: bug_seed,
        dataset: DataConfig {
            kind: DataSource::Circles,
            n_samples: 200,
            noise: 0.1,
            ..DataConfig::default()
        },
        network: NetworkConfig {
            hidden: vec![6, 6, 6],
            activation: ActivationKind::Tanh,
            init: InitKind::XavierNormal,
            ..NetworkConfig::default()
        },
        optimizer: OptimizerConfig::Sgd(SgdConfig {
            lr: 0.5,
            ..SgdConfig::default()
        }),
        ..TrainConfig::default()
    }
}

/// One epoch's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HuntEpoch {
    pub epoch: u64,
    pub train_loss: f64,
    pub train_acc: f64,
    pub test_acc: f64,
    /// Each layer's norm of the gradient handed to the optimizer.
    pub grad_norms: Vec<f64>,
}

/// One layer's gradient for one point, the correct one beside the buggy one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerPair {
    pub layer: usize,
    pub true_norm: f64,
    pub buggy_norm: f64,
    /// The parameter (index into the flat vector) where they differ most, and both values there.
    pub param: usize,
    pub true_value: f64,
    pub buggy_value: f64,
}

/// How a guess fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Grade {
    pub kind_right: bool,
    pub layer_right: bool,
}

/// The answer, for the reveal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reveal {
    pub kind: BugKind,
    pub layer: usize,
    pub buggy: String,
    pub correct: String,
    pub flows_down: bool,
}

/// A network with one hidden bug, its data and its optimizer, trained full
/// batch (one step per epoch) on the buggy gradients.
#[derive(Debug, Clone)]
pub struct Hunt {
    bug: Bug,
    config: TrainConfig,
    data: Data,
    model: Mlp,
    opt: Optimizer,
    ws: Workspace,
    train_t: Vec<f64>,
    test_t: Vec<f64>,
    /// The bugged layer's never-zeroed buffer (see `backward`).
    held: Vec<f64>,
    history: Vec<HuntEpoch>,
    /// The epoch at which the loss or a parameter stopped being finite.
    diverged: Option<u64>,
}

impl Hunt {
    /// The hunt a link's `bug_seed` names: `hunt_config(bug_seed)` and the bug the seed picks.
    pub fn from_seed(bug_seed: u64) -> Result<Self> {
        let config = hunt_config(bug_seed);
        let sizes = config.network.sizes(config.dataset.n_classes())?;
        let bug = Bug::from_seed(bug_seed, &sizes)
            .ok_or_else(|| ConfigError::invalid("network.hidden", "no bug fits this network"))?;
        Self::new(config, bug)
    }

    /// A hunt of `bug` on the run `config` describes (full batch, whatever
    /// its batch size); refuses batch norm, a penalty, and a bug that does not fit.
    pub fn new(config: TrainConfig, bug: Bug) -> Result<Self> {
        config.validate()?;
        if config.network.batch_norm {
            return Err(ConfigError::invalid(
                "network.batch_norm",
                "a bug hunt's network has no batch norm",
            ));
        }
        if config.regularization != Regularization::None {
            return Err(ConfigError::invalid(
                "regularization",
                "a bug hunt trains without a penalty",
            ));
        }
        let data = make_data(&config)?;
        let model = replay::initial_model(&config, data.n_classes())?;
        if !bug.kind.fits(model.sizes(), bug.layer) {
            return Err(ConfigError::invalid(
                "bug",
                format!(
                    "{} does not fit layer {} of {:?}",
                    bug.kind.name(),
                    bug.layer + 1,
                    model.sizes()
                ),
            ));
        }
        let layer = model.layers()[bug.layer];
        let (output, n_out) = (model.output(), model.n_out());
        Ok(Self {
            train_t: targets(&data.train_y, output, n_out),
            test_t: targets(&data.test_y, output, n_out),
            ws: Workspace::new(&model, data.n_train().max(1)),
            opt: Optimizer::new(config.optimizer, model.params.len())?,
            held: vec![0.0; layer.n_in * layer.n_out + layer.n_out],
            history: Vec::new(),
            diverged: None,
            bug,
            config,
            data,
            model,
        })
    }

    /// One full-batch step of the buggy gradients; false (training nothing)
    /// once the run diverged or when it has no training points.
    pub fn step_epoch(&mut self) -> bool {
        let n = self.data.n_train();
        if self.diverged.is_some() || n == 0 {
            return false;
        }
        self.ws.load(&self.data.train_x, &self.train_t);
        let loss = self.model.forward_train(&mut self.ws, n, false);
        let last = self.model.layers().len() - 1;
        let m = n * self.model.n_out();
        let (output, n_out) = (self.model.output(), self.model.n_out());
        let correct = count_correct(
            &self.ws.a[last][..m],
            &self.ws.t[..m],
            output,
            n_out,
            Layout::FeatureMajor,
        );
        backward(&self.model, &mut self.ws, n, self.bug, &mut self.held);
        let grad_norms = self
            .model
            .layers()
            .iter()
            .map(|l| global_norm(&self.ws.grads[l.w..l.b + l.n_out]))
            .collect();
        let lr = self.config.schedule.lr(self.opt.config().lr(), self.epoch());
        self.opt.step(&mut self.model.params, &self.ws.grads, lr);
        let epoch = self.epoch();
        if !loss.is_finite() || !self.model.is_finite() {
            self.diverged = Some(epoch);
            return false;
        }
        let test_acc = self.test_accuracy();
        self.history.push(HuntEpoch {
            epoch: epoch + 1,
            train_loss: loss,
            train_acc: correct / n as f64,
            test_acc,
            grad_norms,
        });
        true
    }

    /// Test accuracy in eval mode (NaN without test points).
    fn test_accuracy(&self) -> f64 {
        let n = self.data.n_test();
        if n == 0 {
            return f64::NAN;
        }
        let n_out = self.model.n_out();
        let mut out = vec![0.0; n * n_out];
        let mut ws = Workspace::new(&self.model, n);
        self.model.predict(&self.data.test_x, &mut out, &mut ws);
        count_correct(&out, &self.test_t, self.model.output(), n_out, Layout::RowMajor) / n as f64
    }

    /// Completed epochs.
    pub fn epoch(&self) -> u64 {
        self.history.len() as u64
    }

    /// The per-layer gradient check of the buggy gradient (what the next
    /// step would hand the optimizer) against central differences of the
    /// true loss, on the first `gradcheck::RUN_ROWS` training points, every
    /// parameter of every layer.
    pub fn check(&self) -> Vec<LayerCheck> {
        let rows = self.data.n_train().min(gradcheck::RUN_ROWS);
        let (x, t) = self.rows(0, rows);
        let buggy = self.buggy_gradient(x, t);
        let config = GradCheckConfig {
            max_per_layer: gradcheck::MAX_PER_LAYER,
            ..GradCheckConfig::default()
        };
        let hand_over = |g: &mut [f64]| g.copy_from_slice(&buggy);
        gradcheck::check(&self.model, x, t, Regularization::None, config, Some(&hand_over))
    }

    /// Training rows `from..from + rows` and their targets, row-major.
    fn rows(&self, from: usize, rows: usize) -> (&[f64], &[f64]) {
        let (n_in, n_out) = (self.model.n_in(), self.model.n_out());
        (
            &self.data.train_x[from * n_in..(from + rows) * n_in],
            &self.train_t[from * n_out..(from + rows) * n_out],
        )
    }

    /// The buggy gradient on `x`, `t` (row-major) at the current
    /// parameters, the held buffer left as it is.
    fn buggy_gradient(&self, x: &[f64], t: &[f64]) -> Vec<f64> {
        let rows = x.len() / self.model.n_in();
        let mut ws = Workspace::new(&self.model, rows.max(1));
        ws.load(x, t);
        let mut model = self.model.clone();
        model.forward_train(&mut ws, rows, false);
        backward(&model, &mut ws, rows, self.bug, &mut self.held.clone());
        ws.grads
    }

    /// The correct gradient on `x`, `t` (row-major) at the current parameters.
    fn true_gradient(&self, x: &[f64], t: &[f64]) -> Vec<f64> {
        let rows = x.len() / self.model.n_in();
        let mut ws = Workspace::new(&self.model, rows.max(1));
        ws.load(x, t);
        let mut model = self.model.clone();
        model.forward_train(&mut ws, rows, false);
        model.backward(&mut ws, rows, false);
        ws.grads
    }

    /// Training point `point`'s gradient alone, correct and buggy, layer by
    /// layer; `None` for a point that does not exist.
    pub fn compare_point(&self, point: usize) -> Option<Vec<LayerPair>> {
        if point >= self.data.n_train() {
            return None;
        }
        let (x, t) = self.rows(point, 1);
        let (right, wrong) = (self.true_gradient(x, t), self.buggy_gradient(x, t));
        let pairs = self.model.layers().iter().enumerate().map(|(l, layer)| {
            let range = layer.w..layer.b + layer.n_out;
            let param = range
                .clone()
                .max_by(|&i, &j| {
                    (right[i] - wrong[i])
                        .abs()
                        .total_cmp(&(right[j] - wrong[j]).abs())
                })
                .unwrap_or(layer.w);
            LayerPair {
                layer: l,
                true_norm: global_norm(&right[range.clone()]),
                buggy_norm: global_norm(&wrong[range]),
                param,
                true_value: right[param],
                buggy_value: wrong[param],
            }
        });
        Some(pairs.collect())
    }

    /// Grades a guess of kind and layer (0-based).
    pub fn grade(&self, kind: BugKind, layer: usize) -> Grade {
        Grade {
            kind_right: kind == self.bug.kind,
            layer_right: layer == self.bug.layer,
        }
    }

    /// The answer: the bug and its buggy and correct lines.
    pub fn reveal(&self) -> Reveal {
        let (buggy, correct) = self.bug.kind.lines(self.bug.layer);
        Reveal {
            kind: self.bug.kind,
            layer: self.bug.layer,
            buggy,
            correct,
            flows_down: self.bug.kind.flows_down(),
        }
    }

    pub fn bug(&self) -> Bug {
        self.bug
    }
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }
    pub fn data(&self) -> &Data {
        &self.data
    }
    pub fn model(&self) -> &Mlp {
        &self.model
    }
    pub fn history(&self) -> &[HuntEpoch] {
        &self.history
    }
    /// The epoch at which training diverged, if it did.
    pub fn diverged(&self) -> Option<u64> {
        self.diverged
    }
}
