//! "Why did it break?": each detector fires on a broken run made for it,
//! names the right epoch and layer, and each cure it offers, applied to the
//! config and trained again from the same seed, gives a run on which no
//! detector ever fires; and no detector fires on a grid of healthy runs.

use backprop::teach::diagnose::{Cure, Finding, Problem, Watch, diagnose};
use backprop::train::history::{History, Record};
use backprop::{Status, TrainConfig, Trainer};

/// How long a cured run (and every run of the healthy grid) trains: the
/// issue's 2,000 epochs.
const HEALTHY_EPOCHS: u64 = 2000;

/// A cured run must also learn: it ends within this much of the training
/// accuracy the data allows (the line the detectors draw between "far from
/// it" and not; a cured SGD run can still be slow: lr 3e-3 on the moons is
/// at 91 % after 2,000 epochs).
const CURED_ACC_GAP: f64 = 0.1;

/// Every run of the healthy grid ends within this much of the training
/// accuracy the data allows: its learning rate trains it well.
const GRID_ACC_GAP: f64 = 0.05;

fn config(json: &str) -> TrainConfig {
    TrainConfig::from_json(json).expect("valid config")
}

/// Trains `config` for up to `epochs` epochs, diagnosing after every one;
/// returns the first findings (and the epoch they appeared), if any, and the trainer.
fn first_findings(config: &TrainConfig, epochs: u64) -> (Option<(u64, Vec<Finding>)>, Trainer, Watch) {
    let mut t = Trainer::new(config.clone()).expect("valid run");
    let mut w = Watch::new(&t);
    for _ in 0..epochs {
        t.step_epoch();
        w.observe(&t);
        let found = w.diagnose(&t);
        if !found.is_empty() {
            return (Some((t.epoch(), found)), t, w);
        }
        if t.status() != Status::Ready {
            break;
        }
    }
    (None, t, w)
}

/// A broken run and what its diagnosis must say.
struct Scenario {
    name: &'static str,
    config: &'static str,
    /// The detector must have fired by this epoch…
    within: u64,
    /// …and, at the epoch its diagnosis is read, name this problem first…
    problem: Problem,
    /// …beginning at an epoch in this range…
    began: std::ops::RangeInclusive<u64>,
    /// …in this layer.
    layer: Option<usize>,
    /// The epoch the diagnosis is read (the first firing when `None`).
    read_at: Option<u64>,
}

