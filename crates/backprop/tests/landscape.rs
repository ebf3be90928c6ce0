//! The loss landscape: the slice's centre is the run's training loss, each
//! point is the loss evaluated directly there, on a linear network with MSE
//! the slice is exactly the quadratic form, filter normalisation and PCA do
//! what Li et al. describe, and a refreshed slice allocates nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use backprop::teach::landscape::{Grid, Landscape, MAX_PCA_SNAPSHOTS};
use backprop::train::optim::SgdConfig;
use backprop::{Activation, Mlp, OptimizerConfig, OutputLoss, TrainConfig, Trainer};

/// Centre and direct evaluation sum the same per-point terms in a different
/// order (and the trainer's eval path clamps probabilities at 1e-15): a few
/// ulps of a loss near 1, never more.
const SAME_LOSS: f64 = 1e-12;
/// The issue's bound for the analytic check: the slice and the quadratic form
/// differ only by rounding in sums of a few hundred terms.
const QUADRATIC: f64 = 1e-10;
/// Norms and dot products of unit vectors of a few hundred entries.
const UNIT: f64 = 1e-12;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

fn run(json: &str, epochs: usize) -> Trainer {
    let mut t = Trainer::new(TrainConfig::from_json(json).expect("valid config")).expect("valid run");
    for _ in 0..epochs {
        t.step_epoch();
    }
    t
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

fn symmetric(side: usize, reach: f64) -> Grid {
    Grid {
        a0: -reach,
        a1: reach,
        b0: -reach,
        b1: reach,
        side,
    }
}

/// The default run, and one with batch norm (the slice then uses the running statistics).
const RUNS: [&str; 2] = ["{}", r#"{"network":{"batch_norm":true},"batch_size":50}"#];

#[test]
fn the_slice_centre_is_the_runs_training_loss_in_eval_mode() {
    for json in RUNS {
        let mut t = run(json, 30);
        let mut land = Landscape::of_run(&t).unwrap();
        land.use_random(11);
        land.start(symmetric(5, 1.0)).unwrap();
        while !land.compute_rows(2) {}
        let centre = land.loss()[2 * 5 + 2];
        let (train_loss, _) = t.evaluate_train();
        assert!(
            close(centre, train_loss, SAME_LOSS),
            "{json}: centre {centre} vs training loss {train_loss}"
        );
    }
}

#[test]
fn a_point_of_the_slice_is_the_loss_evaluated_directly_there() {
    for json in RUNS {
        let t = run(json, 10);
        let mut land = Landscape::of_run(&t).unwrap();
        land.use_random(3);
        let grid = Grid {
            a0: -0.8,
            a1: 0.4,
            b0: -0.3,
            b1: 0.9,
            side: 7,
        };
        land.start(grid).unwrap();
        while !land.compute_rows(3) {}
        let mut moved = t.model().clone();
        for (r, c) in [(0, 0), (6, 6), (1, 5), (4, 2)] {
            land.point(grid.a(c), grid.b(r), &mut moved.params);
            let direct = bce_from_logits(&moved, &t);
            let slice = land.loss()[r * 7 + c];
            assert!(
                close(slice, direct, SAME_LOSS),
                "{json} ({r}, {c}): slice {slice} vs direct {direct}"
            );
            assert!(close(land.loss_at(grid.a(c), grid.b(r)), direct, SAME_LOSS));
        }
        assert_ne!(land.loss()[0], land.loss()[48], "{json}: the slice is not flat");
    }
}

/// The mean binary cross-entropy of `model` (in eval mode) over `t`'s
/// training set, written out from the logits: far from the centre outputs
/// saturate, and the trainer's evaluation clamps probabilities there.
fn bce_from_logits(model: &Mlp, t: &Trainer) -> f64 {
    let rows = t.data().n_train();
    let mut ws = backprop::Workspace::new(model, rows);
    ws.load(&t.data().train_x, t.train_targets());
    model.forward_eval(&mut ws, rows);
    let z = &ws.z[model.layers().len() - 1][..rows];
    let y = t.train_targets();
    // -(y ln σ(z) + (1 - y) ln(1 - σ(z))) = max(z, 0) - z y + ln(1 + e^-|z|)
    z.iter()
        .zip(y)
        .map(|(&z, &y)| z.max(0.0) - z * y + (-z.abs()).exp().ln_1p())
        .sum::<f64>()
        / rows as f64
}

/// The positions in `params` of each neuron's incoming weights, layer by layer.
fn filters(model: &Mlp) -> Vec<Vec<usize>> {
    model
        .layers()
        .iter()
        .flat_map(|l| (0..l.n_out).map(move |j| (0..l.n_in).map(|i| l.w + i * l.n_out + j).collect()))
        .collect()
}

#[test]
fn filter_normalised_directions_give_each_neuron_the_norm_of_its_weights() {
    let t = run(r#"{"network":{"hidden":[6,5],"batch_norm":true}}"#, 5);
    let mut land = Landscape::of_run(&t).unwrap();
    land.use_random(42);
    let theta = &t.model().params;
    let dirs = land.directions().clone();
    let norm = |v: &[f64], ks: &[usize]| ks.iter().map(|&k| v[k] * v[k]).sum::<f64>().sqrt();
    let mut weight_entries = 0;
    for ks in filters(t.model()) {
        for d in [&dirs.d1, &dirs.d2] {
            let (dn, wn) = (norm(d, &ks), norm(theta, &ks));
            assert!(
                close(dn, wn, UNIT),
                "filter {ks:?}: direction norm {dn} vs weights {wn}"
            );
        }
        weight_entries += ks.len();
    }
    // Biases, gamma and beta are not moved.
    let weights: Vec<usize> = filters(t.model()).concat();
    let others = (0..theta.len()).filter(|k| !weights.contains(k));
    assert_eq!(weight_entries + others.clone().count(), theta.len());
    for k in others {
        assert_eq!(
            (dirs.d1[k], dirs.d2[k]),
            (0.0, 0.0),
            "entry {k} is a bias or batch-norm parameter"
        );
    }
    assert!(dirs.explained.iter().all(|e| e.is_nan()));
    // Seeded: the same seed draws the same directions, another seed others.
    land.use_random(42);
    assert_eq!(
        (&land.directions().d1, &land.directions().d2),
        (&dirs.d1, &dirs.d2)
    );
    land.use_random(43);
    assert_ne!(land.directions().d1, dirs.d1);
}

/// Snapshots of a run, one per epoch, in `Trainer::snapshot`'s layout.
fn trajectory(json: &str, epochs: usize) -> (Trainer, Vec<f64>, usize) {
    let mut t = run(json, 0);
    let mut snaps = t.snapshot();
    for _ in 0..epochs {
        t.step_epoch();
        snaps.extend(t.snapshot());
    }
    let stride = t.snapshot().len();
    (t, snaps, stride)
}

#[test]
fn pca_directions_are_orthonormal_and_projection_leaves_only_the_unexplained_part() {
    for json in [r#"{"optimizer":{"kind":"adam","lr":0.01}}"#, RUNS[1]] {
        let (t, snaps, stride) = trajectory(json, 25);
        let mut land = Landscape::of_run(&t).unwrap();
        let explained = land.use_pca(&snaps, stride).unwrap();
        let d = land.directions().clone();
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        assert!(close(dot(&d.d1, &d.d1), 1.0, UNIT));
        assert!(close(dot(&d.d2, &d.d2), 1.0, UNIT));
        assert!(dot(&d.d1, &d.d2).abs() < UNIT);
        assert!(
            explained[0] >= explained[1] && explained[1] > 0.0 && explained[0] + explained[1] <= 1.0 + UNIT
        );
        // Over the displacements from the centre, centred on their mean, what
        // the projection leaves is exactly the variance the two do not explain.
        let p = t.model().params.len();
        let n = snaps.len() / stride;
        let disp: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..p).map(|k| snaps[i * stride + k] - land.centre()[k]).collect())
            .collect();
        let mean: Vec<f64> = (0..p)
            .map(|k| disp.iter().map(|x| x[k]).sum::<f64>() / n as f64)
            .collect();
        let (mut total, mut left) = (0.0, 0.0);
        for (i, x) in disp.iter().enumerate() {
            let (a, b) = land.project(&snaps[i * stride..(i + 1) * stride]).unwrap();
            assert!(
                close(a, dot(x, &d.d1), UNIT) && close(b, dot(x, &d.d2), UNIT),
                "orthonormal: dot products"
            );
            let (ma, mb) = (dot(&mean, &d.d1), dot(&mean, &d.d2));
            for k in 0..p {
                let c = x[k] - mean[k];
                let r = c - (a - ma) * d.d1[k] - (b - mb) * d.d2[k];
                total += c * c;
                left += r * r;
            }
        }
        let unexplained = 1.0 - explained[0] - explained[1];
        assert!(
            (left / total - unexplained).abs() < 1e-9,
            "{json}: residual {} vs unexplained {unexplained}",
            left / total
        );
    }
}

/// scikit-learn's PCA agrees to rounding in sums of a few dozen terms.
const SKLEARN: f64 = 1e-10;

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    let list = v.as_array().expect("a JSON array");
    list.iter()
        .flat_map(|x| match x.as_array() {
            Some(row) => row.iter().map(|y| y.as_f64().expect("a number")).collect(),
            None => vec![x.as_f64().expect("a number")],
        })
        .collect()
}

