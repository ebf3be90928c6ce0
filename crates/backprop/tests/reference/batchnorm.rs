//! `batchnorm.json` and `batchnorm_mlp.json`: batch normalisation alone
//! (`BatchNorm1d`, training and eval mode, running statistics) and inside a
//! network, against PyTorch.

use backprop::net::backprop::{
    BN_EPS, BN_MOMENTUM, RunningStats, batchnorm_backward, batchnorm_eval, batchnorm_forward,
};
use backprop::{Activation, ActivationKind, NetworkConfig, OutputLoss, Workspace};
use serde_json::Value;

use crate::contract::{
    CONVENTIONS, Checked, DESCRIPTION, Fields, GENERATOR, Loc, REFERENCE, Schema, Tol, array, compare,
    compare_values, matrix,
};
use crate::network::{layer_sizes, mlp, named, rows_of, set_params, workspace};

/// Biases in front of batch norm have a true gradient of exactly 0; both sides
/// hold round-off (~1e-17 in the file), so they are compared absolutely.
const ZERO_GRAD: Tol = Tol { abs: 1e-12, rel: 0.0 };

const LAYER: Schema = Schema {
    inputs: &[
        "num_features",
        "batch_size",
        "eps",
        "momentum",
        "X",
        "gamma",
        "beta",
        "upstream_grad",
        "initial_running_mean",
        "initial_running_var",
        "X_eval",
    ],
    compared: &[
        "output",
        "batch_mean",
        "batch_var_biased",
        "batch_var_unbiased",
        "running_mean_after",
        "running_var_after",
        "grad_input",
        "grad_gamma",
        "grad_beta",
        "eval_output_same_X",
        "eval_output_X_eval",
        "running_stats_sequence",
    ],
    not_applicable: &[
        ("description", DESCRIPTION),
        ("conventions", CONVENTIONS),
        ("generator", GENERATOR),
        (
            "num_batches_tracked_after",
            "PyTorch counts batches to average them when momentum is None; the engine always uses the momentum, read above",
        ),
    ],
};

const SEQUENCE: Schema = Schema {
    inputs: &["seq_batches"],
    compared: &["running_mean_after_each", "running_var_after_each"],
    not_applicable: &[],
};

const MLP: Schema = Schema {
    inputs: &[
        "layer_sizes",
        "batch_size",
        "bn_eps",
        "bn_momentum",
        "hidden_activation",
        "output_and_loss",
        "X",
        "y",
        "weights",
        "biases",
        "bn_gamma",
        "bn_beta",
    ],
    compared: &[
        "forward",
        "output_preactivation",
        "output_activations",
        "loss",
        "grad_weights",
        "grad_biases",
        "grad_bn_gamma",
        "grad_bn_beta",
        "running_mean_after",
        "running_var_after",
        "eval_output_activations",
    ],
    not_applicable: &[
        ("description", DESCRIPTION),
        ("conventions", CONVENTIONS),
        ("generator", GENERATOR),
        (
            "forward_fields",
            "prose describing forward's entries, whose fields FORWARD lists",
        ),
    ],
};

const FORWARD: Schema = Schema {
    inputs: &[],
    compared: &["z", "bn", "a"],
    not_applicable: &[],
};

/// A setting the engine's batch norm holds fixed: the file must ask for exactly that value.
fn engine_constant(f: &Fields, key: &str, engine: f64, constant: &str) -> Checked<f64> {
    let v = f.number(key)?;
    if v != engine {
        return Err(f.loc(key).error(format!(
            "{v:e}, but the engine's batch norm has the fixed value {engine:e} (net::backprop::{constant})"
        )));
    }
    Ok(v)
}

