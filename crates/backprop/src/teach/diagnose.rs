//! "Why did it break?": detectors that read a run's history (every epoch's
//! losses, accuracies and per-layer gradient norms) and its unit scans (dead
//! and saturated units over every training point), and say what is wrong,
//! since which epoch, with the evidence, and which change of settings cures
//! it. The detectors are pure functions of what they are given; `Watch`
//! gathers the scans as a run trains.
//!
//! A false alarm teaches the wrong thing, so every detector asks for two
//! signs at once (a symptom and the learning it spoils), and the
//! accuracy-based ones compare with what the data allows: the accuracy a
//! five-nearest-neighbour vote reaches on the training points (`reach`).

use serde::Serialize;

use crate::data::Data;
use crate::fast::transpose;
use crate::net::activation::{Activation, ActivationKind};
use crate::net::init::InitKind;
use crate::net::mlp::{Mlp, Regularization, Workspace};
use crate::train::clip::Clipping;
use crate::train::config::TrainConfig;
use crate::train::history::History;
use crate::train::{Divergence, Status, Trainer};

/// What a detector found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The loss or a weight became NaN or infinite, or the loss blew up a thousandfold (the run stopped).
    Divergence,
    /// The loss or the gradients grew by orders of magnitude.
    Exploding,
    /// Loss flat, gradients near zero, accuracy far below what the data allows.
    Plateau,
    /// A layer's gradients are orders of magnitude below the output layer's, and learning stalled.
    Vanishing,
    /// Most ReLU units of a layer output zero for every training point.
    DeadRelu,
    /// Most sigmoid/tanh pre-activations of a layer sit where the slope is nearly flat.
    Saturated,
    /// The loss swings up and down, or climbs, from epoch to epoch.
    LrTooLarge,
    /// The loss barely moves although the gradient is not small.
    LrTooSmall,
    /// The test loss rises while the training loss falls.
    Overfitting,
}

/// Which chart shows the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Chart {
    /// Training (and test) loss per epoch.
    Loss,
    /// Per-layer gradient norms per epoch.
    GradNorms,
    /// Dead or saturated units per layer, per scan.
    Units,
}

/// One change of settings that cures a problem; `apply` makes the cured config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cure {
    /// Multiply the learning rate by `factor` (0.1: ÷ 10).
    LearningRate { factor: f64 },
    /// Clip the gradients' global norm at `at` (the run's median norm).
    ClipNorm { at: f64 },
    /// He (normal) initialisation.
    HeInit,
    /// Xavier (normal) initialisation, which keeps sigmoid/tanh inputs near their slope.
    XavierInit,
    /// Leaky ReLU in every hidden layer: a unit below zero still passes gradient.
    LeakyRelu,
    /// Batch normalisation after every hidden dense layer.
    BatchNorm,
    /// An L2 penalty of strength `lambda`.
    L2 { lambda: f64 },
}

impl Cure {
    /// `config` with this change made (the seed and everything else kept).
    pub fn apply(&self, config: &TrainConfig) -> TrainConfig {
        let mut c = config.clone();
        match *self {
            Self::LearningRate { factor } => {
                c.optimizer = c.optimizer.with_lr(c.optimizer.lr() * factor);
            }
            Self::ClipNorm { at } => c.clipping = Clipping::Norm { max_norm: at },
            Self::HeInit => c.network.init = InitKind::HeNormal,
            Self::XavierInit => c.network.init = InitKind::XavierNormal,
            Self::LeakyRelu => set_activation(&mut c, ActivationKind::LeakyRelu),
            Self::BatchNorm => c.network.batch_norm = true,
            Self::L2 { lambda } => c.regularization = Regularization::L2 { lambda },
        }
        c
    }
}

fn set_activation(c: &mut TrainConfig, kind: ActivationKind) {
    c.network.activation = kind;
    c.network.activations = None;
}

/// A figure of the evidence, named for the page's text (`value` may be NaN
/// where a divergence left no number).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure {
    pub name: &'static str,
    pub value: f64,
}

