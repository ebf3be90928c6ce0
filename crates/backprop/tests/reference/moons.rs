//! `moons_seed.json`: scikit-learn's `make_moons`, `train_test_split` and
//! `StandardScaler`, against the engine's moons generator (in distribution:
//! its random streams are not NumPy's), its scaler, and its tutorial preset
//! (bit for bit: the preset is a copy of scikit-learn's points).

use backprop::data::dataset::moons;
use backprop::{Data, StandardScaler};
use ndarray::{Array2, Axis};
use serde_json::Value;

use crate::contract::{
    CONVENTIONS, Checked, EXACT, Fields, GENERATOR, Loc, Schema, Tol, call_arguments, compare_values,
    keyword, keyword_int,
};

/// Two-pass f64 statistics over hundreds of points of magnitude ~1 agree
/// with scikit-learn's to a few ulps; 1e-12 is the bound the design asks for.
const SCALER: Tol = Tol { abs: 1e-12, rel: 0.0 };

/// Per-class means and standard deviations of two samples of the moons. With
/// 500 points per class and noise 0.2 their sampling error is ~0.01, while a
/// wrong radius, offset or noise scale moves them by >= 0.1. Sampling error
/// grows as 1/sqrt(points), and so does the bound for smaller classes.
const STATISTICS_AT_500: f64 = 0.05;

const ROOT: Schema = Schema {
    inputs: &["description"],
    compared: &[
        "n_train",
        "n_test",
        "n_features",
        "X_train_raw",
        "X_test_raw",
        "y_train",
        "y_test",
        "scaler_mean",
        "scaler_scale",
        "scaler_var",
        "X_train_scaled",
        "X_test_scaled",
    ],
    not_applicable: &[("conventions", CONVENTIONS), ("generator", GENERATOR)],
};

/// How the points were made and split, as the description's calls say.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Made {
    n_samples: u32,
    noise: f64,
    random_state: u32,
    test_size: f64,
    split_state: u32,
}

/// What the engine's tutorial preset holds (see `Data::tutorial`).
const TUTORIAL: Made = Made {
    n_samples: 1000,
    noise: 0.2,
    random_state: 42,
    test_size: 0.2,
    split_state: 42,
};

