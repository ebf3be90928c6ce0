//! The engine's pieces built from a reference file's fields: networks and
//! their parameters, workspaces, and optimizers from PyTorch's `param_group`.
//! Nothing is assumed: what the file does not give, the engine is not told.

use backprop::io::json::{Decode, Json};
use backprop::train::optim::{AdagradConfig, AdamConfig, AdamWConfig, Momentum, RmsPropConfig, SgdConfig};
use backprop::{Activation, Mlp, OptimizerConfig, OutputLoss, Workspace};
use serde_json::Value;

use crate::contract::{Checked, Fields, Loc, Schema, array, integer, list, list_of, text};

/// A name (`"relu"`, `"sigmoid_bce"`) read by the engine's own decoder: a name
/// the engine does not have fails, listing the ones it has.
pub fn named<T: Decode>(loc: &Loc, v: &Value) -> Checked<T> {
    let name = text(loc, v)?;
    T::decode(&Json::Str(name.to_string()), &loc.to_string()).map_err(|e| e.to_string())
}

/// `layer_sizes = [n_0, …, n_L]`: at least an input and an output size.
pub fn layer_sizes(f: &Fields, key: &str) -> Checked<Vec<usize>> {
    let loc = f.loc(key);
    let sizes = list(&loc, f.get(key)?)?
        .iter()
        .map(|(loc, v)| integer(loc, v))
        .collect::<Checked<Vec<usize>>>()?;
    if sizes.len() < 2 {
        return Err(loc.error("needs at least an input and an output size"));
    }
    Ok(sizes)
}

/// The engine's network of these sizes, activations and output; `loc` names
/// the field to blame when the engine cannot build it.
pub fn mlp(
    loc: &Loc,
    sizes: &[usize],
    activations: &[Activation],
    output: OutputLoss,
    batch_norm: bool,
) -> Checked<Mlp> {
    Mlp::new(sizes, activations, output, batch_norm)
        .map_err(|e| loc.error(format!("the engine cannot build this network: {e}")))
}

/// Copies `weights[l]: [n_l, n_{l+1}]` and `biases[l]: [n_{l+1}]` into the network.
pub fn set_params(mlp: &mut Mlp, weights: (Loc, &Value), biases: (Loc, &Value)) -> Checked {
    let layers = mlp.layers().to_vec();
    let weights = list_of(&weights.0, weights.1, layers.len())?;
    let biases = list_of(&biases.0, biases.1, layers.len())?;
    // Both lists have exactly one entry per layer (checked above).
    for (layer, ((w_loc, w), (b_loc, b))) in layers.iter().zip(weights.iter().zip(&biases)) {
        mlp.params[layer.w_range()].copy_from_slice(&array(w_loc, w, &[layer.n_in, layer.n_out])?);
        mlp.params[layer.b_range()].copy_from_slice(&array(b_loc, b, &[layer.n_out])?);
    }
    Ok(())
}

/// A workspace for exactly `rows` rows holding `x: [rows, n_in]` and targets
/// `t: [rows, n_out]`, both row-major.
pub fn workspace(mlp: &Mlp, x: &[f64], t: &[f64], rows: usize) -> Workspace {
    let mut ws = Workspace::new(mlp, rows);
    ws.load(x, t);
    ws
}

/// A workspace buffer (feature-major `[n, rows]`) as row-major `[rows, n]`, as the files hold it.
pub fn rows_of(buf: &[f64], n: usize, rows: usize) -> Vec<f64> {
    Workspace::row_major(buf, n, rows)
}

/// Why some options of a PyTorch optimizer do not apply.
const EXECUTION: &str = "how PyTorch executes the step (a loop per tensor, fused or graph-captured kernels); the step is the same";
const DIFFERENTIABLE: &str =
    "whether autograd may differentiate through the step itself; the step is the same";

/// `torch.optim.SGD`'s param_group.
const SGD: Schema = Schema {
    inputs: &[
        "lr",
        "momentum",
        "dampening",
        "weight_decay",
        "nesterov",
        "maximize",
    ],
    compared: &[],
    not_applicable: &[
        ("foreach", EXECUTION),
        ("fused", EXECUTION),
        ("differentiable", DIFFERENTIABLE),
    ],
};

/// `torch.optim.RMSprop`'s param_group.
const RMSPROP: Schema = Schema {
    inputs: &[
        "lr",
        "alpha",
        "eps",
        "momentum",
        "centered",
        "weight_decay",
        "maximize",
    ],
    compared: &[],
    not_applicable: &[
        ("foreach", EXECUTION),
        ("capturable", EXECUTION),
        ("differentiable", DIFFERENTIABLE),
    ],
};