/// Checks the scenario's diagnosis, then applies each cure it offers and
/// checks that every cured run, from the same seed, never sets a detector
/// off in `HEALTHY_EPOCHS` and trains to within `CURED_ACC_GAP` of what the
/// data allows.
fn check(s: &Scenario) {
    let broken = config(s.config);
    let (fired, mut t, mut w) = first_findings(&broken, s.within);
    let (epoch, mut found) =
        fired.unwrap_or_else(|| panic!("{}: nothing fired within {} epochs", s.name, s.within));
    if let Some(at) = s.read_at {
        while t.epoch() < at && t.status() == Status::Ready {
            t.step_epoch();
            w.observe(&t);
        }
        found = w.diagnose(&t);
    }
    let f = found
        .first()
        .unwrap_or_else(|| panic!("{}: nothing found at epoch {}", s.name, t.epoch()));
    assert_eq!(
        f.problem, s.problem,
        "{}: first fired at epoch {epoch}: {found:?}",
        s.name
    );
    assert!(
        s.began.contains(&f.began),
        "{}: began at {}, expected {:?}: {f:?}",
        s.name,
        f.began,
        s.began
    );
    assert_eq!(f.layer, s.layer, "{}: {f:?}", s.name);
    assert!(!f.cures.is_empty(), "{}: no cure offered", s.name);
    // Every cure offered, not only the first: a button that does not cure
    // teaches the wrong thing. All are tried before any failure is reported.
    let failures: Vec<String> = f
        .cures
        .iter()
        .filter_map(|cure| cure_fails(&broken, cure).map(|why| format!("{cure:?}: {why}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{}: cures that do not cure:\n{}",
        s.name,
        failures.join("\n")
    );
}

/// Applies `cure` to `broken` and trains the cured run from the same seed for
/// `HEALTHY_EPOCHS`, diagnosing after every epoch; why it is not cured (a
/// detector fired, the run stopped, or it ends further than `CURED_ACC_GAP`
/// from what the data allows), or None.
fn cure_fails(broken: &TrainConfig, cure: &Cure) -> Option<String> {
    let cured = cure.apply(broken);
    assert_eq!(cured.seed, broken.seed, "the cure keeps the seed");
    let (fired, t, w) = first_findings(&cured, HEALTHY_EPOCHS);
    if let Some((epoch, found)) = fired {
        let problems: Vec<_> = found.iter().map(|f| f.problem).collect();
        return Some(format!("{problems:?} fired at epoch {epoch}"));
    }
    if t.epoch() != HEALTHY_EPOCHS {
        return Some(format!("stopped at epoch {}: {:?}", t.epoch(), t.status()));
    }
    let acc = t.last_epoch().expect("trained").train_acc;
    (acc < w.reach() - CURED_ACC_GAP).then(|| format!("reaches {acc} of the data's {}", w.reach()))
}

#[test]
fn a_learning_rate_of_15_diverges_in_epoch_3_and_a_tenth_of_it_trains() {
    check(&Scenario {
        name: "divergence: SGD at lr 15",
        config: r#"{"optimizer":{"kind":"sgd","lr":15}}"#,
        within: 3,
        problem: Problem::Divergence,
        began: 1..=1,
        layer: None,
        // At epoch 2 the loss has exploded (14×); the run stops in epoch 3.
        read_at: Some(3),
    });
}

#[test]
fn a_learning_rate_of_12_explodes_the_loss_at_epoch_2_and_a_tenth_of_it_trains() {
    check(&Scenario {
        name: "exploding: SGD at lr 12",
        config: r#"{"optimizer":{"kind":"sgd","lr":12}}"#,
        within: 3,
        problem: Problem::Exploding,
        began: 2..=2,
        layer: None,
        read_at: None,
    });
}

#[test]
fn the_zero_initialised_network_plateaus_from_the_start_and_he_initialisation_trains() {
    check(&Scenario {
        name: "plateau: zero initialisation",
        config: r#"{"network":{"init":"zeros"}}"#,
        within: 201,
        problem: Problem::Plateau,
        began: 1..=1,
        layer: None,
        read_at: None,
    });
}

#[test]
fn the_jump_from_lr_12_leaves_the_second_layer_dead_and_a_tenth_of_it_trains() {
    check(&Scenario {
        name: "dead ReLUs: SGD at lr 12, read at epoch 100",
        config: r#"{"optimizer":{"kind":"sgd","lr":12}}"#,
        within: 3,
        problem: Problem::DeadRelu,
        began: 2..=2,
        layer: Some(1),
        read_at: Some(100),
    });
}

#[test]
fn tanh_units_started_twenty_times_too_wide_saturate_and_xavier_initialisation_trains() {
    check(&Scenario {
        name: "saturated: tanh, uniform init with a = 20",
        config: r#"{"network":{"activation":"tanh","init":"uniform","init_scale":20}}"#,
        within: 20,
        problem: Problem::Saturated,
        began: 1..=1,
        layer: Some(0),
        read_at: None,
    });
}

#[test]
fn adam_at_lr_0_3_swings_within_60_epochs_and_a_tenth_of_it_trains() {
    check(&Scenario {
        name: "lr too large: Adam at lr 0.3",
        config: r#"{"optimizer":{"kind":"adam","lr":0.3}}"#,
        within: 60,
        problem: Problem::LrTooLarge,
        began: 20..=50,
        layer: None,
        read_at: None,
    });
}

#[test]
fn sgd_at_lr_3e_5_barely_moves_and_a_hundred_times_it_trains() {
    check(&Scenario {
        name: "lr too small: SGD at lr 3e-5",
        config: r#"{"optimizer":{"kind":"sgd","lr":3e-5}}"#,
        within: 201,
        problem: Problem::LrTooSmall,
        began: 1..=1,
        layer: None,
        read_at: None,
    });
}

#[test]
fn a_wide_network_on_80_noisy_points_overfits_and_l2_holds_it() {
    check(&Scenario {
        name: "overfitting: [64, 64], Adam, 100 noisy moons",
        config: r#"{"dataset":{"n_samples":100,"noise":0.4},"network":{"hidden":[64,64]},"optimizer":{"kind":"adam","lr":0.01}}"#,
        within: 100,
        problem: Problem::Overfitting,
        began: 1..=20,
        layer: None,
        read_at: None,
    });
}

#[test]
fn twelve_sigmoid_layers_of_four_units_vanish_below_the_first_layer_from_the_start() {
    // He initialisation (the default) with sigmoids: each layer passes back
    // about a quarter of the gradient, so at epoch 100 the first layer gets
    // 1e-5 of the output layer's, and the loss sits at ln 2 from epoch 7.
    check(&Scenario {
        name: "vanishing: 12 sigmoid layers of 4 units",
        config: r#"{"network":{"hidden":[4,4,4,4,4,4,4,4,4,4,4,4],"activation":"sigmoid"}}"#,
        within: 210,
        problem: Problem::Vanishing,
        began: 1..=1,
        layer: Some(0),
        read_at: None,
    });
}

#[test]
fn a_run_before_its_first_epoch_and_a_run_without_points_have_nothing_to_diagnose() {
    let t = Trainer::new(config(r#"{"network":{"init":"zeros"}}"#)).expect("valid run");
    let mut w = Watch::new(&t);
    w.observe(&t);
    assert_eq!(w.scans().len(), 1, "a scan of the untrained network");
    assert!(w.diagnose(&t).is_empty());
    let mut drawn = Trainer::new(config(r#"{"dataset":{"kind":"custom"}}"#)).expect("valid run");
    drawn.step_epoch();
    let mut w = Watch::new(&drawn);
    w.observe(&drawn);
    assert!(w.reach().is_nan(), "no points: nothing to compare with");
    assert!(w.scans().is_empty(), "no points to scan");
    assert!(w.diagnose(&drawn).is_empty());
}

/// A history in which every record has `loss`, accuracy `acc` and per-layer gradient norms `norms`.
fn flat_history(epochs: usize, loss: f64, acc: f64, norms: &[f64]) -> History {
    let mut h = History::new(norms.len(), 4096, 1024);
    for e in 1..=epochs {
        h.push(Record {
            epoch: e as f64,
            train_loss: loss,
            train_acc: acc,
            test_loss: loss,
            test_acc: acc,
            lr: 0.1,
            clipped: 0.0,
            grad_norms: norms,
        });
    }
    h
}

#[test]
fn gradients_a_thousand_times_smaller_in_the_first_layer_under_a_flat_loss_are_vanishing() {
    // A sigmoid network whose first layer gets 1e-4 of the output layer's gradient.
    let config = config(r#"{"network":{"hidden":[8,8,8],"activation":"sigmoid"}}"#);
    let h = flat_history(300, 0.69, 0.5, &[1e-5, 1e-3, 1e-2, 0.1]);
    let view = |h| backprop::teach::diagnose::RunView {
        config: &config,
        status: Status::Ready,
        history: h,
        scans: &[],
        reach: 0.96,
    };
    let found = diagnose(&view(&h));
    let f = found.first().expect("a finding");
    assert_eq!(f.problem, Problem::Vanishing, "{found:?}");
    assert_eq!(f.layer, Some(0), "the layer nearest the input is the worst");
    assert_eq!(f.began, 1);
    // The same norms one order of magnitude apart: nothing vanishes.
    let h = flat_history(300, 0.69, 0.5, &[1e-2, 3e-2, 5e-2, 0.1]);
    assert!(
        !diagnose(&view(&h))
            .iter()
            .any(|f| f.problem == Problem::Vanishing)
    );
}

/// The grid's learning rates: each trains every data set well in 2,000 full-batch epochs.
const GRID: [(&str, &str); 4] = [
    ("SGD", r#"{"kind":"sgd","lr":0.1}"#),
    (
        "Momentum",
        r#"{"kind":"sgd","lr":0.03,"momentum":{"classic":0.9}}"#,
    ),
    ("RMSprop", r#"{"kind":"rmsprop","lr":0.003}"#),
    ("Adam", r#"{"kind":"adam","lr":0.003}"#),
];
const DATA_SETS: [&str; 7] = [
    "moons",
    "circles",
    "xor",
    "gaussians",
    "spiral",
    "spiral3",
    "tutorial",
];
const SEEDS: [u64; 3] = [0, 1, 2];

#[test]
fn no_detector_fires_on_any_healthy_run_of_the_grid() {
    let mut runs = 0;
    let mut table = String::new();
    for ds in DATA_SETS {
        for (name, opt) in GRID {
            for seed in SEEDS {
                let c = config(&format!(
                    r#"{{"seed":{seed},"dataset":{{"kind":"{ds}"}},"optimizer":{opt}}}"#
                ));
                let (fired, t, w) = first_findings(&c, HEALTHY_EPOCHS);
                assert!(fired.is_none(), "{ds} × {name}, seed {seed}: {fired:?}");
                assert_eq!(
                    t.epoch(),
                    HEALTHY_EPOCHS,
                    "{ds} × {name}, seed {seed}: {:?}",
                    t.status()
                );
                let last = t.last_epoch().expect("trained");
                // "Trains it well": close to what the data allows.
                assert!(
                    last.train_acc >= w.reach() - GRID_ACC_GAP,
                    "{ds} × {name}, seed {seed}: train accuracy {} against the data's {}",
                    last.train_acc,
                    w.reach()
                );
                table += &format!(
                    "{ds:>9} {name:>8} seed {seed}: train {:.3} test {:.3} (data allows {:.3})\n",
                    last.train_acc,
                    last.test_acc,
                    w.reach()
                );
                runs += 1;
            }
        }
    }
    println!("{table}");
    assert_eq!(runs, 7 * 4 * 3, "every data set × optimizer × seed ran");
}
