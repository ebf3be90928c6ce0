//! Stop conditions, and the stepping loop that keeps them: a run stops by
//! itself once it has trained a number of epochs, or at the first epoch whose
//! test accuracy reaches a target. The rule is checked after every completed
//! epoch inside the loop, so a run stops at exactly the epoch the rule names,
//! however many epochs one call may train (a frame at "as fast as possible"
//! trains hundreds).

use crate::error::{ConfigError, Result};
use crate::train::{Status, Trainer};

/// When a run stops by itself. The default never stops.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StopRule {
    /// Stop once this many epochs are complete.
    pub max_epochs: Option<u64>,
    /// Stop at the first completed epoch whose test accuracy (a fraction in
    /// `(0, 1]`) is at least this. A run without test points has no test
    /// accuracy, so this never stops it (train accuracy is a different
    /// measure, and reaching it says nothing about the target).
    pub target_acc: Option<f64>,
}

/// A stop the run has reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// `epoch` epochs are complete, as `max_epochs` asked.
    MaxEpochs { epoch: u64 },
    /// Epoch `epoch` ended with test accuracy `test_acc`, at least the target.
    TargetAcc { epoch: u64, test_acc: f64 },
}

impl Stop {
    /// The epoch the run stopped at.
    pub fn epoch(&self) -> u64 {
        match *self {
            Stop::MaxEpochs { epoch } | Stop::TargetAcc { epoch, .. } => epoch,
        }
    }

    /// The setting that stopped the run, as the page names it.
    pub fn reason(&self) -> &'static str {
        match self {
            Stop::MaxEpochs { .. } => "max_epochs",
            Stop::TargetAcc { .. } => "target_acc",
        }
    }
}

impl StopRule {
    /// The rule from the page's two settings, where 0 means "no such stop":
    /// `max_epochs` a whole number of epochs, `target_acc` a fraction in
    /// `[0, 1]` (the page's percentage divided by 100).
    pub fn new(max_epochs: f64, target_acc: f64) -> Result<Self> {
        // JS numbers are f64: whole numbers up to 2^53 are exact.
        const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
        if !((0.0..=MAX_SAFE).contains(&max_epochs) && max_epochs.fract() == 0.0) {
            return Err(ConfigError::out_of_range(
                "max_epochs",
                "a whole number from 0 to 2^53 - 1",
                max_epochs,
            ));
        }
        if !(0.0..=1.0).contains(&target_acc) {
            return Err(ConfigError::out_of_range(
                "target_acc",
                "a fraction from 0 to 1",
                target_acc,
            ));
        }
        Ok(Self {
            max_epochs: (max_epochs > 0.0).then_some(max_epochs as u64),
            target_acc: (target_acc > 0.0).then_some(target_acc),
        })
    }

    /// The stop that holds for `run` as it is now (after its last completed
    /// epoch), if any; `max_epochs` is named first when both hold.
    pub fn reached(&self, run: &Trainer) -> Option<Stop> {
        let epoch = run.epoch();
        if let Some(max) = self.max_epochs
            && epoch >= max
        {
            return Some(Stop::MaxEpochs { epoch });
        }
        let target = self.target_acc?;
        let last = run.last_epoch()?;
        // NaN (no test points) compares false: never reached.
        (last.epoch == epoch && last.test_acc >= target).then_some(Stop::TargetAcc {
            epoch,
            test_acc: last.test_acc,
        })
    }
}

/// How much one call may train at most, besides the stop rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limit {
    /// More epochs to complete (an epoch under way counts as the first).
    pub epochs: Option<u64>,
    /// More mini-batch steps to take.
    pub steps: Option<u64>,
}

/// Why `train` returned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Halt {
    /// The rule holds: the run is at its stop (maybe since before the call).
    Stopped(Stop),
    /// The run cannot train (it diverged, or has no training points).
    NotReady(Status),
    /// The call's `Limit` is used up.
    Limit,
    /// The caller's `more` said no (its time budget is spent).
    Budget,
}

/// What a call to `train` did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Mini-batch steps taken.
    pub steps: u64,
    pub halt: Halt,
}

/// Trains `run` one mini-batch at a time until the rule stops it (checked
/// after every completed epoch), it cannot train, `limit` is used up, or
/// `more(steps taken so far)` returns false (asked after every step: the
/// caller's clock). Takes no step when the rule already holds.
pub fn train(run: &mut Trainer, rule: &StopRule, limit: Limit, mut more: impl FnMut(u64) -> bool) -> Outcome {
    let end_epoch = limit.epochs.map(|n| run.epoch().saturating_add(n));
    let mut steps = 0;
    let halt = loop {
        if let Some(stop) = rule.reached(run) {
            break Halt::Stopped(stop);
        }
        if run.status() != Status::Ready {
            break Halt::NotReady(run.status());
        }
        if end_epoch.is_some_and(|end| run.epoch() >= end) || limit.steps.is_some_and(|n| steps >= n) {
            break Halt::Limit;
        }
        if steps > 0 && !more(steps) {
            break Halt::Budget;
        }
        run.step_batch();
        steps += 1;
    };
    Outcome { steps, halt }
}
