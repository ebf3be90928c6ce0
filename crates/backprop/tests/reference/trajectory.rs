//! `training_trajectory.json`: full-batch training through `Trainer`, step by
//! step, against PyTorch, for every run of the file. The network, its
//! activation, loss and initial parameters, the data and the number of steps
//! all come from the file.

use backprop::{
    ActivationKind, Clipping, Data, DataConfig, DataSource, Mlp, NetworkConfig, OutputLoss, Regularization,
    Schedule, Status, TrainConfig, Trainer,
};
use serde_json::Value;

use crate::contract::{
    CONVENTIONS, Checked, DESCRIPTION, EXACT, Fields, GENERATOR, Loc, Schema, Tol, array, compare,
    compare_values, list_of,
};
use crate::network::{layer_sizes, named, optimizer, set_params};

/// Twenty steps of float64 round-off compound; PyTorch and we agree to ~1e-13
/// here, and 1e-8 relative still catches any real difference in the maths.
const TRAJECTORY: Tol = Tol {
    abs: 1e-10,
    rel: 1e-8,
};

const ROOT: Schema = Schema {
    inputs: &[
        "layer_sizes",
        "hidden_activation",
        "output_and_loss",
        "steps",
        "rows_used",
        "X",
        "y",
        "initial_weights",
        "initial_biases",
    ],
    compared: &["runs"],
    not_applicable: &[
        ("description", DESCRIPTION),
        ("conventions", CONVENTIONS),
        ("generator", GENERATOR),
        (
            "source_dataset",
            "names the file X and y were taken from; this file holds the rows themselves",
        ),
        (
            "init_seed",
            "the NumPy seed that drew initial_weights, which the file holds themselves",
        ),
    ],
};

const RUN: Schema = Schema {
    inputs: &["optimizer", "hyperparameters"],
    compared: &[
        "loss_history",
        "final_loss",
        "final_weights",
        "final_biases",
        "final_train_accuracy",
        "params_after_each_step",
    ],
    not_applicable: &[(
        "torch_call",
        "the same settings as hyperparameters, written as a Python call",
    )],
};

const PARAMS: Schema = Schema {
    inputs: &[],
    compared: &["weights", "biases"],
    not_applicable: &[],
};

