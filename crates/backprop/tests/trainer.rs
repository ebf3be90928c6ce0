//! The trainer end to end: configs and their errors, determinism, sanity
//! checks, divergence, mini-batches, point editing and live settings.

use backprop::train::Status;
use backprop::{DataSource, OptimizerConfig, TrainConfig, Trainer};

fn config(json: &str) -> TrainConfig {
    TrainConfig::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn error(json: &str) -> (String, String) {
    let e = TrainConfig::from_json(json).expect_err(json);
    (e.field().to_string(), e.to_string())
}

#[test]
fn the_default_config_is_the_tutorials_run() {
    let c = TrainConfig::from_json("{}").expect("empty object is valid");
    assert_eq!(c, TrainConfig::default());
    let t = Trainer::new(c).expect("valid");
    assert_eq!(t.model().sizes(), &[2, 10, 8, 1]);
    assert_eq!(t.model().output(), backprop::OutputLoss::SigmoidBce);
    assert_eq!(t.optimizer().config(), &OptimizerConfig::default());
    assert_eq!(t.optimizer().config().lr(), 0.1);
    assert_eq!((t.data().n_train(), t.data().n_test()), (800, 200));
    assert_eq!(t.batch_size(), 800, "full batch");
}

#[test]
fn bad_configs_name_the_field_and_the_value() {
    let cases: &[(&str, &str, &str)] = &[
        (r#"{"network":{"hidden":[10,0]}}"#, "network.hidden[1]", "0"),
        (r#"{"optimizer":{"kind":"sgd","lr":0}}"#, "optimizer.lr", "0"),
        (r#"{"optimizer":{"kind":"sgd","lr":-1}}"#, "optimizer.lr", "-1"),
        (
            r#"{"optimizer":{"kind":"sgd","lr":1e9}}"#,
            "optimizer.lr",
            "1000000000",
        ),
        (
            r#"{"optimizer":{"kind":"sgd","momentum":{"classic":1.0}}}"#,
            "optimizer.momentum",
            "1",
        ),
        (
            r#"{"optimizer":{"kind":"adam","beta1":1.0}}"#,
            "optimizer.beta1",
            "1",
        ),
        (
            r#"{"optimizer":{"kind":"adam","beta2":-0.1}}"#,
            "optimizer.beta2",
            "-0.1",
        ),
        (
            r#"{"optimizer":{"kind":"rmsprop","eps":0}}"#,
            "optimizer.eps",
            "0",
        ),
        (r#"{"batch_size":0}"#, "batch_size", "0"),
        (r#"{"dataset":{"noise":-1}}"#, "dataset.noise", "-1"),
        (r#"{"dataset":{"train_ratio":1.0}}"#, "dataset.train_ratio", "1"),
        (r#"{"dataset":{"train_ratio":0}}"#, "dataset.train_ratio", "0"),
        (r#"{"dataset":{"n_samples":0}}"#, "dataset.n_samples", "0"),
        (
            r#"{"dataset":{"kind":"spiral3"},"network":{"output":"sigmoid_bce"}}"#,
            "network.output",
            "3 classes",
        ),
        (r#"{"network":{"hidden":[400,400]}}"#, "network.layers", "100,000"),
        (
            r#"{"regularization":{"kind":"l2","lambda":-1}}"#,
            "regularization.lambda",
            "-1",
        ),
        (
            r#"{"clipping":{"kind":"norm","max_norm":0}}"#,
            "clipping.max_norm",
            "0",
        ),
        (
            r#"{"schedule":{"kind":"step","step_size":0,"gamma":0.5}}"#,
            "schedule.step_size",
            "0",
        ),
        // Decoding errors carry the path too: unknown names, unknown fields, wrong types.
        (r#"{"optimizer":{"kind":"adamx"}}"#, "optimizer.kind", "adamx"),
        (
            r#"{"network":{"activation":"relux"}}"#,
            "network.activation",
            "relux",
        ),
        (r#"{"dataset":{"nosie":0.1}}"#, "dataset.nosie", "nosie"),
        (r#"{"dataset":{"noise":"lots"}}"#, "dataset.noise", "lots"),
        (r#"{"seed":-5}"#, "seed", "-5"),
        (r#"[1,2]"#, "config", "JSON object"),
        (r#"{"seed":1"#, "config", "EOF"),
    ];
    for (json, field, value) in cases {
        let (f, message) = error(json);
        assert_eq!(&f, field, "{json} -> {message}");
        assert!(
            message.contains(value),
            "{json}: message {message:?} lacks {value:?}"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_run_bit_for_bit() {
    let c = config(r#"{"seed":11,"batch_size":32,"optimizer":{"kind":"adam","lr":0.01}}"#);
    let mut a = Trainer::new(c.clone()).expect("valid");
    let mut b = Trainer::new(c.clone()).expect("valid");
    for _ in 0..5 {
        a.step_epoch();
        b.step_epoch();
    }
    assert_eq!(a.model().params, b.model().params);
    assert_eq!(a.history().train_loss, b.history().train_loss);
    let mut other = Trainer::new(TrainConfig { seed: 12, ..c }).expect("valid");
    other.step_epoch();
    assert_ne!(other.model().params, a.model().params);
}

#[test]
fn initial_bce_is_ln2_with_small_weights_on_balanced_data() {
    let c = config(r#"{"network":{"init":"uniform","init_scale":0.001}}"#);
    let mut t = Trainer::new(c).expect("valid");
    t.step_batch();
    // With outputs ~0.5 everywhere, BCE = ln 2 up to O(weights).
    assert!(
        (t.last_step().loss - std::f64::consts::LN_2).abs() < 1e-3,
        "{}",
        t.last_step().loss
    );
}

#[test]
fn twenty_points_are_overfit_to_near_zero_loss() {
    let c = config(
        r#"{"seed":3,"dataset":{"n_samples":25,"noise":0.1},"network":{"hidden":[16,16]},
            "optimizer":{"kind":"adam","lr":0.01}}"#,
    );
    let mut t = Trainer::new(c).expect("valid");
    assert_eq!(t.data().n_train(), 20);
    for _ in 0..2000 {
        t.step_epoch();
    }
    let (loss, acc) = t.evaluate_train();
    assert!(loss < 0.01, "loss {loss}");
    assert_eq!(acc, 1.0);
}

#[test]
fn a_huge_learning_rate_on_the_default_net_stops_as_exploded() {
    // The loss stays finite (ReLU units die) but leaps by orders of magnitude.
    for lr in ["1e3", "1e6"] {
        let mut t =
            Trainer::new(config(&format!(r#"{{"optimizer":{{"kind":"sgd","lr":{lr}}}}}"#))).expect("valid");
        for _ in 0..50 {
            t.step_epoch();
        }
        let Status::Diverged { epoch, what, .. } = t.status() else {
            panic!("lr {lr}: status {:?}", t.status());
        };
        assert_eq!(what, backprop::train::Divergence::Exploded);
        assert!(epoch <= 2, "lr {lr}: stopped at epoch {epoch}");
        assert!(t.history().train_loss.iter().all(|v| v.is_finite()));
    }
    // A high but workable rate is not stopped.
    let mut t = Trainer::new(config(r#"{"optimizer":{"kind":"sgd","lr":10}}"#)).expect("valid");
    for _ in 0..50 {
        t.step_epoch();
    }
    assert_eq!(t.status(), Status::Ready);
}

#[test]
fn a_growing_loss_diverges_cleanly_and_stays_stopped() {
    // Linear units and MSE at lr 1e6: every step multiplies the error; it overflows.
    let c = config(
        r#"{"network":{"activation":"linear","output":"identity_mse"},"optimizer":{"kind":"sgd","lr":1e6}}"#,
    );
    let mut t = Trainer::new(c).expect("valid");
    for _ in 0..50 {
        t.step_epoch();
    }
    let Status::Diverged { epoch, .. } = t.status() else {
        panic!("lr 1e6 should diverge, status {:?}", t.status());
    };
    assert!(epoch < 50);
    let steps = t.steps();
    assert_eq!(t.step_batch(), t.status(), "a diverged run does nothing");
    assert_eq!(t.steps(), steps);
    assert!(
        t.history().train_loss.iter().all(|v| v.is_finite()),
        "no NaN reaches the history"
    );
}

#[test]
fn mini_batches_cover_the_epoch_in_shuffled_order() {
    let c = config(r#"{"batch_size":64,"dataset":{"n_samples":500}}"#);
    let mut t = Trainer::new(c).expect("valid");
    let n = t.data().n_train();
    let mut seen = vec![false; t.data().len()];
    while t.epoch() == 0 {
        t.step_batch();
        for &p in t.batch_points() {
            assert_eq!(
                t.data().test_flags()[p as usize],
                0,
                "only training points are batched"
            );
            seen[p as usize] = true;
        }
    }
    assert_eq!(
        seen.iter().filter(|&&s| s).count(),
        n,
        "every training point once"
    );
    assert_eq!(t.steps() as usize, n.div_ceil(64));
}

#[test]
fn points_can_be_added_and_removed_with_labels_checked() {
    let mut c = TrainConfig::default();
    c.dataset.kind = DataSource::Custom;
    let mut t = Trainer::new(c).expect("valid");
    assert_eq!(t.step_batch(), Status::NoData);
    let e = t.add_point(0.0, 0.0, 2, false).expect_err("two classes");
    assert_eq!(e.field(), "point.label");
    assert!(e.to_string().contains('2'));
    assert!(t.add_point(f64::NAN, 0.0, 0, false).is_err());
    t.add_point(-1.0, 0.0, 0, false).expect("valid");
    t.add_point(1.0, 0.0, 1, false).expect("valid");
    t.add_point(1.0, 1.0, 1, true).expect("valid");
    assert_eq!((t.data().n_train(), t.data().n_test()), (2, 1));
    assert_eq!(t.step_batch(), Status::Ready);
    assert_eq!(t.remove_nearest(0.9, 0.1), Some(1));
    assert_eq!(t.data().n_train(), 1);
    for _ in 0..3 {
        t.step_epoch();
    }
    assert_eq!(t.status(), Status::Ready, "a single training point still trains");
}

#[test]
fn live_settings_apply_without_reset_and_structure_changes_are_refused() {
    let mut t = Trainer::new(TrainConfig::default()).expect("valid");
    t.step_epoch();
    let mut c = t.config().clone();
    c.optimizer = c.optimizer.with_lr(0.05);
    c.batch_size = Some(100);
    t.update_live(c.clone()).expect("live");
    assert_eq!(t.epoch(), 1);
    assert_eq!(t.lr(), 0.05);
    assert_eq!(t.batch_size(), 100);
    t.step_epoch();
    assert_eq!(t.steps(), 1 + 8);
    c.network.hidden = vec![3];
    assert_eq!(t.update_live(c).expect_err("structure").field(), "network");
}

#[test]
fn no_hidden_layer_is_logistic_regression_and_three_classes_use_softmax() {
    let mut t = Trainer::new(config(
        r#"{"dataset":{"kind":"gaussians"},"network":{"hidden":[]}}"#,
    ))
    .expect("valid");
    assert_eq!(t.model().sizes(), &[2, 1]);
    for _ in 0..100 {
        t.step_epoch();
    }
    assert!(t.last_epoch().expect("epochs ran").test_acc > 0.9);
    let t = Trainer::new(config(r#"{"dataset":{"kind":"spiral3"}}"#)).expect("valid");
    assert_eq!(t.model().sizes(), &[2, 10, 8, 3]);
    assert_eq!(t.model().output(), backprop::OutputLoss::SoftmaxCe);
}

#[test]
fn the_tutorial_gd_run_reaches_95_percent_mean_test_accuracy_over_seeds_0_to_9() {
    let mut total = 0.0;
    for seed in 0..10 {
        let c = config(&format!(r#"{{"seed":{seed},"dataset":{{"kind":"tutorial"}}}}"#));
        let mut t = Trainer::new(c).expect("valid");
        for _ in 0..1000 {
            t.step_epoch();
        }
        total += t.last_epoch().expect("epochs ran").test_acc;
    }
    let mean = total / 10.0;
    eprintln!("tutorial GD, 1000 epochs, mean test accuracy over seeds 0-9: {mean:.4}");
    assert!(mean >= 0.95, "mean test accuracy {mean}");
}

#[test]
fn batch_norm_trains_and_predicts_with_running_statistics() {
    let c =
        config(r#"{"batch_size":32,"network":{"batch_norm":true},"optimizer":{"kind":"adam","lr":0.01}}"#);
    let mut t = Trainer::new(c).expect("valid");
    for _ in 0..30 {
        t.step_epoch();
    }
    assert!(t.last_epoch().expect("epochs").test_acc > 0.9);
    // Eval mode: a point's prediction does not depend on the other points it is predicted with.
    let (mut alone, mut crowd) = ([0.0], [0.0; 3]);
    t.predict_data_space(&[0.5, 0.25], &mut alone);
    t.predict_data_space(&[-1.0, 1.0, 0.5, 0.25, 2.0, -0.5], &mut crowd);
    assert_eq!(alone[0], crowd[1]);
    let running = &t.model().running[0];
    assert!(
        running.mean.iter().any(|&m| m != 0.0),
        "running statistics were updated"
    );
}

#[test]
fn regression_reports_r2_and_classification_does_not() {
    let mut t = Trainer::new(config(
        r#"{"network":{"output":"identity_mse"},"optimizer":{"kind":"adam","lr":0.01}}"#,
    ))
    .expect("valid");
    for _ in 0..50 {
        t.step_epoch();
    }
    let e = t.last_epoch().expect("epochs");
    // A trained regressor explains part of the label's variance (0.52 on the test set here).
    assert!(e.train_r2 > 0.0 && e.train_r2 <= 1.0, "train R² {}", e.train_r2);
    assert!(e.test_r2 > 0.0 && e.test_r2 <= 1.0, "test R² {}", e.test_r2);
    // R² = 1 - MSE / Var(t): check the test figure against the reported test loss.
    let labels = &t.data().test_y;
    let mean = labels.iter().map(|&c| f64::from(c)).sum::<f64>() / labels.len() as f64;
    let var = labels.iter().map(|&c| (f64::from(c) - mean).powi(2)).sum::<f64>() / labels.len() as f64;
    assert!((e.test_r2 - (1.0 - e.test_loss / var)).abs() < 1e-9);
    let mut c = Trainer::new(TrainConfig::default()).expect("valid");
    c.step_epoch();
    assert!(c.last_epoch().expect("epoch").test_r2.is_nan());
}

#[test]
fn a_run_too_big_for_its_buffers_is_refused_naming_the_field() {
    let e = Trainer::new(config(
        r#"{"dataset":{"n_samples":100000},"network":{"hidden":[4096,20]}}"#,
    ))
    .expect_err("80,000 rows x 4,119 units");
    assert_eq!(e.field(), "network.hidden");
    assert!(e.to_string().contains("4000000"), "{e}");
    assert!(
        Trainer::new(config(
            r#"{"dataset":{"n_samples":100000},"network":{"hidden":[16,16]}}"#
        ))
        .is_ok()
    );
}

/// A full batch is gathered once and reused: after the data or the batch size
/// changes, the next step must see the new rows. The step's gradient (taken
/// before the update) must equal the gradient over the current training set.
#[test]
fn full_batch_steps_see_every_change_to_the_data() {
    let mut c = TrainConfig::default();
    c.dataset.kind = DataSource::Custom;
    let mut t = Trainer::new(c).expect("valid");
    let check = |t: &mut Trainer, n: usize| {
        let expected = t.data_gradient();
        assert_eq!(t.step_batch(), Status::Ready);
        assert_eq!(t.batch_points().len(), n);
        let diff = t
            .grads()
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            diff < 1e-12,
            "stale batch: gradient differs by {diff} with {n} points"
        );
    };
    t.add_point(-1.0, 0.0, 0, false).expect("valid");
    t.add_point(1.0, 0.0, 1, false).expect("valid");
    check(&mut t, 2);
    check(&mut t, 2);
    t.add_point(0.0, 1.0, 1, false).expect("valid");
    check(&mut t, 3);
    t.remove_nearest(-1.0, 0.0);
    check(&mut t, 2);
    // Mini-batches and back to full batch.
    let mut live = t.config().clone();
    live.batch_size = Some(1);
    t.update_live(live.clone()).expect("live");
    t.step_batch();
    live.batch_size = None;
    t.update_live(live).expect("live");
    check(&mut t, 2);
}

#[test]
fn decode_json_leaves_validation_to_the_run_it_is_given_to() {
    let text = r#"{"optimizer":{"kind":"sgd","lr":-1}}"#;
    // Decoded only: the bindings hand it to `Trainer::new` or `update_live`,
    // which validate it, so a change is validated once.
    let decoded = TrainConfig::decode_json(text).expect("well-formed");
    assert_eq!(decoded.optimizer.lr(), -1.0);
    let field = |e: backprop::ConfigError| e.field().to_string();
    assert_eq!(
        field(Trainer::new(decoded.clone()).expect_err("lr")),
        "optimizer.lr"
    );
    let mut run = Trainer::new(TrainConfig::default()).expect("valid");
    assert_eq!(field(run.update_live(decoded).expect_err("lr")), "optimizer.lr");
    assert_eq!(
        field(TrainConfig::from_json(text).expect_err("lr")),
        "optimizer.lr"
    );
    // What is not a config at all is still refused when decoding.
    assert_eq!(
        field(TrainConfig::decode_json(r#"{"seed":"x"}"#).expect_err("type")),
        "seed"
    );
}

#[test]
fn every_history_series_is_found_by_its_name_and_no_other_name_is() {
    let mut t = Trainer::new(config(r#"{"seed": 3}"#)).expect("the default run");
    for _ in 0..3 {
        t.step_epoch();
    }
    let h = t.history();
    for name in backprop::train::history::History::SERIES {
        let col = h
            .series(name)
            .unwrap_or_else(|| panic!("series {name} is not found"));
        let want = if name == "grad_norms" {
            h.epoch.len() * h.n_layers()
        } else {
            h.epoch.len()
        };
        assert_eq!(col.len(), want, "series {name}");
    }
    assert_eq!(
        h.series("train_loss").map(<[f64]>::as_ptr),
        Some(h.train_loss.as_ptr())
    );
    assert_eq!(
        h.series("test_acc").map(<[f64]>::as_ptr),
        Some(h.test_acc.as_ptr())
    );
    assert!(h.series("loss").is_none());
    assert!(h.series("").is_none());
}

#[test]
fn statuses_are_named_as_the_page_speaks_of_them() {
    use backprop::train::Divergence;
    assert_eq!(Status::Ready.name(), "ready");
    assert_eq!(Status::NoData.name(), "no_data");
    assert_eq!(Status::StepLimit.name(), "step_limit");
    let diverged = Status::Diverged {
        epoch: 1,
        step: 2,
        what: Divergence::Exploded,
    };
    assert_eq!(diverged.name(), "diverged");
    assert_eq!(Divergence::Loss.name(), "loss");
    assert_eq!(Divergence::Parameters.name(), "parameters");
    assert_eq!(Divergence::Exploded.name(), "exploded");
}