/// `tests/fixtures/landscape_pca.json`, written by this script (NumPy 2.4.6,
/// scikit-learn 1.9.1):
///
/// ```python
/// p, n = 13, 9
/// centre = [0.3 * math.sin(1.1 * k) + 0.05 * k for k in range(p)]
/// snaps = [[centre[k] + (i / (n - 1)) * (0.8 * math.sin(0.7 * i + 0.3 * k) + 0.2 * math.cos(1.3 * i * k + 0.5))
///           + 0.05 * math.sin(2.9 * i + 1.7 * k) for k in range(p)] for i in range(n)]
/// X = np.array(snaps) - np.array(centre)
/// pca = PCA(n_components=2, svd_solver="full").fit(X)
/// # explained_variance_ratio_, components_, X @ components_.T
/// ```
#[test]
fn principal_directions_match_scikit_learns_pca_of_the_displacements() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/landscape_pca.json");
    let text = std::fs::read_to_string(path).expect("the PCA fixture is part of the repository");
    let fixture: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let centre = numbers(&fixture["centre"]);
    let snaps = numbers(&fixture["snapshots"]);
    let ratio = numbers(&fixture["explained_variance_ratio"]);
    let components = numbers(&fixture["components"]);
    let projections = numbers(&fixture["projections"]);
    let p = centre.len();
    assert_eq!(
        (p, snaps.len(), components.len(), projections.len()),
        (13, 9 * 13, 2 * 13, 9 * 2)
    );
    // [2, 3, 1] has 13 parameters; its data only has to exist.
    let mut m = Mlp::new(&[2, 3, 1], &[Activation::Relu], OutputLoss::SigmoidBce, false).expect("a network");
    m.params.copy_from_slice(&centre);
    let mut land = Landscape::new(&m, &[0.5, -0.5, 1.0, 2.0], &[0.0, 1.0]).unwrap();
    let explained = land.use_pca(&snaps, p).unwrap();
    for k in 0..2 {
        assert!(
            close(explained[k], ratio[k], SKLEARN),
            "ratio {k}: {} vs {}",
            explained[k],
            ratio[k]
        );
    }
    // A principal direction's sign is arbitrary: align ours to scikit-learn's.
    let d = land.directions().clone();
    let signs: Vec<f64> = [&d.d1, &d.d2]
        .iter()
        .enumerate()
        .map(|(k, dir)| {
            let c = &components[k * p..(k + 1) * p];
            let sign = dir.iter().zip(c).map(|(x, y)| x * y).sum::<f64>().signum();
            for (x, y) in dir.iter().zip(c) {
                assert!((sign * x - y).abs() < SKLEARN, "direction {k}: {x} vs {y}");
            }
            sign
        })
        .collect();
    for i in 0..9 {
        let (a, b) = land.project(&snaps[i * p..(i + 1) * p]).unwrap();
        let (ea, eb) = (projections[2 * i], projections[2 * i + 1]);
        assert!(
            (signs[0] * a - ea).abs() < SKLEARN && (signs[1] * b - eb).abs() < SKLEARN,
            "snapshot {i}: ({a}, {b}) vs ({ea}, {eb})"
        );
    }
}

