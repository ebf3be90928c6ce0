//! Fuzzing the decoders a user can feed: the config decoder, model-file import
//! and CSV import. Every input must either give a working run (or data) or an
//! error that names a field; nothing may panic. Inputs are structure-aware
//! (real field names, extreme numbers, junk strings, deep nesting, mutations
//! of a real model file, extreme numbers in its counters and optimizer state)
//! as well as raw text.
//!
//! `FUZZ_CASES` sets the cases per target (default 2,000, the CI smoke run);
//! `cargo xtask fuzz` runs a million each.

use std::sync::LazyLock;

use backprop::model_io::{export_model, import_csv, import_model};
use backprop::trainer::MAX_COUNTER;
use backprop::{TrainConfig, Trainer};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    }
}

const KEYS: &[&str] = &[
    "seed",
    "dataset",
    "network",
    "optimizer",
    "batch_size",
    "regularization",
    "clipping",
    "schedule",
    "kind",
    "n_samples",
    "noise",
    "train_ratio",
    "standardize",
    "classes",
    "hidden",
    "activation",
    "activations",
    "leaky_slope",
    "elu_alpha",
    "output",
    "init",
    "init_scale",
    "batch_norm",
    "lr",
    "momentum",
    "classic",
    "nesterov",
    "dampening",
    "weight_decay",
    "alpha",
    "eps",
    "beta1",
    "beta2",
    "amsgrad",
    "lr_decay",
    "initial_accumulator_value",
    "lambda",
    "max_norm",
    "clip_value",
    "step_size",
    "gamma",
    "t_max",
    "eta_min",
    "warmup",
    "total",
    "max_lr",
    "bogus",
    "",
];
const NAMES: &[&str] = &[
    "moons",
    "circles",
    "xor",
    "gaussians",
    "spiral",
    "spiral3",
    "tutorial",
    "custom",
    "relu",
    "leaky_relu",
    "tanh",
    "sigmoid",
    "elu",
    "gelu",
    "linear",
    "he_normal",
    "zeros",
    "uniform",
    "sigmoid_bce",
    "softmax_ce",
    "identity_mse",
    "sgd",
    "rmsprop",
    "adam",
    "adamw",
    "adagrad",
    "none",
    "l1",
    "l2",
    "norm",
    "value",
    "constant",
    "step",
    "exponential",
    "cosine",
    "warmup_cosine",
    "cyclic",
    "<script>",
    "\u{0}",
    "ÿ",
];

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::from(0)),
        Just(Value::from(-1)),
        Just(Value::from(1e308)),
        Just(Value::from(-1e308)),
        Just(Value::from(5e-324)),
        Just(Value::from(u64::MAX)),
        Just(Value::from(i64::MIN)),
        (0u64..200_000).prop_map(Value::from),
        (-10.0f64..10.0).prop_map(Value::from),
        (0.0f64..1.0).prop_map(Value::from),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        number(),
        proptest::sample::select(NAMES).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        ".{0,12}".prop_map(Value::from),
    ]
}

/// JSON with real field names at any depth, and hostile values.
fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// A model file mid-run (part-way through an epoch), with every kind of
/// state: Adam's moments, batch-norm statistics, counters that differ.
static MODEL_FILE: LazyLock<String> = LazyLock::new(|| {
    let config = r#"{"dataset":{"n_samples":40},"network":{"hidden":[3],"batch_norm":true},"optimizer":{"kind":"adam","lr":0.01,"amsgrad":true},"batch_size":8}"#;
    let mut t = Trainer::new(TrainConfig::from_json(config).expect("valid")).expect("valid");
    for _ in 0..2 {
        t.step_epoch();
    }
    t.step_batch();
    export_model(&t)
});

/// Counters and state a mutation overwrites with an extreme number.
const STATE_FIELDS: &[&str] = &[
    "/epoch",
    "/step",
    "/optimizer/t",
    "/optimizer/s1/0",
    "/optimizer/s2/5",
    "/optimizer/s3/2",
    "/running/0/var/1",
    "/running/0/mean/0",
    "/params/4",
    "/first_loss",
    "/progress/rows",
    "/progress/correct",
    "/progress/clipped",
    "/progress/loss",
];

/// Decodes, and for a valid config builds the run and takes a step.
fn check_config(text: &str, try_run: bool) {
    match TrainConfig::from_json(text) {
        Ok(config) => {
            assert!(config.validate().is_ok(), "decoded but invalid: {text}");
            if try_run {
                match Trainer::new(config) {
                    Ok(mut t) => {
                        t.step_batch();
                        let mut out = vec![0.0; t.model().n_out()];
                        t.predict_data_space(&[0.1, -0.2], &mut out);
                    }
                    Err(e) => assert!(!e.field().is_empty(), "{e}"),
                }
            }
        }
        Err(e) => {
            assert!(!e.field().is_empty(), "an error must name a field: {e}");
            assert!(!e.to_string().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn config_decoder_never_panics_on_structured_json(v in json(), run in 0u8..25) {
        check_config(&v.to_string(), run == 0);
    }

    #[test]
    fn config_decoder_never_panics_on_raw_text(text in ".{0,200}") {
        check_config(&text, false);
    }

    #[test]
    fn model_import_never_panics_on_mutations(cut in 0usize..4000, at in 0usize..4000, byte in any::<u8>(), v in json(), field in proptest::sample::select(STATE_FIELDS), n in number()) {
        let base = &*MODEL_FILE;
        let mut bytes = base.clone().into_bytes();
        let i = at % bytes.len();
        bytes[i] = byte;
        let mut state: Value = serde_json::from_str(base).expect("an export is JSON");
        *state.pointer_mut(field).expect("a field of the file") = n;
        let variants = [
            String::from_utf8_lossy(&bytes).into_owned(),
            base[..cut.min(base.len())].to_string(),
            base.replacen("\"params\":", &format!("\"params\":{v},\"x\":"), 1),
            base.replacen("\"config\":{", &format!("\"config\":{{\"network\":{v},"), 1),
            state.to_string(),
        ];
        for text in variants {
            match import_model(&text) {
                Ok(mut t) => {
                    prop_assert!(t.epoch() <= t.steps() && t.steps() <= MAX_COUNTER, "counters {} {}", t.epoch(), t.steps());
                    prop_assert!(t.optimizer().steps() <= t.steps() + 1);
                    let mut out = vec![0.0; t.model().n_out()];
                    t.predict_data_space(&[0.3, 0.3], &mut out);
                    t.step_batch();
                    t.step_epoch();
                }
                Err(e) => prop_assert!(e.field().starts_with("model"), "a model file's error is located in it: {}", e),
            }
        }
    }

    #[test]
    fn csv_import_never_panics(lines in proptest::collection::vec(
        prop_oneof![
            ".{0,30}",
            (-1e3f64..1e3, -1e3f64..1e3, 0u8..4, proptest::sample::select(&["train", "test", "", "TEST", "x"][..]))
                .prop_map(|(x, y, c, s)| format!("{x},{y},{c},{s}")),
            Just("1e309,0,0".to_string()),
            Just("NaN,0,1".to_string()),
        ],
        0..40,
    ), classes in 2usize..5) {
        let text = lines.join("\n");
        match import_csv(&text, classes, true) {
            Ok(data) => prop_assert!(data.len() <= 40),
            Err(e) => prop_assert!(e.field().starts_with("data"), "{}", e),
        }
    }
}

#[test]
fn fuzz_case_count_is_reported() {
    // The cases each proptest target above ran (for the records of a long run).
    eprintln!("fuzz: {} cases per target (FUZZ_CASES)", cases());
}
