//! `lr_schedules.json`: every learning-rate schedule, at every epoch the file
//! lists, against `torch.optim.lr_scheduler` and the closed form.

use backprop::Schedule;
use serde_json::Value;

use crate::contract::{
    CONVENTIONS, Checked, DESCRIPTION, Fields, GENERATOR, Loc, Schema, Tol, call_arguments, integer, keyword,
    keyword_int,
};

/// PyTorch computes StepLR, ExponentialLR and CosineAnnealingLR recursively;
/// the file measures their drift from the closed form at <= 1.4e-17, so 1e-12
/// absolute leaves a wide margin and still catches any wrong rate.
const RECURSIVE: Tol = Tol { abs: 1e-12, rel: 0.0 };

/// The closed form on both sides, in float64. They agree bit for bit here;
/// another platform's `cos` or `powf` may differ in the last bits, and 1e-16
/// allows a few ulps of rates below 1.
const CLOSED_FORM: Tol = Tol { abs: 1e-16, rel: 0.0 };

const ROOT: Schema = Schema {
    inputs: &["base_lr", "epochs"],
    compared: &["schedules"],
    not_applicable: &[
        ("description", DESCRIPTION),
        ("conventions", CONVENTIONS),
        ("generator", GENERATOR),
    ],
};

const SCHEDULE: Schema = Schema {
    inputs: &["torch_call"],
    compared: &[
        "lr_pytorch",
        "lr_closed_form",
        "max_abs_diff_pytorch_vs_closed_form",
    ],
    not_applicable: &[
        ("name", "a label: it names the case in messages"),
        (
            "formula",
            "the closed form in prose; lr_closed_form holds its values",
        ),
    ],
};

pub fn check(root: &Value) -> Checked<usize> {
    let root = Fields::new(root, Loc::default(), &ROOT)?;
    let base = root.number("base_lr")?;
    let epochs = root
        .cases("epochs")?
        .iter()
        .map(|(loc, e)| integer(loc, e).map(|e| e as u64))
        .collect::<Checked<Vec<u64>>>()?;
    let schedules = root.cases("schedules")?;
    for (loc, s) in &schedules {
        let s = Fields::case(s, loc.clone(), &SCHEDULE, "name")?;
        let call_loc = s.loc("torch_call");
        let schedule = schedule(&call_loc, s.text("torch_call")?)?;
        schedule
            .validate()
            .map_err(|e| call_loc.error(format!("the engine refuses this schedule: {e}")))?;
        let ours: Vec<f64> = epochs.iter().map(|&e| schedule.lr(base, e)).collect();
        s.compare("lr_pytorch", &ours, &[epochs.len()], RECURSIVE)?;
        s.compare("lr_closed_form", &ours, &[epochs.len()], CLOSED_FORM)?;
        // The drift the file measured must fit in the bound lr_pytorch is held to.
        let drift = s.number("max_abs_diff_pytorch_vs_closed_form")?;
        if !(0.0..=RECURSIVE.abs).contains(&drift) {
            return Err(s.loc("max_abs_diff_pytorch_vs_closed_form").error(format!(
                "{drift:e}: more than the {:e} lr_pytorch is compared with",
                RECURSIVE.abs
            )));
        }
        s.finish()?;
    }
    root.finish()?;
    Ok(schedules.len())
}

/// The engine's schedule for a `torch.optim.lr_scheduler` call, with every
/// setting read from the call.
fn schedule(loc: &Loc, call: &str) -> Checked<Schedule> {
    let class = call.split('(').next().unwrap_or_default();
    let class = class.rsplit('.').next().unwrap_or_default();
    let args = call_arguments(loc, call, class)?;
    Ok(match class {
        "StepLR" => Schedule::Step {
            step_size: keyword_int(loc, args, "step_size")?,
            gamma: keyword(loc, args, "gamma")?,
        },
        "ExponentialLR" => Schedule::Exponential {
            gamma: keyword(loc, args, "gamma")?,
        },
        "CosineAnnealingLR" => Schedule::Cosine {
            t_max: keyword_int(loc, args, "T_max")?,
            eta_min: keyword(loc, args, "eta_min")?,
        },
        // The lambda is described after the call.
        "LambdaLR" => Schedule::WarmupCosine {
            warmup: keyword_int(loc, call, "warmup_epochs")
                .map_err(|e| format!("{e}; the engine's one LambdaLR is a linear warm-up then cosine"))?,
            total: keyword_int(loc, call, "total_epochs")?,
        },
        other => {
            return Err(loc.error(format!(
                "{other:?}: a schedule the engine does not have (StepLR, ExponentialLR, CosineAnnealingLR, LambdaLR for warm-up then cosine)"
            )));
        }
    })
}