/// What a detector found: the problem, the epoch it began, the layer (0-based,
/// where it concerns one), the figures that show it, the chart they are on,
/// and the cures, best first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub problem: Problem,
    pub began: u64,
    pub layer: Option<usize>,
    pub chart: Chart,
    pub evidence: Vec<Figure>,
    pub cures: Vec<Cure>,
}

/// Dead and saturated units per layer at one epoch, over every training point (eval mode).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scan {
    pub epoch: u64,
    /// Per layer (the output layer included, always 0): ReLU units whose output
    /// is zero for every training point.
    pub dead: Vec<usize>,
    /// Per layer: the fraction of sigmoid/tanh pre-activations with |z| > 3.
    pub saturated: Vec<f64>,
    /// Per layer: the number of units.
    pub units: Vec<usize>,
}

/// Everything the detectors read.
#[derive(Debug, Clone, Copy)]
pub struct RunView<'a> {
    pub config: &'a TrainConfig,
    pub status: Status,
    pub history: &'a History,
    pub scans: &'a [Scan],
    /// The training accuracy the data allows (see `reach`); NaN when unknown.
    pub reach: f64,
}

// ---- thresholds (each says why it is that size) ----

/// "Orders of magnitude": ten times worse than the untrained network's loss,
/// which no learning run ever is (the trainer itself stops at 1000×).
const EXPLODE_LOSS: f64 = 10.0;
/// Gradient growth counted as exploding: a hundredfold over the run's median
/// norm, with the loss above its start (a healthy run's norm moves within
/// about one order of magnitude of its median).
const EXPLODE_GRAD: f64 = 100.0;
/// Loss "flat": every epoch of the stretch within 1 % of the latest loss.
const FLAT: f64 = 0.01;
/// A flat stretch must last this many epochs to count as stalled: short
/// pauses before a breakthrough are normal.
const MIN_FLAT_EPOCHS: f64 = 200.0;
/// Total gradient norm below which the network has (nearly) stopped getting a signal.
const GRAD_SMALL: f64 = 1e-3;
/// Accuracy this far (or more) below the data's reach is "far from it".
const ACC_GAP: f64 = 0.1;
/// "Vanishing": two orders of magnitude below the output layer's gradient norm.
const VANISH_RATIO: f64 = 1e-2;
/// Below this the output layer itself gets no gradient (a symmetric start
/// leaves it at rounding noise, ~1e-17): nothing reaches the layers below
/// to vanish on the way, and the problem is a plateau.
const OUTPUT_SIGNAL: f64 = 1e-8;
/// Share of a layer's units (or pre-activations) that makes it "mostly" dead or saturated.
const MOSTLY: f64 = 0.5;
/// Oscillation: over the last `OSC_WINDOW` epochs, at least this share of
/// successive changes flip sign…
const OSC_FLIPS: f64 = 0.4;
const OSC_WINDOW: usize = 20;
/// …and the average swing is at least this share of the loss (mini-batch
/// noise moves an epoch's mean loss by a few per cent at most).
const OSC_SWING: f64 = 0.1;
/// Overfitting: the test loss at least this share above its minimum…
const OVERFIT_RISE: f64 = 0.25;
/// …with the gap between test and training loss at least this wide…
const OVERFIT_GAP: f64 = 0.1;
/// …and the gap between training and test accuracy this much wider than at
/// the test loss's minimum: ten of 200 test points. A network that only grows
/// more confident on the few points it gets wrong raises the test loss too,
/// but generalises as well as before; that is no reason to change anything.
const OVERFIT_ACC: f64 = 0.05;
/// The L2 strength offered against overfitting: strong enough to hold a
/// [64, 64] network on 80 noisy points to a smooth boundary, weak enough to
/// leave the tutorial's network its accuracy.
const OVERFIT_L2: f64 = 0.03;
/// The detectors wait for this many epochs: a run's first epochs are all change.
const MIN_EPOCHS: usize = 20;

