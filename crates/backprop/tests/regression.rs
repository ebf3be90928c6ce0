//! Regression: TensorFlow Playground's two 2-D sets and the 1-D functions
//! train to a good fit on their networks, points carry values through a run,
//! a model file and CSV, and hand-drawn curves and values are held to their shape.

use backprop::data::regression::{RADIUS_1D, RADIUS_2D, RegressionKind, generate};
use backprop::io::csv::{export_csv, import_csv};
use backprop::io::json::{Json, parse};
use backprop::io::model_io::{export_model, import_model};
use backprop::settings::read;
use backprop::{OutputLoss, TrainConfig, Trainer};

/// The coefficient of determination every set must reach on its test points:
/// the issue's bar for "learns the function".
const GOOD_FIT: f64 = 0.9;
/// Epochs each set trains for: every set has passed its bar by then (the
/// slowest, `reg_gauss`, reaches 0.93 at 2,000).
const EPOCHS: u32 = 2000;

fn fields(text: &str) -> Vec<(String, Json)> {
    match parse(text) {
        Ok(Json::Obj(f)) => f,
        other => panic!("{text} is not a JSON object: {other:?}"),
    }
}

/// A run from the page's settings (`{"dataset":"sine"}`), like a link makes.
fn run(settings: &str) -> Trainer {
    read(&fields(settings))
        .unwrap_or_else(|e| panic!("{settings}: {e}"))
        .start()
        .unwrap_or_else(|e| panic!("{settings}: {e}"))
}

#[test]
fn every_regression_set_reaches_a_test_r2_of_0_9_on_its_network() {
    // The page's default network (2-10-8-1, ReLU, SGD at 0.1, full batch) at
    // the default noise, except the bumps: TensorFlow Playground's default
    // noise for them is 0, and ten and eight units reach only 0.83 in
    // 3,000 epochs, so they train 16 and 16 units with Adam.
    let sets = [
        r#"{"dataset":"reg_plane"}"#,
        r#"{"dataset":"reg_gauss","noise":0,"layers":[16,16],"optimizer":"adam","lr":0.01}"#,
        r#"{"dataset":"sine"}"#,
        r#"{"dataset":"sign"}"#,
        r#"{"dataset":"abs"}"#,
        r#"{"dataset":"cubic"}"#,
    ];
    for settings in sets {
        let mut t = run(settings);
        assert_eq!(t.model().output(), OutputLoss::IdentityMse, "{settings}");
        for _ in 0..EPOCHS {
            t.step_epoch();
        }
        let e = t.last_epoch().expect("trained");
        assert_eq!(e.epoch, u64::from(EPOCHS), "{settings}: every epoch trained");
        assert!(e.test_r2 >= GOOD_FIT, "{settings}: test R² {}", e.test_r2);
        assert!(e.train_r2 >= GOOD_FIT, "{settings}: train R² {}", e.train_r2);
    }
}

#[test]
fn regression_points_lie_in_their_domain_and_1d_points_on_the_axis() {
    for kind in [
        RegressionKind::Plane,
        RegressionKind::Gauss,
        RegressionKind::Sine,
        RegressionKind::Sign,
        RegressionKind::Abs,
        RegressionKind::Cubic,
    ] {
        let set = generate(kind, 500, 0.3, 7).expect("valid");
        assert_eq!(set.points.len(), 1000, "{kind:?}");
        assert_eq!(set.values.len(), 500, "{kind:?}");
        for p in set.points.chunks_exact(2) {
            if kind.is_1d() {
                assert!(p[0].abs() <= RADIUS_1D && p[1] == 0.0, "{kind:?}: {p:?}");
            } else {
                assert!(
                    p[0].abs() <= RADIUS_2D && p[1].abs() <= RADIUS_2D,
                    "{kind:?}: {p:?}"
                );
            }
        }
        assert!(set.values.iter().all(|v| v.is_finite()), "{kind:?}");
    }
}

