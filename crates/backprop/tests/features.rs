//! The network's input features: their values against the formulas written
//! out here, the classic feature-cross exercise on the circles, every path
//! that feeds the network (training, the grids, the trace, the gradient
//! check), and the errors for a set that cannot be used.

use backprop::io::json::{Json, parse};
use backprop::settings::{Checked, from_config, resolve};
use backprop::teach::draw::DrawNet;
use backprop::teach::gradcheck::{Verdict, check_trainer};
use backprop::teach::inspect::{NeuronGrids, trace};
use backprop::{TrainConfig, Trainer};

/// Every feature, in an order that is not the table's (the config's order is the input order).
const ALL_SHUFFLED: &str = r#"["sin_x2", "x1", "x1_x2", "x2_sq", "sin_x1", "x1_sq", "x2"]"#;

/// Computed values against the formulas: the same operations in the same
/// order on the same doubles, so they agree to the last bit but for the
/// standardisation, which this test recomputes its own way (two passes
/// over the training rows instead of the scaler's rescaled sum).
const FORMULA: f64 = 1e-12;

fn run(text: &str) -> Trainer {
    Trainer::new(TrainConfig::from_json(text).expect("valid config")).expect("trainer")
}

/// The direct formula for each named feature of the standardised point `(a, b)`.
fn formula(name: &str, a: f64, b: f64) -> f64 {
    match name {
        "x1" => a,
        "x2" => b,
        "x1_sq" => a * a,
        "x2_sq" => b * b,
        "x1_x2" => a * b,
        "sin_x1" => a.sin(),
        "sin_x2" => b.sin(),
        other => panic!("no formula for {other}"),
    }
}

fn names() -> Vec<String> {
    match parse(ALL_SHUFFLED) {
        Ok(Json::Arr(items)) => items
            .into_iter()
            .map(|j| match j {
                Json::Str(s) => s,
                other => panic!("{other:?}"),
            })
            .collect(),
        other => panic!("{other:?}"),
    }
}

/// The training rows' mean and population standard deviation per coordinate, computed plainly.
fn standardisation(t: &Trainer) -> [(f64, f64); 2] {
    let data = t.data();
    let rows: Vec<usize> = (0..data.len()).filter(|&i| data.test_flags()[i] == 0).collect();
    let n = rows.len() as f64;
    [0, 1].map(|c| {
        let mean = rows.iter().map(|&i| data.points()[2 * i + c]).sum::<f64>() / n;
        let var = rows
            .iter()
            .map(|&i| (data.points()[2 * i + c] - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean, var.sqrt())
    })
}

#[test]
fn every_feature_matches_its_formula_on_the_standardised_points() {
    let t = run(&format!(
        r#"{{"dataset": {{"kind": "moons", "n_samples": 300}}, "network": {{"features": {ALL_SHUFFLED}}}}}"#
    ));
    let names = names();
    let d = names.len();
    assert_eq!(t.model().n_in(), d, "the input width follows the features");
    let [(m1, s1), (m2, s2)] = standardisation(&t);
    let data = t.data();
    assert_eq!(data.train_x.len(), data.n_train() * d);
    assert_eq!(data.test_x.len(), data.n_test() * d);
    let (mut train_row, mut test_row) = (0, 0);
    for i in 0..data.len() {
        let (a, b) = (
            (data.points()[2 * i] - m1) / s1,
            (data.points()[2 * i + 1] - m2) / s2,
        );
        let row = if data.test_flags()[i] == 0 {
            train_row += 1;
            &data.train_x[(train_row - 1) * d..train_row * d]
        } else {
            test_row += 1;
            &data.test_x[(test_row - 1) * d..test_row * d]
        };
        for (k, name) in names.iter().enumerate() {
            let want = formula(name, a, b);
            assert!(
                (row[k] - want).abs() <= FORMULA * want.abs().max(1.0),
                "point {i}, {name}: {} against {want}",
                row[k]
            );
        }
    }
    assert_eq!((train_row, test_row), (data.n_train(), data.n_test()));
}

/// The classic exercise: with only x₁² and x₂², the circles are separable
/// by a line (a ring in the plane), so a network without hidden layers
/// learns them.
const CROSS: &str = r#"{"dataset": {"kind": "circles", "noise": 0.1}, "network": {"hidden": [], "features": ["x1_sq", "x2_sq"]},
    "optimizer": {"kind": "adam", "lr": 0.05}}"#;
