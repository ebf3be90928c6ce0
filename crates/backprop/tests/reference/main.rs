//! The engine against PyTorch and scikit-learn, in float64: every case of
//! every reference file in the reference directory (`BACKPROP_REFERENCE_DIR`
//! when set, else `tests/fixtures/reference`), held to the contract in
//! `contract.rs`, and tests that show the contract refuses a directory that
//! is empty, incomplete, padded with an unknown file, or holds a truncated
//! array, an empty case list, an unknown field or a setting the engine lacks.

mod batchnorm;
mod clipping;
mod contract;
mod gradients;
mod moons;
mod network;
mod optimizers;
mod regression;
mod schedules;
mod trajectory;

use std::path::{Path, PathBuf};

use contract::{Check, Checked};
use serde_json::Value;

/// Every file a reference directory holds, each with its checker.
const REGISTRY: &[(&str, Check)] = &[
    ("README.md", Check::Text(readme_describes_every_file)),
    ("gradients.json", Check::Json(gradients::check)),
    ("optimizers.json", Check::Json(optimizers::check)),
    ("grad_clipping.json", Check::Json(clipping::check)),
    ("lr_schedules.json", Check::Json(schedules::check)),
    ("batchnorm.json", Check::Json(batchnorm::check_layer)),
    ("batchnorm_mlp.json", Check::Json(batchnorm::check_mlp)),
    ("moons_seed.json", Check::Json(moons::check)),
    ("training_trajectory.json", Check::Json(trajectory::check)),
    ("regression_mse.json", Check::Json(regression::check)),
];

/// The schema's README is read by people, not compared; it must describe
/// every data file, so that none is checked against an undocumented schema.
fn readme_describes_every_file(text: &str) -> Checked<usize> {
    let files: Vec<&str> = REGISTRY
        .iter()
        .map(|&(name, _)| name)
        .filter(|name| name.ends_with(".json"))
        .collect();
    match files.iter().find(|name| !text.contains(&format!("`{name}`"))) {
        Some(name) => Err(format!("does not describe `{name}`")),
        None => Ok(files.len()),
    }
}

#[test]
fn every_reference_file_matches_pytorch_and_scikit_learn() {
    match contract::run(&contract::reference_dir(), REGISTRY) {
        Ok(checked) => {
            for (file, cases) in checked {
                eprintln!("{file}: cases checked: {cases}");
            }
        }
        Err(problems) => panic!("{problems}"),
    }
}

