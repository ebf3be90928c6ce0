//! Input features and per-layer activations in the built page: the
//! feature-cross exercise (the circles with only x₁² and x₂² and no hidden
//! layer) learns in the page, the toggles and a link set the same run and
//! round-trip, the diagram's input column shows each feature, and each
//! hidden layer's activation is chosen with its control or by a link.
//! Screenshots, desktop and phone, land in `target/e2e/`.

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(60);
const TRAIN: Duration = Duration::from_secs(120);

/// The classic exercise; the engine's test of the same run reaches 0.97 in
/// fewer epochs than this.
const CROSS: &str =
    "#dataset=circles&noise=0.1&features=x1_sq,x2_sq&layers=-&optimizer=adam&lr=0.05&max_epochs=300&speed=0";

fn settings(s: &Session, key: &str) -> Value {
    s.exec("return window.backprop.settings()[arguments[0]];", json!([key]))
}

fn layout(s: &Session, key: &str) -> Value {
    s.exec(
        "return window.backprop.run().layout()[arguments[0]];",
        json!([key]),
    )
}

fn hash(s: &Session) -> String {
    s.eval("location.hash").as_str().unwrap_or("").to_string()
}

/// Plays until the run stops at `max_epochs`; returns the last epoch's test accuracy.
fn play_to_the_stop(s: &Session) -> f64 {
    s.click("#play");
    s.wait_for(
        "document.body.dataset.playing === 'false' && window.backprop.run().epoch === 300",
        TRAIN,
    );
    s.eval("window.backprop.run().lastEpoch().test_acc")
        .as_f64()
        .expect("a test accuracy")
}

#[test]
fn the_feature_cross_learns_the_circles_without_a_hidden_layer() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    for (width, height, name) in [(1440, 900, "desktop-1440"), (390, 844, "phone-390")] {
        let s = open(&browser, &site, CROSS, width, height);
        assert_eq!(layout(&s, "sizes"), json!([2, 1]));
        assert_eq!(layout(&s, "features"), json!(["x1_sq", "x2_sq"]));
        let acc = play_to_the_stop(&s);
        assert!(acc >= 0.97, "{name}: test accuracy {acc}");
        // The toggles show the link's features.
        let checked = s.eval(
            "['x1', 'x2', 'x1_sq', 'x2_sq', 'x1_x2', 'sin_x1', 'sin_x2'].map((f) => document.getElementById('feature-' + f).checked)",
        );
        assert_eq!(checked, json!([false, false, true, true, false, false, false]));
        s.screenshot(&artifacts_dir().join(format!("features-cross-{name}.png")));
        // The walk-through's trace: the first layer's inputs are the features.
        let trace = s.eval("window.backprop.run().trace(0)");
        assert_eq!(trace["features"], json!(["x1_sq", "x2_sq"]));
        let input: Vec<f64> = trace["input"]
            .as_array()
            .expect("inputs")
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        assert!(input.len() == 2 && input.iter().all(|&v| v >= 0.0), "{input:?}");
        s.click("#tab-network");
        s.wait_for(
            "window.backprop.run().neuronGridInputs().length === 2 * 20 * 20",
            LOAD,
        );
        // x₁²'s grid is its own: never negative, unlike x₁'s.
        assert_eq!(
            s.eval("Array.from(window.backprop.run().neuronGridInputs()).every((v) => v >= 0)"),
            json!(true)
        );
        s.exec(
            "document.getElementById('diagram').scrollIntoView({ block: 'center' });",
            json!([]),
        );
        s.screenshot(&artifacts_dir().join(format!("features-diagram-{name}.png")));
        s.assert_no_console_errors();
    }
}

#[test]
fn the_toggles_set_the_features_and_the_link_brings_them_back() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#dataset=circles&layers=-", 1440, 900);
    assert_eq!(layout(&s, "features"), json!(["x1", "x2"]));
    for id in ["#feature-x1_sq", "#feature-sin_x2", "#feature-x1", "#feature-x2"] {
        s.click(id);
    }
    assert_eq!(settings(&s, "features"), json!(["x1_sq", "sin_x2"]));
    assert_eq!(layout(&s, "sizes"), json!([2, 1]));
    assert_eq!(layout(&s, "features"), json!(["x1_sq", "sin_x2"]));
    let link = hash(&s);
    assert!(link.contains("features=x1_sq%2Csin_x2"), "{link}");
    // The last feature on cannot be switched off.
    s.click("#feature-sin_x2");
    assert_eq!(
        s.eval("document.getElementById('feature-x1_sq').disabled"),
        json!(true)
    );
    assert_eq!(settings(&s, "features"), json!(["x1_sq"]));

    // The link reopens the same inputs; an empty set is refused by name and value.
    let again = open(&browser, &site, &link, 1440, 900);
    assert_eq!(settings(&again, "features"), json!(["x1_sq", "sin_x2"]));
    let bad = open(&browser, &site, "#features=", 1440, 900);
    let said = bad
        .eval("document.getElementById('notices').textContent")
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(said.contains("features=“”: choose at least one of x1"), "{said}");
    assert_eq!(settings(&bad, "features"), json!(["x1", "x2"]));
}

#[test]
fn each_hidden_layer_takes_its_activation_from_its_control_or_a_link() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#layers=4,3&activations=tanh,sigmoid", 1440, 900);
    assert_eq!(layout(&s, "activations"), json!(["tanh", "sigmoid"]));
    assert_eq!(
        s.eval("[0, 1].map((i) => document.getElementById('layer-activation-' + i).value)"),
        json!(["tanh", "sigmoid"])
    );
    s.set_input("layer-activation-1", "elu");
    assert_eq!(layout(&s, "activations"), json!(["tanh", "elu"]));
    assert!(hash(&s).contains("activations=tanh%2Celu"), "{}", hash(&s));
    // A new layer takes the common activation; the others keep theirs.
    s.click("#add-layer");
    assert_eq!(layout(&s, "activations"), json!(["tanh", "elu", "relu"]));
    assert_eq!(settings(&s, "layers"), json!([4, 3, 4]));
    // Removing the first layer removes its activation.
    s.exec(
        "document.querySelector('#layers .layer button[aria-label=\"Remove layer 1\"]').click();",
        json!([]),
    );
    assert_eq!(layout(&s, "activations"), json!(["elu", "relu"]));
    // The common activation applies to every layer again.
    s.set_input("ctl-activation", "gelu");
    assert_eq!(layout(&s, "activations"), json!(["gelu", "gelu"]));
    assert_eq!(settings(&s, "activations"), json!([]));
    s.screenshot(&artifacts_dir().join("features-per-layer-desktop-1440.png"));

    let phone = open(&browser, &site, "#layers=4,3&activations=tanh,sigmoid", 390, 844);
    phone.exec(
        "document.getElementById('layer-activation-0').scrollIntoView({ block: 'center' });",
        json!([]),
    );
    phone.screenshot(&artifacts_dir().join("features-per-layer-phone-390.png"));

    let bad = open(&browser, &site, "#layers=4,3&activations=tanh", 1440, 900);
    let said = bad
        .eval("document.getElementById('notices').textContent")
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(said.contains("activations=“tanh”"), "{said}");
    assert_eq!(layout(&bad, "activations"), json!(["relu", "relu"]));
    s.assert_no_console_errors();
}
