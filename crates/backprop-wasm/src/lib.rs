//! wasm-bindgen bindings for the backprop engine: an opaque `Playground`
//! handle (and a `Race` of several) that JavaScript drives with small calls
//! and reads through typed-array views over wasm memory. This crate holds no
//! maths: it converts, validates at the boundary and forwards.
//!
//! **Views.** Methods returning a typed array *view* alias wasm memory. Any
//! call that allocates may grow that memory, which detaches every earlier
//! view: take views right before reading them, after your calls for the
//! frame. Calls that may allocate: the constructors, `reset`, `setConfig`,
//! `addPoint`, `removeNearest`, `importCsv`, `grid` and `neuronGrids` (when
//! the size grows), and everything returning an object or a string. The
//! step calls do not allocate once a run is built.

mod race;
mod run;

use backprop::io::model_io::{export_csv, export_model, import_csv, import_model};
use backprop::settings::{self, Checked, Named, OptimizerChoice, Problem};
use backprop::teach::gradcheck::{GradCheckConfig, check};
use backprop::teach::inspect::{NeuronGrids, confusion, sample_loss, step_on_sample, trace};
use backprop::train::stop::{Limit, Stop, StopRule, train};
use backprop::{TrainConfig, Trainer};
use js_sys::{Float64Array, Uint8Array, Uint32Array};
use run::{Run, check_count};
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use race::Race;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A training run owned by wasm.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Playground {
    run: Run,
    neurons: NeuronGrids,
}

