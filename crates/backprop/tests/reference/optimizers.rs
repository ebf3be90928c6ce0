//! `optimizers.json`: every optimizer, from its full PyTorch param_group,
//! stepped over the file's fixed gradients against `torch.optim`.

use backprop::Optimizer;
use serde_json::Value;

use crate::contract::{
    CONVENTIONS, Checked, DESCRIPTION, Fields, GENERATOR, Loc, REFERENCE, Schema, array, compare, integer,
    list, list_of,
};
use crate::network::optimizer;

const ROOT: Schema = Schema {
    inputs: &["param_shapes", "initial_params", "grad_sequence"],
    compared: &["optimizers"],
    not_applicable: &[
        ("description", DESCRIPTION),
        ("conventions", CONVENTIONS),
        ("generator", GENERATOR),
    ],
};

const OPTIMIZER: Schema = Schema {
    inputs: &["optimizer", "hyperparameters"],
    compared: &["params_after_step"],
    not_applicable: &[
        ("name", "a label: it names the case in messages"),
        (
            "torch_call",
            "the same settings as hyperparameters, written as a Python call",
        ),
        (
            "update_rule",
            "the rule in prose; optim.rs implements it, and params_after_step checks its numbers",
        ),
    ],
};

pub fn check(root: &Value) -> Checked<usize> {
    let root = Fields::new(root, Loc::default(), &ROOT)?;
    let shapes = root
        .cases("param_shapes")?
        .iter()
        .map(|(loc, shape)| list(loc, shape)?.iter().map(|(loc, n)| integer(loc, n)).collect())
        .collect::<Checked<Vec<Vec<usize>>>>()?;
    // Every tensor of a step, in order, as one flat vector: the engine's layout.
    let tensors = |(loc, v): &(Loc, &Value)| -> Checked<Vec<f64>> {
        let mut flat = Vec::new();
        // One entry per tensor (checked by list_of).
        for ((loc, t), shape) in list_of(loc, v, shapes.len())?.iter().zip(&shapes) {
            flat.extend(array(loc, t, shape)?);
        }
        Ok(flat)
    };
    let initial = tensors(&root.entry("initial_params")?)?;
    let grads = root
        .cases("grad_sequence")?
        .iter()
        .map(tensors)
        .collect::<Checked<Vec<_>>>()?;

    let optimizers = root.cases("optimizers")?;
    for (loc, o) in &optimizers {
        let o = Fields::case(o, loc.clone(), &OPTIMIZER, "name")?;
        let config = optimizer(o.entry("optimizer")?, o.entry("hyperparameters")?)?;
        let mut params = initial.clone();
        let mut opt = Optimizer::new(config, params.len()).map_err(|e| o.loc("hyperparameters").error(e))?;
        let after = o.list_of("params_after_step", grads.len())?;
        // One expected state per gradient (checked by list_of).
        for (g, (loc, expected)) in grads.iter().zip(&after) {
            opt.step(&mut params, g, config.lr());
            let mut offset = 0;
            for ((loc, t), shape) in list_of(loc, expected, shapes.len())?.iter().zip(&shapes) {
                let size: usize = shape.iter().product();
                compare(loc, &params[offset..offset + size], shape, t, REFERENCE)?;
                offset += size;
            }
        }
        o.finish()?;
    }
    root.finish()?;
    Ok(optimizers.len())
}
