//! Numerical faults: every one either trains (finite numbers throughout) or
//! stops with a clear diverged state within one epoch; nothing panics, and no
//! NaN is ever handed out as a prediction of a run that is still "ready".

use backprop::train::Status;
use backprop::{Data, DataSource, TrainConfig, Trainer};

fn custom(config: &str) -> TrainConfig {
    let mut c = TrainConfig::from_json(config).expect("valid");
    c.dataset.kind = DataSource::Custom;
    c
}

fn data(points: &[[f64; 2]], labels: &[u8], standardize: bool) -> Data {
    let flat: Vec<f64> = points.iter().flatten().copied().collect();
    Data::from_parts(flat, labels.to_vec(), vec![0; labels.len()], 2, standardize).expect("valid data")
}

/// Trains up to 31 epochs, one at a time, and checks the rule after each:
/// a ready run has only finite numbers (history, parameters, a prediction),
/// and a diverged one stopped in the epoch it was in, with a finite record
/// for every epoch it completed. The faults here are there from the first
/// step, so a run that diverges does so at epoch 0 or 1 (the first epoch
/// whose step sees the damaged weights). Returns the final status.
fn check(name: &str, mut t: Trainer) -> Status {
    for _ in 0..31 {
        let before = t.epoch();
        t.step_epoch();
        match t.status() {
            Status::Ready => {
                assert_eq!(t.epoch(), before + 1, "{name}: a ready run completes its epoch");
                assert_finite_while_ready(name, &mut t);
            }
            Status::Diverged { epoch, what, .. } => {
                assert_eq!(
                    epoch, before,
                    "{name}: divergence is reported in the epoch it happened"
                );
                assert_eq!(t.epoch(), before, "{name}: the epoch counter stops there");
                assert_eq!(
                    t.history().len() as u64,
                    before,
                    "{name}: one record per completed epoch"
                );
                assert!(
                    t.history().train_loss.iter().all(|v| v.is_finite()),
                    "{name}: no NaN reaches the history"
                );
                assert!(
                    epoch <= 1,
                    "{name}: a fault from the start, diverged only at epoch {epoch}"
                );
                eprintln!("{name}: stopped at epoch {epoch} ({what:?})");
                return t.status();
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    eprintln!(
        "{name}: {:?} after {} epochs, loss {:.3e}",
        t.status(),
        t.epoch(),
        t.last_step().loss
    );
    t.status()
}

fn assert_finite_while_ready(name: &str, t: &mut Trainer) {
    let mut out = [0.0];
    t.predict_data_space(&[0.0, 0.0], &mut out);
    assert!(
        t.history().train_loss.iter().all(|v| v.is_finite()),
        "{name}: a non-finite loss while ready"
    );
    assert!(t.model().is_finite(), "{name}: non-finite parameters while ready");
    assert!(out[0].is_finite(), "{name}: a NaN prediction while ready");
}

fn moons_like(scale: f64) -> (Vec<[f64; 2]>, Vec<u8>) {
    let mut pts = vec![];
    let mut labels = vec![];
    for i in 0..40 {
        let t = i as f64 / 40.0 * std::f64::consts::PI;
        pts.push([t.cos() * scale, t.sin() * scale]);
        labels.push(0);
        pts.push([(1.0 - t.cos()) * scale, (0.5 - t.sin()) * scale]);
        labels.push(1);
    }
    (pts, labels)
}

#[test]
fn huge_tiny_and_subnormal_inputs_train_or_stop_at_once() {
    for scale in [1e300, 1e150, 1e-300, 5e-324, 1e-200] {
        for standardize in [true, false] {
            let (pts, labels) = moons_like(scale);
            let t = Trainer::with_data(custom("{}"), data(&pts, &labels, standardize)).expect("valid run");
            let status = check(&format!("scale {scale:e}, standardize {standardize}"), t);
            if standardize && scale != 5e-324 {
                // The scaler brings any finite scale back to unit size, so these train.
                assert_eq!(status, Status::Ready, "standardised data at scale {scale:e}");
            }
        }
    }
}

#[test]
fn degenerate_data_trains() {
    // One class only: the loss goes to ~0 and everything stays finite.
    let pts: Vec<[f64; 2]> = (0..30).map(|i| [i as f64 * 0.1, (i as f64).sin()]).collect();
    let status = check(
        "one class",
        Trainer::with_data(custom("{}"), data(&pts, &[1; 30], true)).expect("valid"),
    );
    assert_eq!(status, Status::Ready);
    // Duplicate points with opposite labels: the best the net can do is 0.5.
    let dup = [[0.5, 0.5]; 20];
    let labels: Vec<u8> = (0..20).map(|i| (i % 2) as u8).collect();
    assert_eq!(
        check(
            "duplicates",
            Trainer::with_data(custom("{}"), data(&dup, &labels, true)).expect("valid")
        ),
        Status::Ready
    );
    // A feature with zero variance under standardisation.
    let flat: Vec<[f64; 2]> = (0..30).map(|i| [3.0, i as f64 * 0.1]).collect();
    let labels: Vec<u8> = (0..30).map(|i| u8::from(i >= 15)).collect();
    assert_eq!(
        check(
            "zero variance",
            Trainer::with_data(custom("{}"), data(&flat, &labels, true)).expect("valid")
        ),
        Status::Ready
    );
    // A single point.
    assert_eq!(
        check(
            "single point",
            Trainer::with_data(custom("{}"), data(&[[1.0, 2.0]], &[0], true)).expect("valid")
        ),
        Status::Ready
    );
}

#[test]
fn a_batch_larger_than_the_data_after_removals_still_trains() {
    let (pts, labels) = moons_like(1.0);
    let mut t = Trainer::with_data(custom(r#"{"batch_size":64}"#), data(&pts, &labels, true)).expect("valid");
    t.step_epoch();
    while t.data().len() > 5 {
        t.remove_nearest(0.0, 0.0);
    }
    assert_eq!(t.batch_size(), 5, "the batch is clamped to the data");
    assert_eq!(check("5 points, batch 64", t), Status::Ready);
}

#[test]
fn extreme_learning_rates_with_every_optimizer_train_or_stop_at_once() {
    for kind in ["sgd", "rmsprop", "adam", "adamw", "adagrad"] {
        for lr in [1e6, 1e3, 1e-6] {
            let c = TrainConfig::from_json(&format!(
                r#"{{"optimizer":{{"kind":"{kind}","lr":{lr}}},"dataset":{{"n_samples":200}}}}"#
            ))
            .expect("valid");
            check(&format!("{kind} lr {lr:e}"), Trainer::new(c).expect("valid"));
        }
    }
    // Momentum too, and with batch norm and clipping on.
    let c = TrainConfig::from_json(
        r#"{"optimizer":{"kind":"sgd","lr":1e6,"momentum":{"classic":0.9}},"network":{"batch_norm":true},"clipping":{"kind":"norm","max_norm":1}}"#,
    )
    .expect("valid");
    check(
        "momentum + bn + clipping at lr 1e6",
        Trainer::new(c).expect("valid"),
    );
}

/// Trains `healthy` epochs (each one must end ready), applies `fault` at that
/// epoch boundary, then steps on: the run must report divergence at epoch
/// `healthy` or the next (the one whose first step sees the damage), stop its
/// counters there, and do nothing more however often it is stepped.
fn diverges_in_time(name: &str, mut t: Trainer, healthy: u64, fault: impl FnOnce(&mut Trainer)) {
    for e in 1..=healthy {
        assert_eq!(t.step_epoch(), Status::Ready, "{name}: epoch {e} trains");
        assert_finite_while_ready(name, &mut t);
    }
    fault(&mut t);
    for _ in 0..5 {
        t.step_epoch();
    }
    let Status::Diverged { epoch, step, what } = t.status() else {
        panic!(
            "{name}: still {:?} at epoch {} after the fault at epoch {healthy}",
            t.status(),
            t.epoch()
        );
    };
    eprintln!("{name}: fault at epoch {healthy}, diverged at epoch {epoch} ({what:?})");
    assert!(
        epoch == healthy || epoch == healthy + 1,
        "{name}: the fault came at epoch {healthy}, divergence was reported at epoch {epoch}"
    );
    assert_eq!(
        (t.epoch(), t.steps()),
        (epoch, step),
        "{name}: the counters stop where it diverged"
    );
    assert_eq!(
        t.history().len() as u64,
        epoch,
        "{name}: no record of the diverged epoch"
    );
    assert!(
        t.history().train_loss.iter().all(|v| v.is_finite()),
        "{name}: no NaN reaches the history"
    );
    let params = t.model().params.clone();
    for _ in 0..3 {
        assert_eq!(
            t.step_epoch(),
            t.status(),
            "{name}: a diverged run stays diverged"
        );
        assert_eq!(t.step_batch(), t.status());
    }
    assert_eq!(
        (t.epoch(), t.steps()),
        (epoch, step),
        "{name}: stepping a diverged run counts nothing"
    );
    let same = t
        .model()
        .params
        .iter()
        .zip(&params)
        .all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(
        same && t.model().params.len() == params.len(),
        "{name}: nor changes a weight"
    );
}

#[test]
fn a_run_that_diverges_at_a_later_epoch_stops_within_one_epoch_of_it() {
    // The epochs at which the fault comes: early, and deep into a healthy run.
    for healthy in [7, 40] {
        for batch in ["null", "64"] {
            let config = format!(r#"{{"batch_size":{batch}}}"#);
            // The learning-rate slider pushed to 1e3 mid-run, as a learner might.
            let t = Trainer::new(TrainConfig::from_json(&config).expect("valid")).expect("valid");
            diverges_in_time(&format!("lr raised to 1e3, batch {batch}"), t, healthy, |t| {
                let mut c = t.config().clone();
                c.optimizer = c.optimizer.with_lr(1e3);
                t.update_live(c).expect("a live setting");
            });
            // A weight edited to a huge value in the network view.
            let t = Trainer::new(TrainConfig::from_json(&config).expect("valid")).expect("valid");
            diverges_in_time(
                &format!("a weight set to 1e300, batch {batch}"),
                t,
                healthy,
                |t| {
                    t.model_mut().params[0] = 1e300;
                },
            );
        }
    }
}
