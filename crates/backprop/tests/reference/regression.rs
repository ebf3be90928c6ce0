//! `regression_mse.json`: regression data and an identity + MSE network
//! against PyTorch in float64: the engine's values of the set at the file's
//! inputs, its scaler, and the loss and every gradient on the scaled points.

use backprop::data::ValueShape;
use backprop::{Activation, ActivationKind, Data, DataSource, OutputLoss};
use serde_json::Value;

use crate::contract::{
    CONVENTIONS, Checked, DESCRIPTION, Fields, GENERATOR, Loc, REFERENCE, Schema, compare,
};
use crate::network::{layer_sizes, mlp, named, rows_of, set_params, workspace};

const ROOT: Schema = Schema {
    inputs: &[],
    compared: &["cases"],
    not_applicable: &[
        ("description", DESCRIPTION),
        ("conventions", CONVENTIONS),
        ("generator", GENERATOR),
    ],
};

const CASE: Schema = Schema {
    inputs: &[
        "dataset",
        "X_raw",
        "layer_sizes",
        "hidden_activations",
        "weights",
        "biases",
    ],
    compared: &[
        "values",
        "scaler_mean",
        "scaler_scale",
        "X_scaled",
        "output_activations",
        "loss",
        "grad_weights",
        "grad_biases",
    ],
    not_applicable: &[
        ("name", "a label: it names the case in messages"),
        (
            "seed",
            "the NumPy seed that drew X_raw and the parameters, which the file holds themselves",
        ),
    ],
};

pub fn check(root: &Value) -> Checked<usize> {
    let root = Fields::new(root, Loc::default(), &ROOT)?;
    let cases = root.cases("cases")?;
    for (loc, case) in &cases {
        check_case(Fields::case(case, loc.clone(), &CASE, "name")?)?;
    }
    root.finish()?;
    Ok(cases.len())
}

fn check_case(c: Fields) -> Checked {
    let source: DataSource = named(&c.loc("dataset"), c.get("dataset")?)?;
    let kind = source
        .regression()
        .ok_or_else(|| c.loc("dataset").error("not a regression data set"))?;
    let (_, rows_value) = c.entry("values")?;
    let rows = rows_value
        .as_array()
        .map(Vec::len)
        .ok_or_else(|| c.loc("values").error("expected a list"))?;
    let x_raw = c.array("X_raw", &[rows, 2])?;
    let values: Vec<f64> = x_raw.chunks_exact(2).map(|p| kind.value_at(p[0], p[1])).collect();
    c.compare("values", &values, &[rows], REFERENCE)?;

    // The engine's own pipeline: every point trains, standardised.
    let shape = ValueShape { one_d: kind.is_1d() };
    let data = Data::from_values(x_raw, values.clone(), vec![0; rows], shape, true).map_err(|e| {
        c.loc("X_raw")
            .error(format!("the engine refuses the points: {e}"))
    })?;
    c.compare("scaler_mean", &data.scaler().mean, &[2], REFERENCE)?;
    c.compare("scaler_scale", &data.scaler().scale, &[2], REFERENCE)?;
    c.compare("X_scaled", &data.train_x, &[rows, 2], REFERENCE)?;

    let sizes = layer_sizes(&c, "layer_sizes")?;
    let n_layers = sizes.len() - 1;
    let activations = c
        .list_of("hidden_activations", n_layers - 1)?
        .iter()
        .map(|(loc, v)| named::<ActivationKind>(loc, v).map(|k| Activation::from_kind(k, 0.01, 1.0)))
        .collect::<Checked<Vec<_>>>()?;
    let mut net = mlp(
        &c.loc("layer_sizes"),
        &sizes,
        &activations,
        OutputLoss::IdentityMse,
        false,
    )?;
    set_params(&mut net, c.entry("weights")?, c.entry("biases")?)?;
    let mut ws = workspace(&net, &data.train_x, &data.train_v, rows);
    let loss = net.forward_train(&mut ws, rows, true);
    c.compare(
        "output_activations",
        &rows_of(&ws.a[n_layers - 1], 1, rows),
        &[rows, 1],
        REFERENCE,
    )?;
    c.compare("loss", &[loss], &[], REFERENCE)?;
    net.backward(&mut ws, rows, true);
    let grad_weights = c.list_of("grad_weights", n_layers)?;
    let grad_biases = c.list_of("grad_biases", n_layers)?;
    for (l, layer) in net.layers().iter().enumerate() {
        let (loc, dw) = &grad_weights[l];
        compare(
            loc,
            &ws.grads[layer.w_range()],
            &[layer.n_in, layer.n_out],
            dw,
            REFERENCE,
        )?;
        let (loc, db) = &grad_biases[l];
        compare(loc, &ws.grads[layer.b_range()], &[layer.n_out], db, REFERENCE)?;
    }
    c.finish()
}
