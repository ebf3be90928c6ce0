//! Saving and loading: a run as versioned JSON (config, parameters, batch-norm
//! statistics, optimizer state, how far the run is through its epoch, and
//! hand-drawn points). Points as CSV are in `csv`.
//! Imports are validated like configs: every error names the field (or the
//! line) and the value, and sizes are bounded. A model file's counters are
//! whole numbers up to `MAX_COUNTER` that agree with each other (`epoch <=
//! step`, the optimizer's `t <= step + 1`), and its optimizer state is what
//! that optimizer can hold (see `Optimizer::set_state`).

use serde::Serialize;

use crate::data::Data;
use crate::error::{ConfigError, Result};
use crate::io::json::{Decode, Fields, Json, parse_document};
use crate::net::backprop::RunningStats;
use crate::train::config::{DataSource, TrainConfig};
use crate::train::{EpochProgress, Trainer, check_counter};

pub const MODEL_FORMAT: &str = "backprop-playground/model";
pub const MODEL_VERSION: u32 = 1;
/// Largest model file accepted (a 100,000-parameter network with Adam state fits).
pub const MAX_MODEL_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ModelFile {
    format: String,
    version: u32,
    config: TrainConfig,
    epoch: u64,
    step: u64,
    params: Vec<f64>,
    running: Vec<Running>,
    optimizer: OptimizerState,
    /// The loss of the run's first step (the yardstick for divergence); absent or null before it.
    first_loss: Option<f64>,
    /// How far the run is through its epoch; absent or null at the epoch's start.
    progress: Option<EpochProgress>,
    /// The points, for hand-drawn (`custom`) data; generated data is remade from the seed.
    data: Option<PointsFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Running {
    mean: Vec<f64>,
    var: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct OptimizerState {
    t: u64,
    s1: Vec<f64>,
    s2: Vec<f64>,
    s3: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct PointsFile {
    points: Vec<f64>,
    labels: Vec<u8>,
    test: Vec<u8>,
    /// Regression: each point's value (the labels are then all 0); absent for classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<Vec<f64>>,
}

impl Decode for ModelFile {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let f = Fields::of(
            v,
            path,
            &[
                "format",
                "version",
                "config",
                "epoch",
                "step",
                "params",
                "running",
                "optimizer",
                "first_loss",
                "progress",
                "data",
            ],
        )?;
        Ok(Self {
            format: f.req("format")?,
            version: f.req("version")?,
            config: f.req("config")?,
            epoch: f.req("epoch")?,
            step: f.req("step")?,
            params: f.req("params")?,
            running: f.req("running")?,
            optimizer: f.req("optimizer")?,
            first_loss: f.or("first_loss", None)?,
            progress: f.or("progress", None)?,
            // Absent or null: generated data, remade from the seed.
            data: f.or("data", None)?,
        })
    }
}

impl Decode for Running {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let f = Fields::of(v, path, &["mean", "var"])?;
        Ok(Self {
            mean: f.req("mean")?,
            var: f.req("var")?,
        })
    }
}

impl Decode for OptimizerState {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let f = Fields::of(v, path, &["t", "s1", "s2", "s3"])?;
        Ok(Self {
            t: f.req("t")?,
            s1: f.req("s1")?,
            s2: f.req("s2")?,
            s3: f.req("s3")?,
        })
    }
}

impl Decode for EpochProgress {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let f = Fields::of(
            v,
            path,
            &["rows", "loss", "correct", "clipped", "ss_res", "t_sum", "t_sq"],
        )?;
        Ok(Self {
            rows: f.req("rows")?,
            loss: f.req("loss")?,
            correct: f.req("correct")?,
            clipped: f.req("clipped")?,
            ss_res: f.req("ss_res")?,
            t_sum: f.req("t_sum")?,
            t_sq: f.req("t_sq")?,
        })
    }
}

impl Decode for PointsFile {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        let f = Fields::of(v, path, &["points", "labels", "test", "values"])?;
        Ok(Self {
            points: f.req("points")?,
            labels: f.req("labels")?,
            test: f.req("test")?,
            values: f.or("values", None)?,
        })
    }
}

/// The run as JSON text: everything needed to continue it elsewhere.
pub fn export_model(t: &Trainer) -> String {
    let (ot, s1, s2, s3) = t.optimizer().state();
    let data = t.data();
    let file = ModelFile {
        format: MODEL_FORMAT.into(),
        version: MODEL_VERSION,
        config: t.config().clone(),
        epoch: t.epoch(),
        step: t.steps(),
        params: t.model().params.clone(),
        running: t
            .model()
            .running
            .iter()
            .map(|r| Running {
                mean: r.mean.clone(),
                var: r.var.clone(),
            })
            .collect(),
        optimizer: OptimizerState {
            t: ot,
            s1: s1.to_vec(),
            s2: s2.to_vec(),
            s3: s3.to_vec(),
        },
        first_loss: t.first_loss(),
        progress: (t.epoch_progress().rows > 0).then(|| t.epoch_progress()),
        data: (t.config().dataset.kind == DataSource::Custom).then(|| PointsFile {
            points: data.points().to_vec(),
            labels: data.labels().to_vec(),
            test: data.test_flags().to_vec(),
            values: data.values().map(<[f64]>::to_vec),
        }),
    };
    serde_json::to_string(&file).unwrap_or_default()
}

