//! Model files: what the page writes always imports and continues bit for
//! bit, and a file whose counters or optimizer state no run could have
//! written is refused with the field and the value named.

use backprop::io::model_io::{export_model, import_model};
use backprop::train::Status;
use backprop::train::optim::AdamConfig;
use backprop::{OptimizerConfig, TrainConfig, Trainer};
use serde_json::{Value, json};

fn trainer(config: &str) -> Trainer {
    Trainer::new(TrainConfig::from_json(config).unwrap_or_else(|e| panic!("{config}: {e}"))).expect("valid")
}

fn trained(config: &str, epochs: usize) -> Trainer {
    let mut t = trainer(config);
    for _ in 0..epochs {
        t.step_epoch();
    }
    t
}

/// `t`'s export with `edit` applied to its JSON.
fn edited(t: &Trainer, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&export_model(t)).expect("an export is JSON");
    edit(&mut v);
    v.to_string()
}

/// Imports `text`, which must fail at `field` with `value` in the message.
fn refused(text: &str, field: &str, value: &str) {
    let e = import_model(text).map(|_| ()).expect_err(field);
    assert_eq!(e.field(), field, "{e}");
    assert!(
        e.to_string().contains(value),
        "{field}: the value {value} is not named in {e:?}"
    );
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

const ADAM: &str = r#"{"optimizer":{"kind":"adam","lr":0.01}}"#;

#[test]
fn counters_no_javascript_number_holds_exactly_are_refused() {
    let t = trained(ADAM, 3);
    for (path, value) in [
        ("/epoch", u64::MAX),
        ("/step", u64::MAX),
        ("/optimizer/t", u64::MAX),
        ("/step", (1 << 53) + 1),
    ] {
        let text = edited(&t, |v| {
            *v.pointer_mut(path).expect("a field of the file") = json!(value)
        });
        let field = format!("model{}", path.replace('/', "."));
        refused(&text, &field, &value.to_string());
        let e = import_model(&text).map(|_| ()).expect_err(path);
        assert!(e.to_string().contains("at most 9007199254740991"), "{e}");
    }
}

#[test]
fn counters_that_contradict_each_other_are_refused() {
    let t = trained(r#"{"batch_size":100,"optimizer":{"kind":"adam","lr":0.01}}"#, 3);
    assert_eq!((t.epoch(), t.steps(), t.optimizer().steps()), (3, 24, 24));
    // Every epoch takes at least one step.
    refused(&edited(&t, |v| v["epoch"] = json!(25)), "model.epoch", "25");
    // The optimizer cannot have taken more steps than the run, plus one that diverged.
    refused(
        &edited(&t, |v| v["optimizer"]["t"] = json!(26)),
        "model.optimizer.t",
        "26",
    );
    // Each bound itself is a count some run has.
    for (epoch, t_opt) in [(24, 24), (0, 25), (3, 1)] {
        let text = edited(&t, |v| {
            v["epoch"] = json!(epoch);
            v["optimizer"]["t"] = json!(t_opt);
        });
        import_model(&text).unwrap_or_else(|e| panic!("epoch {epoch}, t {t_opt}: {e}"));
    }
}

#[test]
fn optimizer_state_no_optimizer_could_hold_is_refused() {
    let adam = trained(ADAM, 3);
    let rmsprop = trained(r#"{"optimizer":{"kind":"rmsprop","lr":0.01,"momentum":0.5}}"#, 3);
    let adagrad = trained(r#"{"optimizer":{"kind":"adagrad","lr":0.05}}"#, 3);
    let sgd = trained(
        r#"{"optimizer":{"kind":"sgd","lr":0.1,"momentum":{"classic":0.9}}}"#,
        3,
    );
    let set =
        |t: &Trainer, buffer: &str, i: usize, x: f64| edited(t, |v| v["optimizer"][buffer][i] = json!(x));
    // Second moments and sums of squares are never negative.
    refused(&set(&adam, "s2", 4, -1e-6), "model.optimizer.s2[4]", "-0.000001");
    refused(&set(&adam, "s3", 0, -2.0), "model.optimizer.s3[0]", "-2");
    refused(&set(&rmsprop, "s2", 7, -0.5), "model.optimizer.s2[7]", "-0.5");
    refused(&set(&adagrad, "s1", 2, -3.0), "model.optimizer.s1[2]", "-3");
    // First moments and momentum buffers may have either sign.
    for (t, buffer) in [(&adam, "s1"), (&rmsprop, "s1"), (&sgd, "s1")] {
        import_model(&set(t, buffer, 0, -0.25)).unwrap_or_else(|e| panic!("{buffer}: {e}"));
    }
    // A buffer this optimizer never writes holds 0.
    refused(&set(&sgd, "s2", 1, 0.5), "model.optimizer.s2[1]", "0.5");
    refused(&set(&adagrad, "s3", 3, 1.0), "model.optimizer.s3[3]", "1");
    refused(&set(&rmsprop, "s3", 0, 2.0), "model.optimizer.s3[0]", "2");
    // One value per parameter.
    let short = edited(&adam, |v| {
        v["optimizer"]["s2"].as_array_mut().expect("a buffer").pop();
    });
    refused(
        &short,
        "model.optimizer.s2",
        &(adam.model().params.len() - 1).to_string(),
    );
    // Before its first step (t = 0) an optimizer holds its starting state.
    // Adagrad's sum starts at one initial value for every parameter, the
    // other buffers at 0: `start` is that state, then s1[i] = x.
    let fresh = |t: &Trainer, start: f64, i: usize, x: f64| {
        edited(t, |v| {
            v["optimizer"]["t"] = json!(0);
            for b in ["s1", "s2", "s3"] {
                let first = if b == "s1" { start } else { 0.0 };
                v["optimizer"][b] = json!(vec![first; t.model().params.len()]);
            }
            v["optimizer"]["s1"][i] = json!(x);
        })
    };
    refused(&fresh(&adam, 0.0, 5, 0.125), "model.optimizer.s1[5]", "0.125");
    refused(&fresh(&adagrad, 0.1, 5, 7.0), "model.optimizer.s1[5]", "7");
    refused(&fresh(&adagrad, 0.1, 0, 7.0), "model.optimizer.s1[1]", "0.1");
    import_model(&fresh(&adagrad, 0.1, 0, 0.1)).expect("Adagrad's start");
    import_model(&fresh(&adam, 0.0, 0, 0.0)).expect("Adam's start");
}

#[test]
fn points_labels_and_statistics_outside_their_range_are_refused() {
    let mut t = trainer(r#"{"dataset":{"kind":"custom"},"network":{"batch_norm":true}}"#);
    for (i, (x, y)) in [(-1.0, 0.0), (1.0, 0.2), (-0.8, 0.5), (0.9, -0.3)]
        .into_iter()
        .enumerate()
    {
        t.add_point(x, y, (i % 2) as u8, i == 3).expect("valid point");
    }
    t.step_epoch();
    refused(
        &edited(&t, |v| v["data"]["test"][1] = json!(2)),
        "model.data.test[1]",
        "2",
    );
    refused(
        &edited(&t, |v| v["data"]["labels"][2] = json!(2)),
        "model.data.labels[2]",
        "2",
    );
    refused(
        &edited(&t, |v| v["running"][0]["var"][3] = json!(-0.5)),
        "model.running[0].var[3]",
        "-0.5",
    );
    let short = edited(&t, |v| {
        v["running"][1]["mean"].as_array_mut().expect("means").pop();
    });
    refused(&short, "model.running[1].mean", "7");
}

/// Steps both runs `epochs` epochs and asserts they stay identical to the bit.
fn assert_continue_identically(name: &str, a: &mut Trainer, b: &mut Trainer, epochs: usize) {
    let before = a.history().len();
    for _ in 0..epochs {
        assert_eq!(a.step_epoch(), b.step_epoch(), "{name}");
    }
    assert_eq!((a.epoch(), a.steps()), (b.epoch(), b.steps()), "{name}: counters");
    assert_eq!(
        bits(&a.model().params),
        bits(&b.model().params),
        "{name}: parameters"
    );
    let (sa, sb) = (a.optimizer().state(), b.optimizer().state());
    assert_eq!(sa.0, sb.0, "{name}: optimizer steps");
    for (x, y) in [(sa.1, sb.1), (sa.2, sb.2), (sa.3, sb.3)] {
        assert_eq!(bits(x), bits(y), "{name}: optimizer state");
    }
    assert_eq!(b.history().len(), epochs, "{name}");
    for (col_a, col_b) in [
        (&a.history().train_loss, &b.history().train_loss),
        (&a.history().test_acc, &b.history().test_acc),
        (&a.history().lr, &b.history().lr),
    ] {
        assert_eq!(bits(&col_a[before..]), bits(col_b), "{name}: the epochs' figures");
    }
}

#[test]
fn every_file_the_page_writes_imports_and_continues_bit_for_bit() {
    let optimizers = [
        r#"{"kind":"sgd","lr":0.1}"#,
        r#"{"kind":"sgd","lr":0.05,"momentum":{"classic":0.9}}"#,
        r#"{"kind":"sgd","lr":0.05,"momentum":{"nesterov":0.9}}"#,
        r#"{"kind":"rmsprop","lr":0.01,"momentum":0.5}"#,
        r#"{"kind":"adam","lr":0.01}"#,
        r#"{"kind":"adam","lr":0.01,"amsgrad":true}"#,
        r#"{"kind":"adamw","lr":0.01}"#,
        r#"{"kind":"adagrad","lr":0.05,"initial_accumulator_value":0.1}"#,
    ];
    // Classification, with clipping (counted per epoch), and regression (R² sums).
    let setups = [
        "",
        r#","clipping":{"kind":"norm","max_norm":0.5}"#,
        r#","network":{"output":"identity_mse"}"#,
    ];
    // Trained as set up; after a switch to this optimizer from another kind
    // (fresh state, so its step count is below the run's); and with the batch
    // size changed part-way through an epoch. Saved at the end of an epoch,
    // or in the middle of one.
    let histories = ["plain", "switched", "rebatched"];
    for opt in optimizers {
        for setup in setups {
            for history in histories {
                for mid_epoch in [false, true] {
                    let config = format!(
                        r#"{{"batch_size":64,"dataset":{{"n_samples":300}},"optimizer":{opt}{setup}}}"#
                    );
                    let name = format!("{opt}{setup} {history}, mid-epoch {mid_epoch}");
                    round_trip(&name, &config, history, mid_epoch);
                }
            }
        }
    }
}

/// Trains a run of `config` through `history`, saves it, and checks the
/// loaded copy continues identically.
fn round_trip(name: &str, config: &str, history: &str, mid_epoch: bool) {
    let mut a = trainer(config);
    let target = a.config().clone();
    if history == "switched" {
        let mut other = target.clone();
        other.optimizer = if config.contains("adam") {
            OptimizerConfig::default()
        } else {
            OptimizerConfig::Adam(AdamConfig::default())
        };
        a.update_live(other).expect("a live switch");
    }
    for _ in 0..3 {
        a.step_epoch();
    }
    if history == "rebatched" {
        a.step_batch();
        let mut c = target.clone();
        c.batch_size = Some(50);
        a.update_live(c).expect("a live batch size");
    } else {
        a.update_live(target).expect("back to the run's own optimizer");
    }
    for _ in 0..2 {
        a.step_epoch();
    }
    if mid_epoch {
        a.step_batch();
        a.step_batch();
        assert!(a.epoch_progress().rows > 0, "{name}: part-way through an epoch");
    }
    assert_eq!(a.status(), Status::Ready, "{name}");
    if history == "switched" {
        assert!(
            a.optimizer().steps() < a.steps(),
            "{name}: the optimizer started later"
        );
    }
    let mut b = import_model(&export_model(&a)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(b.config(), a.config(), "{name}");
    assert_continue_identically(name, &mut a, &mut b, 3);
}

#[test]
fn a_run_that_diverged_exports_a_file_that_imports() {
    // The step that diverged updated the optimizer (t = steps + 1) but did not
    // complete; the page can still export the run, with its finite weights.
    for batch in ["null", "64"] {
        let config = format!(
            r#"{{"batch_size":{batch},"optimizer":{{"kind":"sgd","lr":1000,"momentum":{{"classic":0.9}}}}}}"#
        );
        let mut t = trained(&config, 5);
        assert!(matches!(t.status(), Status::Diverged { .. }), "{:?}", t.status());
        assert_eq!(t.optimizer().steps(), t.steps() + 1);
        if batch == "64" {
            assert_eq!(
                t.epoch_progress().rows,
                64,
                "it diverged part-way through an epoch"
            );
        }
        let b = import_model(&export_model(&t)).unwrap_or_else(|e| panic!("batch {batch}: {e}"));
        assert_eq!(
            (b.epoch(), b.steps(), b.optimizer().steps()),
            (t.epoch(), t.steps(), t.steps() + 1)
        );
        assert_eq!(
            b.epoch_progress(),
            t.epoch_progress(),
            "only completed steps are summed"
        );
        t.step_epoch();
        assert_eq!(
            t.steps() + 1,
            t.optimizer().steps(),
            "the diverged run stays as it was"
        );
    }
}

#[test]
fn progress_through_an_epoch_no_run_could_have_is_refused() {
    // 240 training points in batches of 64: 128 rows are two steps.
    let mut t = trained(
        r#"{"batch_size":64,"dataset":{"n_samples":300},"clipping":{"kind":"norm","max_norm":0.01}}"#,
        2,
    );
    t.step_batch();
    t.step_batch();
    let p = t.epoch_progress();
    assert_eq!((p.rows, p.clipped), (128, 2));
    let set = |key: &str, x: Value| edited(&t, |v| v["progress"][key] = x);
    refused(&set("rows", json!(100)), "model.progress.rows", "100");
    refused(&set("rows", json!(256)), "model.progress.rows", "256");
    refused(&set("correct", json!(129)), "model.progress.correct", "129");
    refused(&set("correct", json!(12.5)), "model.progress.correct", "12.5");
    refused(&set("clipped", json!(3)), "model.progress.clipped", "3");
    // R² sums belong to regression only.
    refused(&set("ss_res", json!(1.5)), "model.progress.ss_res", "1.5");
    // At the start of an epoch nothing has been summed.
    let start = edited(&t, |v| {
        v["progress"]["rows"] = json!(0);
        v["progress"]["clipped"] = json!(0);
        v["progress"]["correct"] = json!(0);
    });
    refused(&start, "model.progress.loss", &p.loss.to_string());
    let mut mse = trained(r#"{"batch_size":64,"network":{"output":"identity_mse"}}"#, 1);
    mse.step_batch();
    refused(
        &edited(&mse, |v| v["progress"]["t_sq"] = json!(-4)),
        "model.progress.t_sq",
        "-4",
    );
}

#[test]
fn a_loaded_run_shows_no_health_figures_until_it_steps() {
    // The update ratio compares the weights with those before the last step,
    // which the file does not hold: before a step there is nothing to show.
    let a = trained(ADAM, 3);
    assert_eq!(a.health().len(), 3);
    let mut b = import_model(&export_model(&a)).expect("own export");
    assert!(b.health().is_empty(), "{:?}", b.health().first());
    b.step_batch();
    assert_eq!(b.health().len(), 3);
    assert!(
        b.health()
            .iter()
            .all(|h| h.update_ratio > 0.0 && h.grad_norm > 0.0)
    );
}
