//! Several runs trained in lock-step from identical initial weights and the
//! same mini-batch order — the tutorial's optimizer comparison, done right.
//! Each run has the base settings with its own optimizer; the seed makes the
//! data, the initial weights and every epoch's batch order the same for all.

use backprop::io::json::{self, Decode};
use backprop::train::Status;
use backprop::train::config::MAX_CONFIG_BYTES;
use backprop::train::stop::{Limit, StopRule, train};
use backprop::{OptimizerConfig, TrainConfig, Trainer};
use js_sys::{Float64Array, Uint8Array, Uint32Array};
use wasm_bindgen::prelude::*;

use crate::convert::{EpochView, StepView, config_from_js, config_to_js, history_view, to_js, to_value};
use crate::run::{Run, check_count};

/// 2 to 6 runs that differ only in their optimizer, stepped together.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Race {
    runs: Vec<Run>,
}

#[wasm_bindgen]
impl Race {
    /// `base` is a settings object as for `Playground`; `optimizers` an array of
    /// 2 to 6 optimizer objects (`{ kind: "adam", lr: 0.001 }`, …).
    #[wasm_bindgen(constructor)]
    pub fn new(base: JsValue, optimizers: JsValue) -> Result<Race, JsError> {
        // Checked here so that its errors name its fields; each run's config
        // (the base with its optimizer) is checked by `Trainer::new`.
        let base: TrainConfig = config_from_js(&base)?;
        base.validate().map_err(to_js)?;
        let text = js_sys::JSON::stringify(&optimizers)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| JsError::new("optimizers: not an array of plain objects"))?;
        let optimizers: Vec<OptimizerConfig> = json::parse_bounded(&text, "optimizers", MAX_CONFIG_BYTES)
            .and_then(|v| Decode::decode(&v, "optimizers"))
            .map_err(to_js)?;
        let k = optimizers.len();
        if !(2..=6).contains(&k) {
            return Err(JsError::new(&format!("optimizers: a race needs 2 to 6, got {k}")));
        }
        let mut runs = Vec::with_capacity(k);
        for (i, optimizer) in optimizers.into_iter().enumerate() {
            let config = TrainConfig {
                optimizer,
                ..base.clone()
            };
            let trainer = Trainer::new(config).map_err(|e| JsError::new(&format!("optimizers[{i}]: {e}")))?;
            runs.push(Run::new(trainer));
        }
        Ok(Race { runs })
    }

    /// Number of runs.
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// Always false: a race has at least two runs.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Advances every run by `n` epochs (a diverged run stays where it
    /// stopped), none past epoch `maxEpochs` (0 or absent: no such stop);
    /// returns true when the race is over: no run can train on.
    #[wasm_bindgen(js_name = stepEpochs)]
    pub fn step_epochs(&mut self, n: u32, max_epochs: Option<f64>) -> Result<bool, JsError> {
        check_count("stepEpochs(n)", n)?;
        let one_epoch = Limit {
            epochs: Some(1),
            steps: None,
        };
        self.step(n, max_epochs, one_epoch)
    }

    /// Advances every run by `n` mini-batches, none past epoch `maxEpochs`;
    /// returns true when the race is over.
    #[wasm_bindgen(js_name = stepBatches)]
    pub fn step_batches(&mut self, n: u32, max_epochs: Option<f64>) -> Result<bool, JsError> {
        check_count("stepBatches(n)", n)?;
        let one_step = Limit {
            steps: Some(1),
            epochs: None,
        };
        self.step(n, max_epochs, one_step)
    }

    /// `n` rounds in lock-step, each run training `each` in turn and stopping at
    /// `maxEpochs`; then whether every run is at that stop or cannot train.
    fn step(&mut self, n: u32, max_epochs: Option<f64>, each: Limit) -> Result<bool, JsError> {
        let rule = StopRule::new(max_epochs.unwrap_or(0.0), 0.0).map_err(to_js)?;
        for _ in 0..n {
            for r in &mut self.runs {
                train(&mut r.trainer, &rule, each, |_| true);
            }
        }
        Ok(self
            .runs
            .iter()
            .all(|r| rule.reached(&r.trainer).is_some() || r.trainer.status() != Status::Ready))
    }

    /// Status of run `i`, as `Playground.status()`.
    pub fn status(&self, i: usize) -> Result<JsValue, JsError> {
        to_value(&self.run(i)?.status())
    }

    /// The latest epoch of run `i`, or null.
    #[wasm_bindgen(js_name = lastEpoch)]
    pub fn last_epoch(&self, i: usize) -> Result<JsValue, JsError> {
        to_value(&self.run(i)?.trainer.last_epoch().map(EpochView::from))
    }

    /// The last step of run `i`: `{ loss, penalty, lr, rows, grad_norm, clipped }`.
    #[wasm_bindgen(js_name = lastStep)]
    pub fn last_step(&self, i: usize) -> Result<JsValue, JsError> {
        to_value(&StepView::of(&self.run(i)?.trainer))
    }

    /// The settings of run `i`, as a plain object.
    pub fn config(&self, i: usize) -> Result<JsValue, JsError> {
        config_to_js(self.run(i)?.trainer.config())
    }

    /// A history series of run `i` (view); see `Playground.history`.
    pub fn history(&self, i: usize, series: &str) -> Result<Float64Array, JsError> {
        history_view(&self.run(i)?.trainer, series)
    }

    /// Parameters of run `i` (view).
    pub fn params(&self, i: usize) -> Result<Float64Array, JsError> {
        // SAFETY: run `i`'s parameters are one buffer sized with its network
        // and updated in place by steps; it moves only when the race is
        // rebuilt, after which JS takes a new view; any value JS writes
        // through the view is a valid f64.
        Ok(unsafe { Float64Array::view(&self.run(i)?.trainer.model().params) })
    }

    /// The last mini-batch of run `i` (view).
    #[wasm_bindgen(js_name = batchIndices)]
    pub fn batch_indices(&self, i: usize) -> Result<Uint32Array, JsError> {
        // SAFETY: run `i`'s batch buffer is reserved for a whole batch and
        // filled in place by each step; it moves only when the race is
        // rebuilt, after which JS takes a new view; any value JS writes
        // through the view is a valid u32.
        Ok(unsafe { Uint32Array::view(self.run(i)?.trainer.batch_points()) })
    }

    /// Computes run `i`'s decision grid; see `Playground.grid`.
    #[allow(clippy::too_many_arguments)]
    pub fn grid(
        &mut self,
        i: usize,
        n: usize,
        x0: f64,
        x1: f64,
        y0: f64,
        y1: f64,
        discrete: bool,
    ) -> Result<(), JsError> {
        self.run_mut(i)?.grid(n, [x0, x1, y0, y1], discrete, None)
    }

    /// Run `i`'s grid as RGBA bytes (view), coloured on the first call after `grid`.
    #[wasm_bindgen(js_name = gridRgba)]
    pub fn grid_rgba(&mut self, i: usize) -> Result<Uint8Array, JsError> {
        // SAFETY: `rgba()` has finished colouring run `i`'s grid (the only
        // resize) before the view is made; the bytes then move only on that
        // run's next `grid`, after which JS takes a new view; any byte JS
        // writes is a valid u8.
        Ok(unsafe { Uint8Array::view(self.run_mut(i)?.rgba()) })
    }

    /// Run `i`'s trainer (for the landscape the runs share).
    pub(crate) fn trainer(&self, i: usize) -> Result<&Trainer, JsError> {
        Ok(&self.run(i)?.trainer)
    }

    fn run(&self, i: usize) -> Result<&Run, JsError> {
        let k = self.runs.len();
        self.runs.get(i).ok_or_else(|| bad_index(i, k))
    }

    fn run_mut(&mut self, i: usize) -> Result<&mut Run, JsError> {
        let k = self.runs.len();
        self.runs.get_mut(i).ok_or_else(|| bad_index(i, k))
    }
}

fn bad_index(i: usize, k: usize) -> JsError {
    JsError::new(&format!("run index must be below {k}, got {i}"))
}
