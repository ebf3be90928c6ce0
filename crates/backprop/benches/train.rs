//! The workloads every system is compared on (see the README's performance
//! section), measured natively. Throughput reads as epochs per second.
//!
//! - W1: the tutorial's run — 800 standardised training points, `[2, 10, 8, 1]`,
//!   ReLU, sigmoid + BCE, full-batch GD with lr 0.1 (plus batch-norm and
//!   clipping variants, to show what each costs);
//! - W2: the same with Adam, lr 1e-3;
//! - W3: predicting a 200 × 200 grid with the W1 net (the f32 drawing copy,
//!   and the f64 eval path for comparison);
//! - W4: `[2, 64, 64, 64, 1]`, Adam, full batch of 800;
//! - L1: a 41 × 41 slice of the loss landscape around the W1 net after 100
//!   epochs: 1,681 eval-mode passes over the 800 training points.
//!
//! An epoch here is what the page runs: the update, then the 200 test points
//! evaluated for the curves.

use std::hint::black_box;

use backprop::teach::draw::DrawNet;
use backprop::teach::landscape::{Grid, Landscape};
use backprop::{TrainConfig, Trainer};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// `BACKPROP_SIMD=baseline` keeps the kernels on the two lanes every
/// x86-64 CPU (and wasm) has, to compare with the wider ones.
fn lanes_from_env() {
    if std::env::var_os("BACKPROP_SIMD").is_some_and(|v| v == "baseline") {
        backprop::fast::baseline_only(true);
    }
}

fn trainer(json: &str) -> Trainer {
    let mut config = TrainConfig::from_json(json).expect("valid bench config");
    config.dataset.kind = backprop::DataSource::Tutorial;
    Trainer::new(config).expect("valid run")
}

fn epochs(c: &mut Criterion) {
    lanes_from_env();
    let mut g = c.benchmark_group("epoch");
    g.throughput(Throughput::Elements(1));
    let workloads = [
        ("W1 GD [2,10,8,1]", "{}"),
        ("W1 + batch norm", r#"{"network":{"batch_norm":true}}"#),
        (
            "W1 + clip norm 1.0",
            r#"{"clipping":{"kind":"norm","max_norm":1.0}}"#,
        ),
        (
            "W2 Adam [2,10,8,1]",
            r#"{"optimizer":{"kind":"adam","lr":0.001}}"#,
        ),
        (
            "W4 Adam [2,64,64,64,1]",
            r#"{"network":{"hidden":[64,64,64]},"optimizer":{"kind":"adam","lr":0.001}}"#,
        ),
    ];
    for (name, json) in workloads {
        let mut t = trainer(json);
        g.bench_function(name, |b| b.iter(|| black_box(t.step_epoch())));
    }
    g.finish();
}

fn grid(c: &mut Criterion) {
    lanes_from_env();
    let mut t = trainer("{}");
    for _ in 0..100 {
        t.step_epoch();
    }
    const N: usize = 200;
    let points: Vec<f64> = (0..N * N)
        .flat_map(|i| {
            [
                -2.0 + 5.0 * (i % N) as f64 / N as f64,
                -1.5 + 3.5 * (i / N) as f64 / N as f64,
            ]
        })
        .collect();
    let mut out = vec![0.0; N * N];
    let mut g = c.benchmark_group("grid");
    g.throughput(Throughput::Elements((N * N) as u64));
    // What the page draws: the f32 copy of the net, reloaded each refresh.
    let mut net = DrawNet::new();
    g.bench_function("W3 predict 200x200", |b| {
        b.iter(|| {
            net.load(t.model(), t.data().scaler(), t.data().features());
            net.predict(black_box(&points), &mut out)
        })
    });
    // The checked f64 path, for comparison.
    g.bench_function("W3 predict f64 200x200", |b| {
        b.iter(|| t.predict_data_space(black_box(&points), &mut out))
    });
    g.finish();
}

fn landscape(c: &mut Criterion) {
    lanes_from_env();
    let mut t = trainer("{}");
    for _ in 0..100 {
        t.step_epoch();
    }
    let mut land = Landscape::of_run(&t).expect("a landscape of the run");
    land.use_random(1);
    let grid = Grid {
        a0: -1.0,
        a1: 1.0,
        b0: -1.0,
        b1: 1.0,
        side: 41,
    };
    let mut g = c.benchmark_group("landscape");
    g.throughput(Throughput::Elements(41 * 41));
    // A whole refresh, as the page spreads it over frames: start, then every row.
    g.bench_function("L1 slice 41x41", |b| {
        b.iter(|| {
            land.start(grid).expect("a valid grid");
            black_box(land.compute_rows(41))
        })
    });
    g.finish();
}

criterion_group!(benches, epochs, grid, landscape);
criterion_main!(benches);
