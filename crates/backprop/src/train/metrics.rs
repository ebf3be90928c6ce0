//! What an epoch reports: loss, accuracy and R², from sums over its steps
//! (training) or from the outputs of a pass in eval mode (test), and the
//! targets a loss compares outputs with.

use crate::net::OutputLoss;

/// Sums over the current epoch's completed steps.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EpochSums {
    pub loss: f64,
    pub correct: f64,
    pub rows: usize,
    pub steps: usize,
    pub clipped: usize,
    /// For R²: Σ (a - t)², Σ t, Σ t², and the number of target values.
    pub ss_res: f64,
    pub t_sum: f64,
    pub t_sq: f64,
    pub t_n: usize,
}

/// `1 - SS_res / SS_tot` from running sums (NaN when the targets do not vary).
pub fn r2(ss_res: f64, t_sum: f64, t_sq: f64, n: usize) -> f64 {
    let n = n as f64;
    let ss_tot = t_sq - t_sum * t_sum / n;
    if n > 0.0 && ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else {
        f64::NAN
    }
}

/// R² of outputs `a` against targets `t` (same length and layout).
pub fn r2_of(a: &[f64], t: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), t.len(), "outputs and targets of different lengths");
    let (mut ss_res, mut t_sum, mut t_sq) = (0.0, 0.0, 0.0);
    for (&a, &t) in a.iter().zip(t) {
        ss_res += (a - t) * (a - t);
        t_sum += t;
        t_sq += t * t;
    }
    r2(ss_res, t_sum, t_sq, t.len())
}

/// Target rows for `labels`: the label itself for one output, one-hot for several.
pub fn targets(labels: &[u8], output: OutputLoss, n_out: usize) -> Vec<f64> {
    let mut t = vec![0.0; labels.len() * n_out];
    for (i, &c) in labels.iter().enumerate() {
        match output {
            OutputLoss::SoftmaxCe => t[i * n_out + usize::from(c).min(n_out - 1)] = 1.0,
            _ => t[i * n_out] = f64::from(c),
        }
    }
    t
}

/// How a matrix of outputs or targets is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `[rows, n]`: element `(r, j)` at `r * n + j`.
    RowMajor,
    /// `[n, rows]`: element `(r, j)` at `j * rows + r` (the workspace's layout).
    FeatureMajor,
}

/// The predicted class of row `r` of `m` (`rows` rows, `n` values each).
pub fn predicted_class(
    m: &[f64],
    r: usize,
    rows: usize,
    n: usize,
    layout: Layout,
    output: OutputLoss,
) -> usize {
    let at = |j: usize| match layout {
        Layout::RowMajor => m[r * n + j],
        Layout::FeatureMajor => m[j * rows + r],
    };
    match (n, output) {
        (1, OutputLoss::IdentityMse) => at(0).round().max(0.0) as usize,
        (1, _) => usize::from(at(0) > 0.5),
        _ => (0..n).max_by(|&a, &b| at(a).total_cmp(&at(b))).unwrap_or(0),
    }
}

/// How many rows of outputs `a` predict the class encoded in targets `t` (same layout).
pub fn count_correct(a: &[f64], t: &[f64], output: OutputLoss, n_out: usize, layout: Layout) -> f64 {
    if n_out == 1 && output != OutputLoss::IdentityMse {
        // One sigmoid output: the class is `p > 0.5`, whatever the layout.
        return a.iter().zip(t).filter(|&(&a, &t)| (a > 0.5) == (t > 0.5)).count() as f64;
    }
    let rows = a.len() / n_out.max(1);
    (0..rows)
        .filter(|&r| {
            predicted_class(a, r, rows, n_out, layout, output)
                == predicted_class(t, r, rows, n_out, layout, output)
        })
        .count() as f64
}
