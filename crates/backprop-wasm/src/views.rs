//! `Playground`: the points, the parameters and the decision grids, most
//! of them as typed-array views over wasm memory (see the crate's docs on
//! when a view must be taken again).

use js_sys::{Float64Array, Uint8Array, Uint32Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::Playground;
use crate::convert::{to_js, to_value};

#[wasm_bindgen]
impl Playground {
    /// Points `[x0, y0, x1, y1, …]` in data space (view).
    pub fn points(&self) -> Float64Array {
        // SAFETY: the points stay where they are until a call that changes the
        // data (`addPoint`, `removeNearest`, `importCsv`, a new run), after
        // which JS takes a new view (the crate docs on views); any value JS writes through
        // the view is a valid f64.
        unsafe { Float64Array::view(self.run.trainer.data().points()) }
    }

    /// One class index per point (view).
    pub fn labels(&self) -> Uint8Array {
        // SAFETY: the labels move only with the points (see `points`); any
        // byte JS writes through the view is a valid u8.
        unsafe { Uint8Array::view(self.run.trainer.data().labels()) }
    }

    /// 1 for test points, 0 for training points (view).
    #[wasm_bindgen(js_name = testFlags)]
    pub fn test_flags(&self) -> Uint8Array {
        // SAFETY: the split flags move only with the points (see `points`);
        // any byte JS writes through the view is a valid u8.
        unsafe { Uint8Array::view(self.run.trainer.data().test_flags()) }
    }

    /// Indices (into `points`) of the last mini-batch (view).
    #[wasm_bindgen(js_name = batchIndices)]
    pub fn batch_indices(&self) -> Uint32Array {
        // SAFETY: the batch's buffer is reserved for a whole batch and filled
        // in place by each step; it moves only when the batch size or the data
        // change (`setConfig`, the data calls, a new run), after which JS takes
        // a new view; any value JS writes through the view is a valid u32.
        unsafe { Uint32Array::view(self.run.trainer.batch_points()) }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.run.trainer.data().len()
    }

    /// True when there are no points.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.run.trainer.data().is_empty()
    }

    /// Number of classes.
    #[wasm_bindgen(js_name = nClasses)]
    pub fn n_classes(&self) -> usize {
        self.run.trainer.data().n_classes()
    }

    /// The seed of the run.
    pub fn seed(&self) -> f64 {
        self.run.trainer.config().seed as f64
    }

    /// Adds a point in data space with class `label`; training restarts its epoch.
    #[wasm_bindgen(js_name = addPoint)]
    pub fn add_point(&mut self, x: f64, y: f64, label: u8, test: bool) -> Result<(), JsError> {
        self.run.trainer.add_point(x, y, label, test).map_err(to_js)
    }

    /// Removes the point nearest `(x, y)`; returns its index, or -1 if there are none.
    #[wasm_bindgen(js_name = removeNearest)]
    pub fn remove_nearest(&mut self, x: f64, y: f64) -> i32 {
        self.run.trainer.remove_nearest(x, y).map_or(-1, |i| i as i32)
    }

    /// Every parameter in one flat array (view); `layout()` says where each layer's are.
    pub fn params(&self) -> Float64Array {
        // SAFETY: the parameters are one buffer sized with the network and
        // updated in place by steps and `setParam`; it moves only when the
        // network is rebuilt (a new run), after which JS takes a new view; any
        // value JS writes through the view is a valid f64.
        unsafe { Float64Array::view(&self.run.trainer.model().params) }
    }

    /// The last step's gradients in the layout of `params` (view).
    pub fn grads(&self) -> Float64Array {
        // SAFETY: the gradients are one workspace buffer sized with the
        // network, overwritten in place by each step; it moves only with the
        // network (a new run), after which JS takes a new view; any value JS
        // writes through the view is a valid f64.
        unsafe { Float64Array::view(self.run.trainer.grads()) }
    }

    /// Sets one parameter (e.g. a weight edited in the diagram).
    #[wasm_bindgen(js_name = setParam)]
    pub fn set_param(&mut self, index: usize, value: f64) -> Result<(), JsError> {
        let params = &mut self.run.trainer.model_mut().params;
        let n = params.len();
        match params.get_mut(index) {
            Some(p) if value.is_finite() => {
                *p = value;
                Ok(())
            }
            _ => Err(JsError::new(&format!(
                "setParam: index must be below {n} and value finite, got {index} and {value}"
            ))),
        }
    }

    /// Layer sizes and where each layer's parameters sit in `params`:
    /// `{ sizes, features, activations, output, layers: [{ n_in, n_out, w, b, gamma, beta }] }`.
    pub fn layout(&self) -> Result<JsValue, JsError> {
        let m = self.run.trainer.model();
        to_value(&LayoutView {
            sizes: m.sizes().to_vec(),
            features: self.run.trainer.data().features().to_vec(),
            activations: m.activations().iter().map(|a| a.kind()).collect(),
            output: m.output(),
            layers: m
                .layers()
                .iter()
                .map(|l| LayerView {
                    n_in: l.n_in,
                    n_out: l.n_out,
                    w: l.w,
                    b: l.b,
                    gamma: l.gamma_range().map(|r| r.start),
                    beta: l.beta_range().map(|r| r.start),
                })
                .collect(),
        })
    }

    /// Batch-norm running statistics per hidden layer: `[{ mean, var }]`.
    #[wasm_bindgen(js_name = runningStats)]
    pub fn running_stats(&self) -> Result<JsValue, JsError> {
        let r: Vec<RunningView> = self
            .run
            .trainer
            .model()
            .running
            .iter()
            .map(|r| RunningView {
                mean: r.mean.clone(),
                var: r.var.clone(),
            })
            .collect();
        to_value(&r)
    }

    /// Computes the decision grid: `n × n` cells over `[x0, x1] × [y0, y1]` in
    /// data space, eval mode. Read it with `gridProbs()` and `gridRgba()`.
    pub fn grid(
        &mut self,
        n: usize,
        x0: f64,
        x1: f64,
        y0: f64,
        y1: f64,
        discrete: bool,
    ) -> Result<(), JsError> {
        self.run.grid(n, [x0, x1, y0, y1], discrete, None)
    }

    /// As `grid`, but with the weights of `snapshot` (from `snapshot()`); the
    /// live run is unchanged (the timeline's scrubbing).
    #[wasm_bindgen(js_name = gridAt)]
    #[allow(clippy::too_many_arguments)]
    pub fn grid_at(
        &mut self,
        snapshot: &[f64],
        n: usize,
        x0: f64,
        x1: f64,
        y0: f64,
        y1: f64,
        discrete: bool,
    ) -> Result<(), JsError> {
        self.run.grid(n, [x0, x1, y0, y1], discrete, Some(snapshot))
    }

    /// The parameters and batch-norm statistics as one array (a copy), for `gridAt`.
    pub fn snapshot(&self) -> Vec<f64> {
        self.run.trainer.snapshot()
    }

    /// Outputs of layer `layer` (0-based; the last is the output layer) for
    /// points `[x0, y0, x1, y1, …]` in data space: `[points, units]` (a copy).
    #[wasm_bindgen(js_name = layerOutputs)]
    pub fn layer_outputs(&mut self, points: &[f64], layer: usize) -> Result<Vec<f64>, JsError> {
        let m = self.run.trainer.model();
        let units = m.layers().get(layer).map(|l| l.n_out).ok_or_else(|| {
            JsError::new(&format!(
                "layerOutputs: layer must be below {}, got {layer}",
                m.layers().len()
            ))
        })?;
        if points.len() > 2 * 1_000_000 {
            return Err(JsError::new("layerOutputs: at most 1,000,000 points"));
        }
        let mut out = vec![0.0; points.len() / 2 * units];
        self.run.trainer.layer_outputs(points, layer, &mut out);
        Ok(out)
    }

    /// The grid's outputs, `[n * n, n_out]` from the top row down (view).
    #[wasm_bindgen(js_name = gridProbs)]
    pub fn grid_probs(&self) -> Float64Array {
        // SAFETY: the grid's outputs move only when `grid` needs a larger
        // buffer, after which JS takes a new view (the crate docs on views); any value JS
        // writes through the view is a valid f64.
        unsafe { Float64Array::view(&self.run.grid_probs) }
    }

    /// The grid as RGBA bytes for an `ImageData` of `n × n` (view).
    #[wasm_bindgen(js_name = gridRgba)]
    pub fn grid_rgba(&mut self) -> Uint8Array {
        // SAFETY: `rgba()` has finished colouring (the only resize) before the
        // view is made; the bytes then move only on the next `grid`, after
        // which JS takes a new view; any byte JS writes is a valid u8.
        unsafe { Uint8Array::view(self.run.rgba()) }
    }

    /// Computes every unit's output over an `n × n` grid (n at most 64).
    #[wasm_bindgen(js_name = neuronGrids)]
    pub fn neuron_grids(&mut self, n: usize, x0: f64, x1: f64, y0: f64, y1: f64) -> Result<(), JsError> {
        if n == 0 || n > 64 {
            return Err(JsError::new(&format!(
                "neuronGrids: n must be between 1 and 64, got {n}"
            )));
        }
        self.neurons.update(&self.run.trainer, n, [x0, x1, y0, y1]);
        Ok(())
    }

    /// Unit grids from `neuronGrids`: `n * n` values per unit, layer by layer (view).
    #[wasm_bindgen(js_name = neuronGridValues)]
    pub fn neuron_grid_values(&self) -> Float64Array {
        // SAFETY: the unit grids move only when `neuronGrids` needs a larger
        // buffer, after which JS takes a new view (the crate docs on views); any value JS
        // writes through the view is a valid f64.
        unsafe { Float64Array::view(&self.neurons.values) }
    }

    /// The inputs' grids from `neuronGrids`: `n * n` values per feature, in
    /// the order of `layout().features` (view).
    #[wasm_bindgen(js_name = neuronGridInputs)]
    pub fn neuron_grid_inputs(&self) -> Float64Array {
        // SAFETY: the input grids move only when `neuronGrids` needs a larger
        // buffer, after which JS takes a new view (the crate docs on views);
        // any value JS writes through the view is a valid f64.
        unsafe { Float64Array::view(&self.neurons.inputs) }
    }
}

#[derive(Serialize)]
struct LayoutView {
    sizes: Vec<usize>,
    /// The network's inputs, in order (`x1`, `x1_sq`, …).
    features: Vec<backprop::data::features::Feature>,
    activations: Vec<backprop::ActivationKind>,
    output: backprop::OutputLoss,
    layers: Vec<LayerView>,
}

#[derive(Serialize)]
struct LayerView {
    n_in: usize,
    n_out: usize,
    w: usize,
    b: usize,
    gamma: Option<usize>,
    beta: Option<usize>,
}

#[derive(Serialize)]
struct RunningView {
    mean: Vec<f64>,
    var: Vec<f64>,
}
