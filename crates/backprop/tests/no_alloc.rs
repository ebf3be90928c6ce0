//! A training step allocates nothing once the trainer exists: a counting
//! global allocator watches 100 steps (mini-batches crossing epoch ends, so
//! history pushes and test evaluation are included) and a grid prediction.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use backprop::{TrainConfig, Trainer};

struct Counting;

// Per thread: the test harness runs tests (which allocate freely) in parallel.
thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: during thread teardown the counter may already be gone.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
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

#[test]
fn one_hundred_training_steps_allocate_nothing() {
    let configs = [
        // The tutorial's run: full batch GD.
        "{}",
        // Everything switched on: mini-batches, batch norm, Adam, clipping, a schedule, L2.
        r#"{"batch_size":50,"network":{"hidden":[16,16],"batch_norm":true},
            "optimizer":{"kind":"adam","lr":0.01,"amsgrad":true},
            "clipping":{"kind":"norm","max_norm":1.0},
            "schedule":{"kind":"cosine","t_max":20,"eta_min":0.0},
            "regularization":{"kind":"l2","lambda":0.001}}"#,
        r#"{"dataset":{"kind":"spiral3"},"batch_size":32,"optimizer":{"kind":"sgd","momentum":{"nesterov":0.9}}}"#,
    ];
    for json in configs {
        let mut t = Trainer::new(TrainConfig::from_json(json).expect("valid")).expect("valid");
        t.step_epoch(); // warm-up: nothing here should allocate either, but buffers are sized by now
        let n = allocations_during(|| {
            for _ in 0..100 {
                t.step_batch();
            }
        });
        assert!(t.epoch() > 1, "the steps crossed epoch boundaries");
        assert_eq!(n, 0, "{json}: {n} allocations in 100 steps");
    }
}

#[test]
fn predicting_a_grid_into_a_caller_buffer_allocates_nothing() {
    let mut t = Trainer::new(TrainConfig::default()).expect("valid");
    let grid: Vec<f64> = (0..200 * 200)
        .flat_map(|i| [(i % 200) as f64 / 50.0 - 2.0, (i / 200) as f64 / 50.0 - 2.0])
        .collect();
    let mut out = vec![0.0; 200 * 200];
    let n = allocations_during(|| t.predict_data_space(&grid, &mut out));
    assert_eq!(n, 0);
    assert!(out.iter().all(|p| (0.0..=1.0).contains(p)));
}
