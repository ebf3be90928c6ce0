//! Fuzzing the decoders a user can feed: the config decoder, model-file import
//! and CSV import. Every input must either give a working run (or data) or an
//! error that names a field; nothing may panic. Inputs are structure-aware
//! (real field names, extreme numbers, junk strings, deep nesting, mutations
//! of a real model file, extreme numbers in its counters and optimizer state)
//! as well as raw text.
//!
//! `FUZZ_CASES` sets the cases per target (default 2,000, the CI smoke run;
//! a value that is not a whole number from 1 to 2^32 - 1 is an error);
//! `cargo xtask fuzz` runs a million each.

use std::sync::LazyLock;

use backprop::io::csv::{export_csv, import_csv};
use backprop::io::model_io::{export_model, import_model};
use backprop::train::MAX_COUNTER;
use backprop::{TrainConfig, Trainer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value};

/// Cases per target when `FUZZ_CASES` is unset: the CI smoke run.
const SMOKE_CASES: u32 = 2_000;

/// `FUZZ_CASES` as the cases per target. A `u32`, as proptest counts them
/// (and `cargo xtask fuzz` checks them); anything else is an error naming
/// the variable and the value.
fn parse_cases(value: Option<&str>) -> Result<u32, String> {
    let Some(v) = value else {
        return Ok(SMOKE_CASES);
    };
    match v.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "FUZZ_CASES must be a whole number from 1 to {}, got {v:?}",
            u32::MAX
        )),
    }
}

fn fuzz_cases_var() -> Option<String> {
    match std::env::var("FUZZ_CASES") {
        Ok(v) => Some(v),
        Err(std::env::VarError::NotPresent) => None,
        Err(e) => panic!("FUZZ_CASES: {e}"),
    }
}

fn cases() -> u32 {
    parse_cases(fuzz_cases_var().as_deref()).unwrap_or_else(|e| panic!("{e}"))
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
    fn csv_import_never_panics_and_names_line_and_column(lines in proptest::collection::vec(
        prop_oneof![
            ".{0,30}",
            (-1e3f64..1e3, -1e3f64..1e3, 0u8..10, proptest::sample::select(&["train", "test", "", "TEST", "x"][..]))
                .prop_map(|(x, y, c, s)| format!("{x},{y},{c},{s}")),
            (-1e3f64..1e3, -1e3f64..1e3, -1e3f64..1e3).prop_map(|(x, y, v)| format!("{x},{y},{v}")),
            (-1e3f64..1e3, -1e3f64..1e3, proptest::sample::select(&["train", "test", ""][..]))
                .prop_map(|(x, v, s)| format!("{x},{v},{s}")),
            (-1e3f64..1e3, -1e3f64..1e3).prop_map(|(x, v)| format!("{x},{v}")),
            proptest::sample::select(&["x,y,label,split", "x,y,value", "x,value,split", "x1,x2,class", "x,y,z", "#c", ""][..])
                .prop_map(str::to_string),
            Just("1e309,0,0".to_string()),
            Just("NaN,0,1".to_string()),
        ],
        0..40,
    ), prefer_values in any::<bool>()) {
        let text = lines.join("\n");
        match import_csv(&text, prefer_values, true) {
            Ok(data) => {
                prop_assert!(data.len() <= 40);
                // Whatever was read writes out and reads back to the same text.
                let csv = export_csv(&data);
                let again = import_csv(&csv, prefer_values, true).map(|d| export_csv(&d));
                prop_assert_eq!(again.as_deref().ok(), Some(csv.as_str()), "{:?}", again);
            }
            Err(e) => {
                let field = e.field();
                let named = field.strip_prefix("data.csv line ").and_then(|rest| {
                    let (line, rest) = rest.split_once(", column ")?;
                    let (column, _) = rest.split_once(" (")?;
                    Some(line.parse::<usize>().ok()? >= 1 && column.parse::<usize>().ok()? >= 1)
                });
                prop_assert_eq!(named, Some(true), "a rejection names its line and column: {}", e);
            }
        }
    }
}

/// The runner every target above is configured with (`config()`) runs
/// exactly the cases `FUZZ_CASES` asks for. What was asked is read here as
/// written, apart from `cases()`, so a narrowing or a silent fallback there
/// shows as a shortfall.
#[test]
fn the_fuzz_runner_runs_as_many_cases_as_asked() {
    let asked: u64 = fuzz_cases_var().map_or(u64::from(SMOKE_CASES), |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("FUZZ_CASES is not a count: {v:?}"))
    });
    let ran = std::sync::atomic::AtomicU64::new(0);
    TestRunner::new(config())
        .run(&any::<u8>(), |_| {
            ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        })
        .expect("a target that always passes");
    let ran = ran.into_inner();
    assert_eq!(
        ran, asked,
        "ran {ran} cases per target, FUZZ_CASES asked for {asked}"
    );
    eprintln!("fuzz: {ran} cases per target");
}

#[test]
fn unusable_fuzz_case_counts_are_errors_naming_the_variable_and_value() {
    assert_eq!(parse_cases(None), Ok(SMOKE_CASES));
    assert_eq!(parse_cases(Some("1")), Ok(1));
    assert_eq!(parse_cases(Some("4294967295")), Ok(u32::MAX));
    for bad in ["4294967296", "0", "-1", "1e6", "2,000", "", " 5", "many"] {
        let e = parse_cases(Some(bad)).expect_err(bad);
        assert!(
            e.contains("FUZZ_CASES") && e.contains(&format!("{bad:?}")),
            "{bad:?}: {e}"
        );
    }
}