/// A network with identity activations and MSE on a small data set; its
/// output is linear in the last layer's parameters.
fn linear_network(sizes: &[usize]) -> (Mlp, Vec<f64>, Vec<f64>) {
    let hidden = vec![Activation::Linear; sizes.len() - 2];
    let mut m = Mlp::new(sizes, &hidden, OutputLoss::IdentityMse, false).expect("a valid linear network");
    for (k, w) in m.params.iter_mut().enumerate() {
        *w = 0.3 * ((k as f64) * 1.7).sin() + 0.1;
    }
    let rows = 37;
    let x: Vec<f64> = (0..rows * 2).map(|i| ((i as f64) * 0.61).cos() * 1.5).collect();
    let t: Vec<f64> = (0..rows).map(|i| ((i as f64) * 0.29).sin() * 2.0 + 0.5).collect();
    (m, x, t)
}

/// Outputs of the network at its parameters, and their rate of change along
/// each direction (exact when the output is linear along them).
fn outputs_and_rates(m: &Mlp, x: &[f64], d1: &[f64], d2: &[f64]) -> Vec<(f64, f64, f64)> {
    let rows = x.len() / 2;
    let out = |params: &[f64]| {
        let mut mm = m.clone();
        mm.params.copy_from_slice(params);
        let mut ws = backprop::Workspace::new(&mm, rows);
        let mut o = vec![0.0; rows];
        mm.predict(x, &mut o, &mut ws);
        o
    };
    let o0 = out(&m.params);
    let step = |d: &[f64]| out(&m.params.iter().zip(d).map(|(w, d)| w + d).collect::<Vec<_>>());
    let (o1, o2) = (step(d1), step(d2));
    (0..rows).map(|i| (o0[i], o1[i] - o0[i], o2[i] - o0[i])).collect()
}

