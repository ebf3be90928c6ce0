//! One training run with the buffers the page reads every frame: the trainer
//! plus a reusable decision grid (probabilities, and RGBA coloured on demand).

use backprop::Trainer;
use backprop::teach::draw::DrawNet;
use backprop::teach::render::{boundary_rgba, grid_points, value_rgba};
use backprop::train::Status;
use serde::Serialize;
use wasm_bindgen::JsError;

/// Largest grid side accepted (1024² points).
pub const MAX_GRID: usize = 1024;

#[derive(Debug)]
pub struct Run {
    pub trainer: Trainer,
    grid_n: usize,
    grid_bounds: [f64; 4],
    grid_points: Vec<f64>,
    pub grid_probs: Vec<f64>,
    grid_rgba: Vec<u8>,
    /// Outputs per grid point, whether `grid_rgba` shows `grid_probs`, and in which style.
    grid_n_out: usize,
    coloured: bool,
    discrete: bool,
    /// The network in f32 for drawing, reloaded on every grid.
    draw: DrawNet,
}

/// The run's state as JS sees it.
#[derive(Debug, Serialize)]
pub struct StatusView {
    /// "ready", "diverged", "no_data" or "step_limit" (the step counter is at
    /// its maximum, 2^53 - 1: the run trains no further).
    pub state: &'static str,
    pub epoch: f64,
    pub step: f64,
    /// For "diverged": "loss" (non-finite), "parameters" (non-finite) or "exploded"
    /// (the loss grew a thousandfold).
    pub what: Option<&'static str>,
}

impl Run {
    pub fn new(trainer: Trainer) -> Self {
        Self {
            trainer,
            grid_n: 0,
            grid_bounds: [0.0; 4],
            grid_points: Vec::new(),
            grid_probs: Vec::new(),
            grid_rgba: Vec::new(),
            grid_n_out: 1,
            coloured: false,
            discrete: false,
            draw: DrawNet::new(),
        }
    }

    pub fn status(&self) -> StatusView {
        let status = self.trainer.status();
        let what = match status {
            Status::Diverged { what, .. } => Some(what.name()),
            _ => None,
        };
        StatusView {
            state: status.name(),
            epoch: self.trainer.epoch() as f64,
            step: self.trainer.steps() as f64,
            what,
        }
    }

    /// Recomputes the decision grid (`n × n` over the data-space window) into
    /// buffers reused across frames; they grow only when `n` grows. The
    /// outputs come from the f32 drawing copy of the network (`DrawNet`).
    /// With a `snapshot` (from `Trainer::snapshot`), the grid shows those
    /// weights and the live run is left as it was.
    pub fn grid(
        &mut self,
        n: usize,
        bounds: [f64; 4],
        discrete: bool,
        snapshot: Option<&[f64]>,
    ) -> Result<(), JsError> {
        if n == 0 || n > MAX_GRID {
            return Err(JsError::new(&format!(
                "grid.n must be between 1 and {MAX_GRID}, got {n}"
            )));
        }
        if bounds.iter().any(|v| !v.is_finite()) || bounds[0] >= bounds[1] || bounds[2] >= bounds[3] {
            return Err(JsError::new(&format!(
                "grid bounds must be finite with x0 < x1 and y0 < y1, got {bounds:?}"
            )));
        }
        if n != self.grid_n || bounds != self.grid_bounds {
            grid_points(
                n,
                bounds[0],
                bounds[1],
                bounds[2],
                bounds[3],
                &mut self.grid_points,
            );
            self.grid_n = n;
            self.grid_bounds = bounds;
        }
        let n_out = self.trainer.model().n_out();
        self.grid_probs.resize(n * n * n_out, 0.0);
        let draw = &mut self.draw;
        match snapshot {
            None => draw.load(
                self.trainer.model(),
                self.trainer.data().scaler(),
                self.trainer.data().features(),
            ),
            Some(snap) => {
                if !self.trainer.with_snapshot(snap, |t| {
                    draw.load(t.model(), t.data().scaler(), t.data().features())
                }) {
                    return Err(JsError::new("gridAt: the snapshot does not fit this network"));
                }
            }
        }
        draw.predict(&self.grid_points, &mut self.grid_probs);
        self.grid_n_out = n_out;
        self.coloured = false;
        self.discrete = discrete;
        Ok(())
    }

    /// The last grid as RGBA bytes, coloured on the first call after `grid`.
    pub fn rgba(&mut self) -> &[u8] {
        if !self.coloured {
            // The grid's own width: the run may have been rebuilt since.
            let n_out = self.grid_n_out;
            self.grid_rgba.resize(self.grid_probs.len() / n_out * 4, 0);
            match self.trainer.data().values() {
                // Regression: the predicted value, coloured over the data's range.
                Some(values) if n_out == 1 => {
                    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    value_rgba(&self.grid_probs, lo, hi, self.discrete, &mut self.grid_rgba);
                }
                _ => boundary_rgba(&self.grid_probs, n_out, self.discrete, &mut self.grid_rgba),
            }
            self.coloured = true;
        }
        &self.grid_rgba
    }
}

/// Step counts per call are bounded so that no single call can freeze a tab for long.
pub const MAX_STEPS_PER_CALL: u32 = 100_000;

pub fn check_count(what: &str, n: u32) -> Result<(), JsError> {
    if n <= MAX_STEPS_PER_CALL {
        Ok(())
    } else {
        Err(JsError::new(&format!(
            "{what} must be at most {MAX_STEPS_PER_CALL}, got {n}"
        )))
    }
}
