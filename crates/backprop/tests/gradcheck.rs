//! Backprop against central differences on seeded random networks: every
//! activation, every output and loss, with and without batch norm and
//! regularisation; and proof that the check catches a wrong gradient.

use backprop::teach::gradcheck::{GOOD, GradCheckConfig, Verdict, check};
use backprop::{Activation, ActivationKind, InitKind, Mlp, OutputLoss, Regularization};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// A seeded random net `[2, 5, 4, n_out]` and a batch of 8 rows with valid targets.
fn random_case(kind: ActivationKind, output: OutputLoss, bn: bool, seed: u64) -> (Mlp, Vec<f64>, Vec<f64>) {
    let n_out = if output == OutputLoss::SoftmaxCe { 3 } else { 1 };
    let act = Activation::from_kind(kind, 0.01, 1.0);
    let mut mlp = Mlp::new(&[2, 5, 4, n_out], &[act, act], output, bn).expect("valid");
    let mut rng = StdRng::seed_from_u64(seed);
    mlp.init(InitKind::XavierNormal, 0.5, &mut rng);
    // Non-zero biases, gammas and betas, so every parameter's gradient is exercised.
    for p in mlp.params.iter_mut() {
        *p += rng.random_range(-0.3..0.3);
    }
    let rows = 8;
    let x: Vec<f64> = (0..rows * 2).map(|_| rng.random_range(-2.0..2.0)).collect();
    let mut t = vec![0.0; rows * n_out];
    for r in 0..rows {
        match output {
            OutputLoss::SoftmaxCe => t[r * n_out + rng.random_range(0..n_out)] = 1.0,
            OutputLoss::SigmoidBce => t[r] = f64::from(u8::from(rng.random::<bool>())),
            OutputLoss::IdentityMse => t[r] = rng.random_range(-1.0..1.0),
        }
    }
    (mlp, x, t)
}

#[test]
fn backprop_matches_central_differences_for_every_activation_loss_bn_and_penalty() {
    let regs = [
        Regularization::None,
        Regularization::L2 { lambda: 1e-2 },
        Regularization::L1 { lambda: 1e-2 },
    ];
    let mut cases = 0;
    let mut worst: f64 = 0.0;
    let (mut checked, mut kinks) = (0, 0);
    for (k, &kind) in ActivationKind::ALL.iter().enumerate() {
        for (o, &output) in OutputLoss::ALL.iter().enumerate() {
            for bn in [false, true] {
                for (r, reg) in regs.into_iter().enumerate() {
                    let seed = (k * 100 + o * 10 + r) as u64 + u64::from(bn) * 1000;
                    let (mlp, x, t) = random_case(kind, output, bn, seed);
                    let results = check(&mlp, &x, &t, reg, GradCheckConfig::default(), None);
                    for res in &results {
                        worst = worst.max(res.max_rel_error);
                        assert_eq!(
                            res.verdict,
                            Verdict::Good,
                            "{kind:?} {output:?} bn={bn} {reg:?} layer {}: rel error {:e} (analytic {:e}, numerical {:e})",
                            res.layer,
                            res.max_rel_error,
                            res.analytic,
                            res.numerical
                        );
                        assert!(res.checked > 0);
                        checked += res.checked;
                        kinks += res.kinks;
                    }
                    cases += 1;
                }
            }
        }
    }
    assert!(worst < GOOD);
    // Kinks are rare at h = 1e-4: a check that skipped many parameters would prove little.
    assert!(
        kinks * 100 <= checked,
        "{kinks} of {checked} parameters sat on a kink"
    );
    eprintln!(
        "{cases} random nets, {checked} parameters checked, {kinks} on a kink; worst relative error {worst:e}"
    );
}