/// Every problem found in `run`, the most fundamental first: a diverged run
/// is first of all diverged; gradients that vanish on their way down explain
/// a plateau; a plateau (no gradient at all, as after a symmetric start)
/// explains units that never switch on; dead or saturated units explain a
/// stalled loss better than a small learning rate does.
pub fn diagnose(run: &RunView<'_>) -> Vec<Finding> {
    if let Some(f) = divergence(run) {
        return vec![f];
    }
    let detectors: [fn(&RunView<'_>) -> Option<Finding>; 8] = [
        exploding,
        vanishing,
        plateau,
        dead_relu,
        saturated,
        lr_too_large,
        lr_too_small,
        overfitting,
    ];
    let mut found: Vec<Finding> = detectors.iter().filter_map(|d| d(run)).collect();
    // A loss that explodes also swings: one story, told once.
    if found.iter().any(|f| f.problem == Problem::Exploding) {
        found.retain(|f| f.problem != Problem::LrTooLarge);
    }
    found
}

/// The total gradient norm of history record `i` (from its per-layer norms).
fn total_norm(h: &History, i: usize) -> f64 {
    let n = h.n_layers();
    h.grad_norms[i * n..(i + 1) * n]
        .iter()
        .map(|g| g * g)
        .sum::<f64>()
        .sqrt()
}

/// The median total gradient norm over the first `upto` records (finite ones only).
fn median_norm(h: &History, upto: usize) -> f64 {
    let mut norms: Vec<f64> = (0..upto.min(h.len()))
        .map(|i| total_norm(h, i))
        .filter(|g| g.is_finite())
        .collect();
    if norms.is_empty() {
        return f64::NAN;
    }
    norms.sort_by(f64::total_cmp);
    norms[norms.len() / 2]
}

/// The epoch of history record `i`.
fn epoch_at(h: &History, i: usize) -> u64 {
    h.epoch[i] as u64
}

/// Index of the first record of the final stretch in which the training loss
/// stays within `FLAT` of the latest loss.
fn flat_from(h: &History) -> usize {
    let last = h.train_loss[h.len() - 1];
    let mut i = h.len() - 1;
    while i > 0 && (h.train_loss[i - 1] - last).abs() <= FLAT * last.abs() {
        i -= 1;
    }
    i
}

/// Whether the loss has been flat for at least `MIN_FLAT_EPOCHS`; the stretch's first record.
fn stalled(h: &History) -> Option<usize> {
    if h.len() < MIN_EPOCHS {
        return None;
    }
    let from = flat_from(h);
    (h.epoch[h.len() - 1] - h.epoch[from] >= MIN_FLAT_EPOCHS).then_some(from)
}

/// Whether the latest training accuracy is far below what the data allows.
fn far_from_reach(run: &RunView<'_>) -> bool {
    let h = run.history;
    !h.is_empty() && run.reach.is_finite() && h.train_acc[h.len() - 1] < run.reach - ACC_GAP
}

fn acc_figures(run: &RunView<'_>) -> [Figure; 2] {
    let h = run.history;
    [
        fig("train_acc", h.train_acc[h.len() - 1]),
        fig("reach", run.reach),
    ]
}

fn fig(name: &'static str, value: f64) -> Figure {
    Figure { name, value }
}

/// The clipping cure: the global norm at its median over the records before
/// the trouble began (`upto`), where that is a number.
fn clip_cure(h: &History, upto: usize) -> Option<Cure> {
    let at = median_norm(h, upto);
    (at.is_finite() && at > 0.0).then_some(Cure::ClipNorm { at })
}

const LR_DOWN: Cure = Cure::LearningRate { factor: 0.1 };
/// A loss that moves less than 1 % in 200 epochs needs steps orders of
/// magnitude longer, not a few times: ×10 leaves such a run slow (SGD at
/// 3e-4 on the moons is at 73 % after 2,000 epochs), ×100 trains it.
const LR_UP: f64 = 100.0;

/// The run stopped: a NaN or infinite loss or weight, or a thousandfold loss.
/// It began where the loss last stopped falling.
pub fn divergence(run: &RunView<'_>) -> Option<Finding> {
    let Status::Diverged { epoch, what, .. } = run.status else {
        return None;
    };
    let h = run.history;
    // The climb that ended in the divergence starts after the loss's last minimum.
    let began = (0..h.len())
        .filter(|&i| h.train_loss[i].is_finite())
        .min_by(|&a, &b| h.train_loss[a].total_cmp(&h.train_loss[b]))
        .map_or(epoch, |i| epoch_at(h, i).min(epoch));
    let what = match what {
        Divergence::Loss => 0.0,
        Divergence::Parameters => 1.0,
        Divergence::Exploded => 2.0,
    };
    // Clipping is no cure here: with the rate this large even a clipped step
    // overshoots (clipped at the median norm of the epochs before the climb,
    // the tutorial's net at lr 15 still blows up).
    Some(Finding {
        problem: Problem::Divergence,
        began,
        layer: None,
        chart: Chart::Loss,
        evidence: vec![fig("diverged_at", epoch as f64), fig("what", what)],
        cures: vec![LR_DOWN],
    })
}

/// The loss or the gradient norm grew by orders of magnitude and the loss is
/// above where it started. It began at the first epoch of the climb.
pub fn exploding(run: &RunView<'_>) -> Option<Finding> {
    let h = run.history;
    if h.len() < 2 {
        return None;
    }
    let (first, last) = (h.train_loss[0], h.train_loss[h.len() - 1]);
    // A loss below its start is no explosion: return before the median's sort.
    if last <= first {
        return None;
    }
    let norm = total_norm(h, h.len() - 1);
    let median = median_norm(h, h.len());
    let loss_blown = last >= EXPLODE_LOSS * first;
    let grad_blown = norm >= EXPLODE_GRAD * median;
    if !(loss_blown || grad_blown) {
        return None;
    }
    // Walk back while the loss was above its start.
    let mut i = h.len() - 1;
    while i > 0 && h.train_loss[i - 1] > first {
        i -= 1;
    }
    let mut cures = vec![LR_DOWN];
    // Clipping tames a spike of the gradient while the loss held; a loss
    // that already blew up is the rate's doing, and a step clipped to the
    // median norm still overshoots (SGD at lr 12, clipped at the first
    // epoch's norm, explodes all the same in epoch 2).
    if !loss_blown {
        cures.extend(clip_cure(h, i.max(1)));
    }
    Some(Finding {
        problem: Problem::Exploding,
        began: epoch_at(h, i),
        layer: None,
        chart: if loss_blown { Chart::Loss } else { Chart::GradNorms },
        evidence: vec![
            fig("first_loss", first),
            fig("loss", last),
            fig("grad_norm", norm),
            fig("median_grad_norm", median),
        ],
        cures,
    })
}

/// Loss flat, gradient near zero, accuracy far from the data's reach: the
/// network gets no signal (zero initialisation's symmetric start is the
/// classic case). It began where the loss went flat.
pub fn plateau(run: &RunView<'_>) -> Option<Finding> {
    let h = run.history;
    // The cheap test first: a healthy run is near its reach.
    if !far_from_reach(run) {
        return None;
    }
    let from = stalled(h)?;
    let norm = total_norm(h, h.len() - 1);
    if norm >= GRAD_SMALL {
        return None;
    }
    let [acc, reach] = acc_figures(run);
    let cure = if run.config.network.init == InitKind::HeNormal {
        Cure::LeakyRelu
    } else {
        Cure::HeInit
    };
    Some(Finding {
        problem: Problem::Plateau,
        began: epoch_at(h, from),
        layer: None,
        chart: Chart::Loss,
        evidence: vec![fig("grad_norm", norm), acc, reach],
        cures: vec![cure],
    })
}

/// A hidden layer's gradient norm is below `VANISH_RATIO` times the output
/// layer's while the loss is stalled and the accuracy far from reach. The
/// layer reported is the one nearest the input (the worst); it began at the
/// first epoch of the final stretch in which that layer's ratio stayed low.
pub fn vanishing(run: &RunView<'_>) -> Option<Finding> {
    let h = run.history;
    if !far_from_reach(run) {
        return None;
    }
    stalled(h)?;
    let n = h.n_layers();
    let ratio = |i: usize, l: usize| h.grad_norms[i * n + l] / h.grad_norms[i * n + n - 1];
    let last = h.len() - 1;
    if h.grad_norms[last * n + n - 1] < OUTPUT_SIGNAL {
        return None;
    }
    // A gradient of exactly zero is a blocked path (dead units), not a vanishing one.
    let small = |i: usize, l: usize| ratio(i, l) > 0.0 && ratio(i, l) < VANISH_RATIO;
    let layer = (0..n - 1).find(|&l| small(last, l))?;
    let mut i = last;
    while i > 0 && small(i - 1, layer) {
        i -= 1;
    }
    // Batch norm puts every layer's inputs back where the slope is; a switch
    // to ReLU is no cure for a deep, narrow network (twelve ReLU layers of
    // four units die within 20 epochs).
    let cures = vec![Cure::BatchNorm];
    Some(Finding {
        problem: Problem::Vanishing,
        began: epoch_at(h, i),
        layer: Some(layer),
        chart: Chart::GradNorms,
        evidence: vec![
            fig("layer_grad_norm", h.grad_norms[last * n + layer]),
            fig("output_grad_norm", h.grad_norms[last * n + n - 1]),
            fig("ratio", ratio(last, layer)),
        ],
        cures,
    })
}

/// The first layer in which a `MOSTLY` share of units is dead (or saturated)
/// in the latest scan, and the first scan of the final stretch in which it was.
fn mostly(scans: &[Scan], share: impl Fn(&Scan, usize) -> f64) -> Option<(usize, usize)> {
    let last = scans.last()?;
    let layer = (0..last.units.len()).find(|&l| share(last, l) >= MOSTLY)?;
    let mut i = scans.len() - 1;
    while i > 0 && share(&scans[i - 1], layer) >= MOSTLY {
        i -= 1;
    }
    Some((layer, i))
}

fn dead_share(s: &Scan, l: usize) -> f64 {
    s.dead[l] as f64 / s.units[l].max(1) as f64
}

/// Most ReLU units of a layer output zero for every training point (they can
/// never learn again) and the accuracy is short of the data's reach. When no
/// gradient flows anywhere (a symmetric start leaves every unit at zero) the
/// story is a plateau, not units that died.
pub fn dead_relu(run: &RunView<'_>) -> Option<Finding> {
    let h = run.history;
    if h.len() < MIN_EPOCHS || !far_from_reach(run) || total_norm(h, h.len() - 1) < GRAD_SMALL {
        return None;
    }
    let (layer, from) = mostly(run.scans, dead_share)?;
    let last = &run.scans[run.scans.len() - 1];
    let [acc, reach] = acc_figures(run);
    // Units killed by a step that threw the loss above its start need a
    // smaller rate (a leaky ReLU at the same rate explodes as well); units
    // that died without one need a slope below zero.
    let died_at = run.scans[from].epoch as f64;
    let blown = (0..h.len())
        .take_while(|&i| h.epoch[i] <= died_at)
        .any(|i| h.train_loss[i] > h.train_loss[0]);
    let cure = if blown { LR_DOWN } else { Cure::LeakyRelu };
    Some(Finding {
        problem: Problem::DeadRelu,
        began: run.scans[from].epoch,
        layer: Some(layer),
        chart: Chart::Units,
        evidence: vec![
            fig("dead", last.dead[layer] as f64),
            fig("units", last.units[layer] as f64),
            acc,
            reach,
        ],
        cures: vec![cure],
    })
}

/// Most sigmoid/tanh pre-activations of a layer sit beyond |z| = 3, where the
/// slope is nearly flat, and the accuracy is short of the data's reach.
pub fn saturated(run: &RunView<'_>) -> Option<Finding> {
    if run.history.len() < MIN_EPOCHS || !far_from_reach(run) {
        return None;
    }
    let (layer, from) = mostly(run.scans, |s, l| s.saturated[l])?;
    let last = &run.scans[run.scans.len() - 1];
    let [acc, reach] = acc_figures(run);
    Some(Finding {
        problem: Problem::Saturated,
        began: run.scans[from].epoch,
        layer: Some(layer),
        chart: Chart::Units,
        evidence: vec![fig("saturated", last.saturated[layer]), acc, reach],
        cures: vec![Cure::XavierInit, Cure::BatchNorm],
    })
}

/// Over the last `OSC_WINDOW` epochs the training loss swings (many sign
/// flips, each a large share of the loss) or climbs, without net progress.
/// It began at the first epoch of the final stretch of large swings.
pub fn lr_too_large(run: &RunView<'_>) -> Option<Finding> {
    let h = run.history;
    if h.len() < MIN_EPOCHS.max(OSC_WINDOW + 1) {
        return None;
    }
    let last = h.len() - 1;
    let start = last - OSC_WINDOW;
    let loss = &h.train_loss;
    let swing = |i: usize| (loss[i + 1] - loss[i]).abs() / loss[i].abs().max(f64::MIN_POSITIVE);
    let flips = (start..last - 1)
        .filter(|&i| (loss[i + 1] - loss[i]) * (loss[i + 2] - loss[i + 1]) < 0.0)
        .count() as f64
        / (OSC_WINDOW - 1) as f64;
    let mean_swing = (start..last).map(swing).sum::<f64>() / OSC_WINDOW as f64;
    let no_progress =
        loss[last] >= loss[start..=last].iter().copied().fold(f64::INFINITY, f64::min) * (1.0 + OSC_SWING);
    let oscillating = flips >= OSC_FLIPS && mean_swing >= OSC_SWING;
    if !(oscillating && no_progress) {
        return None;
    }
    let mut i = start;
    while i > 0 && swing(i - 1) >= OSC_SWING {
        i -= 1;
    }
    // Only a smaller rate: a clipped gradient leaves an adaptive optimizer's
    // step as long as before (Adam at lr 0.3, clipped at its median norm,
    // still swings at epoch 327), and it is the step that overshoots.
    Some(Finding {
        problem: Problem::LrTooLarge,
        began: epoch_at(h, i),
        layer: None,
        chart: Chart::Loss,
        evidence: vec![
            fig("swing", mean_swing),
            fig("flips", flips),
            fig("lr", h.lr[last]),
        ],
        cures: vec![LR_DOWN],
    })
}

/// The loss has been flat for `MIN_FLAT_EPOCHS` while the gradient is not
/// small, the loss is still going down, and the accuracy is far from the
/// data's reach: the steps are too short to use the signal there is. (A
/// loss that stays put with a large gradient is bouncing, not creeping.)
pub fn lr_too_small(run: &RunView<'_>) -> Option<Finding> {
    let h = run.history;
    if !far_from_reach(run) {
        return None;
    }
    let from = stalled(h)?;
    let last = h.len() - 1;
    let norm = total_norm(h, last);
    let creeping = h.train_loss[last] < h.train_loss[from];
    if !(norm >= GRAD_SMALL && creeping) {
        return None;
    }
    let [acc, reach] = acc_figures(run);
    Some(Finding {
        problem: Problem::LrTooSmall,
        began: epoch_at(h, from),
        layer: None,
        chart: Chart::Loss,
        evidence: vec![fig("grad_norm", norm), fig("lr", h.lr[h.len() - 1]), acc, reach],
        cures: vec![Cure::LearningRate { factor: LR_UP }],
    })
}

/// The test loss has risen `OVERFIT_RISE` above its minimum while the
/// training loss kept falling, the gap between them is wide and wider than
/// at the minimum, and so is the gap between training and test accuracy.
/// It began at the test loss's minimum.
pub fn overfitting(run: &RunView<'_>) -> Option<Finding> {
    let h = run.history;
    if h.len() < MIN_EPOCHS || !h.test_loss[h.len() - 1].is_finite() {
        return None;
    }
    let last = h.len() - 1;
    let gap = |i: usize| h.test_loss[i] - h.train_loss[i];
    // The cheap test first, before the search for the best test loss.
    if gap(last) < OVERFIT_GAP {
        return None;
    }
    let best = (0..h.len())
        .filter(|&i| h.test_loss[i].is_finite())
        .min_by(|&a, &b| h.test_loss[a].total_cmp(&h.test_loss[b]))?;
    let rising = h.test_loss[last] >= h.test_loss[best] * (1.0 + OVERFIT_RISE);
    let train_falling = h.train_loss[last] < h.train_loss[best];
    let widening = gap(last) > gap(best);
    let acc_gap = |i: usize| h.train_acc[i] - h.test_acc[i];
    let generalises_worse = acc_gap(last) >= acc_gap(best) + OVERFIT_ACC;
    if !(rising && train_falling && widening && generalises_worse) {
        return None;
    }
    Some(Finding {
        problem: Problem::Overfitting,
        began: epoch_at(h, best),
        layer: None,
        chart: Chart::Loss,
        evidence: vec![
            fig("best_test_loss", h.test_loss[best]),
            fig("test_loss", h.test_loss[last]),
            fig("train_loss", h.train_loss[last]),
            fig("gap", gap(last)),
            fig("train_acc", h.train_acc[last]),
            fig("test_acc", h.test_acc[last]),
        ],
        cures: vec![Cure::L2 { lambda: OVERFIT_L2 }],
    })
}

/// Neighbours in the vote that estimates what the data allows.
const REACH_K: usize = 5;
/// Points used for that estimate: the vote costs a pair of distances per
/// pair of points, so larger sets are sampled (evenly through the training rows).
const REACH_POINTS: usize = 1000;

/// The training accuracy the data allows, estimated as the leave-one-out
/// accuracy of a vote of the `REACH_K` nearest training points (in the
/// network's scaled coordinates); NaN without enough points. A network that
/// trains well gets close to it.
pub fn reach(data: &Data) -> f64 {
    let n = data.n_train();
    if n <= REACH_K {
        return f64::NAN;
    }
    let stride = n.div_ceil(REACH_POINTS);
    let rows: Vec<usize> = (0..n).step_by(stride).collect();
    let scaled: Vec<[f64; 2]> = rows
        .iter()
        .map(|&i| data.scaled_point(data.train_points[i] as usize))
        .collect();
    let x = |i: usize| {
        let [a, b] = scaled[i / stride];
        (a, b)
    };
    let classes = data.n_classes().max(2);
    let mut correct = 0usize;
    let mut nearest: Vec<(f64, u8)> = Vec::with_capacity(rows.len());
    let mut votes = vec![0usize; classes];
    for &i in &rows {
        let (xi, yi) = x(i);
        nearest.clear();
        nearest.extend(rows.iter().filter(|&&j| j != i).map(|&j| {
            let (xj, yj) = x(j);
            ((xi - xj).powi(2) + (yi - yj).powi(2), data.train_y[j])
        }));
        nearest.select_nth_unstable_by(REACH_K - 1, |a, b| a.0.total_cmp(&b.0));
        votes.iter_mut().for_each(|v| *v = 0);
        for &(_, label) in &nearest[..REACH_K] {
            votes[usize::from(label).min(classes - 1)] += 1;
        }
        let predicted = (0..classes).max_by_key(|&c| (votes[c], std::cmp::Reverse(c)));
        correct += usize::from(predicted == Some(usize::from(data.train_y[i])));
    }
    correct as f64 / rows.len() as f64
}

/// Scans spaced at most this share of the epoch apart (and at least one
/// epoch): exact early, when units die, and nearly free later (about
/// `1 / SCAN_SPACING` scans per e-fold of epochs). A problem that shows in
/// the scans is dated within this share of its epoch.
const SCAN_SPACING: f64 = 0.05;
/// Scans kept; older ones are thinned (every other dropped) when full.
const MAX_SCANS: usize = 512;
/// Rows scanned at a time.
const SCAN_CHUNK: usize = 256;

/// Gathers the scans of one run as it trains and diagnoses it.
#[derive(Debug, Clone)]
pub struct Watch {
    scans: Vec<Scan>,
    reach: f64,
    /// Buffers for the scans' forward passes.
    ws: Workspace,
}

impl Watch {
    /// A watch for `trainer`'s run (it estimates the data's reach once, here).
    pub fn new(trainer: &Trainer) -> Self {
        Self {
            scans: Vec::new(),
            reach: reach(trainer.data()),
            ws: Workspace::new(trainer.model(), SCAN_CHUNK),
        }
    }

    /// Scans the units if the last scan is far enough behind (see
    /// `SCAN_SPACING`); call it as often as convenient (every epoch, every
    /// frame). A run that went back in time (a reset) starts the scans over.
    pub fn observe(&mut self, trainer: &Trainer) {
        let epoch = trainer.epoch();
        if self.scans.last().is_some_and(|s| s.epoch > epoch) {
            self.scans.clear();
        }
        let due = self.scans.last().is_none_or(|s| {
            let gap = epoch - s.epoch;
            gap >= 1 && gap as f64 >= SCAN_SPACING * epoch as f64
        });
        if !due || trainer.data().n_train() == 0 || !trainer.model().is_finite() {
            return;
        }
        if self.scans.len() == MAX_SCANS {
            let mut i = 0;
            self.scans.retain(|_| {
                i += 1;
                i % 2 == 1 || i == MAX_SCANS
            });
        }
        let scan = self.scan(trainer.model(), trainer.data(), epoch);
        self.scans.push(scan);
    }

    /// One pass over every training point in eval mode, `SCAN_CHUNK` rows at a time.
    fn scan(&mut self, model: &Mlp, data: &Data, epoch: u64) -> Scan {
        let n_layers = model.layers().len();
        let units: Vec<usize> = model.layers().iter().map(|l| l.n_out).collect();
        let mut alive: Vec<Vec<bool>> = units.iter().map(|&u| vec![false; u]).collect();
        let mut saturated_count = vec![0usize; n_layers];
        let n = data.n_train();
        let mut start = 0;
        while start < n {
            let m = (n - start).min(SCAN_CHUNK);
            let d = model.n_in();
            transpose(&data.train_x[start * d..(start + m) * d], &mut self.ws.x, m, d);
            model.forward_eval(&mut self.ws, m);
            for (l, act) in model.activations().iter().enumerate() {
                let k = units[l];
                let pre = if model.has_batch_norm() {
                    &self.ws.h[l]
                } else {
                    &self.ws.z[l]
                };
                for (j, seen) in alive[l].iter_mut().enumerate() {
                    *seen = *seen || self.ws.a[l][j * m..(j + 1) * m].iter().any(|&a| a != 0.0);
                }
                if matches!(act, Activation::Tanh | Activation::Sigmoid) {
                    saturated_count[l] += pre[..k * m].iter().filter(|&&z| act.is_saturated(z)).count();
                }
            }
            start += m;
        }
        let dead = (0..n_layers)
            .map(|l| match model.activations().get(l) {
                Some(Activation::Relu) => alive[l].iter().filter(|&&a| !a).count(),
                _ => 0,
            })
            .collect();
        Scan {
            epoch,
            dead,
            saturated: (0..n_layers)
                .map(|l| saturated_count[l] as f64 / (units[l] * n).max(1) as f64)
                .collect(),
            units,
        }
    }

    pub fn scans(&self) -> &[Scan] {
        &self.scans
    }

    /// The data's reach, as estimated when the watch was made.
    pub fn reach(&self) -> f64 {
        self.reach
    }

    /// Every problem found in `trainer`'s run so far (see `diagnose`).
    pub fn diagnose(&self, trainer: &Trainer) -> Vec<Finding> {
        diagnose(&RunView {
            config: trainer.config(),
            status: trainer.status(),
            history: trainer.history(),
            scans: &self.scans,
            reach: self.reach,
        })
    }
}
