//! The bug hunt's handle: converts and forwards to `backprop::teach::bughunt`.

use backprop::teach::bughunt::{BugKind, Hunt};
use wasm_bindgen::prelude::*;

use crate::convert::{seed_from_js, to_js, to_value};

/// Most epochs one `stepEpochs` call trains: a hunt is a few hundred.
const MAX_STEP_EPOCHS: u32 = 10_000;

/// A network with one hidden bug in its backprop, and its training.
#[wasm_bindgen]
#[derive(Debug)]
pub struct BugHunt {
    hunt: Hunt,
}

#[wasm_bindgen]
impl BugHunt {
    /// The hunt that `bugSeed` (an integer from 0 to 2^53 − 1, the link's `bug_seed`) names.
    #[wasm_bindgen(constructor)]
    pub fn new(bug_seed: f64) -> Result<BugHunt, JsError> {
        let hunt = Hunt::from_seed(seed_from_js(bug_seed)?).map_err(to_js)?;
        Ok(BugHunt { hunt })
    }

    /// The kinds of bug a guess names, in order (`missing_derivative`, …).
    #[wasm_bindgen(js_name = bugKinds)]
    pub fn bug_kinds() -> Vec<String> {
        BugKind::NAMES.iter().map(|n| (*n).to_string()).collect()
    }

    /// Trains `n` more epochs (clamped to 0…10,000; one full-batch step
    /// each) on the buggy gradients; returns how many it trained (fewer
    /// once the run diverged).
    #[wasm_bindgen(js_name = stepEpochs)]
    pub fn step_epochs(&mut self, n: u32) -> u32 {
        let mut done = 0;
        while done < n.min(MAX_STEP_EPOCHS) && self.hunt.step_epoch() {
            done += 1;
        }
        done
    }

    /// Completed epochs.
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> f64 {
        self.hunt.epoch() as f64
    }

    /// The epoch at which training diverged, or undefined.
    pub fn diverged(&self) -> Option<f64> {
        self.hunt.diverged().map(|e| e as f64)
    }

    /// Layer sizes `[n_in, hidden…, n_out]`.
    pub fn sizes(&self) -> Vec<u32> {
        self.hunt.model().sizes().iter().map(|&n| n as u32).collect()
    }

    /// Every epoch: `{ epoch, train_loss, train_acc, test_acc, grad_norms }`.
    pub fn history(&self) -> Result<JsValue, JsError> {
        to_value(&self.hunt.history())
    }

    /// The per-layer gradient check of the buggy gradient (`LayerCheck`s, layers from 0).
    pub fn check(&self) -> Result<JsValue, JsError> {
        to_value(&self.hunt.check())
    }

    /// Training point `point`'s gradient, correct and buggy, per layer.
    #[wasm_bindgen(js_name = comparePoint)]
    pub fn compare_point(&self, point: u32) -> Result<JsValue, JsError> {
        let pairs = self.hunt.compare_point(point as usize).ok_or_else(|| {
            JsError::new(&format!(
                "point must be below {}, got {point}",
                self.hunt.data().n_train()
            ))
        })?;
        to_value(&pairs)
    }

    /// Grades a guess: `kind` one of `bugKinds()`, `layer` from 0. `{ kind_right, layer_right }`.
    pub fn grade(&self, kind: &str, layer: u32) -> Result<JsValue, JsError> {
        let kind = BugKind::from_name(kind).ok_or_else(|| {
            JsError::new(&format!(
                "kind must be one of {}, got {kind:?}",
                BugKind::NAMES.join(", ")
            ))
        })?;
        to_value(&self.hunt.grade(kind, layer as usize))
    }

    /// The answer: `{ kind, layer, buggy, correct, flows_down }`.
    pub fn reveal(&self) -> Result<JsValue, JsError> {
        to_value(&self.hunt.reveal())
    }
}
