//! The training loop: owns the data, the model and the optimizer, and
//! advances one mini-batch or one epoch at a time. After the buffers are
//! built, a step allocates nothing.

pub mod clip;
pub mod config;
pub mod history;
pub mod metrics;
pub mod optim;
pub mod replay;
mod restore;
pub mod schedule;
pub mod shuffle;
pub mod stop;

pub use restore::{EpochProgress, MAX_COUNTER, check_counter};

use crate::data::dataset::Dataset;
use crate::data::regression;
use crate::data::{Data, ValueShape};
use crate::error::{ConfigError, Result};
use crate::net::backprop::OutputLoss;
use crate::net::mlp::{Mlp, Workspace, check_buffers};
use crate::train::clip::{ClipReport, global_norm};
use crate::train::config::{DataSource, TrainConfig};
use crate::train::history::{HISTORY_CAP, HISTORY_RECENT, History, Record};
use crate::train::metrics::{EpochSums, Layout, count_correct, r2, r2_of, targets};
use crate::train::optim::Optimizer;

/// Rows predicted at a time in eval mode (test metrics, grids).
const EVAL_CHUNK: usize = 256;

/// Independent random streams derived from the one seed.
#[derive(Debug, Clone, Copy)]
pub enum Stream {
    Data = 1,
    Split = 2,
    Init = 3,
    Shuffle = 4,
}

/// `seed` mixed with a stream number (SplitMix64), so streams never overlap.
pub fn stream_seed(seed: u64, stream: Stream) -> u64 {
    let mut z = seed ^ (stream as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether training can go on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Status {
    Ready,
    /// No training points (e.g. "draw your own" before any click).
    NoData,
    /// The loss or a parameter became non-finite at this epoch and step (both 0-based
    /// counts of what had completed before the failing step).
    Diverged {
        epoch: u64,
        step: u64,
        what: Divergence,
    },
    /// The step counter reached `MAX_COUNTER`: the run can count no more
    /// steps, so it trains no further (a reset starts a new run).
    StepLimit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divergence {
    /// The loss became NaN or infinite.
    Loss,
    /// A parameter became NaN or infinite.
    Parameters,
    /// The loss grew past `EXPLODE_RATIO` times the run's first loss: still
    /// finite, but the weights are flying apart (lr 1e3 on the tutorial net
    /// takes the loss from 0.67 to 1.7e5 in one epoch and 6.8e20 in three).
    Exploded,
}

impl Status {
    /// The status's name, as the page and the bindings speak of it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ready => "ready",
            Status::NoData => "no_data",
            Status::Diverged { .. } => "diverged",
            Status::StepLimit => "step_limit",
        }
    }
}

impl Divergence {
    /// What diverged, as the page and the bindings speak of it.
    pub fn name(self) -> &'static str {
        match self {
            Divergence::Loss => "loss",
            Divergence::Parameters => "parameters",
            Divergence::Exploded => "exploded",
        }
    }
}

/// A step whose loss exceeds this multiple of the run's first loss stops the run.
/// A too-high but workable rate stays well below it (lr 10 on the tutorial
/// net peaks at ~210x, then recovers).
pub const EXPLODE_RATIO: f64 = 1e3;

/// What the last step did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StepReport {
    /// Data loss of the batch before the update.
    pub loss: f64,
    /// Regularisation penalty before the update.
    pub penalty: f64,
    pub lr: f64,
    pub rows: usize,
    pub clip: ClipReport,
}

/// The latest epoch's figures (NaN where there are no test points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochReport {
    pub epoch: u64,
    pub train_loss: f64,
    pub train_acc: f64,
    pub test_loss: f64,
    pub test_acc: f64,
    /// Coefficient of determination `1 - SS_res / SS_tot` for identity + MSE
    /// (regression); NaN for the classification losses.
    pub train_r2: f64,
    pub test_r2: f64,
}