pub fn check(root: &Value) -> Checked<usize> {
    let root = Fields::new(root, Loc::default(), &ROOT)?;
    let made = made(&root.loc("description"), root.text("description")?)?;
    let n_features = root.integer("n_features")?;
    if n_features != 2 {
        return Err(root.loc("n_features").error(format!(
            "{n_features}: the engine's points are in the plane (2 features)"
        )));
    }
    let (n_train, n_test) = (root.integer("n_train")?, root.integer("n_test")?);
    if n_train + n_test != made.n_samples as usize {
        return Err(root.loc("n_train").error(format!(
            "{n_train} + n_test {n_test} points, but make_moons made {}",
            made.n_samples
        )));
    }
    let train_raw = root.array("X_train_raw", &[n_train, 2])?;
    let test_raw = root.array("X_test_raw", &[n_test, 2])?;
    let y_train = labels(&root, "y_train", n_train)?;
    let y_test = labels(&root, "y_test", n_test)?;

    // The scaler, fitted on the training rows only.
    let scaler = StandardScaler::fit(points(&train_raw).view());
    root.compare("scaler_mean", &scaler.mean, &[2], SCALER)?;
    root.compare("scaler_scale", &scaler.scale, &[2], SCALER)?;
    let var: Vec<f64> = scaler.scale.iter().map(|s| s * s).collect();
    root.compare("scaler_var", &var, &[2], SCALER)?;
    for (raw, key, rows) in [
        (&train_raw, "X_train_scaled", n_train),
        (&test_raw, "X_test_scaled", n_test),
    ] {
        let mut x = points(raw);
        scaler.transform_inplace(&mut x);
        root.compare(key, x.as_slice().unwrap_or_default(), &[rows, 2], SCALER)?;
    }

    // The tutorial preset is these points, split and scaled the same way.
    if made != TUTORIAL {
        return Err(root.loc("description").error(format!(
            "{made:?}, but the engine's tutorial preset holds {TUTORIAL:?}: it cannot be checked against other points"
        )));
    }
    let raw = Data::tutorial(false);
    root.compare("n_train", &[raw.n_train() as f64], &[], EXACT)?;
    root.compare("n_test", &[raw.n_test() as f64], &[], EXACT)?;
    root.compare("X_train_raw", &raw.train_x, &[n_train, 2], EXACT)?;
    root.compare("X_test_raw", &raw.test_x, &[n_test, 2], EXACT)?;
    let as_f64 = |y: &[u8]| y.iter().map(|&c| f64::from(c)).collect::<Vec<_>>();
    root.compare("y_train", &as_f64(&raw.train_y), &[n_train], EXACT)?;
    root.compare("y_test", &as_f64(&raw.test_y), &[n_test], EXACT)?;
    // Standardised with the engine's scaler, fitted on the training rows as in the tutorial.
    let scaled = Data::tutorial(true);
    root.compare("X_train_scaled", &scaled.train_x, &[n_train, 2], SCALER)?;
    root.compare("X_test_scaled", &scaled.test_x, &[n_test, 2], SCALER)?;

    // The engine's generator, with the same settings, in distribution.
    let ours = moons(made.n_samples as usize, made.noise, u64::from(made.random_state)).map_err(|e| {
        root.loc("description")
            .error(format!("the engine cannot make these moons: {e}"))
    })?;
    let all_x = [train_raw.as_slice(), test_raw.as_slice()].concat();
    let all_y = [y_train.as_slice(), y_test.as_slice()].concat();
    for class in 0..2u8 {
        let count = |y: &[u8]| y.iter().filter(|&&c| c == class).count();
        let (n_ours, n_ref) = (count(&ours.y), count(&all_y));
        if n_ours != n_ref {
            return Err(root.loc("y_train").error(format!(
                "class {class} has {n_ref} points here and {n_ours} in the engine's moons"
            )));
        }
        let bound = STATISTICS_AT_500 * (500.0 / n_ref.max(1) as f64).sqrt().max(1.0);
        compare_values(
            &root.loc("X_train_raw"),
            &class_stats(&ours.x, &ours.y, class),
            &[4],
            &class_stats(&points(&all_x), &all_y, class),
            Tol { abs: bound, rel: 0.0 },
        )
        .map_err(|e| {
            format!("{e} (class {class}'s [mean x, mean y, std x, std y], with X_test_raw, against the engine's moons)")
        })?;
    }
    root.finish()?;
    Ok(1)
}

/// The settings of the description's `make_moons(…)` and `train_test_split(…)` calls.
fn made(loc: &Loc, description: &str) -> Checked<Made> {
    let moons = call_arguments(loc, description, "make_moons")?;
    let split = call_arguments(loc, description, "train_test_split")?;
    Ok(Made {
        n_samples: keyword_int(loc, moons, "n_samples")?,
        noise: keyword(loc, moons, "noise")?,
        random_state: keyword_int(loc, moons, "random_state")?,
        test_size: keyword(loc, split, "test_size")?,
        split_state: keyword_int(loc, split, "random_state")?,
    })
}

/// Class labels 0 and 1.
fn labels(root: &Fields, key: &str, rows: usize) -> Checked<Vec<u8>> {
    root.array(key, &[rows])?
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if v == 0.0 || v == 1.0 {
                Ok(v as u8)
            } else {
                Err(root
                    .loc(key)
                    .index(i)
                    .error(format!("{v}: the moons have classes 0 and 1")))
            }
        })
        .collect()
}

/// Row-major `[n, 2]` points as a matrix.
fn points(xy: &[f64]) -> Array2<f64> {
    Array2::from_shape_fn((xy.len() / 2, 2), |(r, c)| xy[2 * r + c])
}

/// Per-class mean and standard deviation of each coordinate.
fn class_stats(x: &Array2<f64>, y: &[u8], class: u8) -> [f64; 4] {
    let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
    let sel = x.select(Axis(0), &rows);
    let std = sel.std_axis(Axis(0), 0.0);
    match sel.mean_axis(Axis(0)) {
        Some(mean) => [mean[0], mean[1], std[0], std[1]],
        None => [f64::NAN; 4],
    }
}
