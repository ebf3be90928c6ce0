//! What an exported script needs to replay the run exactly: its initial
//! parameters and the seed of its shuffle stream.

use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

use crate::{Playground, to_js};

#[wasm_bindgen]
impl Playground {
    /// The parameters the run started from, in the layout of `layout()`
    /// (per layer: W `[n_in, n_out]` row-major, b, then gamma and beta with
    /// batch norm).
    #[wasm_bindgen(js_name = initialParams)]
    pub fn initial_params(&self) -> Result<Float64Array, JsError> {
        let params = self.run.trainer.initial_params().map_err(to_js)?;
        Ok(Float64Array::from(params.as_slice()))
    }

    /// The seed of the run's shuffle stream as 16 hex digits (a u64 does not
    /// fit a JavaScript number).
    #[wasm_bindgen(js_name = shuffleStream)]
    pub fn shuffle_stream(&self) -> String {
        format!("{:016x}", self.run.trainer.shuffle_stream())
    }
}
