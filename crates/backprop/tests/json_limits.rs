//! What reading a config or a model file must hold, whichever parser reads
//! it: deep nesting and oversized texts are refused with an error (never a
//! stack overflow), unknown and repeated fields are errors at their path,
//! seeds keep every bit of a `u64`, floats read back exactly. The last test
//! prints each error message the decoder gives for a fixed set of bad
//! inputs, so two decoders' wording can be compared side by side.

use backprop::io::model_io::{MAX_MODEL_BYTES, export_model, import_model};
use backprop::{TrainConfig, Trainer};

/// Far deeper than any parser's recursion limit: a recursive reader without
/// one would overflow the stack here.
const DEEP: usize = 10_000;

fn config_error(text: &str) -> (String, String) {
    let e = TrainConfig::from_json(text).expect_err("must be refused");
    (e.field().to_string(), e.to_string())
}

fn small_model() -> String {
    let config =
        TrainConfig::from_json(r#"{"dataset":{"n_samples":40},"network":{"hidden":[3]}}"#).expect("valid");
    export_model(&Trainer::new(config).expect("valid"))
}

#[test]
fn ten_thousand_nested_arrays_are_refused_with_an_error() {
    let deep = "[".repeat(DEEP) + &"]".repeat(DEEP);
    for text in [
        deep.clone(),
        format!(r#"{{"network":{{"hidden":{deep}}}}}"#),
        format!(r#"{{"dataset":{{"x":{deep}}}}}"#),
    ] {
        let (field, message) = config_error(&text);
        assert!(!field.is_empty(), "{message}");
    }
    let model = small_model().replacen("\"params\":[", &format!("\"params\":[{deep},"), 1);
    let e = import_model(&model).map(|_| ()).expect_err("deep model");
    assert!(e.field().starts_with("model"), "{e}");
}

#[test]
fn texts_over_the_limits_are_refused_naming_the_document() {
    let padded = format!("{{\"seed\":1{}}}", " ".repeat(64 * 1024));
    let (field, message) = config_error(&padded);
    assert_eq!(field, "config");
    assert!(message.contains("65536"), "{message}");
    let model = small_model();
    let padded = format!("{model}{}", " ".repeat(MAX_MODEL_BYTES + 1 - model.len()));
    let e = import_model(&padded).map(|_| ()).expect_err("16 MiB + 1");
    assert_eq!(e.field(), "model", "{e}");
    // The largest model text accepted still reads.
    let fits = format!("{model}{}", " ".repeat(MAX_MODEL_BYTES - model.len()));
    assert!(import_model(&fits).is_ok());
}

#[test]
fn unknown_and_repeated_fields_are_errors_at_their_path() {
    assert_eq!(config_error(r#"{"dataset":{"nosie":0.1}}"#).0, "dataset.nosie");
    assert_eq!(
        config_error(r#"{"optimizer":{"kind":"adam","momentum":0.9}}"#).0,
        "optimizer.momentum"
    );
    let (field, message) = config_error(r#"{"seed":1,"seed":2}"#);
    assert_eq!(field, "seed", "{message}");
    let (field, message) = config_error(r#"{"dataset":{"noise":0.1,"noise":0.2}}"#);
    assert_eq!(field, "dataset.noise", "{message}");
    let model = small_model().replacen("\"epoch\":", "\"epoch\":1,\"epoch\":", 1);
    let e = import_model(&model).map(|_| ()).expect_err("repeated epoch");
    assert_eq!(e.field(), "model.epoch", "{e}");
}

#[test]
fn seeds_above_two_to_the_53_and_floats_read_back_exactly() {
    for seed in [(1u64 << 53) + 1, u64::MAX, u64::MAX - 1] {
        let c = TrainConfig::from_json(&format!(r#"{{"seed":{seed}}}"#)).expect("valid");
        assert_eq!(c.seed, seed);
    }
    // Written by serde_json's shortest round-trip formatting, read back bit for bit.
    for lr in [
        0.1 + 0.2,
        1.0 / 3.0,
        0.012_345_678_901_234_567,
        9.999_999_999_999_999e-3,
    ] {
        let mut c = TrainConfig::default();
        if let backprop::OptimizerConfig::Sgd(s) = &mut c.optimizer {
            s.lr = lr;
        }
        let back = TrainConfig::from_json(&c.to_json()).expect("own output");
        assert_eq!(back.optimizer.lr().to_bits(), lr.to_bits(), "{lr:?}");
    }
    // Parameters at the edges of f64 survive a model file.
    let model = small_model();
    let start = model.find("\"params\":[").expect("params") + "\"params\":[".len();
    let first_end = start + model[start..].find(',').expect("two params");
    for x in [2.225_073_858_507_201_4e-308, 5e-324, f64::MAX, -0.1 - 0.2] {
        let text = format!(
            "{}{}{}",
            &model[..start],
            serde_json::to_string(&x).expect("finite"),
            &model[first_end..]
        );
        let t = import_model(&text).expect("valid model");
        assert_eq!(t.model().params[0].to_bits(), x.to_bits(), "{x:?}");
    }
}

/// Every message the decoder gives for these inputs, printed as a table
/// (`cargo test -p backprop --test json_limits -- --nocapture`); each must
/// name a field.
#[test]
fn error_messages_for_the_study() {
    let deep = "[".repeat(DEEP) + &"]".repeat(DEEP);
    let configs = [
        r#"{"dataset":{"nosie":0.1}}"#.to_string(),
        r#"{"dataset":{"noise":"lots"}}"#.into(),
        r#"{"dataset":{"kind":"moonz"}}"#.into(),
        r#"{"dataset":{"n_samples":1e3}}"#.into(),
        r#"{"dataset":{"standardize":1}}"#.into(),
        r#"{"seed":-5}"#.into(),
        r#"{"seed":1.5}"#.into(),
        r#"{"seed":18446744073709551616}"#.into(),
        r#"{"seed":1,"seed":2}"#.into(),
        r#"{"optimizer":{"kind":"adamx"}}"#.into(),
        r#"{"optimizer":{"lr":0.1}}"#.into(),
        r#"{"optimizer":{"kind":"sgd","lr":"fast"}}"#.into(),
        r#"{"optimizer":{"kind":"sgd","beta1":0.9}}"#.into(),
        r#"{"optimizer":{"kind":"sgd","momentum":{"heavy":0.9}}}"#.into(),
        r#"{"optimizer":{"kind":"sgd","momentum":0.9}}"#.into(),
        r#"{"optimizer":{"kind":"sgd","lr":0}}"#.into(),
        r#"{"network":{"activation":"relux"}}"#.into(),
        r#"{"network":{"hidden":[10,2.5]}}"#.into(),
        r#"{"network":{"hidden":[3,"a"]}}"#.into(),
        r#"{"network":{"hidden":[10,0]}}"#.into(),
        r#"{"network":{"hidden":4}}"#.into(),
        r#"{"schedule":{"kind":"step","gamma":0.5}}"#.into(),
        r#"{"clipping":{"kind":"none","max_norm":1}}"#.into(),
        r#"{"regularization":{"kind":"l2","lambda":-1}}"#.into(),
        r#"{"batch_size":2.5}"#.into(),
        r#"{"batch_size":0}"#.into(),
        r#"[1,2]"#.into(),
        r#"{"seed":1"#.into(),
        r#"{"seed":1,}"#.into(),
        "{\n\"seed\":\n?}".into(),
        r#"{"seed":01}"#.into(),
        r#"{"a":"\x"}"#.into(),
        String::new(),
        deep.clone(),
        format!(r#"{{"network":{{"hidden":{deep}}}}}"#),
        format!("{{\"seed\":1{}}}", " ".repeat(64 * 1024)),
    ];
    let model = small_model();
    let models = [
        model.replace("\"epoch\":", "\"extra\":1,\"epoch\":"),
        model[..model.len() / 2].to_string(),
        model.replacen("\"params\":[", "\"params\":[\"x\",", 1),
        model.replacen("\"version\":1", "\"version\":\"1\"", 1),
        model.replacen("\"epoch\":", "\"epoch\":1,\"epoch\":", 1),
        model.replacen("\"config\":{", "\"config\":{\"seed\":-1,", 1),
        "[]".into(),
    ];
    let short = |s: &str| {
        let s: String = s.chars().take(70).collect();
        s.replace('\n', "\\n")
    };
    // Every input is printed before any is checked, so the table is whole.
    let mut accepted = Vec::new();
    let mut row = |kind: &str, shown: String, result: backprop::Result<()>, root: &str| match result {
        Ok(()) => {
            println!("{kind} | {shown} | ACCEPTED");
            accepted.push(shown);
        }
        Err(e) => {
            println!("{kind} | {shown} | {} | {}", e.field(), short(&e.to_string()));
            assert!(!e.field().is_empty() && e.field().starts_with(root), "{e}");
        }
    };
    for text in &configs {
        row(
            "config",
            short(text),
            TrainConfig::from_json(text).map(|_| ()),
            "",
        );
    }
    for text in &models {
        let at = text.find("\"epoch\"").unwrap_or(0).saturating_sub(20);
        let shown = format!("…{}", short(&text[at..]));
        row("model", shown, import_model(text).map(|_| ()), "model");
    }
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}