#[test]
fn a_wrong_gradient_is_caught() {
    let (mlp, x, t) = random_case(ActivationKind::Tanh, OutputLoss::SigmoidBce, false, 7);
    // Halve one weight's gradient in the second layer: the check must call that layer wrong.
    let target = mlp.layers()[1].w + 3;
    let halve = move |g: &mut [f64]| g[target] *= 0.5;
    let results = check(
        &mlp,
        &x,
        &t,
        Regularization::None,
        GradCheckConfig::default(),
        Some(&halve),
    );
    assert_eq!(results[0].verdict, Verdict::Good);
    assert_eq!(results[1].verdict, Verdict::Wrong, "{:?}", results[1]);
    assert_eq!(results[1].worst_param, target);
    assert_eq!(results[2].verdict, Verdict::Good);
}

#[test]
fn big_layers_are_sampled_and_biases_before_batch_norm_are_skipped() {
    let act = Activation::Tanh;
    let mut mlp = Mlp::new(&[2, 40, 40, 1], &[act, act], OutputLoss::SigmoidBce, true).expect("valid");
    mlp.init(InitKind::HeNormal, 0.5, &mut StdRng::seed_from_u64(3));
    let x: Vec<f64> = (0..12).map(|i| (i as f64 * 0.37).sin()).collect();
    let t: Vec<f64> = (0..6).map(|i| f64::from(i % 2)).collect();
    let config = GradCheckConfig {
        max_per_layer: 20,
        ..GradCheckConfig::default()
    };
    let results = check(&mlp, &x, &t, Regularization::None, config, None);
    assert_eq!(results[1].checked, 20, "1600 + 80 parameters sampled down to 20");
    assert_eq!(results[1].skipped, 40);
    assert_eq!(results[2].skipped, 0, "the output layer has no batch norm");
    assert!(results.iter().all(|r| r.verdict == Verdict::Good), "{results:?}");
}

#[test]
fn a_runs_check_uses_its_first_training_points_with_one_hot_targets() {
    use backprop::teach::gradcheck::{RUN_ROWS, check_trainer};
    use backprop::{TrainConfig, Trainer};
    // Three classes: softmax with one-hot targets, and L2 so the penalty is checked too.
    let config = TrainConfig::from_json(
        r#"{"seed":3,"dataset":{"kind":"spiral3","n_samples":200},
            "network":{"hidden":[4]},"regularization":{"kind":"l2","lambda":0.01}}"#,
    )
    .expect("valid");
    let mut run = Trainer::new(config).expect("valid");
    run.step_epoch();
    let data = run.data();
    assert!(
        data.n_train() > RUN_ROWS,
        "the run must have more points than the check uses"
    );
    // The same check by hand: the first RUN_ROWS rows, labels written one-hot.
    let mut t = vec![0.0; RUN_ROWS * 3];
    for (r, &c) in data.train_y[..RUN_ROWS].iter().enumerate() {
        t[r * 3 + usize::from(c)] = 1.0;
    }
    let by_hand = check(
        run.model(),
        &data.train_x[..RUN_ROWS * 2],
        &t,
        run.config().regularization,
        GradCheckConfig {
            max_per_layer: 5,
            ..GradCheckConfig::default()
        },
        None,
    );
    let results = check_trainer(&run, 5).expect("training points");
    assert_eq!(results, by_hand);
    assert!(
        results
            .iter()
            .all(|l| l.checked == 5 && l.verdict == Verdict::Good),
        "{results:?}"
    );
    // Asked for none, at least one parameter per layer is compared.
    assert!(
        check_trainer(&run, 0)
            .expect("training points")
            .iter()
            .all(|l| l.checked == 1)
    );
}

#[test]
fn a_run_without_training_points_has_nothing_to_check() {
    use backprop::teach::gradcheck::check_trainer;
    use backprop::{DataSource, TrainConfig, Trainer};
    let mut config = TrainConfig::default();
    config.dataset.kind = DataSource::Custom;
    let mut run = Trainer::new(config).expect("valid");
    assert!(check_trainer(&run, 64).is_none());
    // A test point alone is still no training point.
    run.add_point(0.5, 0.5, 1, true).expect("valid point");
    assert!(check_trainer(&run, 64).is_none());
    run.add_point(0.5, 0.5, 1, false).expect("valid point");
    assert_eq!(check_trainer(&run, 64).map(|r| r.len()), Some(3));
}
