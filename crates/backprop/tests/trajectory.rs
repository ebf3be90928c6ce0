//! Full-batch training through `Trainer`, step by step, against PyTorch
//! (every run of `training_trajectory.json`: GD and Adam, 20 steps each).

mod common;

use backprop::optim::{AdamConfig, SgdConfig};
use backprop::{Data, DataSource, OptimizerConfig, TrainConfig, Trainer};
use common::{assert_close_tol, f, flat, load, mat, set_params, vec1};

/// Twenty steps of float64 round-off compound; PyTorch and we agree to ~1e-13
/// here, and 1e-8 relative still catches any real difference in the maths.
const TRAJ_ABS: f64 = 1e-10;
const TRAJ_REL: f64 = 1e-8;

#[test]
fn every_trajectory_matches_pytorch_step_by_step() {
    let Some(file) = load("training_trajectory.json") else {
        return;
    };
    let x = mat(&file["X"]);
    let y: Vec<u8> = flat(&file["y"]).into_iter().map(|v| v as u8).collect();
    let runs = file["runs"].as_array().expect("runs");
    for run in runs {
        let name = run["optimizer"].as_str().expect("optimizer");
        let lr = f(&run["hyperparameters"]["lr"]);
        let optimizer = match name {
            "Adam" => OptimizerConfig::Adam(AdamConfig {
                lr,
                beta1: f(&run["hyperparameters"]["betas"][0]),
                beta2: f(&run["hyperparameters"]["betas"][1]),
                eps: f(&run["hyperparameters"]["eps"]),
                ..AdamConfig::default()
            }),
            "GD" => OptimizerConfig::Sgd(SgdConfig {
                lr,
                ..SgdConfig::default()
            }),
            other => panic!("unknown optimizer {other}"),
        };
        let mut config = TrainConfig {
            optimizer,
            ..TrainConfig::default()
        };
        config.dataset.kind = DataSource::Custom;
        let data = Data::from_parts(
            x.as_slice().expect("contiguous").to_vec(),
            y.clone(),
            vec![0; y.len()],
            2,
            false,
        )
        .expect("valid data");
        let mut trainer = Trainer::with_data(config, data).expect("valid run");
        set_params(
            trainer.model_mut(),
            &file["initial_weights"],
            &file["initial_biases"],
        );

        let losses = vec1(&run["loss_history"]);
        let after = run["params_after_each_step"]
            .as_array()
            .expect("params_after_each_step");
        for (t, (expected_loss, params)) in losses.iter().zip(after).enumerate() {
            trainer.step_batch();
            let got = trainer.last_step().loss;
            assert_close_tol(
                &format!("{name} loss before step {}", t + 1),
                &[got],
                &[*expected_loss],
                TRAJ_ABS,
                TRAJ_REL,
            );
            let model = trainer.model();
            for (l, layer) in model.layers().iter().enumerate() {
                assert_close_tol(
                    &format!("{name} W{l} after step {}", t + 1),
                    &model.params[layer.w_range()],
                    &flat(&params["weights"][l]),
                    TRAJ_ABS,
                    TRAJ_REL,
                );
                assert_close_tol(
                    &format!("{name} b{l} after step {}", t + 1),
                    &model.params[layer.b_range()],
                    &flat(&params["biases"][l]),
                    TRAJ_ABS,
                    TRAJ_REL,
                );
            }
        }
        let (final_loss, final_acc) = trainer.evaluate_train();
        assert_close_tol(
            &format!("{name} final loss"),
            &[final_loss],
            &[f(&run["final_loss"])],
            TRAJ_ABS,
            TRAJ_REL,
        );
        assert_eq!(
            final_acc,
            f(&run["final_train_accuracy"]),
            "{name} final accuracy"
        );
        assert_eq!(trainer.epoch(), 20, "full batch: one step per epoch");
    }
    eprintln!("{} trajectories matched", runs.len());
}
