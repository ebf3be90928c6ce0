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

mod bughunt;
mod convert;
mod diagnose;
mod landscape;
mod race;
mod replay;
mod run;
mod step;
mod teach;
mod values;
mod views;
mod walk;

use backprop::Trainer;
use backprop::io::csv::{export_csv, import_csv};
use backprop::io::model_io::{export_model, import_model};
use backprop::settings::{self, Checked, Named, OptimizerChoice, Problem};
use backprop::teach::inspect::NeuronGrids;
use convert::{config_from_js, config_to_js, fields_from_js, optional_fields, seed_from_js, to_js, to_value};
use run::Run;
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use bughunt::BugHunt;
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

    /// The points as CSV: `x,y,label,split`, `x,y,value,split` or
    /// `x,value,split` (a curve).
    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(&self) -> String {
        export_csv(self.run.trainer.data())
    }

    /// Replaces the points with CSV text (see `backprop::io::csv`) and
    /// restarts training on them with the current settings, as the `custom`
    /// data set. Throws naming the line and column of the first bad line;
    /// the run is then left as it was.
    #[wasm_bindgen(js_name = importCsv)]
    pub fn import_csv(&mut self, text: &str) -> Result<(), JsError> {
        let mut config = self.run.trainer.config().clone();
        let prefer_values = self.run.trainer.data().values().is_some();
        let data = import_csv(text, prefer_values, config.dataset.standardize).map_err(to_js)?;
        config.dataset.kind = backprop::DataSource::Custom;
        config.dataset.custom = match (data.values(), data.is_1d()) {
            (None, _) => backprop::CustomKind::Classes,
            (Some(_), false) => backprop::CustomKind::Values,
            (Some(_), true) => backprop::CustomKind::Curve,
        };
        if data.values().is_none() {
            config.dataset.classes = data.n_classes();
        }
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
    config.validate().map_err(to_js)?;
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

/// A short random seed (below one million, easy to read out and retype).
fn random_seed() -> Result<u64, JsError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| JsError::new(&format!("no entropy for a new seed: {e}")))?;
    Ok(u64::from(u32::from_le_bytes(bytes) % 1_000_000))
}