/// A directory of its own under the system's temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    /// An empty directory; `name` keeps tests that run at the same time apart.
    fn empty(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("backprop-reference-{}-{name}", std::process::id()));
        // Left over from an interrupted run, if anything.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        Self(dir)
    }

    /// A copy of the project's reference files.
    fn with_fixtures(name: &str) -> Self {
        let scratch = Self::empty(name);
        for &(file, _) in REGISTRY {
            std::fs::copy(contract::fixtures_dir().join(file), scratch.0.join(file)).expect("copy a fixture");
        }
        scratch
    }

    /// Rewrites `file` after `edit` changed its JSON.
    fn edit(&self, file: &str, edit: impl FnOnce(&mut Value)) {
        let path = self.0.join(file);
        let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read a fixture"))
            .expect("parse a fixture");
        edit(&mut json);
        std::fs::write(&path, json.to_string()).expect("write a fixture");
    }

    /// The contract's verdict, which must be a failure: its message.
    fn failure(&self) -> String {
        match contract::run(&self.0, REGISTRY) {
            Ok(checked) => panic!("the contract accepted {}: {checked:?}", self.0.display()),
            Err(problems) => problems,
        }
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Asserts that `failure` lists exactly the problems (one per file, below its
/// first line) that start with each of `expected`.
fn assert_problems(failure: &str, expected: &[&str]) {
    let listed: Vec<&str> = failure.lines().skip(1).collect();
    assert_eq!(listed.len(), expected.len(), "{failure}");
    for start in expected {
        assert!(
            listed.iter().any(|p| p.starts_with(start)),
            "no problem starting {start:?} in:\n{failure}"
        );
    }
}

#[test]
fn the_fixtures_hold_to_the_contract() {
    // The tests below break a copy of these; they must pass as they are.
    let scratch = Scratch::with_fixtures("intact");
    let checked = contract::run(scratch.path(), REGISTRY).expect("the fixtures pass");
    assert_eq!(checked.len(), REGISTRY.len());
}

#[test]
fn an_empty_directory_fails_naming_every_missing_file() {
    let scratch = Scratch::empty("empty");
    let failure = scratch.failure();
    let missing: Vec<String> = REGISTRY
        .iter()
        .map(|(file, _)| format!("{file}: missing"))
        .collect();
    let missing: Vec<&str> = missing.iter().map(String::as_str).collect();
    assert_problems(&failure, &missing);
}

#[test]
fn a_directory_that_does_not_exist_fails_naming_it() {
    let scratch = Scratch::empty("absent");
    let absent = scratch.path().join("misspelled");
    let failure = contract::run(&absent, REGISTRY).expect_err("no directory");
    assert!(
        failure.contains("misspelled") && failure.contains("cannot list"),
        "{failure}"
    );
}

#[test]
fn a_missing_file_fails_naming_it() {
    let scratch = Scratch::with_fixtures("missing");
    std::fs::remove_file(scratch.path().join("optimizers.json")).expect("remove a fixture");
    assert_problems(&scratch.failure(), &["optimizers.json: missing"]);
}

#[test]
fn an_unknown_file_fails_naming_it() {
    let scratch = Scratch::with_fixtures("unknown");
    // A misspelt name would otherwise never be read.
    std::fs::write(scratch.path().join("gradient.json"), "{}").expect("write");
    assert_problems(&scratch.failure(), &["gradient.json: unknown file"]);
}

#[test]
fn a_truncated_array_fails_naming_file_case_field_and_index() {
    let scratch = Scratch::with_fixtures("truncated");
    let pop = |v: &mut Value| {
        v.as_array_mut().expect("a list").pop();
    };
    scratch.edit(
        "gradients.json",
        |j| pop(&mut j["cases"][0]["grad_weights"][0][1]),
    );
    scratch.edit("optimizers.json", |j| {
        pop(&mut j["optimizers"][1]["params_after_step"])
    });
    scratch.edit("lr_schedules.json", |j| pop(&mut j["schedules"][0]["lr_pytorch"]));
    scratch.edit("training_trajectory.json", |j| {
        pop(&mut j["runs"][1]["loss_history"])
    });
    scratch.edit("batchnorm.json", |j| {
        pop(&mut j["running_stats_sequence"]["running_var_after_each"])
    });
    scratch.edit("batchnorm_mlp.json", |j| pop(&mut j["eval_output_activations"]));
    scratch.edit("grad_clipping.json", |j| {
        pop(&mut j["cases"][2]["clip_grad_value"]["grads_after"][0])
    });
    scratch.edit("moons_seed.json", |j| pop(&mut j["y_test"]));
    assert_problems(
        &scratch.failure(),
        &[
            "gradients.json: cases[0].grad_weights[0][1] (case \"sigmoid_bce__relu__2-10-8-1\"): length 9, expected 10",
            "optimizers.json: optimizers[1].params_after_step (case \"SGD(lr=0.1, momentum=0.9)\"): length 5, expected 6",
            "lr_schedules.json: schedules[0].lr_pytorch (case \"StepLR\"): length 50, expected 51",
            "training_trajectory.json: runs[1].loss_history (case \"GD\"): length 19, expected 20",
            "batchnorm.json: running_stats_sequence.running_var_after_each: length 2, expected 3",
            "batchnorm_mlp.json: eval_output_activations: length 15, expected 16",
            "grad_clipping.json: cases[2].clip_grad_value.grads_after[0] (case \"single_tensor\"): length 4, expected 5",
            "moons_seed.json: y_test: length 199, expected 200",
        ],
    );
}

#[test]
fn an_empty_case_list_fails_naming_it() {
    let scratch = Scratch::with_fixtures("no-cases");
    let empty = |v: &mut Value| *v = Value::Array(Vec::new());
    scratch.edit("gradients.json", |j| empty(&mut j["cases"]));
    scratch.edit("optimizers.json", |j| empty(&mut j["optimizers"]));
    scratch.edit("lr_schedules.json", |j| empty(&mut j["schedules"]));
    scratch.edit("training_trajectory.json", |j| empty(&mut j["runs"]));
    scratch.edit("grad_clipping.json", |j| empty(&mut j["cases"]));
    scratch.edit("batchnorm.json", |j| {
        empty(&mut j["running_stats_sequence"]["seq_batches"])
    });
    assert_problems(
        &scratch.failure(),
        &[
            "gradients.json: cases: an empty list of cases",
            "optimizers.json: optimizers: an empty list of cases",
            "lr_schedules.json: schedules: an empty list of cases",
            "training_trajectory.json: runs: an empty list of cases",
            "grad_clipping.json: cases: an empty list of cases",
            "batchnorm.json: running_stats_sequence.seq_batches: an empty list of cases",
        ],
    );
}

#[test]
fn a_field_neither_compared_nor_listed_fails_naming_it() {
    let scratch = Scratch::with_fixtures("unknown-field");
    scratch.edit("batchnorm.json", |j| j["affine"] = Value::Bool(true));
    scratch.edit("gradients.json", |j| j["cases"][3]["dropout"] = 0.1.into());
    scratch.edit("optimizers.json", |j| {
        j["optimizers"][6]["hyperparameters"]["nadam"] = Value::Bool(true)
    });
    scratch.edit("training_trajectory.json", |j| {
        j["runs"][0]["params_after_each_step"][4]["bn_gamma"] = Value::Array(Vec::new())
    });
    assert_problems(
        &scratch.failure(),
        &[
            "batchnorm.json: affine: a field the checker does not know",
            "gradients.json: cases[3].dropout (case \"sigmoid_bce__tanh__2-4-4-1\"): a field the checker does not know",
            "optimizers.json: optimizers[6].hyperparameters.nadam (case \"Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08)\"): a field the checker does not know",
            "training_trajectory.json: runs[0].params_after_each_step[4].bn_gamma (case \"Adam\"): a field the checker does not know",
        ],
    );
}

#[test]
fn a_setting_the_engine_does_not_have_fails_naming_it() {
    let scratch = Scratch::with_fixtures("unsupported");
    scratch.edit("batchnorm.json", |j| j["eps"] = 1e-3.into());
    scratch.edit("batchnorm_mlp.json", |j| j["bn_momentum"] = 0.01.into());
    scratch.edit("training_trajectory.json", |j| {
        j["hidden_activation"] = "swish".into()
    });
    scratch.edit("optimizers.json", |j| {
        j["optimizers"][4]["hyperparameters"]["centered"] = Value::Bool(true)
    });
    scratch.edit("grad_clipping.json", |j| {
        j["cases"][1]["clip_grad_norm"]["norm_type"] = 1.0.into()
    });
    scratch.edit("lr_schedules.json", |j| {
        j["schedules"][1]["torch_call"] = "torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1)".into()
    });
    scratch.edit("gradients.json", |j| {
        j["activation_definitions"]["swish"] = "f(z) = z * sigmoid(z)".into()
    });
    assert_problems(
        &scratch.failure(),
        &[
            "batchnorm.json: eps: 1e-3, but the engine's batch norm has the fixed value 1e-5",
            "batchnorm_mlp.json: bn_momentum: 1e-2, but the engine's batch norm has the fixed value 1e-1",
            "training_trajectory.json: hidden_activation: unknown value \"swish\"",
            "optimizers.json: optimizers[4].hyperparameters.centered (case \"RMSprop(lr=0.01, alpha=0.99, eps=1e-08)\"): true: centred RMSprop is not in the engine",
            "grad_clipping.json: cases[1].clip_grad_norm.norm_type (case \"small_norm_unchanged\"): 1: the engine clips by the L2 norm only",
            "lr_schedules.json: schedules[1].torch_call (case \"ExponentialLR\"): \"OneCycleLR\": a schedule the engine does not have",
            "gradients.json: activation_definitions.swish: unknown value \"swish\"",
        ],
    );
}

/// Inputs are read from the file, not assumed: changing one moves the
/// engine's numbers away from the file's.
#[test]
fn the_engine_is_set_up_from_the_files_inputs() {
    let scratch = Scratch::with_fixtures("inputs");
    scratch.edit("training_trajectory.json", |j| {
        j["hidden_activation"] = "tanh".into()
    });
    scratch.edit("batchnorm.json", |j| j["initial_running_mean"][2] = 0.5.into());
    scratch.edit("batchnorm_mlp.json", |j| j["hidden_activation"] = "elu".into());
    scratch.edit("gradients.json", |j| {
        j["activation_definitions"]["leaky_relu"] =
            "torch.nn.functional.leaky_relu(z, negative_slope=0.2)".into()
    });
    scratch.edit("lr_schedules.json", |j| j["base_lr"] = 0.2.into());
    assert_problems(
        &scratch.failure(),
        &[
            "training_trajectory.json: runs[0].loss_history[0] (case \"Adam\"): got",
            "batchnorm.json: running_mean_after[2]: got",
            "batchnorm_mlp.json: forward[0].a[",
            "gradients.json: cases[9].forward[0].a[",
            "lr_schedules.json: schedules[0].lr_pytorch[0] (case \"StepLR\"): got",
        ],
    );
}

/// A compared value off by one part in a million fails, naming its index, in
/// every file: among them fields the engine does not hand over as such
/// (clip_coef, batch_var_unbiased) and the end of a run (final_weights).
#[test]
fn a_changed_value_fails_naming_its_index() {
    let scratch = Scratch::with_fixtures("compared");
    let nudge = |v: &mut Value| *v = (v.as_f64().expect("a number") * (1.0 + 1e-6)).into();
    scratch.edit("grad_clipping.json", |j| {
        nudge(&mut j["cases"][1]["clip_grad_norm"]["clip_coef"])
    });
    scratch.edit("lr_schedules.json", |j| {
        nudge(&mut j["schedules"][2]["lr_closed_form"][7])
    });
    scratch.edit("batchnorm.json", |j| nudge(&mut j["batch_var_unbiased"][3]));
    scratch.edit("training_trajectory.json", |j| {
        nudge(&mut j["runs"][0]["final_weights"][1][4][2])
    });
    scratch.edit("moons_seed.json", |j| {
        j["y_test"][17] = (1 - j["y_test"][17].as_u64().expect("0 or 1")).into()
    });
    scratch.edit("gradients.json", |j| {
        nudge(&mut j["cases"][0]["data_loss_naive_bce"])
    });
    scratch.edit("optimizers.json", |j| {
        nudge(&mut j["optimizers"][9]["params_after_step"][5][1][3])
    });
    scratch.edit("batchnorm_mlp.json", |j| nudge(&mut j["grad_bn_beta"][1][6]));
    assert_problems(
        &scratch.failure(),
        &[
            "grad_clipping.json: cases[1].clip_grad_norm.clip_coef (case \"small_norm_unchanged\"): got",
            "lr_schedules.json: schedules[2].lr_closed_form[7] (case \"CosineAnnealingLR\"): got",
            "batchnorm.json: batch_var_unbiased[3]: got",
            "training_trajectory.json: runs[0].final_weights[1][4][2] (case \"Adam\"): got",
            "moons_seed.json: y_test[17]: got 0e0, expected 1e0",
            "gradients.json: cases[0].data_loss_naive_bce (case \"sigmoid_bce__relu__2-10-8-1\"): got",
            "optimizers.json: optimizers[9].params_after_step[5][1][3] (case \"Adagrad(lr=0.1)\"): got",
            "batchnorm_mlp.json: grad_bn_beta[1][6]: got",
        ],
    );
}

#[test]
fn the_mean_batch_norm_centres_with_is_compared() {
    let scratch = Scratch::with_fixtures("batch-mean");
    scratch.edit("batchnorm.json", |j| {
        j["batch_mean"][5] = (j["batch_mean"][5].as_f64().expect("a number") + 1e-6).into()
    });
    assert_problems(&scratch.failure(), &["batchnorm.json: batch_mean[5]: got"]);
}
