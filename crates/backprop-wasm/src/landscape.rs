//! The loss landscape of a run's network (or of a race's shared one) for the
//! page's Landscape view: converts and forwards to `backprop::teach::landscape`.
//!
//! The slice is filled a few rows per call (`computeRows`), so that the page
//! spreads it over animation frames; `loss()` is a view of it.

use backprop::teach::landscape::{Grid, Landscape as Slice};
use js_sys::Float64Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::Playground;
use crate::convert::{seed_from_js, to_js, to_value};
use crate::race::Race;

/// A loss landscape: a centre, two directions and a slice over a grid.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Landscape {
    slice: Slice,
}

/// The 1-D slice along the gradient, as JS sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LineView {
    t: Vec<f64>,
    loss: Vec<f64>,
    grad_norm: f64,
    step_t: f64,
    step_loss: f64,
    lr: f64,
}

#[wasm_bindgen]
impl Landscape {
    /// The landscape of `pg`'s network over its training points, centred on its weights.
    #[wasm_bindgen(js_name = ofRun)]
    pub fn of_run(pg: &Playground) -> Result<Landscape, JsError> {
        Ok(Landscape {
            slice: Slice::of_run(&pg.run.trainer).map_err(to_js)?,
        })
    }

    /// The landscape shared by a race's runs (same network and points),
    /// centred on the first run's weights.
    #[wasm_bindgen(js_name = ofRace)]
    pub fn of_race(race: &Race) -> Result<Landscape, JsError> {
        Ok(Landscape {
            slice: Slice::of_run(race.trainer(0)?).map_err(to_js)?,
        })
    }

    /// Moves the centre to `pg`'s live weights (and batch-norm statistics).
    #[wasm_bindgen(js_name = centreOnRun)]
    pub fn centre_on_run(&mut self, pg: &Playground) -> Result<(), JsError> {
        self.slice.centre_on(pg.run.trainer.model()).map_err(to_js)
    }

    /// Moves the centre to a snapshot (`Playground.snapshot()`'s layout).
    #[wasm_bindgen(js_name = centreOnSnapshot)]
    pub fn centre_on_snapshot(&mut self, snapshot: &[f64]) -> Result<(), JsError> {
        self.slice.centre_on_snapshot(snapshot).map_err(to_js)
    }

    /// Filter-normalised random directions drawn with `seed` (an integer).
    #[wasm_bindgen(js_name = useRandom)]
    pub fn use_random(&mut self, seed: f64) -> Result<(), JsError> {
        self.slice.use_random(seed_from_js(seed)?);
        Ok(())
    }

    /// The top two principal directions of `snapshots` (one after another,
    /// `stride` values each); returns the fraction of variance each explains.
    #[wasm_bindgen(js_name = usePca)]
    pub fn use_pca(&mut self, snapshots: &[f64], stride: usize) -> Result<Vec<f64>, JsError> {
        Ok(self.slice.use_pca(snapshots, stride).map_err(to_js)?.to_vec())
    }

    /// Starts a slice of `side × side` points over `a0..a1` and `b0..b1`.
    pub fn start(&mut self, a0: f64, a1: f64, b0: f64, b1: f64, side: usize) -> Result<(), JsError> {
        self.slice.start(Grid { a0, a1, b0, b1, side }).map_err(to_js)
    }

    /// Starts a slice of `side × side` points, centred on the origin, that
    /// holds every `(a, b)` pair of `path` and at least `-reach..reach`;
    /// returns `[a0, a1, b0, b1]`.
    #[wasm_bindgen(js_name = startAround)]
    pub fn start_around(&mut self, path: &[f64], reach: f64, side: usize) -> Result<Vec<f64>, JsError> {
        if !(reach.is_finite() && reach > 0.0) {
            return Err(JsError::new(&format!(
                "reach must be finite and > 0, got {reach}"
            )));
        }
        let grid = Grid::around(path, reach, side);
        self.slice.start(grid).map_err(to_js)?;
        Ok(vec![grid.a0, grid.a1, grid.b0, grid.b1])
    }

    /// Computes up to `rows` more rows; true once the slice is complete.
    #[wasm_bindgen(js_name = computeRows)]
    pub fn compute_rows(&mut self, rows: usize) -> bool {
        self.slice.compute_rows(rows)
    }

    /// Rows computed so far.
    #[wasm_bindgen(js_name = rowsDone)]
    pub fn rows_done(&self) -> usize {
        self.slice.rows_done()
    }

    /// The slice, `[side, side]` row-major, rows along `b` (view; NaN where not yet computed).
    pub fn loss(&self) -> Float64Array {
        // SAFETY: the slice's buffer is resized only by `start`/`startAround`,
        // after which JS takes a new view; `computeRows` writes it in place;
        // any value JS writes through the view is a valid f64.
        unsafe { Float64Array::view(self.slice.loss()) }
    }

    /// The loss at `(a, b)`, evaluated directly.
    #[wasm_bindgen(js_name = lossAt)]
    pub fn loss_at(&mut self, a: f64, b: f64) -> f64 {
        self.slice.loss_at(a, b)
    }

    /// Where each of `snapshots` (`stride` values each) sits on the plane:
    /// `[a0, b0, a1, b1, …]`, NaN for a snapshot that cannot be placed.
    pub fn project(&self, snapshots: &[f64], stride: usize) -> Result<Vec<f64>, JsError> {
        if stride == 0 || !snapshots.len().is_multiple_of(stride) {
            return Err(JsError::new(&format!(
                "project: {} values are not snapshots of {stride} values",
                snapshots.len()
            )));
        }
        Ok(snapshots
            .chunks_exact(stride)
            .flat_map(|s| {
                let (a, b) = self.slice.project(s).unwrap_or((f64::NAN, f64::NAN));
                [a, b]
            })
            .collect())
    }

    /// The fraction of the trajectory's variance each direction explains (NaN for random ones).
    pub fn explained(&self) -> Vec<f64> {
        self.slice.directions().explained.to_vec()
    }

    /// Sets `pg`'s weights to the point `(a, b)` of the plane ("jump here");
    /// `pg.reset()` undoes it.
    #[wasm_bindgen(js_name = jumpRun)]
    pub fn jump_run(&self, pg: &mut Playground, a: f64, b: f64) -> Result<(), JsError> {
        let params = &mut pg.run.trainer.model_mut().params;
        if params.len() != self.slice.centre().len() || !(a.is_finite() && b.is_finite()) {
            return Err(JsError::new(&format!(
                "jumpRun: the run has {} parameters and the landscape {}; (a, b) must be finite, got ({a}, {b})",
                params.len(),
                self.slice.centre().len()
            )));
        }
        self.slice.point(a, b, params);
        Ok(())
    }

    /// The loss along the gradient at the centre and where `pg`'s optimizer's
    /// next step (at its current learning rate) lands: `{ t, loss, gradNorm,
    /// stepT, stepLoss, lr }`, `side` points.
    #[wasm_bindgen(js_name = gradientLine)]
    pub fn gradient_line(&mut self, pg: &Playground, side: usize) -> Result<JsValue, JsError> {
        let trainer = &pg.run.trainer;
        let lr = trainer.lr();
        let line = self
            .slice
            .gradient_line(trainer.optimizer(), lr, side)
            .map_err(to_js)?;
        to_value(&LineView {
            t: line.t,
            loss: line.loss,
            grad_norm: line.grad_norm,
            step_t: line.step_t,
            step_loss: line.step_loss,
            lr,
        })
    }
}
