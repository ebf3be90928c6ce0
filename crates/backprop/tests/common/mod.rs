//! Shared helpers for the reference tests: where the fixtures are, how to
//! load them, and the tolerance they are checked with.
#![allow(dead_code)]

use std::path::PathBuf;

use ndarray::Array2;
use serde_json::Value;

/// The reference README's suggested tolerance for a float64 implementation:
/// `|a - b| <= ABS_TOL + REL_TOL * |b|`.
pub const ABS_TOL: f64 = 1e-10;
pub const REL_TOL: f64 = 1e-9;

/// The directory of reference files: `BACKPROP_REFERENCE_DIR` when set, else the fixtures.
pub fn reference_dir() -> PathBuf {
    match std::env::var_os("BACKPROP_REFERENCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference"),
    }
}

/// The parsed file, or `None` when that kind of file is absent from the directory.
pub fn load(name: &str) -> Option<Value> {
    let path = reference_dir().join(name);
    if !path.exists() {
        eprintln!("{} absent: skipping its cases", path.display());
        return None;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display())))
}

pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("expected a number, got {v}"))
}

pub fn vec1(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(f)
        .collect()
}

pub fn mat(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().expect("matrix rows").iter().map(vec1).collect();
    let n = rows.len();
    let d = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((n, d), rows.into_iter().flatten().collect()).expect("rectangular matrix")
}

/// Asserts `|a - b| <= abs + rel * |b|` element-wise, naming the first mismatch.
pub fn assert_close_tol(what: &str, actual: &[f64], expected: &[f64], abs: f64, rel: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &b)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - b).abs() <= abs + rel * b.abs(),
            "{what}[{i}]: got {a:e}, expected {b:e} (diff {:e})",
            (a - b).abs()
        );
    }
}

pub fn assert_close(what: &str, actual: &[f64], expected: &[f64]) {
    assert_close_tol(what, actual, expected, ABS_TOL, REL_TOL);
}

use backprop::{Activation, ActivationKind, Mlp, OutputLoss, Workspace};

/// Builds the case's network (no batch norm) with its weights and biases.
pub fn mlp_from_case(case: &Value, batch_norm: bool) -> Mlp {
    let sizes: Vec<usize> = case["layer_sizes"]
        .as_array()
        .expect("layer_sizes")
        .iter()
        .map(|v| v.as_u64().expect("size") as usize)
        .collect();
    let acts: Vec<Activation> = match case.get("hidden_activations") {
        Some(list) => list
            .as_array()
            .expect("activations")
            .iter()
            .map(activation)
            .collect(),
        None => vec![activation(&case["hidden_activation"]); sizes.len() - 2],
    };
    let output: OutputLoss = named(&case["output_and_loss"], "output_and_loss");
    let mut mlp = Mlp::new(&sizes, &acts, output, batch_norm).expect("valid network");
    set_params(&mut mlp, &case["weights"], &case["biases"]);
    mlp
}

/// A choice written by name (`"relu"`, `"sigmoid_bce"`), read as configs read it.
pub fn named<T: backprop::json::Decode>(v: &Value, what: &str) -> T {
    let name = v.as_str().unwrap_or_else(|| panic!("{what}: not a name"));
    T::decode(&backprop::json::Json::Str(name.into()), what).expect(what)
}

/// Names in the reference files, with PyTorch's default parameters.
pub fn activation(v: &Value) -> Activation {
    let kind: ActivationKind = named(v, "activation name");
    Activation::from_kind(kind, 0.01, 1.0)
}

pub fn set_params(mlp: &mut Mlp, weights: &Value, biases: &Value) {
    let layers = mlp.layers().to_vec();
    for (l, layer) in layers.iter().enumerate() {
        let w = mat(&weights[l]);
        assert_eq!(w.dim(), (layer.n_in, layer.n_out), "W{l} shape");
        mlp.params[layer.w_range()].copy_from_slice(w.as_slice().expect("contiguous"));
        mlp.params[layer.b_range()].copy_from_slice(&vec1(&biases[l]));
    }
}

/// A workspace holding the case's `X` and targets (one-hot for softmax).
pub fn workspace_for(mlp: &Mlp, x: &Value, targets: &Value) -> (Workspace, usize) {
    let x = mat(x);
    let rows = x.nrows();
    let mut ws = Workspace::new(mlp, rows);
    let xs = x.as_slice().expect("contiguous").to_vec();
    let t: Vec<f64> = targets
        .as_array()
        .expect("targets")
        .iter()
        .flat_map(|row| match row.as_array() {
            Some(r) => r.iter().map(f).collect::<Vec<_>>(),
            None => vec![f(row)],
        })
        .collect();
    ws.load(&xs, &t);
    (ws, rows)
}

/// Flattens a nested JSON array of numbers.
pub fn flat(v: &Value) -> Vec<f64> {
    match v.as_array() {
        Some(items) => items.iter().flat_map(flat).collect(),
        None => vec![f(v)],
    }
}

/// A workspace buffer (feature-major `[n, rows]`) as row-major `[rows, n]`, to compare with the files.
pub fn rows_of(buf: &[f64], n: usize, rows: usize) -> Vec<f64> {
    Workspace::row_major(buf, n, rows)
}