#[test]
fn on_a_linear_network_with_mse_the_slice_is_the_analytic_quadratic_form() {
    // [2, 1] with random directions: the output is linear in every weight.
    // [2, 3, 1] with principal directions of a trajectory that moved only
    // the output layer: linear along those.
    let (m, x, t) = linear_network(&[2, 1]);
    let mut plain = Landscape::new(&m, &x, &t).unwrap();
    plain.use_random(5);
    let (m2, x2, t2) = linear_network(&[2, 3, 1]);
    let mut deep = Landscape::new(&m2, &x2, &t2).unwrap();
    let last = m2.layers()[1];
    let mut snaps = Vec::new();
    for s in 0..6 {
        let mut p = m2.params.clone();
        for (k, w) in p.iter_mut().enumerate().take(last.b + last.n_out).skip(last.w) {
            *w += 0.2 * ((s * 7 + k) as f64).sin();
        }
        snaps.extend(p);
    }
    deep.use_pca(&snaps, m2.params.len()).unwrap();
    for (land, m, x, t) in [(&mut plain, &m, &x, &t), (&mut deep, &m2, &x2, &t2)] {
        let d = land.directions().clone();
        // L(a, b) = mean (r + a e1 + b e2)², r = o − t:
        // c0 + 2a·mean(r e1) + 2b·mean(r e2) + a²·mean(e1²) + 2ab·mean(e1 e2) + b²·mean(e2²).
        let terms = outputs_and_rates(m, x, &d.d1, &d.d2);
        let n = terms.len() as f64;
        let mean = |f: &dyn Fn(f64, f64, f64) -> f64| {
            terms
                .iter()
                .zip(t.iter())
                .map(|(&(o, e1, e2), &y)| f(o - y, e1, e2))
                .sum::<f64>()
                / n
        };
        let c0 = mean(&|r, _, _| r * r);
        let (ca, cb) = (mean(&|r, e1, _| 2.0 * r * e1), mean(&|r, _, e2| 2.0 * r * e2));
        let (caa, cab, cbb) = (
            mean(&|_, e1, _| e1 * e1),
            mean(&|_, e1, e2| 2.0 * e1 * e2),
            mean(&|_, _, e2| e2 * e2),
        );
        let grid = symmetric(9, 2.0);
        land.start(grid).unwrap();
        while !land.compute_rows(4) {}
        for r in 0..9 {
            for c in 0..9 {
                let (a, b) = (grid.a(c), grid.b(r));
                let q = c0 + ca * a + cb * b + caa * a * a + cab * a * b + cbb * b * b;
                let got = land.loss()[r * 9 + c];
                assert!(
                    close(got, q, QUADRATIC),
                    "({a}, {b}): slice {got} vs quadratic {q}"
                );
            }
        }
    }
}

