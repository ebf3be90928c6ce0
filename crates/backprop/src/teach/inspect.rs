//! Looking inside a run: every neuron's output over the input plane, the
//! confusion matrix, and backprop for one sample with all its numbers.

use serde::Serialize;

use crate::data::features::{self, Feature};
use crate::error::{ConfigError, Result};
use crate::net::mlp::Workspace;
use crate::net::reference;
use crate::teach::render::grid_points;
use crate::train::Trainer;
use crate::train::metrics::{Layout, predicted_class, targets};

/// Every unit's output over an `n × n` grid of the data plane, refreshed in place.
#[derive(Debug, Clone, Default)]
pub struct NeuronGrids {
    ws: Option<Workspace>,
    points: Vec<f64>,
    /// Per unit, layer by layer (hidden layers, then the output), `n * n`
    /// values in `ImageData` order (rows from the top).
    pub values: Vec<f64>,
    /// Per unit, its layer and index within the layer.
    pub units: Vec<(u32, u32)>,
    /// Per input feature, its `n * n` values in the same order as `values`.
    pub inputs: Vec<f64>,
}

impl NeuronGrids {
    /// Recomputes the grids for `trainer` over `[x0, x1] × [y0, y1]` (data space), eval mode.
    pub fn update(&mut self, trainer: &Trainer, n: usize, bounds: [f64; 4]) {
        let model = trainer.model();
        let m = n * n;
        if self
            .ws
            .as_ref()
            .is_none_or(|w| w.capacity() != m || w.grads.len() != model.params.len())
        {
            self.ws = Some(Workspace::new(model, m));
        }
        let Some(ws) = self.ws.as_mut() else { return };
        grid_points(n, bounds[0], bounds[1], bounds[2], bounds[3], &mut self.points);
        trainer.data().inputs_feature_major(&self.points, &mut ws.x, m);
        // The inputs' own grids, feature by feature: `ws.x` is feature-major.
        self.inputs.clear();
        self.inputs.extend_from_slice(&ws.x[..model.n_in() * m]);
        model.forward_eval(ws, m);
        self.values.clear();
        self.units.clear();
        for (l, layer) in model.layers().iter().enumerate() {
            for j in 0..layer.n_out {
                self.values.extend_from_slice(&ws.a[l][j * m..(j + 1) * m]);
                self.units.push((l as u32, j as u32));
            }
        }
    }
}

/// Test-set confusion counts `[k, k]`: row = true class, column = predicted
/// (the training set when there are no test points).
pub fn confusion(trainer: &Trainer) -> Vec<u32> {
    let data = trainer.data();
    let k = data.n_classes();
    let (x, y) = if data.n_test() > 0 {
        (&data.test_x, &data.test_y)
    } else {
        (&data.train_x, &data.train_y)
    };
    let model = trainer.model();
    let n_out = model.n_out();
    let mut out = vec![0.0; y.len() * n_out];
    let mut ws = Workspace::new(model, 256);
    model.predict(x, &mut out, &mut ws);
    let mut counts = vec![0u32; k * k];
    for (r, &label) in y.iter().enumerate() {
        let pred = predicted_class(&out, r, y.len(), n_out, Layout::RowMajor, model.output()).min(k - 1);
        counts[usize::from(label) * k + pred] += 1;
    }
    counts
}

/// One layer of a backprop trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceLayer {
    /// `z = a_prev · W + b` for this sample.
    pub z: Vec<f64>,
    /// `a = f(z)` (the output activation for the last layer).
    pub a: Vec<f64>,
    /// `f'(z)` (hidden layers; empty for the output, whose delta comes from the loss).
    pub f_prime: Vec<f64>,
    /// `δ = dL/dz` for this sample's loss.
    pub delta: Vec<f64>,
    /// `dL/dW = a_prevᵀ δ` for this sample: `[n_in, n_out]` row-major.
    pub dw: Vec<f64>,
    /// `dL/db = δ`.
    pub db: Vec<f64>,
}

/// Backprop on one sample, every intermediate number included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    pub point: usize,
    /// The sample as the network sees it: its features, computed from the scaled point.
    pub input: Vec<f64>,
    /// What each input is (`x1`, `x1_sq`, …).
    pub features: Vec<Feature>,
    pub label: u8,
    pub target: Vec<f64>,
    pub loss: f64,
    pub layers: Vec<TraceLayer>,
}

/// The trace of point `index` (an index into `trainer.data().points()`), with the
/// current parameters. Networks with batch norm have no per-sample backprop
/// (batch statistics need a batch), so they are refused.
pub fn trace(trainer: &Trainer, index: usize) -> Result<Trace> {
    let data = trainer.data();
    let model = trainer.model();
    if model.has_batch_norm() {
        return Err(ConfigError::invalid(
            "trace",
            "batch norm normalises over a batch, so one sample has no backprop of its own",
        ));
    }
    if index >= data.len() {
        return Err(ConfigError::out_of_range(
            "trace.point",
            "an index of an existing point",
            index,
        ));
    }
    // The first layer's inputs: the features of the scaled point.
    let mut p = Vec::with_capacity(model.n_in());
    features::write(data.features(), data.scaled_point(index), &mut p);
    let label = data.labels()[index];
    let n_out = model.n_out();
    let target = targets(&[label], model.output(), n_out);
    // The plain one-point pass a learner can read (`net::reference`).
    let (loss, passes) = reference::one_point(model, &p, &target);
    let layers = passes
        .into_iter()
        .map(|pass| TraceLayer {
            z: pass.z,
            a: pass.a,
            f_prime: pass.f_prime,
            delta: pass.dz,
            dw: pass.dw,
            db: pass.db,
        })
        .collect();
    Ok(Trace {
        point: index,
        input: p,
        features: data.features().to_vec(),
        label,
        target,
        loss,
        layers,
    })
}

/// The loss of point `index` alone (as `trace` computes it), optionally with
/// parameter `param` set to `value` — a finite-difference probe for one weight.
pub fn sample_loss(trainer: &Trainer, index: usize, param: Option<(usize, f64)>) -> Result<f64> {
    let mut probe = trainer.clone();
    if let Some((i, v)) = param {
        let n = probe.model().params.len();
        let slot = probe.model_mut().params.get_mut(i).ok_or_else(|| {
            ConfigError::out_of_range(
                "param",
                "an index below the parameter count",
                format!("{i} (of {n})"),
            )
        })?;
        *slot = v;
    }
    trace(&probe, index).map(|t| t.loss)
}

/// One plain gradient-descent step on point `index` alone: every weight and
/// bias moves by `-lr * dL/dparam` of that sample's loss. Returns the sample's
/// loss after the step.
pub fn step_on_sample(trainer: &mut Trainer, index: usize, lr: f64) -> Result<f64> {
    if !(lr.is_finite() && lr > 0.0) {
        return Err(ConfigError::out_of_range("lr", "finite and > 0", lr));
    }
    let t = trace(trainer, index)?;
    let layers = trainer.model().layers().to_vec();
    let params = &mut trainer.model_mut().params;
    for (layer, tl) in layers.iter().zip(&t.layers) {
        for (p, g) in params[layer.w_range()].iter_mut().zip(&tl.dw) {
            *p -= lr * g;
        }
        for (p, g) in params[layer.b_range()].iter_mut().zip(&tl.db) {
            *p -= lr * g;
        }
    }
    trace(trainer, index).map(|t| t.loss)
}
