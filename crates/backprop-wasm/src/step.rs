//! `Playground`: training — stepping with stop conditions, the run's
//! counters, reports and history.

use backprop::train::stop::{Limit, train};
use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

use crate::Playground;
use crate::convert::{EpochView, StepView, StopView, history_view, stop_rule, to_value};
use crate::run::{self, check_count};

#[wasm_bindgen]
impl Playground {
    /// Advances `n` mini-batches (at most 100,000), stopping early at the stop
    /// conditions `maxEpochs` and `targetAcc` (see `stopReached`); returns the
    /// status state.
    #[wasm_bindgen(js_name = stepBatches)]
    pub fn step_batches(
        &mut self,
        n: u32,
        max_epochs: Option<f64>,
        target_acc: Option<f64>,
    ) -> Result<String, JsError> {
        check_count("stepBatches(n)", n)?;
        let limit = Limit {
            steps: Some(u64::from(n)),
            epochs: None,
        };
        self.train_within(limit, max_epochs, target_acc)
    }

    /// Advances `n` epochs (at most 100,000; an epoch under way counts as the
    /// first), stopping early at the stop conditions; returns the status state.
    #[wasm_bindgen(js_name = stepEpochs)]
    pub fn step_epochs(
        &mut self,
        n: u32,
        max_epochs: Option<f64>,
        target_acc: Option<f64>,
    ) -> Result<String, JsError> {
        check_count("stepEpochs(n)", n)?;
        let limit = Limit {
            epochs: Some(u64::from(n)),
            steps: None,
        };
        self.train_within(limit, max_epochs, target_acc)
    }

    /// Runs mini-batches until `ms` milliseconds have passed, training cannot
    /// go on, `epochs` more epochs are done (when given), or the run reaches a
    /// stop condition; returns how many batches ran. The stop conditions are
    /// checked after every epoch, so the run stops at exactly the epoch they name.
    #[wasm_bindgen(js_name = stepFor)]
    pub fn step_for(
        &mut self,
        ms: f64,
        epochs: Option<u32>,
        max_epochs: Option<f64>,
        target_acc: Option<f64>,
    ) -> Result<u32, JsError> {
        let rule = stop_rule(max_epochs, target_acc)?;
        let limit = Limit {
            epochs: epochs.map(u64::from),
            steps: Some(u64::from(run::MAX_STEPS_PER_CALL)),
        };
        let deadline = js_sys::Date::now() + ms.clamp(0.0, 1000.0);
        let out = train(&mut self.run.trainer, &rule, limit, |_| {
            js_sys::Date::now() < deadline
        });
        // At most MAX_STEPS_PER_CALL steps: the count fits.
        Ok(out.steps as u32)
    }

    /// The stop the run is at, if any: `{ reason: "max_epochs" | "target_acc",
    /// epoch, test_acc }`, or null. `maxEpochs` is a whole number of epochs and
    /// `targetAcc` a test accuracy from 0 to 1; 0 or absent means no such stop.
    /// A run without test points never reaches a target accuracy.
    #[wasm_bindgen(js_name = stopReached)]
    pub fn stop_reached(&self, max_epochs: Option<f64>, target_acc: Option<f64>) -> Result<JsValue, JsError> {
        let stop = stop_rule(max_epochs, target_acc)?.reached(&self.run.trainer);
        to_value(&stop.map(StopView::from))
    }

    /// `{ state: "ready" | "diverged" | "no_data" | "step_limit", epoch, step, what }`.
    pub fn status(&self) -> Result<JsValue, JsError> {
        to_value(&self.run.status())
    }

    /// Completed epochs.
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> f64 {
        self.run.trainer.epoch() as f64
    }

    /// Completed mini-batch steps.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.run.trainer.steps() as f64
    }

    /// The learning rate of the current epoch (after the schedule).
    #[wasm_bindgen(getter)]
    pub fn lr(&self) -> f64 {
        self.run.trainer.lr()
    }

    /// The learning rate the schedule gives at each epoch `0..epochs`, at
    /// most 100,000 of them (a copy).
    #[wasm_bindgen(js_name = lrCurve)]
    pub fn lr_curve(&self, epochs: u32) -> Vec<f64> {
        let t = &self.run.trainer;
        t.config()
            .schedule
            .curve(t.optimizer().config().lr(), u64::from(epochs))
    }

    /// The latest epoch's `{ epoch, train_loss, train_acc, test_loss, test_acc }`, or null.
    #[wasm_bindgen(js_name = lastEpoch)]
    pub fn last_epoch(&self) -> Result<JsValue, JsError> {
        to_value(&self.run.trainer.last_epoch().map(EpochView::from))
    }

    /// The last step's `{ loss, penalty, lr, rows, grad_norm, clipped }`.
    #[wasm_bindgen(js_name = lastStep)]
    pub fn last_step(&self) -> Result<JsValue, JsError> {
        to_value(&StepView::of(&self.run.trainer))
    }

    /// Number of records in the history.
    #[wasm_bindgen(js_name = historyLength)]
    pub fn history_length(&self) -> usize {
        self.run.trainer.history().len()
    }

    /// A view of one history series: "epoch", "train_loss", "train_acc",
    /// "test_loss", "test_acc", "lr", "clipped" (fraction of clipped steps), or
    /// "grad_norms" (`[length, layers]`, row-major).
    pub fn history(&self, series: &str) -> Result<Float64Array, JsError> {
        history_view(&self.run.trainer, series)
    }
}

impl Playground {
    /// Trains up to `limit`, stopping early at the stop conditions; returns
    /// the status state (what `stepBatches` and `stepEpochs` share).
    fn train_within(
        &mut self,
        limit: Limit,
        max_epochs: Option<f64>,
        target_acc: Option<f64>,
    ) -> Result<String, JsError> {
        train(
            &mut self.run.trainer,
            &stop_rule(max_epochs, target_acc)?,
            limit,
            |_| true,
        );
        Ok(self.run.status().state.into())
    }
}