pub fn check_layer(root: &Value) -> Checked<usize> {
    let b = Fields::new(root, Loc::default(), &LAYER)?;
    let (m, n) = (b.integer("batch_size")?, b.integer("num_features")?);
    let eps = engine_constant(&b, "eps", BN_EPS, "BN_EPS")?;
    let momentum = engine_constant(&b, "momentum", BN_MOMENTUM, "BN_MOMENTUM")?;
    // The layer works feature-major: [features, rows].
    let x = rows_of(&b.array("X", &[m, n])?, m, n);
    let (gamma, beta) = (b.array("gamma", &[n])?, b.array("beta", &[n])?);
    let initial = RunningStats {
        mean: b.array("initial_running_mean", &[n])?,
        var: b.array("initial_running_var", &[n])?,
    };
    let mut running = initial.clone();
    let (mut y, mut xhat, mut inv_std) = (vec![0.0; m * n], vec![0.0; m * n], vec![0.0; n]);
    batchnorm_forward(
        &x,
        &mut y,
        &mut xhat,
        &mut inv_std,
        &gamma,
        &beta,
        Some(&mut running),
        m,
        n,
    );
    b.compare("output", &rows_of(&y, n, m), &[m, n], REFERENCE)?;

    // The mean the engine centred each value with, recovered row by row from
    // xhat = (x - mean) * inv_std.
    let (mean_loc, mean) = b.entry("batch_mean")?;
    for r in 0..m {
        let centred_with: Vec<f64> = (0..n)
            .map(|j| x[j * m + r] - xhat[j * m + r] / inv_std[j])
            .collect();
        compare(&mean_loc, &centred_with, &[n], mean, REFERENCE)
            .map_err(|e| format!("{e} (the mean row {r} was centred with)"))?;
    }
    let var_biased = b.array("batch_var_biased", &[n])?;
    let expected_inv: Vec<f64> = var_biased.iter().map(|v| 1.0 / (v + eps).sqrt()).collect();
    compare_values(
        &b.loc("batch_var_biased"),
        &inv_std,
        &[n],
        &expected_inv,
        REFERENCE,
    )
    .map_err(|e| format!("{e} (the engine's 1/sqrt(var + eps) against the file's)"))?;
    // The running variance moved towards the unbiased variance:
    // running_var = (1 - momentum) * initial + momentum * var_unbiased.
    let var_unbiased: Vec<f64> = running
        .var
        .iter()
        .zip(&initial.var) // both have one entry per feature
        .map(|(after, before)| (after - (1.0 - momentum) * before) / momentum)
        .collect();
    b.compare("batch_var_unbiased", &var_unbiased, &[n], REFERENCE)?;
    b.compare("running_mean_after", &running.mean, &[n], REFERENCE)?;
    b.compare("running_var_after", &running.var, &[n], REFERENCE)?;

    let dy = rows_of(&b.array("upstream_grad", &[m, n])?, m, n);
    let (mut dx, mut dgamma, mut dbeta) = (vec![0.0; m * n], vec![0.0; n], vec![0.0; n]);
    batchnorm_backward(
        &dy,
        &xhat,
        &inv_std,
        &gamma,
        &mut dx,
        &mut dgamma,
        &mut dbeta,
        m,
        n,
    );
    b.compare("grad_input", &rows_of(&dx, n, m), &[m, n], REFERENCE)?;
    b.compare("grad_gamma", &dgamma, &[n], REFERENCE)?;
    b.compare("grad_beta", &dbeta, &[n], REFERENCE)?;

    let mut eval = vec![0.0; m * n];
    batchnorm_eval(&x, &mut eval, &gamma, &beta, &running, m, n);
    b.compare("eval_output_same_X", &rows_of(&eval, n, m), &[m, n], REFERENCE)?;
    let (x_eval, m_eval) = features(b.entry("X_eval")?, n)?;
    let mut eval = vec![0.0; m_eval * n];
    batchnorm_eval(&x_eval, &mut eval, &gamma, &beta, &running, m_eval, n);
    b.compare(
        "eval_output_X_eval",
        &rows_of(&eval, n, m_eval),
        &[m_eval, n],
        REFERENCE,
    )?;

    // A fresh layer fed batch after batch: its statistics start where the
    // first layer's did (initial_running_*, a fresh layer's), and do not
    // depend on gamma and beta.
    let seq = b.object("running_stats_sequence", &SEQUENCE)?;
    let batches = seq.cases("seq_batches")?;
    let means = seq.list_of("running_mean_after_each", batches.len())?;
    let vars = seq.list_of("running_var_after_each", batches.len())?;
    let mut running = initial;
    let (ones, zeros) = (vec![1.0; n], vec![0.0; n]);
    for (k, batch) in batches.iter().enumerate() {
        let (xb, mb) = features(batch.clone(), n)?;
        let (mut y, mut xhat, mut inv_std) = (vec![0.0; mb * n], vec![0.0; mb * n], vec![0.0; n]);
        batchnorm_forward(
            &xb,
            &mut y,
            &mut xhat,
            &mut inv_std,
            &ones,
            &zeros,
            Some(&mut running),
            mb,
            n,
        );
        compare(&means[k].0, &running.mean, &[n], means[k].1, REFERENCE)?;
        compare(&vars[k].0, &running.var, &[n], vars[k].1, REFERENCE)?;
    }
    seq.finish()?;
    b.finish()?;
    Ok(1)
}

/// A batch `[rows, n]` of the layer's `n` features, given feature-major, with its number of rows.
fn features((loc, v): (Loc, &Value), n: usize) -> Checked<(Vec<f64>, usize)> {
    let (values, rows, cols) = matrix(&loc, v)?;
    if cols != n {
        return Err(loc.error(format!("{cols} features per row, but the layer has {n}")));
    }
    Ok((rows_of(&values, rows, n), rows))
}

