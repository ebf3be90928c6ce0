//! `grad_clipping.json`: `clip_grad_norm_` and `clip_grad_value_` from
//! `torch.nn.utils`, every case, against the engine's `Clipping`.

use backprop::Clipping;
use backprop::train::clip::global_norm;
use serde_json::Value;

use crate::contract::{
    CONVENTIONS, Checked, DESCRIPTION, Fields, GENERATOR, Loc, REFERENCE, Schema, array, compare, integer,
    list, list_of,
};

/// PyTorch's `clip_grad_norm_` divides by `total_norm + 1e-6`, and so does
/// `Clipping::Norm`.
const NORM_EPS: f64 = 1e-6;

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
    inputs: &["shapes", "grads_before"],
    compared: &["clip_grad_norm", "clip_grad_value"],
    not_applicable: &[("name", "a label: it names the case in messages")],
};

const BY_NORM: Schema = Schema {
    inputs: &["max_norm", "norm_type"],
    compared: &[
        "total_norm",
        "clip_coef",
        "clip_coef_clamped",
        "was_clipped",
        "grads_after",
    ],
    not_applicable: &[(
        "torch_call",
        "the same settings as max_norm and norm_type, written as a Python call",
    )],
};

const BY_VALUE: Schema = Schema {
    inputs: &["clip_value"],
    compared: &["grads_after"],
    not_applicable: &[(
        "torch_call",
        "the same setting as clip_value, written as a Python call",
    )],
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
    let shapes = list(&c.loc("shapes"), c.get("shapes")?)?
        .iter()
        .map(|(loc, shape)| list(loc, shape)?.iter().map(|(loc, n)| integer(loc, n)).collect())
        .collect::<Checked<Vec<Vec<usize>>>>()?;
    let before = tensors(c.entry("grads_before")?, &shapes)?;

    let norm = c.object("clip_grad_norm", &BY_NORM)?;
    let norm_type = norm.number("norm_type")?;
    if norm_type != 2.0 {
        return Err(norm
            .loc("norm_type")
            .error(format!("{norm_type}: the engine clips by the L2 norm only")));
    }
    let max_norm = norm.number("max_norm")?;
    let mut g = before.clone();
    let report = Clipping::Norm { max_norm }.apply(&mut g);
    norm.compare("total_norm", &[report.norm_before], &[], REFERENCE)?;
    norm.compare(
        "clip_coef",
        &[max_norm / (report.norm_before + NORM_EPS)],
        &[],
        REFERENCE,
    )?;
    // The factor the engine applied, read off its largest gradient (1 when it left them alone).
    let largest = (0..before.len())
        .max_by(|&i, &j| before[i].abs().total_cmp(&before[j].abs()))
        .filter(|&i| before[i] != 0.0);
    let applied = largest.map_or(1.0, |i| g[i] / before[i]);
    norm.compare("clip_coef_clamped", &[applied], &[], REFERENCE)?;
    let was_clipped = norm.flag("was_clipped")?;
    if report.clipped != was_clipped {
        return Err(norm.loc("was_clipped").error(format!(
            "{was_clipped}, but the engine reports {}",
            report.clipped
        )));
    }
    compare_tensors(norm.entry("grads_after")?, &shapes, &g)?;
    if global_norm(&g) > report.norm_before {
        return Err(norm.loc("grads_after").error("clipping raised the norm"));
    }
    norm.finish()?;

    let value = c.object("clip_grad_value", &BY_VALUE)?;
    let mut g = before;
    Clipping::Value {
        clip_value: value.number("clip_value")?,
    }
    .apply(&mut g);
    compare_tensors(value.entry("grads_after")?, &shapes, &g)?;
    value.finish()?;
    c.finish()
}

/// Gradients given as one list per tensor, as one flat vector: the engine's layout.
fn tensors((loc, v): (Loc, &Value), shapes: &[Vec<usize>]) -> Checked<Vec<f64>> {
    let mut flat = Vec::new();
    // One entry per tensor (checked by list_of).
    for ((loc, t), shape) in list_of(&loc, v, shapes.len())?.iter().zip(shapes) {
        flat.extend(array(loc, t, shape)?);
    }
    Ok(flat)
}

/// The engine's flat gradients (laid out as `shapes`) against the file's, tensor by tensor.
fn compare_tensors((loc, v): (Loc, &Value), shapes: &[Vec<usize>], g: &[f64]) -> Checked {
    let mut offset = 0;
    // One entry per tensor (checked by list_of).
    for ((loc, t), shape) in list_of(&loc, v, shapes.len())?.iter().zip(shapes) {
        let size: usize = shape.iter().product();
        compare(loc, &g[offset..offset + size], shape, t, REFERENCE)?;
        offset += size;
    }
    Ok(())
}