/// A training run.
#[derive(Debug, Clone)]
pub struct Trainer {
    config: TrainConfig,
    data: Data,
    model: Mlp,
    opt: Optimizer,
    ws: Workspace,
    eval_ws: Workspace,
    train_t: Vec<f64>,
    test_t: Vec<f64>,
    eval_out: Vec<f64>,
    order: Vec<usize>,
    cursor: usize,
    epoch: u64,
    step: u64,
    sums: EpochSums,
    history: History,
    status: Status,
    last: StepReport,
    last_epoch: Option<EpochReport>,
    batch_points: Vec<u32>,
    /// `ws.x`, `ws.t` and `batch_points` hold the whole training set, gathered
    /// in the current order: a full-batch step need not gather again.
    full_batch_ready: bool,
    layer_norms: Vec<f64>,
    /// Parameters before the last update, and the last gradients before clipping (for health).
    params_before: Vec<f64>,
    grads_before_clip: Vec<f64>,
    /// The loss of the run's first step, the yardstick for `Divergence::Exploded`.
    first_loss: Option<f64>,
}

impl Trainer {
    /// Validates `config`, makes the data and initialises the network from the seed.
    pub fn new(config: TrainConfig) -> Result<Self> {
        config.validate()?;
        Self::start(config)
    }

    /// `new` for a config already validated (the page's settings check
    /// theirs, see `settings`): a change is validated once.
    pub(crate) fn start(config: TrainConfig) -> Result<Self> {
        let data = make_data(&config)?;
        Self::build(config, data)
    }

    /// A run on given data (imported, drawn, or a test's), initialised from the seed.
    pub fn with_data(config: TrainConfig, data: Data) -> Result<Self> {
        config.validate()?;
        Self::build(config, data)
    }

    fn build(config: TrainConfig, mut data: Data) -> Result<Self> {
        if data.n_classes() != config.dataset.n_classes() && config.dataset.kind != DataSource::Custom {
            return Err(ConfigError::invalid(
                "dataset.kind",
                format!(
                    "the data has {} classes but {:?} has {}",
                    data.n_classes(),
                    config.dataset.kind,
                    config.dataset.n_classes()
                ),
            ));
        }
        let want = config.dataset.values();
        if want.map(|v| v.one_d) != data.values().map(|_| data.is_1d()) {
            return Err(ConfigError::invalid(
                "dataset",
                match want {
                    Some(v) if v.one_d => {
                        "the settings ask for a curve's values, but the points are not 1-D values"
                    }
                    Some(_) => "the settings ask for 2-D values, but the points are not",
                    None => "the settings ask for classes, but the points have values",
                },
            ));
        }
        data.set_features(&config.network.features);
        let model = replay::initial_model(&config, data.n_classes())?;
        check_buffers(data.n_train(), model.sizes())?;
        let opt = Optimizer::new(config.optimizer, model.params.len())?;
        let n_layers = model.layers().len();
        let mut t = Self {
            ws: Workspace::new(&model, 1),
            eval_ws: Workspace::new(&model, EVAL_CHUNK),
            history: History::new(n_layers, HISTORY_CAP, HISTORY_RECENT),
            layer_norms: vec![0.0; n_layers],
            config,
            data,
            model,
            opt,
            train_t: Vec::new(),
            test_t: Vec::new(),
            eval_out: Vec::new(),
            order: Vec::new(),
            cursor: 0,
            epoch: 0,
            step: 0,
            sums: EpochSums::default(),
            status: Status::Ready,
            last: StepReport::default(),
            last_epoch: None,
            batch_points: Vec::new(),
            full_batch_ready: false,
            params_before: Vec::new(),
            grads_before_clip: Vec::new(),
            first_loss: None,
        };
        t.params_before = t.model.params.clone();
        t.grads_before_clip = vec![0.0; t.model.params.len()];
        t.data_changed();
        Ok(t)
    }

    /// Rebuilds everything sized by the data (targets, order, buffers); the epoch restarts.
    fn data_changed(&mut self) {
        let n_out = self.model.n_out();
        let output = self.model.output();
        // Regression data gives its values (one output); classes their encoding.
        (self.train_t, self.test_t) = if self.data.values().is_some() {
            (self.data.train_v.clone(), self.data.test_v.clone())
        } else {
            (
                targets(&self.data.train_y, output, n_out),
                targets(&self.data.test_y, output, n_out),
            )
        };
        self.eval_out = vec![0.0; self.data.n_test() * n_out];
        self.order = (0..self.data.n_train()).collect();
        self.full_batch_ready = false;
        self.cursor = 0;
        self.sums = EpochSums::default();
        let cap = self.batch_size();
        if self.ws.capacity() != cap {
            self.ws = Workspace::new(&self.model, cap);
        }
        self.batch_points = Vec::with_capacity(cap);
        if self.status == Status::NoData || matches!(self.status, Status::Ready) {
            self.status = if self.data.n_train() == 0 {
                Status::NoData
            } else {
                Status::Ready
            };
        }
    }