const PLAIN: &str = r#"{"dataset": {"kind": "circles", "noise": 0.1}, "network": {"hidden": []},
    "optimizer": {"kind": "adam", "lr": 0.05}}"#;
/// Epochs of the exercise: the crossed features are past 0.97 well before this.
const EPOCHS: usize = 300;
/// Two balanced classes: a line through the plane cannot beat chance by much.
const NEAR_CHANCE: f64 = 0.65;

fn test_accuracy(text: &str) -> f64 {
    let mut t = run(text);
    for _ in 0..EPOCHS {
        t.step_epoch();
    }
    t.last_epoch().expect("trained").test_acc
}

#[test]
fn circles_with_only_the_squares_and_no_hidden_layer_are_learnt() {
    let acc = test_accuracy(CROSS);
    assert!(acc >= 0.97, "test accuracy {acc}");
}

#[test]
fn circles_with_only_x1_and_x2_and_no_hidden_layer_stay_near_chance() {
    let acc = test_accuracy(PLAIN);
    assert!(acc <= NEAR_CHANCE, "test accuracy {acc}");
}

/// Every path that feeds the network computes the same inputs: the decision
/// grid (f64 and its f32 drawing copy), the neuron grids' input column, the
/// one-point trace, and the gradient check.
#[test]
fn grids_trace_and_gradient_check_see_the_features() {
    let mut t = run(CROSS);
    for _ in 0..20 {
        t.step_epoch();
    }
    let [(m1, s1), (m2, s2)] = standardisation(&t);
    // A few points of the plane, in data space.
    let points = [0.3, -0.7, -1.1, 0.2, 0.0, 0.0, 0.9, 0.9];
    let rows = points.len() / 2;
    let mut f64_out = vec![0.0; rows];
    t.predict_data_space(&points, &mut f64_out);
    let w = &t.model().params;
    for r in 0..rows {
        let (a, b) = ((points[2 * r] - m1) / s1, (points[2 * r + 1] - m2) / s2);
        let z = w[0] * a * a + w[1] * b * b + w[2];
        let want = 1.0 / (1.0 + (-z).exp());
        assert!(
            (f64_out[r] - want).abs() < 1e-12,
            "row {r}: {} against {want}",
            f64_out[r]
        );
    }
    let mut net = DrawNet::new();
    net.load(t.model(), t.data().scaler(), t.data().features());
    let mut f32_out = vec![f64::NAN; rows];
    net.predict(&points, &mut f32_out);
    for (r, (g, w)) in f32_out.iter().zip(&f64_out).enumerate() {
        // The drawing copy's documented bound on its f32 rounding.
        assert!((g - w).abs() < 1e-4, "row {r}: drawn {g} against {w}");
    }

    let mut grids = NeuronGrids::default();
    let n = 5;
    grids.update(&t, n, [-1.0, 1.0, -1.0, 1.0]);
    assert_eq!(grids.inputs.len(), 2 * n * n, "one grid per feature");
    // The top-left cell's centre is (-0.8, 0.8); x₂²'s grid follows x₁²'s.
    let (a, b) = ((-0.8 - m1) / s1, (0.8 - m2) / s2);
    assert!((grids.inputs[0] - a * a).abs() < FORMULA, "{}", grids.inputs[0]);
    assert!(
        (grids.inputs[n * n] - b * b).abs() < FORMULA,
        "{}",
        grids.inputs[n * n]
    );

    let i = t.data().train_points[0] as usize;
    let tr = trace(&t, i).expect("trace");
    let p = t.data().points();
    let (a, b) = ((p[2 * i] - m1) / s1, (p[2 * i + 1] - m2) / s2);
    assert_eq!(tr.input.len(), 2);
    assert!((tr.input[0] - a * a).abs() < FORMULA && (tr.input[1] - b * b).abs() < FORMULA);
    assert_eq!(tr.layers[0].dw.len(), 2, "dW has a row per feature");

    let checks = check_trainer(&t, 100).expect("training points");
    assert_eq!(checks.len(), 1);
    // Both weights and the bias, each one at the crossed inputs.
    assert_eq!(checks[0].checked, 3, "{checks:?}");
    assert_eq!(checks[0].verdict, Verdict::Good, "{checks:?}");
}

