//! The bug hunt's deliberate mistakes stay in their module, and each one is
//! found where it is:
//! - the normal training path gives the same bits with and without the
//!   `bughunt` feature: its digest is recorded without the feature
//!   (`BLESS=1 cargo test -p backprop --no-default-features --test bughunt`
//!   rewrites it) and `cargo xtask test` checks it both ways;
//! - the per-layer gradient check flags every bug at its layer and at no
//!   layer above it (nor below it, for the bugs that stay in their layer),
//!   on random networks;
//! - each bug makes training misbehave measurably, except the missing
//!   transpose, which shows only in the gradient check.

use backprop::{TrainConfig, Trainer};

/// Two normal runs that cover the training path: the page's default
/// network (ReLU, SGD, full batch) and a tanh network with batch norm,
/// mini-batches, Adam, a penalty, clipping and a schedule.
const NORMAL_RUNS: [&str; 2] = [
    r#"{"seed":3}"#,
    r#"{"seed":11,"batch_size":32,"network":{"hidden":[8,8],"activation":"tanh","batch_norm":true},
        "optimizer":{"kind":"adam","lr":0.01},"regularization":{"kind":"l2","lambda":0.001},
        "clipping":{"kind":"norm","max_norm":1.0},"schedule":{"kind":"cosine","t_max":40,"eta_min":0.0}}"#,
];
const NORMAL_EPOCHS: usize = 40;

