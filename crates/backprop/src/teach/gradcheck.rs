//! Gradient checking: compare backprop's gradient with central differences
//! in f64, per layer, with the cs231n thresholds.
//!
//! `relative error = max(|a - n| - noise, 0) / max(|a| + |n|, TINY)` for analytic `a` and the
//! numerical derivative `n` of the loss (penalty included), from the
//! fourth-order central stencil
//! `n = (8 (L(p+h) - L(p-h)) - (L(p+2h) - L(p-2h))) / 12h`.
//! Its truncation error is O(h⁴), so `h` can be large enough (1e-4) that
//! float round-off (~1e-16 · L / h) stays far below the `GOOD` threshold even
//! for gradients as small as 1e-5; the plain two-point difference cannot do that.
//! `noise = 4 ε max(|L|, 1) / h` bounds the stencil's own round-off (its
//! coefficients sum to 18/12, each loss carries a few ulps): a difference
//! within it is no evidence of a wrong gradient. It matters where the true
//! gradient is exactly zero (e.g. batch norm's β followed by a linear layer
//! and another batch norm, which removes any constant shift).
//!
//! Near a kink (ReLU, leaky ReLU and ELU at 0; |w| under L1 at 0) a finite
//! difference is wrong whatever the code does. The check watches the sign of
//! every kinked pre-activation (and of the weight under L1) at each probe
//! point; when one flips it retries with `h / 10`, and a parameter that stays
//! astride a kink down to `h = 1e-8` is counted in `kinks`, not compared.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::index::sample;

use crate::net::mlp::{Mlp, Regularization, Workspace};
use crate::train::Trainer;
use crate::train::metrics::targets;

/// Below this relative error the gradient is right (cs231n: "you should be happy").
pub const GOOD: f64 = 1e-7;
/// Above this it is wrong (cs231n: "the gradient is probably wrong").
pub const WRONG: f64 = 1e-2;
/// Guards the division when both gradients are (numerically) zero.
pub const TINY: f64 = 1e-12;

/// How a layer's largest relative error reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Below `GOOD`.
    Good,
    /// Between `GOOD` and `WRONG`: worth a look (kinks such as ReLU at 0 land here).
    Doubtful,
    /// Above `WRONG`.
    Wrong,
}

impl Verdict {
    pub fn of(rel_error: f64) -> Self {
        if rel_error < GOOD {
            Self::Good
        } else if rel_error <= WRONG {
            Self::Doubtful
        } else {
            Self::Wrong
        }
    }
}

/// Alters an analytic gradient before comparison (tests use it to plant a bug).
pub type GradientHook<'a> = &'a dyn Fn(&mut [f64]);

/// Settings of a check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradCheckConfig {
    /// Step `h` of the central stencil.
    pub h: f64,
    /// At most this many parameters per layer are checked (a seeded sample); all when fewer.
    pub max_per_layer: usize,
    pub seed: u64,
}

impl Default for GradCheckConfig {
    fn default() -> Self {
        Self {
            h: 1e-4,
            max_per_layer: 64,
            seed: 0,
        }
    }
}

/// One layer's result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LayerCheck {
    pub layer: usize,
    /// Parameters compared.
    pub checked: usize,
    /// Parameters not compared because every probe step crossed a kink.
    pub kinks: usize,
    /// Parameters not compared because their gradient is zero by construction
    /// (a dense bias followed by batch norm, which subtracts the batch mean).
    pub skipped: usize,
    pub max_rel_error: f64,
    /// The parameter (index into the flat vector) with the largest error.
    pub worst_param: usize,
    pub analytic: f64,
    pub numerical: f64,
    pub verdict: Verdict,
}

