//! What the detectors cost: the page's default run (moons, `[2, 10, 8, 1]`,
//! full-batch SGD at lr 0.1) one epoch at a time, without and with the
//! diagnosis after every epoch (a unit scan when one is due, and every
//! detector over the whole history). The page diagnoses once per frame, so
//! at one epoch a frame this is its cost; at higher speeds it is less.
//! Both runs start from 2,000 trained epochs, so the detectors read a full
//! history. Throughput reads as epochs per second.

use std::hint::black_box;

use backprop::teach::diagnose::Watch;
use backprop::{TrainConfig, Trainer};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The default run after `epochs` epochs.
fn trained(epochs: u64) -> Trainer {
    let mut t = Trainer::new(TrainConfig::default()).expect("the default run");
    for _ in 0..epochs {
        t.step_epoch();
    }
    t
}

fn overhead(c: &mut Criterion) {
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

criterion_group!(benches, overhead);
criterion_main!(benches);
