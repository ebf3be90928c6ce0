//! The bindings in headless Chrome: construction from a JS object, views,
//! reseeding, and errors that name the field and leave the module usable.

use backprop_wasm::Playground;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn config(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("valid JSON in the test")
}

fn message(e: wasm_bindgen::JsError) -> String {
    let v: JsValue = e.into();
    v.dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn builds_from_a_plain_object_and_exposes_views() {
    let p = Playground::new(config(
        r#"{"seed":5,"dataset":{"kind":"moons","n_samples":300,"noise":0.1}}"#,
    ))
    .expect("valid config");
    assert_eq!(p.len(), 300);
    assert_eq!(p.points().length(), 600);
    let labels = p.labels().to_vec();
    assert_eq!(labels.len(), 300);
    assert_eq!(labels.iter().filter(|&&c| c == 1).count(), 150);
    assert_eq!(p.seed(), 5.0);
}

#[wasm_bindgen_test]
fn bad_noise_throws_an_error_naming_noise_and_the_module_keeps_working() {
    let e = Playground::new(config(r#"{"dataset":{"noise":-1}}"#)).expect_err("noise -1 is invalid");
    let m = message(e);
    assert!(m.contains("noise") && m.contains("-1"), "{m}");
    let e = Playground::new(config(r#"{"dataset":{"nosie":0.1}}"#)).expect_err("unknown field");
    assert!(message(e).contains("nosie"));
    let mut p = Playground::new(JsValue::UNDEFINED).expect("defaults are valid");
    assert_eq!(p.len(), 1000);
    let e = p.reseed(-3.0).expect_err("negative seed");
    assert!(message(e).contains("seed"));
    assert_eq!(p.len(), 1000, "a failed call leaves the handle as it was");
}

#[wasm_bindgen_test]
fn reseeding_is_deterministic_and_changes_the_points() {
    let mut p = Playground::new(JsValue::UNDEFINED).expect("defaults");
    let first = p.points().to_vec();
    p.reseed(1.0).expect("seed 1");
    let second = p.points().to_vec();
    assert_ne!(first, second);
    p.reseed(0.0).expect("seed 0");
    assert_eq!(first, p.points().to_vec());
    let s = p.new_seed().expect("entropy is available in the browser");
    assert_eq!(p.seed(), s);
}