/// Checks `mlp` on the batch `x: [rows, n_in]`, `t: [rows, n_out]` (row-major) in training
/// mode (running statistics untouched). `perturb` alters the analytic gradient
/// before comparison; the tests use it to prove a wrong gradient is caught.
pub fn check(
    mlp: &Mlp,
    x: &[f64],
    t: &[f64],
    reg: Regularization,
    config: GradCheckConfig,
    perturb: Option<GradientHook<'_>>,
) -> Vec<LayerCheck> {
    let rows = x.len() / mlp.n_in().max(1);
    let mut ws = Workspace::new(mlp, rows);
    ws.load(x, t);
    let mut probe = mlp.clone();
    probe.forward_train(&mut ws, rows, false);
    probe.backward(&mut ws, rows, false);
    probe.regularize(reg, &mut ws.grads);
    let mut analytic = ws.grads.clone();
    if let Some(f) = perturb {
        f(&mut analytic);
    }
    let loss_at = |probe: &mut Mlp, ws: &mut Workspace| {
        let loss = probe.forward_train(ws, rows, false) + probe.penalty(reg);
        (loss, kink_signature(probe, ws, rows))
    };
    let l1 = matches!(reg, Regularization::L1 { .. });
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut results = Vec::with_capacity(mlp.layers().len());
    for (l, layer) in mlp.layers().iter().enumerate() {
        let bias_feeds_bn = layer.bn.is_some();
        let mut params: Vec<usize> = layer.w_range().collect();
        if !bias_feeds_bn {
            params.extend(layer.b_range());
        }
        if let (Some(g), Some(b)) = (layer.gamma_range(), layer.beta_range()) {
            params.extend(g);
            params.extend(b);
        }
        if params.len() > config.max_per_layer {
            let picked = sample(&mut rng, params.len(), config.max_per_layer);
            params = picked.iter().map(|i| params[i]).collect();
        }
        let mut worst = (0.0, layer.w, 0.0, 0.0);
        let mut kinks = 0;
        let mut checked = 0;
        for &i in &params {
            let p0 = probe.params[i];
            let (loss0, base) = loss_at(&mut probe, &mut ws);
            let mut h = config.h;
            let numerical = loop {
                let mut crossed = false;
                let mut at = |delta: f64| {
                    probe.params[i] = p0 + delta;
                    let (loss, sig) = loss_at(&mut probe, &mut ws);
                    crossed |= sig != base || (l1 && (p0 + delta).signum() != p0.signum());
                    loss
                };
                let n = (8.0 * (at(h) - at(-h)) - (at(2.0 * h) - at(-2.0 * h))) / (12.0 * h);
                if !crossed {
                    break Some((n, 4.0 * f64::EPSILON * loss0.abs().max(1.0) / h));
                }
                h /= 10.0;
                if h < 1e-8 {
                    break None;
                }
            };
            probe.params[i] = p0;
            let Some((numerical, noise)) = numerical else {
                kinks += 1;
                continue;
            };
            checked += 1;
            let a = analytic[i];
            let rel = ((a - numerical).abs() - noise).max(0.0) / (a.abs() + numerical.abs()).max(TINY);
            let rel = if rel.is_nan() { f64::INFINITY } else { rel };
            if rel >= worst.0 {
                worst = (rel, i, a, numerical);
            }
        }
        results.push(LayerCheck {
            layer: l,
            checked,
            kinks,
            skipped: if bias_feeds_bn { layer.n_out } else { 0 },
            max_rel_error: worst.0,
            worst_param: worst.1,
            analytic: worst.2,
            numerical: worst.3,
            verdict: Verdict::of(worst.0),
        });
    }
    results
}

/// Rows a run's check uses: the first training points, enough to exercise
/// every layer while a check of every layer stays instant on the page.
pub const RUN_ROWS: usize = 64;
/// Most parameters per layer a run's check compares when asked for more.
pub const MAX_PER_LAYER: usize = 10_000;

/// Checks a run's network at its current parameters on its first `RUN_ROWS`
/// training points, with its own regularisation, comparing `max_per_layer`
/// parameters per layer (clamped to `1..=MAX_PER_LAYER`). `None` when the
/// run has no training points.
pub fn check_trainer(run: &Trainer, max_per_layer: usize) -> Option<Vec<LayerCheck>> {
    let data = run.data();
    let rows = data.n_train().min(RUN_ROWS);
    if rows == 0 {
        return None;
    }
    let model = run.model();
    let x = &data.train_x[..rows * model.n_in()];
    let t = targets(&data.train_y[..rows], model.output(), model.n_out());
    let config = GradCheckConfig {
        max_per_layer: max_per_layer.clamp(1, MAX_PER_LAYER),
        ..GradCheckConfig::default()
    };
    Some(check(model, x, &t, run.config().regularization, config, None))
}

/// A hash of the signs of every pre-activation that feeds a kinked activation.
fn kink_signature(mlp: &Mlp, ws: &Workspace, rows: usize) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (l, (layer, act)) in mlp.layers().iter().zip(mlp.activations()).enumerate() {
        if !act.has_kink() {
            continue;
        }
        let pre = if layer.bn.is_some() { &ws.h[l] } else { &ws.z[l] };
        for &z in &pre[..rows * layer.n_out] {
            hash = (hash ^ u64::from(z > 0.0)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
