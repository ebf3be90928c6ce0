//! `Playground`: regression points' values, a curve's predictions, and
//! points added with a value.

use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

use crate::Playground;
use crate::convert::to_js;

/// Most points a curve's predictions are asked at (a canvas's width, several times over).
const MAX_CURVE: usize = 4096;

#[wasm_bindgen]
impl Playground {
    /// Regression: each point's value (view); empty when the points have classes.
    pub fn values(&self) -> Float64Array {
        let values = self.run.trainer.data().values().unwrap_or(&[]);
        // SAFETY: the values move only with the points (see `points`); any
        // value JS writes through the view is a valid f64.
        unsafe { Float64Array::view(values) }
    }

    /// Whether the points carry values (regression) rather than classes.
    #[wasm_bindgen(js_name = hasValues)]
    pub fn has_values(&self) -> bool {
        self.run.trainer.data().values().is_some()
    }

    /// Whether the points are one number `x` (a curve `y = f(x)`, stored as `(x, 0)`).
    #[wasm_bindgen(js_name = isCurve)]
    pub fn is_curve(&self) -> bool {
        self.run.trainer.data().is_1d()
    }

    /// Adds a regression point `(x, y)` in data space with its value (`y`
    /// is 0 on a curve); training restarts its epoch.
    #[wasm_bindgen(js_name = addValue)]
    pub fn add_value(&mut self, x: f64, y: f64, value: f64, test: bool) -> Result<(), JsError> {
        self.run.trainer.add_value_point(x, y, value, test).map_err(to_js)
    }

    /// The network's output at `n` evenly spaced `x` from `x0` to `x1` on
    /// the axis (`(x, 0)`): a curve's prediction, in f64 (a copy).
    pub fn curve(&mut self, n: usize, x0: f64, x1: f64) -> Result<Float64Array, JsError> {
        if !(2..=MAX_CURVE).contains(&n) {
            return Err(JsError::new(&format!(
                "curve.n must be between 2 and {MAX_CURVE}, got {n}"
            )));
        }
        if !(x0.is_finite() && x1.is_finite() && x0 < x1) {
            return Err(JsError::new(&format!(
                "curve bounds must be finite with x0 < x1, got {x0} and {x1}"
            )));
        }
        let n_out = self.run.trainer.model().n_out();
        let step = (x1 - x0) / (n - 1) as f64;
        let points: Vec<f64> = (0..n).flat_map(|i| [x0 + step * i as f64, 0.0]).collect();
        let mut out = vec![0.0; n * n_out];
        self.run.trainer.predict_data_space(&points, &mut out);
        // One value per point: the first output (the only one in regression).
        let first: Vec<f64> = out.chunks_exact(n_out).map(|o| o[0]).collect();
        Ok(Float64Array::from(first.as_slice()))
    }
}