    /// Rows per step: the configured batch size, at most the training set (at least 1).
    pub fn batch_size(&self) -> usize {
        let n = self.data.n_train().max(1);
        self.config.batch_size.unwrap_or(n).clamp(1, n)
    }

    /// One mini-batch: forward, backward, penalty, clipping, update. Returns the
    /// status afterwards; a diverged, empty or finished run does nothing.
    pub fn step_batch(&mut self) -> Status {
        if self.status != Status::Ready {
            return self.status;
        }
        // The step counter stops at MAX_COUNTER instead of wrapping (in every
        // build), and so does the run. The epoch counter stays below it: every
        // epoch takes at least one step.
        let Some(next_step) = self.step.checked_add(1).filter(|&s| s <= MAX_COUNTER) else {
            self.status = Status::StepLimit;
            return self.status;
        };
        let n = self.data.n_train();
        let batch = self.batch_size();
        if self.cursor == 0 && batch < n {
            self.shuffle_for_epoch();
        }
        // A step that diverges completes nothing: its sums are dropped.
        let sums_before = self.sums;
        let rows = batch.min(n - self.cursor);
        let (n_in, n_out) = (self.model.n_in(), self.model.n_out());
        // Gather the batch, feature-major: ws.x[p * rows + r] = x[row r][p]. A
        // full batch is the same rows in the same order every step: gathered once.
        let whole = rows == n;
        if !(whole && self.full_batch_ready) {
            self.batch_points.clear();
            for (r, &i) in self.order[self.cursor..self.cursor + rows].iter().enumerate() {
                for p in 0..n_in {
                    self.ws.x[p * rows + r] = self.data.train_x[i * n_in + p];
                }
                for j in 0..n_out {
                    self.ws.t[j * rows + r] = self.train_t[i * n_out + j];
                }
                self.batch_points.push(self.data.train_points[i]);
            }
            self.full_batch_ready = whole;
        }

        let loss = self.model.forward_train(&mut self.ws, rows, true);
        let last = self.model.layers().len() - 1;
        let correct = count_correct(
            &self.ws.a[last][..rows * n_out],
            &self.ws.t[..rows * n_out],
            self.model.output(),
            n_out,
            Layout::FeatureMajor,
        );
        if self.model.output() == OutputLoss::IdentityMse {
            let (a, t) = (&self.ws.a[last][..rows * n_out], &self.ws.t[..rows * n_out]);
            for (&a, &t) in a.iter().zip(t) {
                self.sums.ss_res += (a - t) * (a - t);
                self.sums.t_sum += t;
                self.sums.t_sq += t * t;
            }
            self.sums.t_n += rows * n_out;
        }
        self.model.backward(&mut self.ws, rows, false);
        let penalty = self
            .model
            .regularize(self.config.regularization, &mut self.ws.grads);
        for (norm, layer) in self.layer_norms.iter_mut().zip(self.model.layers()) {
            *norm = global_norm(&self.ws.grads[layer.w..layer.b + layer.n_out]);
        }
        self.grads_before_clip.copy_from_slice(&self.ws.grads);
        let clip = self.config.clipping.apply(&mut self.ws.grads);
        let lr = self.lr();
        self.params_before.copy_from_slice(&self.model.params);
        self.opt.step(&mut self.model.params, &self.ws.grads, lr);

        self.last = StepReport {
            loss,
            penalty,
            lr,
            rows,
            clip,
        };
        self.sums.loss += loss * rows as f64;
        self.sums.correct += correct;
        self.sums.rows += rows;
        self.sums.steps += 1;
        self.sums.clipped += usize::from(clip.clipped);
        let first = *self.first_loss.get_or_insert(loss);
        let exploded = loss > EXPLODE_RATIO * first.abs().max(1e-3);
        let params_ok = self.model.is_finite();
        if !loss.is_finite() || !params_ok || exploded {
            let what = if !loss.is_finite() {
                Divergence::Loss
            } else if !params_ok {
                Divergence::Parameters
            } else {
                Divergence::Exploded
            };
            self.status = Status::Diverged {
                epoch: self.epoch,
                step: self.step,
                what,
            };
            self.sums = sums_before;
            return self.status;
        }
        self.step = next_step;
        self.cursor += rows;
        if self.cursor == n {
            self.end_epoch();
        }
        self.status
    }