/// A run from JSON written by `export_model`, validated field by field.
pub fn import_model(text: &str) -> Result<Trainer> {
    let file = ModelFile::decode(&parse_document(text, "model", MAX_MODEL_BYTES)?, "model")?;
    if file.format != MODEL_FORMAT {
        return Err(ConfigError::invalid(
            "model.format",
            format!("expected {MODEL_FORMAT:?}, got {:?}", file.format),
        ));
    }
    if file.version != MODEL_VERSION {
        return Err(ConfigError::out_of_range("model.version", "1", file.version));
    }
    let mut t = match file.data {
        Some(d) => {
            let standardize = file.config.dataset.standardize;
            let data = match (file.config.dataset.values(), d.values) {
                (Some(shape), Some(values)) => {
                    if values.len() != d.labels.len() {
                        return Err(ConfigError::invalid(
                            "model.data.values",
                            format!(
                                "{} points need {} values, got {}",
                                d.labels.len(),
                                d.labels.len(),
                                values.len()
                            ),
                        ));
                    }
                    Data::from_values(d.points, values, d.test, shape, standardize)
                }
                (None, None) => Data::from_parts(
                    d.points,
                    d.labels,
                    d.test,
                    file.config.dataset.n_classes(),
                    standardize,
                ),
                (Some(_), None) => Err(ConfigError::invalid(
                    "data.values",
                    "the config's points carry values, but the file has none",
                )),
                (None, Some(_)) => Err(ConfigError::invalid(
                    "data.values",
                    "the config's points carry classes, but the file has values",
                )),
            }
            .map_err(|e| e.within("model"))?;
            Trainer::with_data(file.config, data).map_err(|e| e.within("model.config"))?
        }
        None => Trainer::new(file.config).map_err(|e| e.within("model.config"))?,
    };
    let model = t.model_mut();
    if file.params.len() != model.params.len() {
        return Err(ConfigError::invalid(
            "model.params",
            format!(
                "the network needs {} values, got {}",
                model.params.len(),
                file.params.len()
            ),
        ));
    }
    if let Some(i) = file.params.iter().position(|v| !v.is_finite()) {
        return Err(ConfigError::out_of_range(
            format!("model.params[{i}]"),
            "finite",
            file.params[i],
        ));
    }
    model.params.copy_from_slice(&file.params);
    if file.running.len() != model.running.len() {
        return Err(ConfigError::invalid(
            "model.running",
            format!(
                "expected {} layers of statistics, got {}",
                model.running.len(),
                file.running.len()
            ),
        ));
    }
    for (l, (dst, src)) in model.running.iter_mut().zip(file.running).enumerate() {
        let n = dst.mean.len();
        for (name, values) in [("mean", &src.mean), ("var", &src.var)] {
            if values.len() != n {
                return Err(ConfigError::invalid(
                    format!("model.running[{l}].{name}"),
                    format!("expected {n} values (one per unit), got {}", values.len()),
                ));
            }
            let is_var = name == "var";
            if let Some(i) = values.iter().position(|&v| !v.is_finite() || (is_var && v < 0.0)) {
                return Err(ConfigError::out_of_range(
                    format!("model.running[{l}].{name}[{i}]"),
                    if is_var { "finite and >= 0" } else { "finite" },
                    values[i],
                ));
            }
        }
        *dst = RunningStats {
            mean: src.mean,
            var: src.var,
        };
    }
    t.set_counters(file.epoch, file.step)
        .map_err(|e| e.within("model"))?;
    t.set_first_loss(file.first_loss).map_err(|e| e.within("model"))?;
    if let Some(p) = file.progress {
        t.set_epoch_progress(p).map_err(|e| e.within("model"))?;
    }
    // The optimizer counts every step since its state began: at most the run's
    // steps (fewer after a switch to another kind of optimizer, which starts
    // fresh state), plus one for a step that diverged, which updated the
    // optimizer but is not a completed step of the run.
    let o = file.optimizer;
    check_counter("model.optimizer.t", o.t)?;
    if o.t > file.step.saturating_add(1) {
        return Err(ConfigError::invalid(
            "model.optimizer.t",
            format!(
                "the optimizer cannot have taken more steps than the run ({} in model.step, plus one that diverged), got {}",
                file.step, o.t
            ),
        ));
    }
    t.optimizer_mut()
        .set_state(o.t, &o.s1, &o.s2, &o.s3)
        .map_err(|e| e.within("model"))?;
    Ok(t)
}
