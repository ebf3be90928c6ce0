//! What the detectors cost: the page's default run (moons, `[2, 10, 8, 1]`,
//! full-batch SGD at lr 0.1) one epoch at a time, without and with the
//! diagnosis after every epoch (a unit scan when one is due, and every
//! detector over the whole history). The page diagnoses once per frame, so
//! at one epoch a frame this is its cost; at higher speeds it is less.
//! Both runs start from 2,000 trained epochs, so the detectors read a full
//! history. Throughput reads as epochs per second.
//!
//! Everything is measured in the benchmark thread's CPU time
//! (`support/thread_cpu.rs`). On a machine shared with other work even CPU
//! time drifts by more than the difference being measured (a neighbour on
//! the same core, the caches it evicts), so after criterion's two figures
//! the two runs are also timed in alternation: `ROUNDS` rounds of `EPOCHS`
//! epochs each, the order swapped every round, and the overhead read from
//! each round's pair, whose two halves ran under the same conditions.

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use std::hint::black_box;

use backprop::teach::diagnose::Watch;
use backprop::{TrainConfig, Trainer};
use criterion::measurement::Measurement;
use criterion::{Criterion, Throughput, criterion_group};

use thread_cpu::ThreadCpu;

/// Rounds of the alternating comparison, and epochs of each run per round.
const ROUNDS: usize = 400;
const EPOCHS: usize = 25;

/// The default run after `epochs` epochs.
fn trained(epochs: u64) -> Trainer {
    let mut t = Trainer::new(TrainConfig::default()).expect("the default run");
    for _ in 0..epochs {
        t.step_epoch();
    }
    t
}

fn overhead(c: &mut Criterion<ThreadCpu>) {
    let mut g = c.benchmark_group("diagnose");
    g.throughput(Throughput::Elements(1));
    let mut plain = trained(2000);
    g.bench_function("default run, epoch", |b| b.iter(|| black_box(plain.step_epoch())));
    let mut watched = trained(2000);
    let mut watch = Watch::new(&watched);
    g.bench_function("default run, epoch + diagnosis", |b| {
        b.iter(|| {
            watched.step_epoch();
            watch.observe(&watched);
            black_box(watch.diagnose(&watched))
        })
    });
    g.finish();
}

/// The quartiles of `v` (sorted in place).
fn quartiles(v: &mut [f64]) -> [f64; 3] {
    v.sort_by(f64::total_cmp);
    [v[v.len() / 4], v[v.len() / 2], v[3 * v.len() / 4]]
}

/// The two runs in alternation; prints each one's CPU time per epoch and the
/// overhead per round (quartiles over the rounds).
fn alternating() {
    let clock = ThreadCpu;
    let mut plain = trained(2000);
    let mut watched = trained(2000);
    let mut watch = Watch::new(&watched);
    let mut time = |diagnosed: bool| {
        let start = clock.start();
        for _ in 0..EPOCHS {
            if diagnosed {
                watched.step_epoch();
                watch.observe(&watched);
                black_box(watch.diagnose(&watched));
            } else {
                black_box(plain.step_epoch());
            }
        }
        clock.end(start).as_nanos() as f64 / EPOCHS as f64 / 1e3
    };
    let (mut without, mut with, mut extra) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (a, b) = if round % 2 == 0 {
            let a = time(false);
            (a, time(true))
        } else {
            let b = time(true);
            (time(false), b)
        };
        without.push(a);
        with.push(b);
        extra.push((b - a) / a * 100.0);
    }
    let [a, b, o] = [&mut without, &mut with, &mut extra].map(|v| quartiles(v));
    println!(
        "diagnose, alternating ({ROUNDS} rounds of {EPOCHS} epochs, thread CPU time, quartiles):\n  \
         epoch:             {:.1} {:.1} {:.1} µs\n  \
         epoch + diagnosis: {:.1} {:.1} {:.1} µs\n  \
         overhead per round: {:+.1} {:+.1} {:+.1} %",
        a[0], a[1], a[2], b[0], b[1], b[2], o[0], o[1], o[2]
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = overhead
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    alternating();
}
