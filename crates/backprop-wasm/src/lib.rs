//! wasm-bindgen bindings for the backprop engine: an opaque `Playground`
//! handle that JavaScript drives with small calls and reads through
//! typed-array views over wasm memory. No maths lives here.

use backprop::{TrainConfig, Trainer};
use js_sys::{Float64Array, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A training run owned by wasm.
///
/// Views returned by `points()` and `labels()` point into wasm memory: take
/// them again after any call that may allocate (`constructor`, `reseed`,
/// `newSeed`), since a grown memory detaches old views.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Playground {
    trainer: Trainer,
}

#[wasm_bindgen]
impl Playground {
    /// Builds a playground from a plain object such as
    /// `{ seed: 0, dataset: { kind: "moons", n_samples: 1000, noise: 0.2 } }`.
    /// Throws an `Error` naming the field and the value on bad input.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Playground, JsError> {
        let trainer = Trainer::new(config_from_js(&config)?).map_err(to_js)?;
        Ok(Playground { trainer })
    }

    /// Number of points (training and test).
    pub fn len(&self) -> usize {
        self.trainer.data().len()
    }

    /// True when there are no points.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.trainer.data().is_empty()
    }

    /// Number of classes.
    #[wasm_bindgen(js_name = nClasses)]
    pub fn n_classes(&self) -> usize {
        self.trainer.data().n_classes()
    }

    /// The current seed.
    pub fn seed(&self) -> f64 {
        self.trainer.config().seed as f64
    }

    /// Points as a zero-copy `Float64Array` view `[x0, y0, x1, y1, ...]` in data space.
    pub fn points(&self) -> Float64Array {
        // SAFETY: the view aliases the trainer's data, which is not touched until
        // the next `&mut self` call; JS is told to rebuild views after those.
        unsafe { Float64Array::view(self.trainer.data().points()) }
    }

    /// Labels as a zero-copy `Uint8Array` view, one class index per point.
    pub fn labels(&self) -> Uint8Array {
        // SAFETY: as for `points`.
        unsafe { Uint8Array::view(self.trainer.data().labels()) }
    }

    /// Regenerates the run from `seed` (an integer from 0 to 2^53 - 1).
    pub fn reseed(&mut self, seed: f64) -> Result<(), JsError> {
        let config = TrainConfig {
            seed: seed_from_js(seed)?,
            ..self.trainer.config().clone()
        };
        self.trainer = Trainer::new(config).map_err(to_js)?;
        Ok(())
    }

    /// Regenerates the run from a fresh random seed and returns it.
    #[wasm_bindgen(js_name = newSeed)]
    pub fn new_seed(&mut self) -> Result<f64, JsError> {
        let seed = random_seed()?;
        self.reseed(seed as f64)?;
        Ok(seed as f64)
    }
}

/// Decodes a settings object. It goes through JSON text so that unknown
/// fields are seen (serde-wasm-bindgen only looks up known ones) and every
/// error names its field's path.
fn config_from_js(config: &JsValue) -> Result<TrainConfig, JsError> {
    if config.is_undefined() || config.is_null() {
        return Ok(TrainConfig::default());
    }
    let text = js_sys::JSON::stringify(config)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| JsError::new("config: not a plain object (it cannot be written as JSON)"))?;
    TrainConfig::from_json(&text).map_err(to_js)
}

fn to_js(e: backprop::ConfigError) -> JsError {
    JsError::new(&e.to_string())
}

/// JS numbers are f64: accept the integers they represent exactly.
fn seed_from_js(seed: f64) -> Result<u64, JsError> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if (0.0..=MAX_SAFE).contains(&seed) && seed.fract() == 0.0 {
        Ok(seed as u64)
    } else {
        Err(JsError::new(&format!(
            "seed must be an integer from 0 to 2^53 - 1, got {seed}"
        )))
    }
}

/// A short random seed (below one million, easy to read out and retype).
fn random_seed() -> Result<u64, JsError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| JsError::new(&format!("no entropy for a new seed: {e}")))?;
    Ok(u64::from(u32::from_le_bytes(bytes) % 1_000_000))
}
