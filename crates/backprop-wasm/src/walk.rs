//! What the walk-through needs beyond the trace: the engine's own source for
//! its code panel, and the loss a one-point step would give, without taking it.

use backprop::teach::inspect::step_on_sample;
use wasm_bindgen::prelude::*;

use crate::Playground;
use crate::convert::to_js;

/// The files the walk-through quotes, compiled in from the engine's tree:
/// the page shows the very text the engine is built from, never a copy.
const SOURCES: [(&str, &str); 2] = [
    (
        "net/reference.rs",
        include_str!("../../backprop/src/net/reference.rs"),
    ),
    (
        "teach/inspect.rs",
        include_str!("../../backprop/src/teach/inspect.rs"),
    ),
];

#[wasm_bindgen]
impl Playground {
    /// The source text of engine file `path` (relative to `crates/backprop/src`),
    /// one of `net/reference.rs` and `teach/inspect.rs`.
    #[wasm_bindgen(js_name = engineSource)]
    pub fn engine_source(path: &str) -> Result<String, JsError> {
        SOURCES
            .iter()
            .find(|(name, _)| *name == path)
            .map(|(_, text)| (*text).to_string())
            .ok_or_else(|| {
                JsError::new(&format!(
                    "engineSource: path must be net/reference.rs or teach/inspect.rs, got {path:?}"
                ))
            })
    }

    /// The point's loss after one plain step on it (as `stepOnSample` takes),
    /// leaving this run untouched.
    #[wasm_bindgen(js_name = lossAfterStep)]
    pub fn loss_after_step(&self, point: usize) -> Result<f64, JsError> {
        let mut probe = self.run.trainer.clone();
        let lr = probe.lr();
        step_on_sample(&mut probe, point, lr).map_err(to_js)
    }
}
