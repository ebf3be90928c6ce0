//! The diagnosis of a run for the page: a `Diagnosis` watches one
//! `Playground` (the page makes a new one for each run) and says what is
//! wrong with it, since when, and which config each cure makes. The
//! detectors are the engine's (`backprop::teach::diagnose`); this converts and forwards.

use backprop::teach::diagnose::Watch;
use wasm_bindgen::prelude::*;

use crate::Playground;
use crate::convert::{config_to_js, to_value};

#[wasm_bindgen]
#[derive(Debug)]
pub struct Diagnosis {
    watch: Watch,
}

#[wasm_bindgen]
impl Diagnosis {
    /// A diagnosis of `run` (it estimates once what accuracy the data allows).
    #[wasm_bindgen(constructor)]
    pub fn new(run: &Playground) -> Diagnosis {
        Diagnosis {
            watch: Watch::new(&run.run.trainer),
        }
    }

    /// Looks at `run` after it stepped: scans its units when the last scan
    /// is far enough behind (cheap to call every frame).
    pub fn observe(&mut self, run: &Playground) {
        self.watch.observe(&run.run.trainer);
    }

    /// Every problem found, the most fundamental first: `[{ problem, began,
    /// layer, chart, evidence: [{ name, value }], cures: [{ kind, … }] }]`.
    pub fn findings(&self, run: &Playground) -> Result<JsValue, JsError> {
        to_value(&self.watch.diagnose(&run.run.trainer))
    }

    /// The data's reach: the training accuracy a nearest-neighbour vote gets.
    #[wasm_bindgen(getter)]
    pub fn reach(&self) -> f64 {
        self.watch.reach()
    }

    /// The run's config with cure `cure` of finding `finding` (indices into
    /// `findings(run)`) applied, same seed: pass it to `settingsFromConfig`.
    #[wasm_bindgen(js_name = curedConfig)]
    pub fn cured_config(&self, run: &Playground, finding: usize, cure: usize) -> Result<JsValue, JsError> {
        let found = self.watch.diagnose(&run.run.trainer);
        let cure = found
            .get(finding)
            .and_then(|f| f.cures.get(cure))
            .ok_or_else(|| {
                JsError::new(&format!(
                    "cure: no cure {cure} of finding {finding} ({} findings)",
                    found.len()
                ))
            })?;
        config_to_js(&cure.apply(run.run.trainer.config()))
    }
}