#[test]
fn a_set_without_features_or_with_one_twice_is_refused_by_name() {
    let err = |text: &str| TrainConfig::from_json(text).expect_err(text).to_string();
    assert_eq!(
        err(r#"{"network": {"features": []}}"#),
        "network.features: at least one feature, got none"
    );
    assert_eq!(
        err(r#"{"network": {"features": ["x1", "x2", "x1"]}}"#),
        "network.features[2]: x1 is listed twice"
    );
    let e = err(r#"{"network": {"features": ["x1", "x3"]}}"#);
    assert!(e.starts_with(r#"network.features[1]: unknown value "x3""#), "{e}");
}

fn settings(text: &str) -> backprop::settings::Resolved {
    match parse(text) {
        Ok(Json::Obj(fields)) => resolve(&fields, None),
        other => panic!("{other:?}"),
    }
}

/// `(key, value, message)` of each problem.
fn problems(text: &str) -> Vec<(String, String, String)> {
    settings(text)
        .problems
        .into_iter()
        .map(|p| (p.key, p.value, p.message))
        .collect()
}

#[test]
fn the_features_key_names_what_it_refuses_and_keeps_the_previous_value() {
    let one = |key: &str, value: &str, message: &str| vec![(key.into(), value.into(), message.into())];
    assert_eq!(
        problems(r#"{"features": ""}"#),
        one(
            "features",
            "",
            "features=: choose at least one of x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2"
        )
    );
    assert_eq!(
        problems(r#"{"features": "x1,x1"}"#),
        one("features", "x1,x1", "features=x1,x1: x1 is listed twice")
    );
    assert_eq!(
        problems(r#"{"features": "x1,cos_x1"}"#),
        one(
            "features",
            "x1,cos_x1",
            "features=x1,cos_x1: expected one of x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2"
        )
    );
    assert_eq!(settings(r#"{"features": ""}"#).settings.features.len(), 2);
}

#[test]
fn a_link_holds_the_features_as_a_set_and_the_config_follows() {
    let r = settings(r#"{"features": "x2_sq,x1_sq", "layers": "-"}"#);
    assert_eq!(r.problems, vec![]);
    let text = r.settings.get("features").map(|v| v.text());
    assert_eq!(text.as_deref(), Some("x1_sq,x2_sq"), "the table's order");
    let config = r.settings.to_config();
    assert_eq!(
        config.to_json(),
        TrainConfig::from_json(r#"{"network": {"hidden": [], "features": ["x1_sq", "x2_sq"]}}"#)
            .expect("valid")
            .to_json()
    );
    let (back, lost) = from_config(&config, &Checked::default());
    assert_eq!((back, lost), (r.settings.clone(), vec![]));
    let t = r.settings.start().expect("starts");
    assert_eq!(t.model().sizes(), [2, 1]);
}

#[test]
fn activations_per_layer_need_one_per_layer_and_reach_the_network() {
    let r = settings(r#"{"layers": "4,3", "activations": "tanh,sigmoid"}"#);
    assert_eq!(r.problems, vec![]);
    let t = r.settings.start().expect("starts");
    let kinds: Vec<_> = t.model().activations().iter().map(|a| a.kind()).collect();
    assert_eq!(
        serde_json::to_string(&kinds).expect("json"),
        r#"["tanh","sigmoid"]"#
    );
    assert_eq!(
        problems(r#"{"layers": "4,3", "activations": "tanh"}"#),
        vec![(
            "activations".into(),
            "tanh".into(),
            "activations=tanh: 1 activations for 2 hidden layers: give one per layer, or - for none".into()
        )]
    );
    assert_eq!(
        problems(r#"{"activations": "tanh,swish"}"#)[0].2,
        "activations=tanh,swish: expected one of relu, leaky_relu, tanh, sigmoid, elu, gelu, linear"
    );
}