    /// Puts the training rows in this epoch's order, which depends only on
    /// (seed, epoch): reproducible, and identical across runs that share a
    /// seed (the optimizer race). The generator is one an exported script
    /// can copy (see `shuffle`).
    fn shuffle_for_epoch(&mut self) {
        let stream = stream_seed(self.config.seed, Stream::Shuffle);
        shuffle::shuffle(&mut self.order, shuffle::epoch_seed(stream, self.epoch));
    }

    /// Steps until the current epoch ends (or training stops).
    pub fn step_epoch(&mut self) -> Status {
        let epoch = self.epoch;
        while self.status == Status::Ready && self.epoch == epoch {
            self.step_batch();
        }
        self.status
    }

    fn end_epoch(&mut self) {
        let rows = self.sums.rows.max(1) as f64;
        let (train_loss, train_acc) = (self.sums.loss / rows, self.sums.correct / rows);
        let (test_loss, test_acc) = self.evaluate_test();
        let mse = self.model.output() == OutputLoss::IdentityMse;
        let train_r2 = if mse {
            r2(self.sums.ss_res, self.sums.t_sum, self.sums.t_sq, self.sums.t_n)
        } else {
            f64::NAN
        };
        let test_r2 = if mse && self.data.n_test() > 0 {
            r2_of(&self.eval_out, &self.test_t)
        } else {
            f64::NAN
        };
        let clipped = self.sums.clipped as f64 / self.sums.steps.max(1) as f64;
        let lr = self.last.lr;
        // Below `self.step` (see `step_batch`), so this never saturates.
        self.epoch = self.epoch.saturating_add(1);
        self.cursor = 0;
        self.sums = EpochSums::default();
        self.history.push(Record {
            epoch: self.epoch as f64,
            train_loss,
            train_acc,
            test_loss,
            test_acc,
            lr,
            clipped,
            grad_norms: &self.layer_norms,
        });
        self.last_epoch = Some(EpochReport {
            epoch: self.epoch,
            train_loss,
            train_acc,
            test_loss,
            test_acc,
            train_r2,
            test_r2,
        });
    }

    /// Test loss and accuracy in eval mode (NaN without test points).
    fn evaluate_test(&mut self) -> (f64, f64) {
        if self.data.n_test() == 0 {
            return (f64::NAN, f64::NAN);
        }
        let (x, t) = (&self.data.test_x, &self.test_t);
        let loss = self
            .model
            .predict_loss(x, t, &mut self.eval_out, &mut self.eval_ws);
        let (output, n_out) = (self.model.output(), self.model.n_out());
        let correct = count_correct(&self.eval_out, t, output, n_out, Layout::RowMajor);
        (loss, correct / self.data.n_test() as f64)
    }

    /// Loss and accuracy on the whole training set in eval mode, without training.
    pub fn evaluate_train(&mut self) -> (f64, f64) {
        let n = self.data.n_train();
        if n == 0 {
            return (f64::NAN, f64::NAN);
        }
        let n_out = self.model.n_out();
        let mut out = vec![0.0; n * n_out];
        let (x, t) = (&self.data.train_x, &self.train_t);
        let loss = self.model.predict_loss(x, t, &mut out, &mut self.eval_ws);
        let correct = count_correct(&out, t, self.model.output(), n_out, Layout::RowMajor);
        (loss, correct / n as f64)
    }

    /// Output activations for points in data space (`[rows, 2]`) into `out: [rows, n_out]`,
    /// in eval mode; the points are scaled like the training data. Allocates nothing.
    pub fn predict_data_space(&mut self, points: &[f64], out: &mut [f64]) {
        let last = self.model.layers().len() - 1;
        self.layer_outputs(points, last, out);
    }