/// `torch.optim.Adam`'s and `AdamW`'s param_group.
const ADAM: Schema = Schema {
    inputs: &[
        "lr",
        "betas",
        "eps",
        "weight_decay",
        "amsgrad",
        "decoupled_weight_decay",
        "maximize",
    ],
    compared: &[],
    not_applicable: &[
        ("foreach", EXECUTION),
        ("fused", EXECUTION),
        ("capturable", EXECUTION),
        ("differentiable", DIFFERENTIABLE),
    ],
};

/// `torch.optim.Adagrad`'s param_group.
const ADAGRAD: Schema = Schema {
    inputs: &[
        "lr",
        "lr_decay",
        "eps",
        "weight_decay",
        "initial_accumulator_value",
        "maximize",
    ],
    compared: &[],
    not_applicable: &[
        ("foreach", EXECUTION),
        ("fused", EXECUTION),
        ("differentiable", DIFFERENTIABLE),
    ],
};

/// The engine's config for PyTorch optimizer `kind` (`"Adam"`; `"GD"` is plain
/// SGD) with its full param_group `hyper`. A setting the engine does not have
/// fails, naming the field.
pub fn optimizer(kind: (Loc, &Value), hyper: (Loc, &Value)) -> Checked<OptimizerConfig> {
    let (kind_loc, hyper_loc) = (kind.0, hyper.0.clone());
    let kind = text(&kind_loc, kind.1)?;
    let schema = match kind {
        "SGD" | "GD" => &SGD,
        "RMSprop" => &RMSPROP,
        "Adam" | "AdamW" => &ADAM,
        "Adagrad" => &ADAGRAD,
        other => {
            return Err(kind_loc.error(format!(
                "{other:?}: an optimizer the engine does not have (SGD, RMSprop, Adam, AdamW, Adagrad)"
            )));
        }
    };
    let h = Fields::new(hyper.1, hyper.0, schema)?;
    if h.flag("maximize")? {
        return Err(h
            .loc("maximize")
            .error("true asks for gradient ascent; the engine's optimizers descend"));
    }
    let config = match kind {
        "SGD" | "GD" => {
            let momentum = match (h.number("momentum")?, h.flag("nesterov")?) {
                (0.0, _) => Momentum::None,
                (mu, true) => Momentum::Nesterov(mu),
                (mu, false) => Momentum::Classic(mu),
            };
            OptimizerConfig::Sgd(SgdConfig {
                lr: h.number("lr")?,
                momentum,
                dampening: h.number("dampening")?,
                weight_decay: h.number("weight_decay")?,
            })
        }
        "RMSprop" => {
            if h.flag("centered")? {
                return Err(h
                    .loc("centered")
                    .error("true: centred RMSprop is not in the engine"));
            }
            OptimizerConfig::RmsProp(RmsPropConfig {
                lr: h.number("lr")?,
                alpha: h.number("alpha")?,
                eps: h.number("eps")?,
                momentum: h.number("momentum")?,
                weight_decay: h.number("weight_decay")?,
            })
        }
        "Adam" | "AdamW" => {
            let betas = h.array("betas", &[2])?;
            let adam = AdamConfig {
                lr: h.number("lr")?,
                beta1: betas[0],
                beta2: betas[1],
                eps: h.number("eps")?,
                weight_decay: h.number("weight_decay")?,
                amsgrad: h.flag("amsgrad")?,
            };
            match (kind, h.flag("decoupled_weight_decay")?) {
                ("AdamW", false) => {
                    return Err(h
                        .loc("decoupled_weight_decay")
                        .error("false, but AdamW's weight decay is decoupled"));
                }
                (_, true) => OptimizerConfig::AdamW(AdamWConfig::from(adam)),
                (_, false) => OptimizerConfig::Adam(adam),
            }
        }
        _ => OptimizerConfig::Adagrad(AdagradConfig {
            lr: h.number("lr")?,
            lr_decay: h.number("lr_decay")?,
            eps: h.number("eps")?,
            weight_decay: h.number("weight_decay")?,
            initial_accumulator_value: h.number("initial_accumulator_value")?,
        }),
    };
    h.finish()?;
    config
        .validate()
        .map_err(|e| hyper_loc.error(format!("the engine refuses these settings: {e}")))?;
    Ok(config)
}
