//! The engine against PyTorch and scikit-learn, in float64: every case of
//! every reference file in the reference directory (`BACKPROP_REFERENCE_DIR`
//! when set, else `tests/fixtures/reference`), held to the contract in
//! `contract.rs`.

mod batchnorm;
mod clipping;
mod contract;
mod gradients;
mod moons;
mod network;
mod optimizers;
mod schedules;
mod trajectory;

use contract::{Check, Checked};

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