#[test]
fn the_gradient_line_is_the_quadratic_along_the_gradient_and_sgd_lands_at_lr_times_the_norm() {
    let (m, x, t) = linear_network(&[2, 1]);
    let mut land = Landscape::new(&m, &x, &t).unwrap();
    let lr = 0.3;
    let sgd = backprop::Optimizer::new(
        OptimizerConfig::Sgd(SgdConfig {
            lr,
            ..SgdConfig::default()
        }),
        m.params.len(),
    )
    .unwrap();
    let line = land.gradient_line(&sgd, lr, 11).unwrap();
    // Analytic: g = (2/N) Σ r φ, φ = (x, 1); along u = −g/|g|, L(t) = L0 − t|g| + t² mean((u·φ)²).
    let rows = t.len();
    let phi = |i: usize| [x[2 * i], x[2 * i + 1], 1.0];
    let r: Vec<f64> = (0..rows).map(|i| dot3(&m.params, &phi(i)) - t[i]).collect();
    let mut g = [0.0; 3];
    for (i, ri) in r.iter().enumerate() {
        for (gk, pk) in g.iter_mut().zip(phi(i)) {
            *gk += 2.0 * ri * pk / rows as f64;
        }
    }
    let g_norm = dot3(&g, &g).sqrt();
    let u = g.map(|v| -v / g_norm);
    let l0 = r.iter().map(|r| r * r).sum::<f64>() / rows as f64;
    let curv = (0..rows).map(|i| dot3(&u, &phi(i)).powi(2)).sum::<f64>() / rows as f64;
    assert!(close(line.grad_norm, g_norm, QUADRATIC));
    assert!(
        close(line.step_t, lr * g_norm, QUADRATIC),
        "SGD steps lr·|g| along −g"
    );
    for (&tt, &l) in line.t.iter().zip(&line.loss) {
        let q = l0 - tt * g_norm + tt * tt * curv;
        assert!(close(l, q, QUADRATIC), "t = {tt}: line {l} vs quadratic {q}");
    }
    assert_eq!(line.t.len(), 11);
    // From behind θ to twice the step, give or take the last grid point's rounding.
    assert!(line.t[0] < 0.0 && close(*line.t.last().unwrap(), 2.0 * line.step_t, UNIT));
}

