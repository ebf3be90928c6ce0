//! Datasets and scaling: determinism, seeds, validation and edge cases.
//! (Agreement with scikit-learn's `make_moons` and `StandardScaler` is in the
//! reference tests, `tests/reference`.)

use backprop::StandardScaler;
use backprop::data::dataset::{Dataset, DatasetKind, moons};

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
fn scaler_leaves_zero_variance_features_unscaled() {
    let x = ndarray::array![[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]];
    let s = StandardScaler::fit(x.view());
    assert_eq!(s.scale[1], 1.0);
    assert_eq!(s.mean[1], 5.0);
    assert_eq!(s.transform_point([2.0, 5.0]), [0.0, 0.0]);
}