    /// Layer `layer`'s outputs (after its activation) for points in data space
    /// (`[rows, 2]`) into `out: [rows, n_units]` row-major, in eval mode.
    /// Returns false, writing nothing, when `layer` does not exist.
    pub fn layer_outputs(&mut self, points: &[f64], layer: usize, out: &mut [f64]) -> bool {
        let Some(units) = self.model.layers().get(layer).map(|l| l.n_out) else {
            return false;
        };
        let cap = self.eval_ws.capacity();
        let rows = (points.len() / 2).min(out.len() / units.max(1));
        let mut start = 0;
        while start < rows {
            let m = (rows - start).min(cap);
            let chunk = &points[2 * start..2 * (start + m)];
            self.data.inputs_feature_major(chunk, &mut self.eval_ws.x, m);
            self.model.forward_eval(&mut self.eval_ws, m);
            let a = &self.eval_ws.a[layer][..m * units];
            crate::fast::transpose(a, &mut out[start * units..(start + m) * units], units, m);
            start += m;
        }
        true
    }

    /// The gradient of the mean data loss over every training point at the
    /// current parameters (no penalty, no clipping, nothing updated): the
    /// full-batch gradient that per-sample gradients average to.
    pub fn data_gradient(&self) -> Vec<f64> {
        let n = self.data.n_train();
        let mut model = self.model.clone();
        let mut ws = Workspace::new(&model, n.max(1));
        if n == 0 {
            return vec![0.0; model.params.len()];
        }
        ws.load(&self.data.train_x, &self.train_t);
        model.forward_train(&mut ws, n, false);
        model.backward(&mut ws, n, false);
        ws.grads
    }

    /// The parameters and batch-norm running statistics, flattened (a timeline snapshot).
    pub fn snapshot(&self) -> Vec<f64> {
        let mut v = self.model.params.clone();
        for r in &self.model.running {
            v.extend(&r.mean);
            v.extend(&r.var);
        }
        v
    }

    /// Runs `f` with the model temporarily set to `snapshot` (from `snapshot()`),
    /// then restores the live parameters. Returns false if the snapshot does not fit.
    pub fn with_snapshot(&mut self, snapshot: &[f64], f: impl FnOnce(&mut Self)) -> bool {
        let live = self.snapshot();
        if snapshot.len() != live.len() || snapshot.iter().any(|v| !v.is_finite()) {
            return false;
        }
        self.load_snapshot(snapshot);
        f(self);
        self.load_snapshot(&live);
        true
    }

    fn load_snapshot(&mut self, v: &[f64]) {
        let n = self.model.params.len();
        self.model.params.copy_from_slice(&v[..n]);
        let mut at = n;
        for r in &mut self.model.running {
            let k = r.mean.len();
            r.mean.copy_from_slice(&v[at..at + k]);
            r.var.copy_from_slice(&v[at + k..at + 2 * k]);
            at += 2 * k;
        }
    }

    /// The learning rate for the current epoch (schedule applied to the base rate).
    pub fn lr(&self) -> f64 {
        self.config.schedule.lr(self.opt.config().lr(), self.epoch)
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }
    pub fn data(&self) -> &Data {
        &self.data
    }
    /// The training targets, row-major `[rows, n_out]` (one-hot for softmax).
    pub fn train_targets(&self) -> &[f64] {
        &self.train_t
    }
    pub fn model(&self) -> &Mlp {
        &self.model
    }
    /// Direct access to the parameters (imports, tests, editing a weight).
    pub fn model_mut(&mut self) -> &mut Mlp {
        &mut self.model
    }
    pub fn optimizer(&self) -> &Optimizer {
        &self.opt
    }
    pub fn optimizer_mut(&mut self) -> &mut Optimizer {
        &mut self.opt
    }
    pub fn history(&self) -> &History {
        &self.history
    }
    pub fn status(&self) -> Status {
        self.status
    }
    /// Completed epochs.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
    /// Completed steps (mini-batches).
    pub fn steps(&self) -> u64 {
        self.step
    }
    pub fn last_step(&self) -> StepReport {
        self.last
    }
    pub fn last_epoch(&self) -> Option<EpochReport> {
        self.last_epoch
    }
    /// Point indices of the last mini-batch.
    pub fn batch_points(&self) -> &[u32] {
        &self.batch_points
    }
    /// Per-layer gradient norms of the last step (before clipping).
    pub fn layer_grad_norms(&self) -> &[f64] {
        &self.layer_norms
    }
    /// Per-layer health figures of the last step (empty before this run's
    /// first step, also when it was loaded with steps already counted: the
    /// figures compare with the parameters before the step, which a file
    /// does not hold).
    pub fn health(&self) -> Vec<crate::teach::health::LayerHealth> {
        // Every step has at least one row.
        if self.last.rows == 0 {
            return Vec::new();
        }
        crate::teach::health::layer_health(
            &self.model,
            &self.ws,
            self.last.rows,
            &self.grads_before_clip,
            &self.params_before,
        )
    }

