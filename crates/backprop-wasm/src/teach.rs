//! `Playground`: the instruments the page shows — health, confusion, the
//! gradient check, one point's loss and trace, the optimizer's state.

use backprop::settings::{Named, OptimizerChoice};
use backprop::teach::gradcheck::check_trainer;
use backprop::teach::inspect::{confusion, sample_loss, step_on_sample, trace};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::Playground;
use crate::convert::{to_js, to_value};

#[wasm_bindgen]
impl Playground {
    /// Per-layer training health of the last step (norms, update ratio, dead and
    /// saturated fractions, histograms).
    pub fn health(&self) -> Result<JsValue, JsError> {
        to_value(&self.run.trainer.health())
    }

    /// Test-set confusion counts `[k * k]`, row = true class, column = predicted.
    pub fn confusion(&self) -> Vec<u32> {
        confusion(&self.run.trainer)
    }

    /// Gradient check on the current parameters with the run's first 64
    /// training points (`max_per_layer` parameters per layer, default 64, at
    /// most 10,000): `[{ layer, checked, max_rel_error, verdict, … }]`.
    #[wasm_bindgen(js_name = gradCheck)]
    pub fn grad_check(&self, max_per_layer: Option<usize>) -> Result<JsValue, JsError> {
        let results = check_trainer(&self.run.trainer, max_per_layer.unwrap_or(64))
            .ok_or_else(|| JsError::new("gradCheck: there are no training points"))?;
        to_value(&results)
    }

    /// The loss of one point alone; with `param` and `value`, as if parameter
    /// `param` were `value` (a finite-difference probe).
    #[wasm_bindgen(js_name = sampleLoss)]
    pub fn sample_loss(
        &self,
        point: usize,
        param: Option<usize>,
        value: Option<f64>,
    ) -> Result<f64, JsError> {
        let probe = match (param, value) {
            (Some(i), Some(v)) if v.is_finite() => Some((i, v)),
            (None, None) => None,
            _ => {
                return Err(JsError::new(
                    "sampleLoss: give both param and a finite value, or neither",
                ));
            }
        };
        sample_loss(&self.run.trainer, point, probe).map_err(to_js)
    }

    /// One plain gradient-descent step (at the current learning rate) on one
    /// point's loss alone; returns that loss after the step.
    #[wasm_bindgen(js_name = stepOnSample)]
    pub fn step_on_sample(&mut self, point: usize) -> Result<f64, JsError> {
        let lr = self.run.trainer.lr();
        step_on_sample(&mut self.run.trainer, point, lr).map_err(to_js)
    }

    /// The full-batch gradient of the mean data loss at the current parameters (a copy).
    #[wasm_bindgen(js_name = dataGradient)]
    pub fn data_gradient(&self) -> Vec<f64> {
        self.run.trainer.data_gradient()
    }

    /// The optimizer's state for parameter `index`: `{ kind, step, s1, s2, s3 }`
    /// (momentum buffer, or Adam's m and v, or RMSprop's v, or Adagrad's sum).
    #[wasm_bindgen(js_name = optimizerState)]
    pub fn optimizer_state(&self, index: usize) -> Result<JsValue, JsError> {
        let opt = self.run.trainer.optimizer();
        let (t, s1, s2, s3) = opt.state();
        if index >= s1.len() {
            return Err(JsError::new(&format!(
                "optimizerState: index must be below {}, got {index}",
                s1.len()
            )));
        }
        to_value(&OptimizerStateView {
            kind: OptimizerChoice::of(opt.config()).name(),
            step: t as f64,
            s1: s1[index],
            s2: s2[index],
            s3: s3[index],
        })
    }

    /// Backprop for one point (an index into `points`), every number included.
    pub fn trace(&self, point: usize) -> Result<JsValue, JsError> {
        to_value(&trace(&self.run.trainer, point).map_err(to_js)?)
    }
}

#[derive(Serialize)]
struct OptimizerStateView {
    kind: &'static str,
    step: f64,
    s1: f64,
    s2: f64,
    s3: f64,
}