fn dot3(a: &[f64], b: &[f64; 3]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn a_refreshed_slice_allocates_nothing_once_its_buffers_exist() {
    let mut t = run("{}", 5);
    let mut land = Landscape::of_run(&t).unwrap();
    land.use_random(1);
    let grid = symmetric(41, 1.0);
    land.start(grid).unwrap();
    while !land.compute_rows(8) {}
    let first = land.loss().to_vec();
    t.step_epoch();
    let n = allocations_during(|| {
        land.centre_on(t.model()).unwrap();
        land.use_random(1);
        land.start(grid).unwrap();
        while !land.compute_rows(8) {}
    });
    assert_eq!(n, 0, "a refresh allocated {n} times");
    assert_ne!(land.loss(), &first[..], "the refresh computed a new slice");
}

#[test]
fn moving_the_centre_or_the_directions_leaves_no_slice_complete_until_started_again() {
    let mut t = run("{}", 2);
    let mut land = Landscape::of_run(&t).unwrap();
    assert!(!land.compute_rows(5), "nothing to compute before a start");
    land.use_random(1);
    land.start(symmetric(3, 1.0)).unwrap();
    assert!(land.compute_rows(3) && land.is_complete());
    t.step_epoch();
    land.centre_on(t.model()).unwrap();
    assert!(
        !land.is_complete() && !land.compute_rows(3),
        "the old slice is not the new centre's"
    );
    land.start(symmetric(3, 1.0)).unwrap();
    assert!(land.compute_rows(3));
    land.use_random(2);
    assert!(!land.is_complete(), "nor the old directions'");
}

#[test]
fn bad_grids_snapshots_and_centres_are_refused_by_name() {
    let t = run("{}", 1);
    let mut land = Landscape::of_run(&t).unwrap();
    let err = land.start(symmetric(1, 1.0)).unwrap_err().to_string();
    assert!(err.contains("landscape.side") && err.contains("got 1"), "{err}");
    let err = land.start(symmetric(MAX_PLUS_ONE, 1.0)).unwrap_err().to_string();
    assert!(err.contains("landscape.side") && err.contains("202"), "{err}");
    let err = land
        .start(Grid {
            a0: 1.0,
            a1: -1.0,
            b0: 0.0,
            b1: 1.0,
            side: 3,
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("landscape.a") && err.contains("1..-1"), "{err}");
    let stride = t.snapshot().len();
    let two = [t.snapshot(), t.snapshot()].concat();
    let err = land.use_pca(&two, stride).unwrap_err().to_string();
    assert!(
        err.contains("at least 3 snapshots") && err.contains("got 2"),
        "{err}"
    );
    // Three snapshots on one line through the centre: no second direction.
    let s = t.snapshot();
    let line: Vec<f64> = [0.0, 1.0, 2.0]
        .iter()
        .flat_map(|&f| s.iter().map(move |v| v * (1.0 + f)))
        .collect();
    let err = land.use_pca(&line, stride).unwrap_err().to_string();
    assert!(err.contains("lie on a line"), "{err}");
    let err = land.centre_on_snapshot(&s[1..]).unwrap_err().to_string();
    assert!(
        err.contains("landscape.centre") && err.contains(&format!("{} values", s.len())),
        "{err}"
    );
    let mut bad = s.clone();
    bad[0] = f64::NAN;
    assert!(land.centre_on_snapshot(&bad).is_err());
    let many: Vec<f64> = (0..MAX_PCA_SNAPSHOTS + 1)
        .flat_map(|_| s.iter().copied())
        .collect();
    let err = land.use_pca(&many, stride).unwrap_err().to_string();
    assert!(err.contains("at most 256") && err.contains("got 257"), "{err}");
    let other = run(r#"{"network":{"hidden":[3]}}"#, 0);
    let err = land
        .gradient_line(other.optimizer(), 0.1, 5)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("landscape.optimizer") && err.contains("for 13 parameters"),
        "{err}"
    );
    let err = land.gradient_line(t.optimizer(), 0.0, 5).unwrap_err().to_string();
    assert!(err.contains("landscape.lr") && err.contains("got 0"), "{err}");
    let none = Mlp::new(&[2, 1], &[], OutputLoss::SigmoidBce, false).unwrap();
    let err = Landscape::new(&none, &[], &[]).unwrap_err().to_string();
    assert!(err.contains("at least one training point"), "{err}");
}

const MAX_PLUS_ONE: usize = backprop::teach::landscape::MAX_SIDE + 1;