#[wasm_bindgen]
impl Playground {
    /// Builds a run from a plain settings object, e.g.
    /// `{ seed: 0, dataset: { kind: "moons", n_samples: 1000, noise: 0.2 },
    ///    network: { hidden: [10, 8], activation: "relu" },
    ///    optimizer: { kind: "sgd", lr: 0.1 } }`; omitted fields take the
    /// tutorial's defaults. Throws an `Error` naming the field and the value.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Playground, JsError> {
        let trainer = Trainer::new(config_from_js(&config)?).map_err(to_js)?;
        Ok(Self::from_trainer(trainer))
    }

    /// A run from flat settings: the URL keys (`{ dataset: "xor", layers:
    /// [4], optimizer: "adam", lr: 0.03 }`), values as numbers, booleans,
    /// strings or arrays, omitted keys at their defaults (see
    /// `settingsTable()`). Throws an `Error` listing every key the engine
    /// cannot use, with its value and why.
    #[wasm_bindgen(js_name = fromSettings)]
    pub fn from_settings(settings: JsValue) -> Result<Playground, JsError> {
        let checked = settings::read(&fields_from_js(&settings, "settings")?).map_err(to_js)?;
        Ok(Self::from_trainer(checked.start().map_err(to_js)?))
    }

    fn from_trainer(trainer: Trainer) -> Playground {
        Playground {
            run: Run::new(trainer),
            neurons: NeuronGrids::default(),
        }
    }

    /// A run from a model file written by `exportModel`.
    #[wasm_bindgen(js_name = importModel)]
    pub fn import_model(text: &str) -> Result<Playground, JsError> {
        Ok(Self::from_trainer(import_model(text).map_err(to_js)?))
    }

    /// The whole run as JSON text: config, weights, batch-norm statistics, optimizer state.
    #[wasm_bindgen(js_name = exportModel)]
    pub fn export_model(&self) -> String {
        export_model(&self.run.trainer)
    }

    /// The points as CSV (`x,y,label,split`).
    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(&self) -> String {
        export_csv(self.run.trainer.data())
    }

    /// Replaces the points with CSV text (`x,y,label[,split]`) and restarts
    /// training on them with the current settings (as hand-drawn data).
    #[wasm_bindgen(js_name = importCsv)]
    pub fn import_csv(&mut self, text: &str) -> Result<(), JsError> {
        let mut config = self.run.trainer.config().clone();
        let classes = config.dataset.n_classes();
        let data = import_csv(text, classes, config.dataset.standardize).map_err(to_js)?;
        config.dataset.kind = backprop::DataSource::Custom;
        config.dataset.classes = classes;
        self.run = Run::new(Trainer::with_data(config, data).map_err(to_js)?);
        Ok(())
    }

    /// The current settings, as a plain object.
    pub fn config(&self) -> Result<JsValue, JsError> {
        config_to_js(self.run.trainer.config())
    }

    /// Applies settings that need no reset (optimizer and its hyper-parameters,
    /// regularisation, clipping, schedule, batch size). Throws, changing
    /// nothing, if anything else differs: those need `new Playground`.
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&mut self, config: JsValue) -> Result<(), JsError> {
        self.run
            .trainer
            .update_live(config_from_js(&config)?)
            .map_err(to_js)
    }

    /// Applies flat settings `changes` over `base` (the settings this run was
    /// made from), checked once: `{ settings, problems, fresh }`. Every key
    /// the engine cannot use keeps its value in `base` and is listed in
    /// `problems` (`{ key, value, code, message, … }`). When only settings
    /// that apply live differ (optimizer, schedule, batch, …) the run goes on;
    /// otherwise (data, network, seed) a fresh run starts in this handle and
    /// `fresh` is true.
    #[wasm_bindgen(js_name = applySettings)]
    pub fn apply_settings(&mut self, changes: JsValue, base: JsValue) -> Result<JsValue, JsError> {
        let changes = fields_from_js(&changes, "settings")?;
        let base = optional_fields(&base, "base")?;
        let resolved = settings::resolve(&changes, base.as_deref());
        let live = resolved
            .settings
            .apply_live(&mut self.run.trainer)
            .map_err(to_js)?;
        if !live {
            *self = Self::from_trainer(resolved.settings.start().map_err(to_js)?);
        }
        to_value(&Applied {
            settings: &resolved.settings,
            problems: &resolved.problems,
            fresh: !live,
        })
    }

    /// Starts again from the same settings; `seed` (optional) replaces the seed.
    pub fn reset(&mut self, seed: Option<f64>) -> Result<(), JsError> {
        let mut config = self.run.trainer.config().clone();
        if let Some(s) = seed {
            config.seed = seed_from_js(s)?;
        }
        let trainer = if config.dataset.kind == backprop::DataSource::Custom {
            // Hand-drawn points are kept; only the network starts afresh.
            Trainer::with_data(config, self.run.trainer.data().clone())
        } else {
            Trainer::new(config)
        };
        self.run = Run::new(trainer.map_err(to_js)?);
        Ok(())
    }

    /// A fresh random seed (below one million), applied with `reset`.
    #[wasm_bindgen(js_name = newSeed)]
    pub fn new_seed(&mut self) -> Result<f64, JsError> {
        let seed = random_seed()? as f64;
        self.reset(Some(seed))?;
        Ok(seed)
    }

    /// Advances `n` mini-batches (at most 100,000), stopping early at the stop
    /// conditions `maxEpochs` and `targetAcc` (see `stopReached`); returns the
    /// status state.
    #[wasm_bindgen(js_name = stepBatches)]
    pub fn step_batches(
        &mut self,
        n: u32,
        max_epochs: Option<f64>,
        target_acc: Option<f64>,
    ) -> Result<String, JsError> {
        check_count("stepBatches(n)", n)?;
        let limit = Limit {
            steps: Some(u64::from(n)),
            epochs: None,
        };
        train(
            &mut self.run.trainer,
            &stop_rule(max_epochs, target_acc)?,
            limit,
            |_| true,
        );
        Ok(self.run.status().state.into())
    }

    /// Advances `n` epochs (at most 100,000; an epoch under way counts as the
    /// first), stopping early at the stop conditions; returns the status state.
    #[wasm_bindgen(js_name = stepEpochs)]
    pub fn step_epochs(
        &mut self,
        n: u32,
        max_epochs: Option<f64>,
        target_acc: Option<f64>,
    ) -> Result<String, JsError> {
        check_count("stepEpochs(n)", n)?;
        let limit = Limit {
            epochs: Some(u64::from(n)),
            steps: None,
        };
        train(
            &mut self.run.trainer,
            &stop_rule(max_epochs, target_acc)?,
            limit,
            |_| true,
        );
        Ok(self.run.status().state.into())
    }

    /// Runs mini-batches until `ms` milliseconds have passed, training cannot
    /// go on, `epochs` more epochs are done (when given), or the run reaches a
    /// stop condition; returns how many batches ran. The stop conditions are
    /// checked after every epoch, so the run stops at exactly the epoch they name.
    #[wasm_bindgen(js_name = stepFor)]
    pub fn step_for(
        &mut self,
        ms: f64,
        epochs: Option<u32>,
        max_epochs: Option<f64>,
        target_acc: Option<f64>,
    ) -> Result<u32, JsError> {
        let rule = stop_rule(max_epochs, target_acc)?;
        let limit = Limit {
            epochs: epochs.map(u64::from),
            steps: Some(u64::from(run::MAX_STEPS_PER_CALL)),
        };
        let deadline = js_sys::Date::now() + ms.clamp(0.0, 1000.0);
        let out = train(&mut self.run.trainer, &rule, limit, |_| {
            js_sys::Date::now() < deadline
        });
        // At most MAX_STEPS_PER_CALL steps: the count fits.
        Ok(out.steps as u32)
    }

    /// The stop the run is at, if any: `{ reason: "max_epochs" | "target_acc",
    /// epoch, test_acc }`, or null. `maxEpochs` is a whole number of epochs and
    /// `targetAcc` a test accuracy from 0 to 1; 0 or absent means no such stop.
    /// A run without test points never reaches a target accuracy.
    #[wasm_bindgen(js_name = stopReached)]
    pub fn stop_reached(&self, max_epochs: Option<f64>, target_acc: Option<f64>) -> Result<JsValue, JsError> {
        let stop = stop_rule(max_epochs, target_acc)?.reached(&self.run.trainer);
        to_value(&stop.map(StopView::from))
    }

    /// `{ state: "ready" | "diverged" | "no_data" | "step_limit", epoch, step, what }`.
    pub fn status(&self) -> Result<JsValue, JsError> {
        to_value(&self.run.status())
    }

    /// Completed epochs.
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> f64 {
        self.run.trainer.epoch() as f64
    }

    /// Completed mini-batch steps.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.run.trainer.steps() as f64
    }

    /// The learning rate of the current epoch (after the schedule).
    #[wasm_bindgen(getter)]
    pub fn lr(&self) -> f64 {
        self.run.trainer.lr()
    }

    /// The learning rate the schedule gives at each epoch `0..epochs` (a copy).
    #[wasm_bindgen(js_name = lrCurve)]
    pub fn lr_curve(&self, epochs: u32) -> Vec<f64> {
        let t = &self.run.trainer;
        let base = t.optimizer().config().lr();
        (0..u64::from(epochs.min(100_000)))
            .map(|e| t.config().schedule.lr(base, e))
            .collect()
    }

    /// The latest epoch's `{ epoch, train_loss, train_acc, test_loss, test_acc }`, or null.
    #[wasm_bindgen(js_name = lastEpoch)]
    pub fn last_epoch(&self) -> Result<JsValue, JsError> {
        to_value(&self.run.trainer.last_epoch().map(EpochView::from))
    }

    /// The last step's `{ loss, penalty, lr, rows, grad_norm, clipped }`.
    #[wasm_bindgen(js_name = lastStep)]
    pub fn last_step(&self) -> Result<JsValue, JsError> {
        to_value(&StepView::of(&self.run.trainer))
    }

    /// Number of records in the history.
    #[wasm_bindgen(js_name = historyLength)]
    pub fn history_length(&self) -> usize {
        self.run.trainer.history().len()
    }

    /// A view of one history series: "epoch", "train_loss", "train_acc",
    /// "test_loss", "test_acc", "lr", "clipped" (fraction of clipped steps), or
    /// "grad_norms" (`[length, layers]`, row-major).
    pub fn history(&self, series: &str) -> Result<Float64Array, JsError> {
        history_view(&self.run.trainer, series)
    }

    /// Points `[x0, y0, x1, y1, …]` in data space (view).
    pub fn points(&self) -> Float64Array {
        // SAFETY: the points stay where they are until a call that changes the
        // data (`addPoint`, `removeNearest`, `importCsv`, a new run), after
        // which JS takes a new view (module docs); any value JS writes through
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
    /// `{ sizes, activations, output, layers: [{ n_in, n_out, w, b, gamma, beta }] }`.
    pub fn layout(&self) -> Result<JsValue, JsError> {
        let m = self.run.trainer.model();
        to_value(&LayoutView {
            sizes: m.sizes().to_vec(),
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
        // buffer, after which JS takes a new view (module docs); any value JS
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
        // buffer, after which JS takes a new view (module docs); any value JS
        // writes through the view is a valid f64.
        unsafe { Float64Array::view(&self.neurons.values) }
    }

    /// Per-layer training health of the last step (norms, update ratio, dead and
    /// saturated fractions, histograms).
    pub fn health(&self) -> Result<JsValue, JsError> {
        to_value(&self.run.trainer.health())
    }

    /// Test-set confusion counts `[k * k]`, row = true class, column = predicted.
    pub fn confusion(&self) -> Vec<u32> {
        confusion(&self.run.trainer)
    }

    /// Gradient check on the current parameters with the current batch of
    /// training points (at most 64 rows; `max_per_layer` parameters per layer,
    /// default 64): `[{ layer, checked, max_rel_error, verdict, … }]`.
    #[wasm_bindgen(js_name = gradCheck)]
    pub fn grad_check(&self, max_per_layer: Option<usize>) -> Result<JsValue, JsError> {
        let t = &self.run.trainer;
        let data = t.data();
        let rows = data.n_train().min(64);
        if rows == 0 {
            return Err(JsError::new("gradCheck: there are no training points"));
        }
        let model = t.model();
        let n_out = model.n_out();
        let mut targets = vec![0.0; rows * n_out];
        for (r, &c) in data.train_y[..rows].iter().enumerate() {
            match model.output() {
                backprop::OutputLoss::SoftmaxCe => targets[r * n_out + usize::from(c)] = 1.0,
                _ => targets[r * n_out] = f64::from(c),
            }
        }
        let config = GradCheckConfig {
            max_per_layer: max_per_layer.unwrap_or(64).clamp(1, 10_000),
            ..GradCheckConfig::default()
        };
        let result = check(
            model,
            &data.train_x[..rows * 2],
            &targets,
            t.config().regularization,
            config,
            None,
        );
        to_value(&result)
    }

    /// The loss of one point alone; with `param` and `value`, as if parameter
    /// `param` were `value` (a finite-difference probe).
    #[wasm_bindgen(js_name = sampleLoss)]
    pub fn sample_loss(
        &self,
        point: usize,
        param: Option<usize>,
        value: Option<f64>,
    ) -> Result<f64, JsError> {
        let probe = match (param, value) {
            (Some(i), Some(v)) if v.is_finite() => Some((i, v)),
            (None, None) => None,
            _ => {
                return Err(JsError::new(
                    "sampleLoss: give both param and a finite value, or neither",
                ));
            }
        };
        sample_loss(&self.run.trainer, point, probe).map_err(to_js)
    }

    /// One plain gradient-descent step (at the current learning rate) on one
    /// point's loss alone; returns that loss after the step.
    #[wasm_bindgen(js_name = stepOnSample)]
    pub fn step_on_sample(&mut self, point: usize) -> Result<f64, JsError> {
        let lr = self.run.trainer.lr();
        step_on_sample(&mut self.run.trainer, point, lr).map_err(to_js)
    }

    /// The full-batch gradient of the mean data loss at the current parameters (a copy).
    #[wasm_bindgen(js_name = dataGradient)]
    pub fn data_gradient(&self) -> Vec<f64> {
        self.run.trainer.data_gradient()
    }

    /// The optimizer's state for parameter `index`: `{ kind, step, s1, s2, s3 }`
    /// (momentum buffer, or Adam's m and v, or RMSprop's v, or Adagrad's sum).
    #[wasm_bindgen(js_name = optimizerState)]
    pub fn optimizer_state(&self, index: usize) -> Result<JsValue, JsError> {
        let opt = self.run.trainer.optimizer();
        let (t, s1, s2, s3) = opt.state();
        if index >= s1.len() {
            return Err(JsError::new(&format!(
                "optimizerState: index must be below {}, got {index}",
                s1.len()
            )));
        }
        let kind = OptimizerChoice::of(opt.config()).name().to_string();
        to_value(&OptimizerStateView {
            kind,
            step: t as f64,
            s1: s1[index],
            s2: s2[index],
            s3: s3[index],
        })
    }

    /// Backprop for one point (an index into `points`), every number included.
    pub fn trace(&self, point: usize) -> Result<JsValue, JsError> {
        to_value(&trace(&self.run.trainer, point).map_err(to_js)?)
    }
}

/// The page's settings table: `{ keys, issues }`. Each of `keys` is `{ key,
/// kind ("number", "whole", "bool", "choice" or "layers"), default, min, max
/// (each `{ value, inclusive }` or null), choices, max_layers, live, when
/// (null, or `{ key, values }`: the key matters only for those values of
/// another) }`; `issues` lists every problem `code` a check can report.
#[wasm_bindgen(js_name = settingsTable)]
pub fn settings_table() -> Result<JsValue, JsError> {
    to_value(&settings::table())
}

/// Checks flat settings `input` over `base` (earlier settings; the defaults
/// when null): `{ settings, problems }`. Every key the engine cannot use
/// keeps its value in `base` (or its default) and is listed in `problems`
/// with its value and why; rules between keys are checked too, giving up
/// the key that broke one. Never throws for a bad value.
#[wasm_bindgen(js_name = checkSettings)]
pub fn check_settings(input: JsValue, base: JsValue) -> Result<JsValue, JsError> {
    let input = fields_from_js(&input, "settings")?;
    let base = optional_fields(&base, "base")?;
    to_value(&settings::resolve(&input, base.as_deref()))
}

/// The config object (as `new Playground` takes) for flat settings; throws
/// listing every key the engine cannot use.
#[wasm_bindgen(js_name = configFromSettings)]
pub fn config_from_settings(settings: JsValue) -> Result<JsValue, JsError> {
    let checked = settings::read(&fields_from_js(&settings, "settings")?).map_err(to_js)?;
    config_to_js(&checked.to_config())
}

/// The flat settings that describe config object `config`, with `base`'s
/// values for what it does not hold: `{ settings, unexpressed }`, where
/// `unexpressed` lists the config's fields a link cannot hold (e.g.
/// `network.activations`), by path.
#[wasm_bindgen(js_name = settingsFromConfig)]
pub fn settings_from_config(config: JsValue, base: JsValue) -> Result<JsValue, JsError> {
    let config = config_from_js(&config)?;
    let base = optional_fields(&base, "base")?.map_or_else(Checked::default, |fields| {
        settings::resolve(&fields, None).settings
    });
    let (settings, unexpressed) = settings::from_config(&config, &base);
    to_value(&FromConfig {
        settings,
        unexpressed,
    })
}

/// The optimizer object for `choice` (a value of the `optimizer` setting) at
/// rate `lr`, its other hyper-parameters from flat `settings`; `lr` is not
/// checked here (`Race` checks it).
#[wasm_bindgen(js_name = optimizerConfig)]
pub fn optimizer_config(choice: &str, lr: f64, settings: JsValue) -> Result<JsValue, JsError> {
    let choice = OptimizerChoice::from_name(choice).ok_or_else(|| {
        JsError::new(&format!(
            "optimizer: unknown value {choice:?}, expected one of {}",
            OptimizerChoice::NAMES.join(", ")
        ))
    })?;
    let resolved = settings::resolve(&fields_from_js(&settings, "settings")?, None);
    to_value(&resolved.settings.optimizer_config(choice, lr))
}

#[derive(Serialize)]
struct Applied<'a> {
    settings: &'a Checked,
    problems: &'a [Problem],
    fresh: bool,
}

#[derive(Serialize)]
struct FromConfig {
    settings: Checked,
    unexpressed: Vec<String>,
}

#[derive(Serialize)]
struct EpochView {
    epoch: f64,
    train_loss: f64,
    train_acc: f64,
    test_loss: Option<f64>,
    test_acc: Option<f64>,
    /// Regression (identity + MSE) only.
    train_r2: Option<f64>,
    test_r2: Option<f64>,
}

impl From<backprop::train::EpochReport> for EpochView {
    fn from(e: backprop::train::EpochReport) -> Self {
        let finite = |v: f64| v.is_finite().then_some(v);
        Self {
            epoch: e.epoch as f64,
            train_loss: e.train_loss,
            train_acc: e.train_acc,
            test_loss: finite(e.test_loss),
            test_acc: finite(e.test_acc),
            train_r2: finite(e.train_r2),
            test_r2: finite(e.test_r2),
        }
    }
}

#[derive(Serialize)]
struct StopView {
    reason: &'static str,
    epoch: f64,
    /// For `target_acc`: the test accuracy that reached the target.
    test_acc: Option<f64>,
}

impl From<Stop> for StopView {
    fn from(stop: Stop) -> Self {
        Self {
            reason: stop.reason(),
            epoch: stop.epoch() as f64,
            test_acc: match stop {
                Stop::TargetAcc { test_acc, .. } => Some(test_acc),
                Stop::MaxEpochs { .. } => None,
            },
        }
    }
}

#[derive(Serialize)]
struct StepView {
    loss: f64,
    penalty: f64,
    lr: f64,
    rows: usize,
    grad_norm: f64,
    clipped: bool,
}

impl StepView {
    fn of(t: &Trainer) -> Self {
        let s = t.last_step();
        Self {
            loss: s.loss,
            penalty: s.penalty,
            lr: s.lr,
            rows: s.rows,
            grad_norm: s.clip.norm_before,
            clipped: s.clip.clipped,
        }
    }
}

#[derive(Serialize)]
struct LayoutView {
    sizes: Vec<usize>,
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
struct OptimizerStateView {
    kind: String,
    step: f64,
    s1: f64,
    s2: f64,
    s3: f64,
}

#[derive(Serialize)]
struct RunningView {
    mean: Vec<f64>,
    var: Vec<f64>,
}

fn history_view(t: &Trainer, series: &str) -> Result<Float64Array, JsError> {
    let h = t.history();
    let col: &[f64] = match series {
        "epoch" => &h.epoch,
        "train_loss" => &h.train_loss,
        "train_acc" => &h.train_acc,
        "test_loss" => &h.test_loss,
        "test_acc" => &h.test_acc,
        "lr" => &h.lr,
        "clipped" => &h.clipped,
        "grad_norms" => &h.grad_norms,
        other => {
            return Err(JsError::new(&format!(
                "history: unknown series {other:?}, expected one of epoch, train_loss, train_acc, \
                 test_loss, test_acc, lr, clipped, grad_norms"
            )));
        }
    };
    // SAFETY: every history column has its full capacity reserved when the
    // run is built, so records are added (and thinned) in place; a column
    // moves only with a new run, after which JS takes a new view; any value
    // JS writes through the view is a valid f64.
    Ok(unsafe { Float64Array::view(col) })
}

/// Serialises plain data for JS (`Map`-free objects, NaN kept as NaN).
fn to_value<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("internal: {e}")))
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

/// The stop conditions from JS numbers; absent is 0, no such stop.
fn stop_rule(max_epochs: Option<f64>, target_acc: Option<f64>) -> Result<StopRule, JsError> {
    StopRule::new(max_epochs.unwrap_or(0.0), target_acc.unwrap_or(0.0)).map_err(to_js)
}

/// The fields of a flat settings object, read as JSON text like configs.
fn fields_from_js(v: &JsValue, root: &str) -> Result<Vec<(String, backprop::io::json::Json)>, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            JsError::new(&format!(
                "{root}: not a plain object (it cannot be written as JSON)"
            ))
        })?;
    settings::parse(&text, root).map_err(to_js)
}

/// `fields_from_js` for an argument that may be left out (null or undefined).
fn optional_fields(
    v: &JsValue,
    root: &str,
) -> Result<Option<Vec<(String, backprop::io::json::Json)>>, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    fields_from_js(v, root).map(Some)
}

fn config_to_js(config: &TrainConfig) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(&config.to_json()).map_err(|_| JsError::new("config: not JSON"))
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
