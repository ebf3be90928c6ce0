//! Counters at their maximum: a run whose step counter reaches `MAX_COUNTER`
//! stops with `Status::StepLimit` instead of wrapping, and the optimizer's
//! own step count neither wraps nor loses Adam's bias correction when it
//! passes what an `i32` holds. Every build behaves the same (the tests run
//! in debug, where an overflowing `+=` would panic).

use backprop::train::optim::AdamConfig;
use backprop::train::{MAX_COUNTER, Status};
use backprop::{Optimizer, OptimizerConfig, TrainConfig, Trainer};

fn trainer(json: &str) -> Trainer {
    Trainer::new(TrainConfig::from_json(json).expect("valid")).expect("valid")
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn a_run_at_the_step_limit_stops_and_counts_nothing_more() {
    for json in [
        r#"{"optimizer":{"kind":"adam","lr":0.01}}"#,
        r#"{"batch_size":64}"#,
    ] {
        let mut t = trainer(json);
        t.step_epoch();
        t.set_counters(MAX_COUNTER - 5, MAX_COUNTER - 1)
            .expect("within the limit");
        // The last step the counter can hold trains as any other.
        assert_eq!(t.step_batch(), Status::Ready, "{json}");
        assert_eq!(t.steps(), MAX_COUNTER);
        assert!(t.model().is_finite() && t.last_step().loss.is_finite());
        let (epoch, params) = (t.epoch(), t.model().params.clone());
        let opt_steps = t.optimizer().steps();
        // Then the run stops, and says why; an epoch ends at once rather than spin.
        assert_eq!(t.step_batch(), Status::StepLimit, "{json}");
        assert_eq!(t.step_epoch(), Status::StepLimit);
        assert_eq!(t.status(), Status::StepLimit);
        assert_eq!(
            (t.epoch(), t.steps()),
            (epoch, MAX_COUNTER),
            "{json}: nothing wraps"
        );
        assert_eq!(t.optimizer().steps(), opt_steps);
        assert_eq!(bits(&t.model().params), bits(&params), "{json}: no weight moves");
    }
}

#[test]
fn counters_beyond_the_limit_or_out_of_order_are_refused_by_the_setter() {
    let mut t = trainer("{}");
    t.step_epoch();
    for (epoch, step, field, value) in [
        (0, MAX_COUNTER + 1, "step", "9007199254740992"),
        (u64::MAX, u64::MAX, "epoch", "18446744073709551615"),
        (5, 4, "epoch", "5"),
    ] {
        let e = t.set_counters(epoch, step).expect_err(field);
        assert_eq!(e.field(), field, "{e}");
        assert!(e.to_string().contains(value), "{e}");
    }
    assert_eq!(
        (t.epoch(), t.steps()),
        (1, 1),
        "a refused setting changes nothing"
    );
    t.set_counters(MAX_COUNTER, MAX_COUNTER)
        .expect("the limit itself is a count");
    assert_eq!(t.step_batch(), Status::StepLimit);
}

#[test]
fn the_optimizer_step_count_saturates_instead_of_wrapping() {
    // Wrapped to 0, Adam's bias corrections would be 1 - beta^0 = 0 and the
    // update 0/0: a NaN blamed on the learner.
    let mut opt = Optimizer::new(OptimizerConfig::Adam(AdamConfig::default()), 2).expect("valid");
    opt.set_state(u64::MAX, &[0.1, -0.2], &[0.01, 0.04], &[0.0, 0.0])
        .expect("state an Adam can hold");
    let mut params = [1.0, 2.0];
    opt.step(&mut params, &[0.5, -0.5], 1e-3);
    assert_eq!(opt.steps(), u64::MAX);
    assert!(params.iter().all(|p| p.is_finite()), "{params:?}");
    assert!(
        params[0] < 1.0 && params[1] > 2.0,
        "it steps downhill: {params:?}"
    );
}

#[test]
fn adam_keeps_correcting_its_bias_past_two_to_the_31_steps() {
    // beta2 = 1 - 2^-32 and the step t = 2^33: beta2^t = exp(t ln(1 - 2^-32))
    // = exp(-2 - 2^-32 - …), so the second bias correction is 1 - e^-2 to
    // within 1e-10. With beta1 = 0 (m = g), v = 2^-32 g^2 and eps negligible,
    // the update is lr g / (sqrt(v) / sqrt(1 - e^-2)) = 2^16 sqrt(1 - e^-2)
    // for lr = g = 1. (Stopping the count at 2^31 - 1 would give
    // 1 - e^-0.5 instead: an update 0.67 times the size.)
    /// The e^-2·2^-32 term left out above, plus a few roundings of `powf`.
    const REL_TOL: f64 = 1e-9;
    let beta2 = 1.0 - (2.0f64).powi(-32);
    let c = AdamConfig {
        lr: 1.0,
        beta1: 0.0,
        beta2,
        eps: 1e-300,
        ..AdamConfig::default()
    };
    let mut opt = Optimizer::new(OptimizerConfig::Adam(c), 1).expect("valid");
    opt.set_state((1 << 33) - 1, &[0.0], &[0.0], &[0.0])
        .expect("valid state");
    let mut p = [0.0];
    opt.step(&mut p, &[1.0], 1.0);
    let expected = -(2.0f64).powi(16) * (1.0 - (-2.0f64).exp()).sqrt();
    assert!(
        ((p[0] - expected) / expected).abs() < REL_TOL,
        "update {} vs {expected}",
        p[0]
    );
}