    /// The last step's gradients (after clipping), in the layout of the parameters.
    pub fn grads(&self) -> &[f64] {
        &self.ws.grads
    }

    /// Applies settings that need no reset: optimizer hyper-parameters (state kept
    /// for the same kind), regularisation, clipping, schedule and batch size.
    /// Anything else differing from the current config is an error naming the field.
    pub fn update_live(&mut self, config: TrainConfig) -> Result<()> {
        config.validate()?;
        self.apply_live(config)
    }

    /// Whether `config` differs from the run's only in settings that apply live.
    pub fn is_live_change(&self, config: &TrainConfig) -> bool {
        config.seed == self.config.seed
            && config.dataset == self.config.dataset
            && config.network == self.config.network
    }

    /// `update_live` for a config already validated.
    pub(crate) fn apply_live(&mut self, config: TrainConfig) -> Result<()> {
        if config.seed != self.config.seed || config.dataset != self.config.dataset {
            return Err(ConfigError::invalid("dataset", "changing the data needs a reset"));
        }
        if config.network != self.config.network {
            return Err(ConfigError::invalid(
                "network",
                "changing the network needs a reset",
            ));
        }
        self.opt.set_config(config.optimizer)?;
        let resize = config.batch_size != self.config.batch_size;
        self.config = config;
        if resize {
            let cap = self.batch_size();
            if self.ws.capacity() != cap {
                self.ws = Workspace::new(&self.model, cap);
                self.batch_points = Vec::with_capacity(cap);
            }
            self.full_batch_ready = false;
            self.cursor = 0;
            self.sums = EpochSums::default();
        }
        Ok(())
    }

    /// Adds a point (data space); the epoch restarts on the new data.
    pub fn add_point(&mut self, x: f64, y: f64, label: u8, test: bool) -> Result<()> {
        check_buffers(self.data.n_train() + 1, self.model.sizes())?;
        self.data.add_point(x, y, label, test)?;
        self.data_changed();
        Ok(())
    }

    /// Adds a regression point (data space) with its value; the epoch restarts on the new data.
    pub fn add_value_point(&mut self, x: f64, y: f64, value: f64, test: bool) -> Result<()> {
        check_buffers(self.data.n_train() + 1, self.model.sizes())?;
        self.data.add_value_point(x, y, value, test)?;
        self.data_changed();
        Ok(())
    }

    /// Removes the point nearest `(x, y)`; the epoch restarts on the new data.
    pub fn remove_nearest(&mut self, x: f64, y: f64) -> Option<usize> {
        let i = self.data.remove_nearest(x, y)?;
        self.data_changed();
        Some(i)
    }
}

/// The points for `config.dataset`, split and scaled.
pub fn make_data(config: &TrainConfig) -> Result<Data> {
    let d = &config.dataset;
    if let Some(kind) = d.kind.regression() {
        let set = regression::generate(kind, d.n_samples, d.noise, stream_seed(config.seed, Stream::Data))?;
        let shape = ValueShape { one_d: kind.is_1d() };
        return Data::split_values(
            set,
            shape,
            d.train_ratio,
            d.standardize,
            stream_seed(config.seed, Stream::Split),
        );
    }
    match (d.kind, d.values()) {
        (DataSource::Tutorial, _) => Ok(Data::tutorial(d.standardize)),
        (DataSource::Custom, Some(shape)) => Ok(Data::empty_values(shape, d.standardize)),
        (DataSource::Custom, None) => Ok(Data::empty(d.classes, d.standardize)),
        (kind, _) => {
            let generator = kind
                .generator()
                .unwrap_or(crate::data::dataset::DatasetKind::Moons);
            let set = Dataset::generate(
                generator,
                d.n_samples,
                d.noise,
                stream_seed(config.seed, Stream::Data),
            )?;
            Data::split(
                set,
                d.train_ratio,
                d.standardize,
                stream_seed(config.seed, Stream::Split),
            )
        }
    }
}
