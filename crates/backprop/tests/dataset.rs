//! Datasets and scaling, checked against scikit-learn's `make_moons` and
//! `StandardScaler` (tests/fixtures/reference/moons_seed.json).

mod common;

use backprop::StandardScaler;
use backprop::dataset::{Dataset, DatasetKind, moons};
use common::{assert_close_tol, load, mat, vec1};
use ndarray::{Array2, Axis, concatenate};

/// Per-class mean and standard deviation of each coordinate.
fn class_stats(x: &Array2<f64>, y: &[u8], class: u8) -> [f64; 4] {
    let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
    let sel = x.select(Axis(0), &rows);
    let m = sel.mean_axis(Axis(0)).expect("non-empty class");
    let s = sel.std_axis(Axis(0), 0.0);
    [m[0], m[1], s[0], s[1]]
}

#[test]
fn moons_match_sklearn_shape_balance_and_class_statistics() {
    let Some(r) = load("moons_seed.json") else { return };
    let x_ref = concatenate![Axis(0), mat(&r["X_train_raw"]), mat(&r["X_test_raw"])];
    let y_ref: Vec<u8> = vec1(&r["y_train"])
        .into_iter()
        .chain(vec1(&r["y_test"]))
        .map(|v| v as u8)
        .collect();
    let ours = moons(x_ref.nrows(), 0.2, 42).expect("valid moons");
    assert_eq!(ours.x.dim(), x_ref.dim());
    for class in 0..2u8 {
        let n_ours = ours.y.iter().filter(|&&c| c == class).count();
        let n_ref = y_ref.iter().filter(|&&c| c == class).count();
        assert_eq!(n_ours, n_ref, "class {class} count");
        // With 500 points per class and noise 0.2 the sampling error of a mean
        // or a std is ~0.01; a wrong radius, offset or noise scale moves them by >= 0.1.
        const STAT_TOL: f64 = 0.05;
        let a = class_stats(&ours.x, &ours.y, class);
        let b = class_stats(&x_ref, &y_ref, class);
        assert_close_tol(
            &format!("class {class} [mean x, mean y, std x, std y]"),
            &a,
            &b,
            STAT_TOL,
            0.0,
        );
    }
}

#[test]
fn same_seed_gives_same_points_and_different_seed_different_points() {
    for kind in [
        DatasetKind::Moons,
        DatasetKind::Circles,
        DatasetKind::Xor,
        DatasetKind::Gaussians,
        DatasetKind::Spiral,
        DatasetKind::Spiral3,
    ] {
        let a = Dataset::generate(kind, 200, 0.1, 7).expect("valid");
        let b = Dataset::generate(kind, 200, 0.1, 7).expect("valid");
        let c = Dataset::generate(kind, 200, 0.1, 8).expect("valid");
        assert_eq!(a, b, "{kind:?} is deterministic");
        assert_ne!(a.x, c.x, "{kind:?} depends on the seed");
        assert_eq!(a.n_classes, kind.n_classes());
        assert!(a.y.iter().all(|&c| usize::from(c) < a.n_classes));
        for class in 0..a.n_classes as u8 {
            assert!(a.y.contains(&class), "{kind:?} has class {class}");
        }
    }
}

#[test]
fn bad_sizes_and_noise_are_rejected_with_field_and_value() {
    let e = moons(100, -1.0, 0).expect_err("negative noise");
    assert_eq!(e.field(), "dataset.noise");
    assert!(e.to_string().contains("-1"), "{e}");
    let e = moons(100, f64::NAN, 0).expect_err("NaN noise");
    assert!(e.to_string().contains("NaN"), "{e}");
    let e = moons(0, 0.1, 0).expect_err("no samples");
    assert_eq!(e.field(), "dataset.n_samples");
    assert!(moons(1, 0.0, 0).is_ok(), "a single point is allowed");
}

#[test]
fn scaler_reproduces_sklearn_mean_and_scale() {
    let Some(r) = load("moons_seed.json") else { return };
    let x_train = mat(&r["X_train_raw"]);
    let scaler = StandardScaler::fit(x_train.view());
    // Two-pass f64 statistics over 800 points of magnitude ~1 agree with
    // sklearn's to a few ulps; 1e-12 is the bound the design asks for.
    const SCALER_TOL: f64 = 1e-12;
    assert_close_tol("mean", &scaler.mean, &vec1(&r["scaler_mean"]), SCALER_TOL, 0.0);
    assert_close_tol("scale", &scaler.scale, &vec1(&r["scaler_scale"]), SCALER_TOL, 0.0);
    let mut x_test = mat(&r["X_test_raw"]);
    scaler.transform_inplace(&mut x_test);
    let expected = mat(&r["X_test_scaled"]);
    assert_close_tol(
        "X_test_scaled",
        x_test.as_slice().expect("contiguous"),
        expected.as_slice().expect("contiguous"),
        SCALER_TOL,
        0.0,
    );
}

#[test]
fn scaler_leaves_zero_variance_features_unscaled() {
    let x = ndarray::array![[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]];
    let s = StandardScaler::fit(x.view());
    assert_eq!(s.scale[1], 1.0);
    assert_eq!(s.mean[1], 5.0);
    assert_eq!(s.transform_point([2.0, 5.0]), [0.0, 0.0]);
}

#[test]
fn the_tutorial_preset_is_sklearns_data_and_split_bit_for_bit() {
    let Some(r) = load("moons_seed.json") else { return };
    let raw = backprop::Data::tutorial(false);
    let train = mat(&r["X_train_raw"]);
    let test = mat(&r["X_test_raw"]);
    // Exact: the file holds the shortest round-trip text of each float64.
    assert_close_tol(
        "X_train_raw",
        &raw.train_x,
        train.as_slice().expect("contiguous"),
        0.0,
        0.0,
    );
    assert_close_tol(
        "X_test_raw",
        &raw.test_x,
        test.as_slice().expect("contiguous"),
        0.0,
        0.0,
    );
    let y: Vec<u8> = vec1(&r["y_train"]).into_iter().map(|v| v as u8).collect();
    assert_eq!(raw.train_y, y);
    let scaled = backprop::Data::tutorial(true);
    // Standardised with our scaler, fitted on the training rows as in the tutorial.
    let expected = mat(&r["X_train_scaled"]);
    assert_close_tol(
        "X_train_scaled",
        &scaled.train_x,
        expected.as_slice().expect("contiguous"),
        1e-12,
        0.0,
    );
}
