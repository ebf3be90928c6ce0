//! Putting a run back where a model file left it: its counters, its place
//! in the current epoch and its divergence yardstick, each checked against
//! what a run could have written.

use serde::Serialize;

use super::Trainer;
use crate::error::{ConfigError, Result};
use crate::net::OutputLoss;
use crate::train::metrics::EpochSums;

/// The largest value of a run's counters (epochs, steps, the optimizer's
/// steps): 2^53 - 1, the largest whole number a JavaScript number holds
/// exactly, since the counters reach the page as `f64` (and the history
/// keeps epochs as `f64`). A run that has taken this many steps stops with
/// `Status::StepLimit` rather than wrap; at 20,000 steps a second that is
/// 14,000 years away, so only an imported file can bring a run near it.
pub const MAX_COUNTER: u64 = (1 << 53) - 1;

/// `MAX_COUNTER` as the range an error states (a test holds the two equal).
const COUNTER_RANGE: &str = "at most 9007199254740991";

/// Checks that a counter read from outside (a file, a setter) is at most `MAX_COUNTER`.
pub fn check_counter(field: &str, value: u64) -> Result<()> {
    if value <= MAX_COUNTER {
        Ok(())
    } else {
        Err(ConfigError::out_of_range(field, COUNTER_RANGE, value))
    }
}

/// How far a run is through its current epoch, and the sums the epoch's
/// record will be made from: what a run saved mid-epoch needs to continue
/// exactly where it was.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct EpochProgress {
    /// Training rows stepped this epoch: 0 at its start, else a multiple of
    /// the batch size below the number of training points.
    pub rows: usize,
    /// Σ (batch loss × batch rows) over those steps.
    pub loss: f64,
    /// Rows the network predicted correctly in those steps.
    pub correct: f64,
    /// Steps whose gradients were clipped.
    pub clipped: usize,
    /// For R² (identity + MSE only, 0 otherwise): Σ (a - t)², Σ t and Σ t².
    pub ss_res: f64,
    pub t_sum: f64,
    pub t_sq: f64,
}

impl Trainer {
    /// Sets the epoch and step counters (a loaded model continues its count).
    /// Each must be at most `MAX_COUNTER`, and `epoch <= step`: every epoch
    /// takes at least one step. Errors name `epoch` or `step` and the value.
    pub fn set_counters(&mut self, epoch: u64, step: u64) -> Result<()> {
        check_counter("epoch", epoch)?;
        check_counter("step", step)?;
        if epoch > step {
            return Err(ConfigError::invalid(
                "epoch",
                format!("{epoch} completed epochs need at least as many steps, but step is {step}"),
            ));
        }
        self.epoch = epoch;
        self.step = step;
        Ok(())
    }

    /// How far the run is through its current epoch (for saving it).
    pub fn epoch_progress(&self) -> EpochProgress {
        let s = &self.sums;
        EpochProgress {
            rows: self.cursor,
            loss: s.loss,
            correct: s.correct,
            clipped: s.clipped,
            ss_res: s.ss_res,
            t_sum: s.t_sum,
            t_sq: s.t_sq,
        }
    }

    /// Continues the current epoch from `p` (from `epoch_progress`, on the
    /// same data, batch size and epoch count), checked against what the
    /// epoch's steps can have summed. Errors name `progress.<field>` and the
    /// value; nothing changes on an error.
    pub fn set_epoch_progress(&mut self, p: EpochProgress) -> Result<()> {
        let (n, batch) = (self.data.n_train(), self.batch_size());
        if !p.rows.is_multiple_of(batch) || (p.rows > 0 && p.rows >= n) {
            return Err(ConfigError::invalid(
                "progress.rows",
                format!(
                    "expected a multiple of the batch size {batch} below the {n} training points, got {}",
                    p.rows
                ),
            ));
        }
        let steps = p.rows / batch;
        let rows = p.rows as f64;
        if !(p.correct >= 0.0 && p.correct <= rows && p.correct.fract() == 0.0) {
            return Err(ConfigError::invalid(
                "progress.correct",
                format!(
                    "expected a whole number of rows from 0 to {}, got {}",
                    p.rows, p.correct
                ),
            ));
        }
        if p.clipped > steps {
            return Err(ConfigError::invalid(
                "progress.clipped",
                format!(
                    "at most the {steps} steps taken this epoch can be clipped, got {}",
                    p.clipped
                ),
            ));
        }
        let mse = self.model.output() == OutputLoss::IdentityMse;
        for (field, v, non_negative) in [
            ("progress.loss", p.loss, false),
            ("progress.ss_res", p.ss_res, true),
            ("progress.t_sum", p.t_sum, false),
            ("progress.t_sq", p.t_sq, true),
        ] {
            let r2_sum = field != "progress.loss";
            if p.rows == 0 || (r2_sum && !mse) {
                if v != 0.0 {
                    return Err(ConfigError::out_of_range(
                        field,
                        "0 at the start of an epoch, and for a loss other than identity + MSE",
                        v,
                    ));
                }
            } else if !v.is_finite() || (non_negative && v < 0.0) {
                let expected = if non_negative { "finite and >= 0" } else { "finite" };
                return Err(ConfigError::out_of_range(field, expected, v));
            }
        }
        self.cursor = p.rows;
        self.sums = EpochSums {
            loss: p.loss,
            correct: p.correct,
            rows: p.rows,
            steps,
            clipped: p.clipped,
            ss_res: p.ss_res,
            t_sum: p.t_sum,
            t_sq: p.t_sq,
            t_n: if mse { p.rows * self.model.n_out() } else { 0 },
        };
        self.full_batch_ready = false;
        if p.rows > 0 {
            // Mid-epoch the rows are in this epoch's order.
            self.shuffle_for_epoch();
        }
        Ok(())
    }

    /// The loss of the run's first step, the yardstick for `Divergence::Exploded`
    /// (None before it).
    pub fn first_loss(&self) -> Option<f64> {
        self.first_loss
    }

    /// Sets the yardstick of `first_loss` (a loaded run keeps its own); it must be finite.
    pub fn set_first_loss(&mut self, loss: Option<f64>) -> Result<()> {
        if let Some(l) = loss.filter(|l| !l.is_finite()) {
            return Err(ConfigError::out_of_range("first_loss", "finite", l));
        }
        self.first_loss = loss;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_limit_is_the_largest_whole_number_exact_in_f64() {
        assert_eq!(COUNTER_RANGE, format!("at most {MAX_COUNTER}"));
        assert_eq!(MAX_COUNTER as f64 as u64, MAX_COUNTER);
        // One past it, the next whole number already has no f64 of its own.
        assert_eq!((MAX_COUNTER + 2) as f64, (MAX_COUNTER + 1) as f64);
    }
}