pub fn check_mlp(root: &Value) -> Checked<usize> {
    let c = Fields::new(root, Loc::default(), &MLP)?;
    let sizes = layer_sizes(&c, "layer_sizes")?;
    let (n_in, n_out, hidden) = (sizes[0], sizes[sizes.len() - 1], sizes.len() - 2);
    engine_constant(&c, "bn_eps", BN_EPS, "BN_EPS")?;
    engine_constant(&c, "bn_momentum", BN_MOMENTUM, "BN_MOMENTUM")?;
    let kind: ActivationKind = named(&c.loc("hidden_activation"), c.get("hidden_activation")?)?;
    // Leaky ReLU's slope and ELU's alpha keep PyTorch's defaults (the
    // network config's): the file names only the activation.
    let defaults = NetworkConfig::default();
    let activation = Activation::from_kind(kind, defaults.leaky_slope, defaults.elu_alpha);
    let output: OutputLoss = named(&c.loc("output_and_loss"), c.get("output_and_loss")?)?;
    let mut net = mlp(
        &c.loc("layer_sizes"),
        &sizes,
        &vec![activation; hidden],
        output,
        true,
    )?;
    set_params(&mut net, c.entry("weights")?, c.entry("biases")?)?;
    let gammas = c.list_of("bn_gamma", hidden)?;
    let betas = c.list_of("bn_beta", hidden)?;
    for (l, layer) in net.layers().to_vec().iter().take(hidden).enumerate() {
        let (Some(g), Some(b)) = (layer.gamma_range(), layer.beta_range()) else {
            return Err(c.loc("layer_sizes").error(format!(
                "the engine's network has no batch norm on hidden layer {l}"
            )));
        };
        net.params[g].copy_from_slice(&array(&gammas[l].0, gammas[l].1, &[layer.n_out])?);
        net.params[b].copy_from_slice(&array(&betas[l].0, betas[l].1, &[layer.n_out])?);
    }
    let rows = c.integer("batch_size")?;
    let x = c.array("X", &[rows, n_in])?;
    let y = c.array("y", &[rows, n_out])?;

    let mut ws = workspace(&net, &x, &y, rows);
    let loss = net.forward_train(&mut ws, rows, true);
    for (l, (loc, fw)) in c.list_of("forward", hidden)?.into_iter().enumerate() {
        let fw = Fields::new(fw, loc, &FORWARD)?;
        let n = sizes[l + 1];
        fw.compare("z", &rows_of(&ws.z[l], n, rows), &[rows, n], REFERENCE)?;
        fw.compare("bn", &rows_of(&ws.h[l], n, rows), &[rows, n], REFERENCE)?;
        fw.compare("a", &rows_of(&ws.a[l], n, rows), &[rows, n], REFERENCE)?;
        fw.finish()?;
    }
    c.compare(
        "output_preactivation",
        &rows_of(&ws.z[hidden], n_out, rows),
        &[rows, n_out],
        REFERENCE,
    )?;
    c.compare(
        "output_activations",
        &rows_of(&ws.a[hidden], n_out, rows),
        &[rows, n_out],
        REFERENCE,
    )?;
    c.compare("loss", &[loss], &[], REFERENCE)?;

    net.backward(&mut ws, rows, false);
    let grad_weights = c.list_of("grad_weights", hidden + 1)?;
    let grad_biases = c.list_of("grad_biases", hidden + 1)?;
    let grad_gammas = c.list_of("grad_bn_gamma", hidden)?;
    let grad_betas = c.list_of("grad_bn_beta", hidden)?;
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
        let db_tol = if layer.bn.is_some() { ZERO_GRAD } else { REFERENCE };
        compare(loc, &ws.grads[layer.b_range()], &[layer.n_out], db, db_tol)?;
        if let (Some(g), Some(b)) = (layer.gamma_range(), layer.beta_range()) {
            let (loc, dgamma) = &grad_gammas[l];
            compare(loc, &ws.grads[g], &[layer.n_out], dgamma, REFERENCE)?;
            let (loc, dbeta) = &grad_betas[l];
            compare(loc, &ws.grads[b], &[layer.n_out], dbeta, REFERENCE)?;
        }
    }
    let means = c.list_of("running_mean_after", hidden)?;
    let vars = c.list_of("running_var_after", hidden)?;
    for (l, running) in net.running.iter().enumerate() {
        compare(&means[l].0, &running.mean, &[sizes[l + 1]], means[l].1, REFERENCE)?;
        compare(&vars[l].0, &running.var, &[sizes[l + 1]], vars[l].1, REFERENCE)?;
    }
    let mut out = vec![0.0; rows * n_out];
    // Fewer rows than the batch: eval runs in several chunks.
    let mut eval_ws = Workspace::new(&net, 5);
    net.predict(&x, &mut out, &mut eval_ws);
    c.compare("eval_output_activations", &out, &[rows, n_out], REFERENCE)?;
    c.finish()?;
    Ok(1)
}
