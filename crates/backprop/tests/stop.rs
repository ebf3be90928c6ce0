//! Stop conditions: a run stops at exactly the epoch its rule names, whatever
//! one call may train (a step, an epoch, a frame's epochs or a time budget),
//! full batch or mini-batch, and a call at the stop trains nothing.

use backprop::train::Status;
use backprop::train::stop::{Halt, Limit, Outcome, train};
use backprop::{Data, Stop, StopRule, TrainConfig, Trainer};

fn run(json: &str) -> Trainer {
    Trainer::new(TrainConfig::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"))).expect("valid")
}

fn rule(max_epochs: f64, target_acc: f64) -> StopRule {
    StopRule::new(max_epochs, target_acc).expect("a valid rule")
}

/// Calls `train` as a page's frames would (each call ends after `steps_per_call`
/// steps, like a spent time budget, or after `epochs_per_call` epochs) until it
/// halts for any other reason; returns that last outcome and the number of calls.
fn frames(
    t: &mut Trainer,
    rule: &StopRule,
    epochs_per_call: Option<u64>,
    steps_per_call: u64,
) -> (Outcome, usize) {
    for calls in 1..=1_000_000 {
        let limit = Limit {
            epochs: epochs_per_call,
            steps: None,
        };
        let out = train(t, rule, limit, |steps| steps < steps_per_call);
        if !matches!(out.halt, Halt::Budget | Halt::Limit) {
            return (out, calls);
        }
    }
    panic!("the run never stopped");
}

#[test]
fn max_epochs_stops_at_exactly_that_epoch_at_every_speed() {
    // Speeds as the page has them: 1, 5 and 100 epochs a frame, and "as fast as
    // possible" (no epoch limit; the budget ends a call after an odd number of
    // steps, so calls end mid-epoch too).
    for (epochs_per_call, steps_per_call) in [
        (Some(1), u64::MAX),
        (Some(5), u64::MAX),
        (Some(100), u64::MAX),
        (None, 37),
    ] {
        let mut t = run(r#"{"dataset":{"kind":"tutorial"}}"#);
        let (out, _) = frames(&mut t, &rule(1000.0, 0.0), epochs_per_call, steps_per_call);
        assert_eq!(
            out.halt,
            Halt::Stopped(Stop::MaxEpochs { epoch: 1000 }),
            "speed {epochs_per_call:?}"
        );
        assert_eq!(t.epoch(), 1000, "speed {epochs_per_call:?}");
        assert_eq!(t.steps(), 1000, "full batch: one step an epoch");
        assert_eq!(t.history().len(), 1000);
    }
}

#[test]
fn a_mini_batch_run_stops_at_the_end_of_the_named_epoch() {
    // 800 training points in batches of 32: 25 steps an epoch. A budget of 7
    // steps a call ends calls mid-epoch; the stop still lands on the boundary.
    let mut t = run(r#"{"batch_size":32}"#);
    let (out, calls) = frames(&mut t, &rule(3.0, 0.0), None, 7);
    assert_eq!(out.halt, Halt::Stopped(Stop::MaxEpochs { epoch: 3 }));
    assert_eq!((t.epoch(), t.steps()), (3, 75));
    assert_eq!(calls, 75_usize.div_ceil(7));
}

#[test]
fn max_epochs_of_one_stops_after_the_first_epoch() {
    let mut t = run("{}");
    let out = train(&mut t, &rule(1.0, 0.0), Limit::default(), |_| true);
    assert_eq!(
        out,
        Outcome {
            steps: 1,
            halt: Halt::Stopped(Stop::MaxEpochs { epoch: 1 })
        }
    );
    assert_eq!(t.epoch(), 1);
}

#[test]
fn a_call_at_the_stop_trains_nothing() {
    let mut t = run(r#"{"batch_size":100}"#);
    train(&mut t, &rule(2.0, 0.0), Limit::default(), |_| true);
    let (epoch, steps, params) = (t.epoch(), t.steps(), t.model().params.clone());
    assert_eq!(epoch, 2);
    // Play again, a step, an epoch: every call halts at once, naming the stop.
    for limit in [
        Limit::default(),
        Limit {
            steps: Some(1),
            epochs: None,
        },
        Limit {
            epochs: Some(1),
            steps: None,
        },
    ] {
        let out = train(&mut t, &rule(2.0, 0.0), limit, |_| true);
        assert_eq!(
            out,
            Outcome {
                steps: 0,
                halt: Halt::Stopped(Stop::MaxEpochs { epoch: 2 })
            }
        );
    }
    assert_eq!((t.epoch(), t.steps()), (epoch, steps));
    assert_eq!(t.model().params, params);
    // A rule whose epoch is already behind the run stops it where it is, too.
    let out = train(&mut t, &rule(1.0, 0.0), Limit::default(), |_| true);
    assert_eq!(
        out,
        Outcome {
            steps: 0,
            halt: Halt::Stopped(Stop::MaxEpochs { epoch: 2 })
        }
    );
    // Raising the stop lets it train on, to the new one.
    let out = train(&mut t, &rule(4.0, 0.0), Limit::default(), |_| true);
    assert_eq!(
        out,
        Outcome {
            steps: 16,
            halt: Halt::Stopped(Stop::MaxEpochs { epoch: 4 })
        }
    );
}

#[test]
fn single_steps_and_epochs_obey_the_stop() {
    // The step buttons: one mini-batch or one epoch at a time, up to the stop.
    let mut t = run(r#"{"batch_size":400}"#);
    let stop = rule(2.0, 0.0);
    let one_step = Limit {
        steps: Some(1),
        epochs: None,
    };
    let one_epoch = Limit {
        epochs: Some(1),
        steps: None,
    };
    assert_eq!(train(&mut t, &stop, one_step, |_| true).halt, Halt::Limit);
    assert_eq!((t.epoch(), t.steps()), (0, 1));
    // An epoch under way counts as the first: one more step finishes it.
    assert_eq!(
        train(&mut t, &stop, one_epoch, |_| true),
        Outcome {
            steps: 1,
            halt: Halt::Limit
        }
    );
    assert_eq!(t.epoch(), 1);
    let out = train(
        &mut t,
        &stop,
        Limit {
            epochs: Some(10),
            steps: None,
        },
        |_| true,
    );
    assert_eq!(
        out,
        Outcome {
            steps: 2,
            halt: Halt::Stopped(Stop::MaxEpochs { epoch: 2 })
        }
    );
}

#[test]
fn target_accuracy_stops_at_the_first_epoch_that_reaches_it() {
    // Where the unstopped run first reaches 90 % test accuracy, from its history.
    const TARGET: f64 = 0.9;
    let mut free = run("{}");
    for _ in 0..400 {
        free.step_epoch();
    }
    let h = free.history();
    let first = h
        .test_acc
        .iter()
        .position(|&a| a >= TARGET)
        .expect("the run reaches 90 % within 400 epochs");
    let expected = h.epoch[first] as u64;
    assert!(
        expected > 1,
        "the target is reached after a few epochs, not at once: {expected}"
    );

    for (epochs_per_call, steps_per_call) in [(Some(1), u64::MAX), (None, 13), (Some(100), u64::MAX)] {
        let mut t = run("{}");
        let (out, _) = frames(&mut t, &rule(0.0, TARGET), epochs_per_call, steps_per_call);
        let test_acc = h.test_acc[first];
        assert_eq!(
            out.halt,
            Halt::Stopped(Stop::TargetAcc {
                epoch: expected,
                test_acc
            })
        );
        assert_eq!(t.epoch(), expected);
    }
}

#[test]
fn a_target_reached_at_the_first_epoch_stops_there() {
    let mut t = run("{}");
    let out = train(&mut t, &rule(0.0, 0.01), Limit::default(), |_| true);
    assert_eq!(out.steps, 1);
    assert!(
        matches!(out.halt, Halt::Stopped(Stop::TargetAcc { epoch: 1, .. })),
        "{out:?}"
    );
    // Before any epoch there is no accuracy to reach the target with.
    let fresh = run("{}");
    assert_eq!(rule(0.0, 0.01).reached(&fresh), None);
}

#[test]
fn an_unreachable_target_leaves_the_stop_to_max_epochs() {
    let mut t = run(r#"{"dataset":{"noise":0.5}}"#);
    let out = train(&mut t, &rule(40.0, 1.0), Limit::default(), |_| true);
    assert_eq!(out.halt, Halt::Stopped(Stop::MaxEpochs { epoch: 40 }));
    let best = t.history().test_acc.iter().copied().fold(0.0, f64::max);
    assert!(best < 1.0, "noisy moons never reach 100 % test accuracy: {best}");
}

#[test]
fn max_epochs_is_named_when_both_stops_hold_at_one_epoch() {
    let mut t = run("{}");
    let out = train(&mut t, &rule(1.0, 0.01), Limit::default(), |_| true);
    assert_eq!(out.halt, Halt::Stopped(Stop::MaxEpochs { epoch: 1 }));
}

#[test]
fn without_test_points_the_target_never_stops_the_run() {
    let config = TrainConfig::from_json(r#"{"dataset":{"kind":"custom"}}"#).expect("valid");
    let mut data = Data::empty(2, true);
    for (x, y, label) in [(-1.0, 0.0, 0), (-0.8, 0.3, 0), (1.0, 0.0, 1), (0.9, -0.2, 1)] {
        data.add_point(x, y, label, false).expect("a point");
    }
    let mut t = Trainer::with_data(config, data).expect("valid");
    let out = train(&mut t, &rule(30.0, 0.01), Limit::default(), |_| true);
    assert_eq!(out.halt, Halt::Stopped(Stop::MaxEpochs { epoch: 30 }));
    assert!(
        t.last_epoch()
            .is_some_and(|e| e.test_acc.is_nan() && e.train_acc > 0.01)
    );
}

#[test]
fn a_budget_ends_a_call_after_the_steps_it_allows() {
    let mut t = run(r#"{"batch_size":10}"#);
    let out = train(&mut t, &StopRule::default(), Limit::default(), |steps| steps < 5);
    assert_eq!(
        out,
        Outcome {
            steps: 5,
            halt: Halt::Budget
        }
    );
    // The first step is always taken: a call makes progress whatever its budget.
    let out = train(&mut t, &StopRule::default(), Limit::default(), |_| false);
    assert_eq!(
        out,
        Outcome {
            steps: 1,
            halt: Halt::Budget
        }
    );
}

#[test]
fn a_run_that_cannot_train_says_why() {
    let mut t = run(r#"{"optimizer":{"kind":"sgd","lr":1000}}"#);
    let out = train(&mut t, &rule(100.0, 0.0), Limit::default(), |_| true);
    assert!(
        matches!(out.halt, Halt::NotReady(Status::Diverged { .. })),
        "{out:?}"
    );
    assert!(t.epoch() < 100);
    let config = TrainConfig::from_json(r#"{"dataset":{"kind":"custom"}}"#).expect("valid");
    let mut empty = Trainer::with_data(config, Data::empty(2, true)).expect("valid");
    let out = train(&mut empty, &rule(5.0, 0.0), Limit::default(), |_| true);
    assert_eq!(
        out,
        Outcome {
            steps: 0,
            halt: Halt::NotReady(Status::NoData)
        }
    );
}

#[test]
fn a_bad_rule_names_the_setting_and_the_value() {
    for (max, target, field, value) in [
        (-1.0, 0.0, "max_epochs", "-1"),
        (1.5, 0.0, "max_epochs", "1.5"),
        (f64::NAN, 0.0, "max_epochs", "NaN"),
        (1e300, 0.0, "max_epochs", "1000000000"),
        (0.0, 1.5, "target_acc", "1.5"),
        (0.0, -0.1, "target_acc", "-0.1"),
        (0.0, f64::NAN, "target_acc", "NaN"),
    ] {
        let e = StopRule::new(max, target).expect_err("invalid");
        assert_eq!(e.field(), field);
        assert!(e.to_string().contains(value), "{e}");
    }
    assert_eq!(
        StopRule::new(0.0, 0.0),
        Ok(StopRule::default()),
        "0 means no stop"
    );
}
