//! A long run of the default network (the tutorial's). It fails unless the
//! run trains every epoch it is asked for, is still ready at the end (not
//! diverged), its history reaches the last epoch, and memory stays flat: the
//! process's peak resident memory at the end may exceed the one at epoch
//! 10^4 by at most `GROWTH_KB` (the history is thinned, buffers are sized
//! once). Memory is read from Linux's `/proc/self/status`; where that cannot
//! be read the soak fails, since it could not check what it is for.
//!
//! `cargo run --release -p backprop --example soak -- [epochs]` (default
//! 1,000,000; more than 10,000). `cargo xtask soak` and CI run it in the dev
//! profile, where the engine is compiled at opt-level 3 too, with debug
//! assertions and overflow checks on.

use std::process::ExitCode;

use backprop::{Status, TrainConfig, Trainer};

/// The epoch whose peak memory the end is compared with: well after every
/// buffer is sized and the history has started thinning (4,096 records).
const CHECKPOINT: u64 = 10_000;

/// How far the peak may rise after the checkpoint: the allocator and the
/// standard output's buffers may take a few pages more, a leak of even
/// one byte per epoch over 10^5 epochs would not fit.
const GROWTH_KB: u64 = 64;

/// Peak resident set size in kB (Linux `VmHWM`).
fn peak_kb() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot measure memory: /proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| "cannot measure memory: no VmHWM line in /proc/self/status".to_string())
}

fn soak(epochs: u64) -> Result<(), String> {
    if epochs <= CHECKPOINT {
        return Err(format!(
            "epochs must be more than {CHECKPOINT} (memory is compared with epoch {CHECKPOINT}), got {epochs}"
        ));
    }
    // Fails here, before the long run, where memory cannot be measured.
    peak_kb()?;
    let mut t = Trainer::new(TrainConfig::default()).map_err(|e| format!("the default config: {e}"))?;
    let started = std::time::Instant::now();
    // Nothing is printed until the end: the first print allocates the output
    // buffer, which would count as growth after the checkpoint.
    let (mut at_checkpoint, mut records_at_checkpoint) = (0, 0);
    for e in 1..=epochs {
        let status = t.step_epoch();
        if status != Status::Ready {
            return Err(format!("epoch {e}: the run stopped being ready: {status:?}"));
        }
        if e == CHECKPOINT {
            at_checkpoint = peak_kb()?;
            records_at_checkpoint = t.history().len();
        }
    }
    let end = peak_kb()?;
    println!("epoch {CHECKPOINT}: peak RSS {at_checkpoint} kB, history {records_at_checkpoint} records");
    println!(
        "epoch {}: peak RSS {end} kB, history {} records, status {:?}, {:.0} s",
        t.epoch(),
        t.history().len(),
        t.status(),
        started.elapsed().as_secs_f64()
    );
    if t.epoch() != epochs {
        return Err(format!(
            "asked for {epochs} epochs, the run completed {}",
            t.epoch()
        ));
    }
    let last = t.history().epoch.last().copied();
    if last != Some(epochs as f64) {
        return Err(format!(
            "the history's last record is epoch {last:?}, expected {epochs}"
        ));
    }
    if end > at_checkpoint + GROWTH_KB {
        return Err(format!(
            "peak memory grew by {} kB after epoch {CHECKPOINT} ({at_checkpoint} -> {end} kB; at most {GROWTH_KB})",
            end - at_checkpoint
        ));
    }
    Ok(())
}

fn main() -> ExitCode {
    let epochs = match std::env::args().nth(1) {
        None => Ok(1_000_000),
        Some(s) => s
            .parse::<u64>()
            .map_err(|e| format!("epochs must be a whole number, got {s:?} ({e})")),
    };
    match epochs.and_then(soak) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("soak: {e}");
            ExitCode::FAILURE
        }
    }
}