/// FNV-1a over the bit patterns of every epoch's losses and accuracies and the final parameters.
fn digest(config: &str) -> u64 {
    let mut t = Trainer::new(TrainConfig::from_json(config).expect("valid config")).expect("valid run");
    for _ in 0..NORMAL_EPOCHS {
        t.step_epoch();
    }
    assert_eq!(
        t.epoch(),
        NORMAL_EPOCHS as u64,
        "{config} stopped early: {:?}",
        t.status()
    );
    let h = t.history();
    let values = h
        .train_loss
        .iter()
        .chain(&h.test_loss)
        .chain(&h.train_acc)
        .chain(&h.test_acc);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for v in values.chain(&t.model().params) {
        for byte in v.to_bits().to_le_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[test]
fn normal_training_gives_the_bits_recorded_without_the_bug_hunt() {
    let text: String = NORMAL_RUNS
        .iter()
        .map(|c| format!("{:016x}\n", digest(c)))
        .collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/normal_digest.txt");
    if std::env::var_os("BLESS").is_some() {
        // Recorded only where the bug-hunt code does not exist, so the
        // build with it is compared against a build without it.
        if cfg!(feature = "bughunt") {
            panic!("bless the digest with --no-default-features");
        }
        std::fs::write(&path, &text).expect("write the digest");
    }
    let recorded =
        std::fs::read_to_string(&path).expect("the digest (BLESS=1 without the feature records it)");
    assert_eq!(
        text,
        recorded,
        "the normal path's bits changed (bughunt feature: {})",
        cfg!(feature = "bughunt")
    );
}

#[cfg(feature = "bughunt")]
mod hunt {
    use backprop::teach::bughunt::{Bug, BugKind, Hunt, hunt_config};
    use backprop::teach::gradcheck::Verdict;
    use backprop::{ActivationKind, DataSource, TrainConfig, Trainer};
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    /// A random network without batch norm: 1–4 hidden layers, some of
    /// equal width (so a transpose bug fits), smooth or kinked activations.
    /// Not ReLU: a layer of dead ReLUs has an all-zero gradient, so a bug in
    /// it changes nothing that a check or the training could see.
    fn random_config(rng: &mut StdRng) -> TrainConfig {
        let depth = rng.random_range(1..=4);
        let width = rng.random_range(2..=7);
        let hidden = (0..depth)
            .map(|_| {
                if rng.random_bool(0.6) {
                    width
                } else {
                    rng.random_range(2..=7)
                }
            })
            .collect();
        let activation = [
            ActivationKind::Tanh,
            ActivationKind::Sigmoid,
            ActivationKind::LeakyRelu,
            ActivationKind::Gelu,
        ][rng.random_range(0..4)];
        let mut config = hunt_config(rng.random_range(0..1_000_000));
        config.dataset.kind =
            [DataSource::Circles, DataSource::Moons, DataSource::Spiral3][rng.random_range(0..3)];
        config.dataset.n_samples = 100;
        config.network.hidden = hidden;
        config.network.activation = activation;
        config
    }

    #[test]
    fn the_gradient_check_flags_every_bug_at_its_layer_on_random_networks() {
        let mut rng = StdRng::seed_from_u64(21);
        let mut seen = [0usize; 6];
        for _ in 0..25 {
            let config = random_config(&mut rng);
            let sizes = config
                .network
                .sizes(config.dataset.n_classes())
                .expect("valid network");
            for bug in Bug::all_for(&sizes) {
                let mut hunt = Hunt::new(config.clone(), bug).expect("a bug that fits");
                // A stale gradient is right until a step has left one behind.
                hunt.step_epoch();
                let checks = hunt.check();
                let verdicts: Vec<Verdict> = checks.iter().map(|c| c.verdict).collect();
                let at = |l: usize| verdicts[l];
                assert_eq!(
                    at(bug.layer),
                    Verdict::Wrong,
                    "{bug:?} on {sizes:?}: {verdicts:?}"
                );
                for above in bug.layer + 1..verdicts.len() {
                    assert_ne!(
                        at(above),
                        Verdict::Wrong,
                        "{bug:?} on {sizes:?} above: {verdicts:?}"
                    );
                }
                if !bug.kind.flows_down() {
                    for below in 0..bug.layer {
                        assert_ne!(
                            at(below),
                            Verdict::Wrong,
                            "{bug:?} on {sizes:?} below: {verdicts:?}"
                        );
                    }
                }
                seen[BugKind::ALL.iter().position(|&k| k == bug.kind).expect("a kind")] += 1;
            }
        }
        assert!(
            seen.iter().all(|&n| n >= 3),
            "every kind on several networks: {seen:?}"
        );
    }

    #[test]
    fn a_stale_gradient_passes_the_check_until_the_first_step() {
        let bug = Bug {
            kind: BugKind::StaleGradient,
            layer: 1,
        };
        let mut hunt = Hunt::new(hunt_config(4), bug).expect("fits");
        assert!(hunt.check().iter().all(|c| c.verdict != Verdict::Wrong));
        hunt.step_epoch();
        assert_eq!(hunt.check()[1].verdict, Verdict::Wrong);
    }

    const EPOCHS: usize = 300;
    const SEEDS: [u64; 3] = [1, 2, 3];

    /// The final training loss of the normal run of `hunt_config(seed)`.
    fn clean_loss(seed: u64) -> f64 {
        let mut t = Trainer::new(hunt_config(seed)).expect("valid");
        for _ in 0..EPOCHS {
            t.step_epoch();
        }
        t.history().train_loss.last().copied().expect("trained")
    }

    fn trained(seed: u64, kind: BugKind, layer: usize) -> Hunt {
        let mut hunt = Hunt::new(hunt_config(seed), Bug { kind, layer }).expect("fits");
        for _ in 0..EPOCHS {
            hunt.step_epoch();
        }
        hunt
    }

    fn final_loss(hunt: &Hunt) -> f64 {
        hunt.history().last().map_or(f64::INFINITY, |e| e.train_loss)
    }

    /// How much worse than the correct run a misbehaving one ends: the
    /// correct runs reach ~0.01, these stay near chance (0.69) or blow up.
    const WORSE: f64 = 10.0;

    #[test]
    fn a_missing_derivative_flipped_update_or_summed_batch_spoils_training() {
        for seed in SEEDS {
            let clean = clean_loss(seed);
            for (kind, layer) in [
                (BugKind::MissingDerivative, 0),
                (BugKind::FlippedUpdate, 0),
                (BugKind::FlippedUpdate, 2),
                (BugKind::SummedBatch, 3),
            ] {
                let loss = final_loss(&trained(seed, kind, layer));
                assert!(
                    loss > WORSE * clean,
                    "seed {seed} {kind:?} {layer}: {loss} vs {clean}"
                );
            }
        }
    }

    #[test]
    fn a_missing_bias_gradient_leaves_the_bias_where_it_started() {
        for seed in SEEDS {
            let start = Hunt::new(
                hunt_config(seed),
                Bug {
                    kind: BugKind::NoBiasGradient,
                    layer: 0,
                },
            )
            .expect("fits");
            let hunt = trained(seed, BugKind::NoBiasGradient, 0);
            let b = hunt.model().layers()[0].b_range();
            assert_eq!(hunt.model().params[b.clone()], start.model().params[b.clone()]);
            let w = hunt.model().layers()[0].w_range();
            assert_ne!(hunt.model().params[w.clone()], start.model().params[w]);
            assert!(final_loss(&hunt) > WORSE * clean_loss(seed), "seed {seed}");
        }
    }

    /// A stale gradient is the sum of every gradient so far: near the end
    /// of training it dwarfs the true gradient, which has shrunk.
    const STALE_RATIO: f64 = 10.0;

    #[test]
    fn a_stale_gradients_norm_grows_far_past_the_true_one() {
        for seed in SEEDS {
            let hunt = trained(seed, BugKind::StaleGradient, 2);
            let pairs = hunt.compare_point(0).expect("a point");
            let norms = &hunt.history().last().expect("trained").grad_norms;
            let mut clean = Trainer::new(hunt_config(seed)).expect("valid");
            for _ in 0..EPOCHS {
                clean.step_epoch();
            }
            let true_norm = clean.layer_grad_norms()[2];
            assert!(
                norms[2] > STALE_RATIO * true_norm,
                "seed {seed}: {} vs {true_norm}",
                norms[2]
            );
            assert!(
                pairs[2].buggy_norm > STALE_RATIO * pairs[2].true_norm,
                "seed {seed}: {:?}",
                pairs[2]
            );
        }
    }

    #[test]
    fn a_link_seed_always_gives_the_same_hunt_and_seeds_reach_every_kind() {
        let sizes = hunt_config(0).network.sizes(2).expect("valid");
        let mut kinds = std::collections::HashSet::new();
        for seed in 0..200 {
            let a = Hunt::from_seed(seed).expect("a hunt");
            assert_eq!(a.bug(), Hunt::from_seed(seed).expect("a hunt").bug());
            assert!(a.bug().kind.fits(&sizes, a.bug().layer));
            kinds.insert(a.bug().kind);
        }
        assert_eq!(kinds.len(), BugKind::ALL.len());
    }

    #[test]
    fn a_guess_is_graded_by_kind_and_layer_and_the_reveal_shows_both_lines() {
        let bug = Bug {
            kind: BugKind::MissingTranspose,
            layer: 1,
        };
        let hunt = Hunt::new(hunt_config(9), bug).expect("fits");
        let g = hunt.grade(BugKind::MissingTranspose, 0);
        assert!(g.kind_right && !g.layer_right);
        let g = hunt.grade(BugKind::MissingDerivative, 1);
        assert!(!g.kind_right && g.layer_right);
        let r = hunt.reveal();
        assert_eq!(r.buggy, "δ₂ = (δ₃·W₃) ⊙ f′(z₂)");
        assert_eq!(r.correct, "δ₂ = (δ₃·W₃ᵀ) ⊙ f′(z₂)");
        assert!(r.flows_down);
    }

    #[test]
    fn a_bug_that_does_not_fit_or_a_batch_norm_network_is_refused_by_name() {
        let config = hunt_config(1);
        let on_output = Bug {
            kind: BugKind::MissingDerivative,
            layer: 3,
        };
        let e = Hunt::new(config.clone(), on_output).expect_err("the output has no derivative to forget");
        assert!(
            e.to_string().contains("missing_derivative does not fit layer 4"),
            "{e}"
        );
        let mut bn = config;
        bn.network.batch_norm = true;
        let e = Hunt::new(
            bn,
            Bug {
                kind: BugKind::SummedBatch,
                layer: 0,
            },
        )
        .expect_err("batch norm");
        assert!(e.to_string().starts_with("network.batch_norm"), "{e}");
    }
}

#[test]
fn the_bug_seed_key_takes_any_link_seed_and_no_run_holds_it() {
    use backprop::settings::{Settings, table};
    let t = table();
    let view = t
        .keys
        .iter()
        .find(|k| k.key == "bug_seed")
        .expect("bug_seed is a key");
    let json = serde_json::to_value(view).expect("serialises");
    assert_eq!(json["kind"], "whole");
    assert_eq!(json["min"], serde_json::json!({"value": 0.0, "inclusive": true}));
    assert_eq!(
        json["max"],
        serde_json::json!({"value": 9_007_199_254_740_991.0, "inclusive": true})
    );
    assert_eq!(
        (json["live"].clone(), json["in_config"].clone()),
        (true.into(), false.into())
    );
    let hunted = Settings {
        bug_seed: 12_345,
        ..Settings::default()
    };
    assert_eq!(hunted.to_config(), Settings::default().to_config());
}
