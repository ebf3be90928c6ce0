//! A long run of the default network (the tutorial's), reporting the process's
//! peak resident memory at 10^4 epochs and at the end: memory must stay flat
//! (the history is decimated, buffers are sized once).
//!
//! `cargo run --release -p backprop --example soak -- [epochs]` (default 1,000,000).

use backprop::{TrainConfig, Trainer};

/// Peak resident set size in kB (Linux `VmHWM`), or 0 where unavailable.
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let epochs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut t = Trainer::new(TrainConfig::default()).expect("the default config is valid");
    let started = std::time::Instant::now();
    let mut at_10k = 0;
    for e in 1..=epochs {
        t.step_epoch();
        if e == 10_000 {
            at_10k = peak_kb();
            println!(
                "epoch {e}: peak RSS {at_10k} kB, history {} records",
                t.history().len()
            );
        }
    }
    let end = peak_kb();
    println!(
        "epoch {epochs}: peak RSS {end} kB, history {} records, status {:?}, {:.0} s",
        t.history().len(),
        t.status(),
        started.elapsed().as_secs_f64()
    );
    if at_10k > 0 && end > at_10k + 1024 {
        eprintln!("memory grew by {} kB after 10^4 epochs", end - at_10k);
        std::process::exit(1);
    }
}
