//! Conversions between JS values and the engine's types, shared by
//! `Playground` and `Race`: configs and settings in (as JSON text, so
//! unknown fields are seen and errors name the field), reports and history
//! views out.

use backprop::io::json::Json;
use backprop::settings;
use backprop::train::history::History;
use backprop::train::stop::{Stop, StopRule};
use backprop::{TrainConfig, Trainer};
use js_sys::Float64Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
pub(crate) struct EpochView {
    epoch: f64,
    train_loss: f64,
    train_acc: f64,
    test_loss: Option<f64>,
    test_acc: Option<f64>,
    /// Regression (identity + MSE) only.
    train_r2: Option<f64>,
    test_r2: Option<f64>,
}

impl From<backprop::train::EpochReport> for EpochView {
    fn from(e: backprop::train::EpochReport) -> Self {
        let finite = |v: f64| v.is_finite().then_some(v);
        Self {
            epoch: e.epoch as f64,
            train_loss: e.train_loss,
            train_acc: e.train_acc,
            test_loss: finite(e.test_loss),
            test_acc: finite(e.test_acc),
            train_r2: finite(e.train_r2),
            test_r2: finite(e.test_r2),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct StopView {
    reason: &'static str,
    epoch: f64,
    /// For `target_acc`: the test accuracy that reached the target.
    test_acc: Option<f64>,
}

impl From<Stop> for StopView {
    fn from(stop: Stop) -> Self {
        Self {
            reason: stop.reason(),
            epoch: stop.epoch() as f64,
            test_acc: match stop {
                Stop::TargetAcc { test_acc, .. } => Some(test_acc),
                Stop::MaxEpochs { .. } => None,
            },
        }
    }
}

#[derive(Serialize)]
pub(crate) struct StepView {
    loss: f64,
    penalty: f64,
    lr: f64,
    rows: usize,
    grad_norm: f64,
    clipped: bool,
}

impl StepView {
    pub(crate) fn of(t: &Trainer) -> Self {
        let s = t.last_step();
        Self {
            loss: s.loss,
            penalty: s.penalty,
            lr: s.lr,
            rows: s.rows,
            grad_norm: s.clip.norm_before,
            clipped: s.clip.clipped,
        }
    }
}

pub(crate) fn history_view(t: &Trainer, series: &str) -> Result<Float64Array, JsError> {
    let col = t.history().series(series).ok_or_else(|| {
        JsError::new(&format!(
            "history: unknown series {series:?}, expected one of {}",
            History::SERIES.join(", ")
        ))
    })?;
    // SAFETY: every history column has its full capacity reserved when the
    // run is built, so records are added (and thinned) in place; a column
    // moves only with a new run, after which JS takes a new view; any value
    // JS writes through the view is a valid f64.
    Ok(unsafe { Float64Array::view(col) })
}

/// Serialises plain data for JS (`Map`-free objects, NaN kept as NaN).
pub(crate) fn to_value<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("internal: {e}")))
}

pub(crate) fn to_js(e: backprop::ConfigError) -> JsError {
    JsError::new(&e.to_string())
}

/// Decodes a settings object, without validating it: `Trainer::new` and
/// `update_live`, which receive it, validate it once. It goes through JSON
/// text so that unknown fields are seen (serde-wasm-bindgen only looks up
/// known ones) and every error names its field's path.
pub(crate) fn config_from_js(config: &JsValue) -> Result<TrainConfig, JsError> {
    if config.is_undefined() || config.is_null() {
        return Ok(TrainConfig::default());
    }
    let text = js_sys::JSON::stringify(config)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| JsError::new("config: not a plain object (it cannot be written as JSON)"))?;
    TrainConfig::decode_json(&text).map_err(to_js)
}

/// The fields of a flat settings object, read as JSON text like configs.
pub(crate) fn fields_from_js(v: &JsValue, root: &str) -> Result<Vec<(String, Json)>, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            JsError::new(&format!(
                "{root}: not a plain object (it cannot be written as JSON)"
            ))
        })?;
    settings::parse(&text, root).map_err(to_js)
}

/// `fields_from_js` for an argument that may be left out (null or undefined).
pub(crate) fn optional_fields(v: &JsValue, root: &str) -> Result<Option<Vec<(String, Json)>>, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    fields_from_js(v, root).map(Some)
}

pub(crate) fn config_to_js(config: &TrainConfig) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(&config.to_json()).map_err(|_| JsError::new("config: not JSON"))
}

/// JS numbers are f64: accept the integers they represent exactly.
pub(crate) fn seed_from_js(seed: f64) -> Result<u64, JsError> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if (0.0..=MAX_SAFE).contains(&seed) && seed.fract() == 0.0 {
        Ok(seed as u64)
    } else {
        Err(JsError::new(&format!(
            "seed must be an integer from 0 to 2^53 - 1, got {seed}"
        )))
    }
}

/// The stop conditions from JS numbers; absent is 0, no such stop.
pub(crate) fn stop_rule(max_epochs: Option<f64>, target_acc: Option<f64>) -> Result<StopRule, JsError> {
    StopRule::new(max_epochs.unwrap_or(0.0), target_acc.unwrap_or(0.0)).map_err(to_js)
}