pub fn check(root: &Value) -> Checked<usize> {
    let root = Fields::new(root, Loc::default(), &ROOT)?;
    let sizes = layer_sizes(&root, "layer_sizes")?;
    let n_out = sizes[sizes.len() - 1];
    let activation: ActivationKind = named(&root.loc("hidden_activation"), root.get("hidden_activation")?)?;
    let output: OutputLoss = named(&root.loc("output_and_loss"), root.get("output_and_loss")?)?;
    if sizes[0] != 2 {
        return Err(root.loc("layer_sizes").error(format!(
            "{sizes:?}: the trainer learns from points in the plane, so its network has 2 inputs"
        )));
    }
    if output != OutputLoss::SoftmaxCe && n_out != 1 {
        return Err(root
            .loc("layer_sizes")
            .error(format!("{sizes:?}: the trainer gives {output:?} one output unit")));
    }
    let steps = root.integer("steps")?;
    let rows = root.integer("rows_used")?;
    let x = root.array("X", &[rows, 2])?;
    let n_classes = if output == OutputLoss::SoftmaxCe { n_out } else { 2 };
    let labels = labels(root.entry("y")?, output, rows, n_classes)?;

    let runs = root.cases("runs")?;
    for (loc, run) in &runs {
        let run = Fields::case(run, loc.clone(), &RUN, "optimizer")?;
        let config = TrainConfig {
            dataset: DataConfig {
                kind: DataSource::Custom,
                classes: n_classes,
                // The file's rows are already standardised, as PyTorch saw them.
                standardize: false,
                ..DataConfig::default()
            },
            network: NetworkConfig {
                hidden: sizes[1..sizes.len() - 1].to_vec(),
                activation,
                output: Some(output),
                // Leaky ReLU's slope and ELU's alpha keep PyTorch's defaults:
                // the file names only the activation.
                ..NetworkConfig::default()
            },
            optimizer: optimizer(run.entry("optimizer")?, run.entry("hyperparameters")?)?,
            // Every row in one batch, with torch.optim alone: no penalty, clipping or schedule.
            batch_size: None,
            regularization: Regularization::None,
            clipping: Clipping::None,
            schedule: Schedule::Constant,
            ..TrainConfig::default()
        };
        let data = Data::from_parts(x.clone(), labels.clone(), vec![0; rows], n_classes, false)
            .map_err(|e| root.loc("X").error(e))?;
        let mut trainer = Trainer::with_data(config, data).map_err(|e| {
            run.loc("hyperparameters")
                .error(format!("the engine cannot run this: {e}"))
        })?;
        if trainer.model().sizes() != sizes {
            return Err(root.loc("layer_sizes").error(format!(
                "{sizes:?}, but the trainer built {:?}",
                trainer.model().sizes()
            )));
        }
        set_params(
            trainer.model_mut(),
            root.entry("initial_weights")?,
            root.entry("initial_biases")?,
        )?;

        let losses = run.array("loss_history", &[steps])?;
        let after = run.list_of("params_after_each_step", steps)?;
        for (t, (loc, params)) in after.into_iter().enumerate() {
            let status = trainer.step_batch();
            let at = run.loc("loss_history").index(t);
            if status != Status::Ready {
                return Err(at.error(format!("the trainer stopped: {status:?}")));
            }
            compare_values(&at, &[trainer.last_step().loss], &[], &[losses[t]], TRAJECTORY)?;
            let params = Fields::new(params, loc, &PARAMS)?;
            compare_weights(trainer.model(), params.entry("weights")?)?;
            compare_biases(trainer.model(), params.entry("biases")?)?;
            params.finish()?;
        }
        compare_weights(trainer.model(), run.entry("final_weights")?)?;
        compare_biases(trainer.model(), run.entry("final_biases")?)?;
        let (final_loss, final_acc) = trainer.evaluate_train();
        run.compare("final_loss", &[final_loss], &[], TRAJECTORY)?;
        run.compare("final_train_accuracy", &[final_acc], &[], EXACT)?;
        if trainer.epoch() != steps as u64 {
            return Err(run.loc("loss_history").error(format!(
                "{steps} full-batch steps are {steps} epochs, but the trainer counts {}",
                trainer.epoch()
            )));
        }
        run.finish()?;
    }
    root.finish()?;
    Ok(runs.len())
}

/// Class labels from `y`: class indices `[rows]` for softmax, else a column
/// `[rows, 1]` of 0 and 1.
fn labels((loc, y): (Loc, &Value), output: OutputLoss, rows: usize, n_classes: usize) -> Checked<Vec<u8>> {
    let values = match output {
        OutputLoss::SoftmaxCe => array(&loc, y, &[rows])?,
        _ => array(&loc, y, &[rows, 1])?,
    };
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if v.fract() == 0.0 && v >= 0.0 && v < n_classes as f64 {
                Ok(v as u8)
            } else {
                Err(loc.index(i).error(format!(
                    "{v}: the trainer learns class labels from 0 to {}",
                    n_classes - 1
                )))
            }
        })
        .collect()
}

/// `weights[l]: [n_l, n_{l+1}]` for every layer against the network's.
fn compare_weights(model: &Mlp, (loc, weights): (Loc, &Value)) -> Checked {
    // One entry per layer (checked by list_of).
    for ((loc, w), layer) in list_of(&loc, weights, model.layers().len())?
        .iter()
        .zip(model.layers())
    {
        compare(
            loc,
            &model.params[layer.w_range()],
            &[layer.n_in, layer.n_out],
            w,
            TRAJECTORY,
        )?;
    }
    Ok(())
}

/// `biases[l]: [n_{l+1}]` for every layer against the network's.
fn compare_biases(model: &Mlp, (loc, biases): (Loc, &Value)) -> Checked {
    // One entry per layer (checked by list_of).
    for ((loc, b), layer) in list_of(&loc, biases, model.layers().len())?
        .iter()
        .zip(model.layers())
    {
        compare(loc, &model.params[layer.b_range()], &[layer.n_out], b, TRAJECTORY)?;
    }
    Ok(())
}
