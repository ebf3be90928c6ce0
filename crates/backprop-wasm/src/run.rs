//! One training run with the buffers the page reads every frame: the trainer
//! plus a reusable decision grid (probabilities and RGBA).

use backprop::Trainer;
use backprop::render::{boundary_rgba, grid_points};
use backprop::trainer::Status;
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
    pub grid_rgba: Vec<u8>,
}

/// The run's state as JS sees it.
#[derive(Debug, Serialize)]
pub struct StatusView {
    /// "ready", "diverged" or "no_data".
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
        }
    }

    pub fn status(&self) -> StatusView {
        let (state, what) = match self.trainer.status() {
            Status::Ready => ("ready", None),
            Status::NoData => ("no_data", None),
            Status::Diverged { what, .. } => (
                "diverged",
                Some(match what {
                    backprop::trainer::Divergence::Loss => "loss",
                    backprop::trainer::Divergence::Parameters => "parameters",
                    backprop::trainer::Divergence::Exploded => "exploded",
                }),
            ),
        };
        StatusView {
            state,
            epoch: self.trainer.epoch() as f64,
            step: self.trainer.steps() as f64,
            what,
        }
    }

    /// Recomputes the decision grid (`n × n` over the data-space window) into
    /// buffers reused across frames; they grow only when `n` grows. With a
    /// `snapshot` (from `Trainer::snapshot`), the grid shows those weights and
    /// the live run is left as it was.
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
        self.grid_rgba.resize(n * n * 4, 0);
        let (points, probs) = (&self.grid_points, &mut self.grid_probs);
        match snapshot {
            None => self.trainer.predict_data_space(points, probs),
            Some(snap) => {
                if !self
                    .trainer
                    .with_snapshot(snap, |t| t.predict_data_space(points, probs))
                {
                    return Err(JsError::new("gridAt: the snapshot does not fit this network"));
                }
            }
        }
        boundary_rgba(&self.grid_probs, n_out, discrete, &mut self.grid_rgba);
        Ok(())
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
