//! The seeded run that native and wasm builds must agree on (the wasm test
//! reads the same fixture): 30 epochs of mini-batch Adam on a tanh network,
//! which exercises exp, tanh and log (libm in wasm, the platform's natively).
//! `BLESS=1 cargo test -p backprop --test seed_run` rewrites the fixture.

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
