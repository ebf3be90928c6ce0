//! The seeded runs that native and wasm builds must agree on (the wasm tests
//! in crates/backprop-wasm/tests/web.rs read the same fixtures):
//! - 30 epochs of mini-batch Adam on a tanh network, which exercises exp,
//!   tanh and log (libm in wasm, the platform's natively), to 1e-9;
//! - the page's default network (ReLU through the fused kernels, sigmoid +
//!   BCE) by full batch and mini-batch, with SGD and with Adam, to the bit.
//!
//! `BLESS=1 cargo test -p backprop --test seed_run` rewrites the fixtures.

use backprop::{TrainConfig, Trainer};

pub const SEED_RUN_CONFIG: &str = r#"{"seed":7,"batch_size":64,"optimizer":{"kind":"adam","lr":0.01},"network":{"hidden":[10,8],"activation":"tanh"}}"#;

/// Cross-platform agreement bound: the runs differ only by ulps in libm
/// functions, which 30 epochs amplify far less than this.
const REL: f64 = 1e-9;

#[test]
fn native_run_matches_the_shared_fixture() {
    let mut t = Trainer::new(TrainConfig::from_json(SEED_RUN_CONFIG).expect("valid")).expect("valid");
    for _ in 0..30 {
        t.step_epoch();
    }
    let losses = &t.history().train_loss;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed_run.txt");
    if std::env::var_os("BLESS").is_some() {
        let text: String = losses.iter().map(|l| format!("{l:?}\n")).collect();
        std::fs::write(&path, text).expect("write fixture");
    }
    let text = std::fs::read_to_string(&path).expect("fixture (BLESS=1 to create)");
    let expected: Vec<f64> = text.lines().map(|l| l.parse().expect("float")).collect();
    assert_eq!(losses.len(), expected.len());
    for (e, (a, b)) in losses.iter().zip(&expected).enumerate() {
        assert!((a - b).abs() <= REL * b.abs(), "epoch {}: {a} vs {b}", e + 1);
    }
}

/// The data of the default network's runs: the tutorial's fixed points, and
/// the default moons, whose generated points differ between builds by a few
/// ulps (sin, cos and the normal sampler's logarithm come from different
/// libms), so the wasm test holds that pair to a tolerance instead of bits.
const DATASETS: [(&str, &str); 2] = [("tutorial", r#""dataset":{"kind":"tutorial"}"#), ("moons", "")];

/// How each of them is trained: the page's defaults (full-batch SGD), then
/// mini-batches, then Adam.
const TRAINING: [(&str, &str); 4] = [
    ("sgd-full-batch", ""),
    ("sgd-mini-batch", r#""batch_size":64"#),
    ("adam-full-batch", r#""optimizer":{"kind":"adam","lr":0.01}"#),
    (
        "adam-mini-batch",
        r#""batch_size":64,"optimizer":{"kind":"adam","lr":0.01}"#,
    ),
];

const EPOCHS: u64 = 30;

/// Each value as the hex of its bits, so nothing is lost in printing.
fn hex(values: &[f64]) -> String {
    let words: Vec<String> = values.iter().map(|v| format!("{:016x}", v.to_bits())).collect();
    words.join(",")
}

/// The fixture's text: for each run a `run NAME EPOCHS CONFIG` line, then
/// one line per history series and one with the final parameters.
fn default_network_fixture() -> String {
    let mut text = String::from(
        "# Written by crates/backprop/tests/seed_run.rs (BLESS=1); read by crates/backprop-wasm/tests/web.rs.\n",
    );
    for ((data, data_json), (training, training_json)) in
        DATASETS.iter().flat_map(|d| TRAINING.iter().map(move |t| (d, t)))
    {
        let name = format!("{data}-{training}");
        let fields: Vec<&str> = [*data_json, *training_json]
            .into_iter()
            .filter(|f| !f.is_empty())
            .collect();
        let config = format!("{{{}}}", fields.join(","));
        let mut t = Trainer::new(TrainConfig::from_json(&config).expect("valid")).expect("valid");
        let initial = t.model().params.clone();
        for _ in 0..EPOCHS {
            t.step_epoch();
        }
        let h = t.history();
        // Not vacuous: every epoch recorded, the weights moved, the loss fell.
        assert_eq!(h.train_loss.len() as u64, EPOCHS, "{name}");
        assert_ne!(t.model().params, initial, "{name}: the weights never moved");
        assert!(
            h.train_loss[EPOCHS as usize - 1] < h.train_loss[0],
            "{name}: the loss never fell"
        );
        text += &format!("run {name} {EPOCHS} {config}\n");
        for (series, values) in [
            ("train_loss", &h.train_loss),
            ("test_loss", &h.test_loss),
            ("train_acc", &h.train_acc),
            ("test_acc", &h.test_acc),
            ("params", &t.model().params),
        ] {
            text += &format!("{series} {}\n", hex(values));
        }
    }
    text
}

/// The fixture must be exactly what this build computes, so a change to the
/// engine's numbers fails here until it is re-blessed, and the wasm test
/// never compares with stale values. (The moons' points come from the
/// platform's libm: a libm that rounds sin or cos differently fails here
/// too, the tutorial's runs do not depend on it.)
#[test]
fn the_default_network_fixture_is_what_the_native_build_computes() {
    let text = default_network_fixture();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/default_network_runs.txt");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &text).expect("write fixture");
    }
    let expected = std::fs::read_to_string(&path).expect("fixture (BLESS=1 to create)");
    let stale = text.lines().zip(expected.lines()).position(|(a, b)| a != b);
    assert!(
        text == expected,
        "the native build no longer computes {} (line {}); BLESS=1 rewrites it once the change is meant",
        path.display(),
        stale.map_or(text.lines().count().min(expected.lines().count()) + 1, |i| i + 1)
    );
}