#[test]
fn a_regression_run_reports_r2_and_no_classes() {
    let mut t = run(r#"{"dataset":"sine","n":200}"#);
    assert_eq!(t.data().n_classes(), 1);
    assert!(t.data().is_1d());
    assert_eq!(
        t.train_targets(),
        t.data().train_v.as_slice(),
        "the targets are the values"
    );
    t.step_epoch();
    let e = t.last_epoch().expect("one epoch");
    assert!(e.train_r2.is_finite() && e.test_r2.is_finite(), "{e:?}");
}

#[test]
fn a_classification_output_on_regression_data_is_refused_by_name() {
    let config =
        TrainConfig::from_json(r#"{"dataset":{"kind":"reg_plane"},"network":{"output":"sigmoid_bce"}}"#);
    let e = config.expect_err("sigmoid on values");
    assert_eq!(e.field(), "network.output");
    assert!(e.to_string().contains("identity_mse"), "{e}");
}

/// A run on imported CSV text, as the page makes one.
fn imported(text: &str, prefer_values: bool) -> Trainer {
    let data = import_csv(text, prefer_values, true).expect("imports");
    let mut config = TrainConfig::default();
    config.dataset.kind = backprop::DataSource::Custom;
    config.dataset.custom = match (data.values(), data.is_1d()) {
        (None, _) => backprop::CustomKind::Classes,
        (Some(_), false) => backprop::CustomKind::Values,
        (Some(_), true) => backprop::CustomKind::Curve,
    };
    config.dataset.classes = data.n_classes().max(2);
    Trainer::with_data(config, data).expect("a run on the points")
}

#[test]
fn csv_export_import_export_is_byte_identical_for_classes_values_and_curves() {
    for settings in [
        r#"{"dataset":"spiral3","n":90}"#,
        r#"{"dataset":"reg_gauss","n":90}"#,
        r#"{"dataset":"cubic","n":90}"#,
    ] {
        let original = run(settings);
        let first = export_csv(original.data());
        let t = imported(&first, false);
        // Every number reads back as the same f64, and writes out as the same text.
        assert_eq!(t.data().points(), original.data().points(), "{settings}");
        assert_eq!(t.data().values(), original.data().values(), "{settings}");
        assert_eq!(t.data().labels(), original.data().labels(), "{settings}");
        assert_eq!(t.data().test_flags(), original.data().test_flags(), "{settings}");
        assert_eq!(export_csv(t.data()), first, "{settings}");
        // And through a model file.
        let back = import_model(&export_model(&t)).expect("model file");
        assert_eq!(export_csv(back.data()), first, "{settings}: through a model file");
    }
}

#[test]
fn csv_shapes_are_read_with_or_without_a_header() {
    let curve = import_csv("0.5,1.25\n-1,2\n", false, true).expect("two columns");
    assert!(curve.is_1d());
    assert_eq!(curve.values(), Some(&[1.25, 2.0][..]));
    assert_eq!(curve.points(), &[0.5, 0.0, -1.0, 0.0]);

    let curve = import_csv("1,0.5,test\n2,3,train\n", false, true).expect("x,value,split");
    assert_eq!(curve.test_flags(), &[1, 0]);

    let classes = import_csv("0,0,0\n1,1,3\n", false, true).expect("classes");
    assert_eq!(classes.values(), None);
    assert_eq!(classes.n_classes(), 4, "classes up to the largest label");

    let values = import_csv("0,0,0\n1,1,3\n", true, true).expect("values when the run has values");
    assert_eq!(values.values(), Some(&[0.0, 3.0][..]));

    let values = import_csv("0,0,0.5\n1,1,3\n", false, true).expect("a fraction is a value");
    assert_eq!(values.values(), Some(&[0.5, 3.0][..]));

    let header = import_csv("x1,x2,class\n0,0,1.0\n", true, true).map(|_| ());
    let e = header.expect_err("a header's class column holds classes");
    assert_eq!(e.field(), "data.csv line 2, column 3 (label)");
}

#[test]
fn bad_csv_lines_are_named_by_line_and_column_and_nothing_is_imported() {
    for (text, field) in [
        (
            "x,y,value\n0,0,1\n1,1,nope\n",
            "data.csv line 3, column 3 (value)",
        ),
        ("x,value\n0,1\n0,1,2\n", "data.csv line 3, column 3 (columns)"),
        (
            "x,y,label,split\n# a comment\n\n0,0,1,later\n",
            "data.csv line 4, column 4 (split)",
        ),
        ("x,y,weight\n0,0,1\n", "data.csv line 1, column 3 (header)"),
        ("0,0,1\n0\n", "data.csv line 2, column 2 (columns)"),
        ("0,NaN\n", "data.csv line 1, column 2 (value)"),
        ("x,y,label\n", "data.csv line 1, column 1 (points)"),
    ] {
        let e = import_csv(text, false, true).map(|_| ()).expect_err(text);
        assert_eq!(e.field(), field, "{text:?}: {e}");
    }
}

#[test]
fn drawn_values_and_curves_keep_their_shape() {
    let mut curve = run(r#"{"dataset":"custom","custom":"curve"}"#);
    assert!(curve.data().is_1d());
    curve
        .add_value_point(0.5, 0.0, 1.5, false)
        .expect("a curve's point");
    let e = curve
        .add_value_point(0.5, 0.2, 1.5, false)
        .expect_err("off the axis");
    assert_eq!(e.field(), "point.y");
    let e = curve
        .add_value_point(0.5, 0.0, f64::NAN, false)
        .expect_err("no value");
    assert_eq!(e.field(), "point.value");
    let e = curve
        .add_point(0.5, 0.0, 0, false)
        .expect_err("a class among values");
    assert_eq!(e.field(), "point.label");
    assert_eq!(curve.data().len(), 1, "refused points leave nothing behind");
    assert_eq!(curve.data().values(), Some(&[1.5][..]));

    let mut classes = run(r#"{"dataset":"custom"}"#);
    let e = classes
        .add_value_point(0.5, 0.0, 1.5, false)
        .expect_err("classes, not values");
    assert_eq!(e.field(), "point.value");
    assert!(classes.data().is_empty());
}
