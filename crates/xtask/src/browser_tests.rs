//! The end-to-end stage: every test binary of the `e2e` crate, each in its
//! own browser, `JOBS` binaries at a time.
//!
//! The tests spend much of their time waiting on the page (loads, training
//! to an epoch, the Python scripts of the export parity), so two binaries
//! side by side finish sooner than one after the other, even on two cores.
//! The slowest binaries of the last run (`target/e2e-times.txt`, else the
//! run kept in `tests/e2e-times.txt`) start first, so that none of them is
//! left running alone at the end.
//! Each binary's output is printed whole when it ends, so the logs never
//! interleave; every binary runs even after a failure, and the stage fails
//! naming each binary that failed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::provision::Tools;
use crate::sh;

/// Binaries run at once, unless `BACKPROP_E2E_JOBS` says otherwise.
const JOBS: usize = 2;

/// One test binary: its path and the source file it was built from.
struct Binary {
    path: PathBuf,
    source: PathBuf,
}

/// Builds the test binaries and runs them, `BACKPROP_E2E_JOBS` (default 2) at a time.
pub fn run(tools: &Tools, envs: &[(&str, &Path)]) -> Result<(), String> {
    let binaries = build(tools)?;
    let jobs = std::env::var("BACKPROP_E2E_JOBS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(JOBS);
    eprintln!("== {} e2e test binaries, {jobs} at a time", binaries.len());
    let queue = Arc::new(Mutex::new(binaries));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let times = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..jobs)
        .map(|_| {
            let (queue, failures, times) = (Arc::clone(&queue), Arc::clone(&failures), Arc::clone(&times));
            let envs: Vec<(String, PathBuf)> = envs
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.to_path_buf()))
                .collect();
            std::thread::spawn(move || {
                loop {
                    let Some(binary) = queue.lock().map(|mut q| q.pop()).unwrap_or(None) else {
                        return;
                    };
                    if let (Err(e), Ok(mut f)) = (run_one(&binary, &envs, &times), failures.lock()) {
                        f.push(e);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().map_err(|_| "an e2e worker panicked".to_string())?;
    }
    // The next run starts the slowest first (a missing file only costs that order).
    let times = times.lock().map(|t| t.clone()).unwrap_or_default();
    let text: String = times
        .iter()
        .map(|(name, secs)| format!("{name} {secs:.1}\n"))
        .collect();
    let _ = std::fs::write(times_file(), text);
    let failures = failures.lock().map(|f| f.clone()).unwrap_or_default();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("e2e: {}", failures.join("; ")))
    }
}

/// `cargo test -p e2e --no-run`, and the binaries it built, in the order
/// they are to be taken from the end of the queue.
fn build(tools: &Tools) -> Result<Vec<Binary>, String> {
    let out = sh::output(
        tools
            .cmd("cargo")
            .args(["test", "-p", "e2e", "--no-run", "--message-format=json"]),
    )
    .ok_or("cargo test -p e2e --no-run failed")?;
    let mut binaries = Vec::new();
    for line in out.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(exe), Some(src)) = (msg["executable"].as_str(), msg["target"]["src_path"].as_str()) else {
            continue;
        };
        if msg["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "test"))
        {
            binaries.push(Binary {
                path: PathBuf::from(exe),
                source: PathBuf::from(src),
            });
        }
    }
    if binaries.is_empty() {
        return Err("cargo test -p e2e --no-run listed no test binaries".into());
    }
    // Slowest last (the queue is taken from the end): by the time each took
    // in the last run, and a binary not seen yet before all of them.
    let last = last_times();
    let took = |b: &Binary| last.get(&name_of(b)).copied().unwrap_or(f64::INFINITY);
    binaries.sort_by(|a, b| took(a).total_cmp(&took(b)));
    Ok(binaries)
}

/// Where each binary's time in the last run is kept (one `name seconds` per line).
fn times_file() -> PathBuf {
    sh::root().join("target/e2e-times.txt")
}

/// The times of the last run, by binary name; on a fresh clone, those of a
/// run kept in the repository (`tests/e2e-times.txt`).
fn last_times() -> HashMap<String, f64> {
    std::fs::read_to_string(times_file())
        .or_else(|_| std::fs::read_to_string(sh::root().join("tests/e2e-times.txt")))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (name, secs) = line.split_once(' ')?;
            Some((name.to_string(), secs.parse().ok()?))
        })
        .collect()
}

/// A binary's name: its source file's stem.
fn name_of(binary: &Binary) -> String {
    binary.source.file_stem().map_or_else(
        || binary.path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Runs one binary (its tests one at a time) and prints its output whole.
fn run_one(
    binary: &Binary,
    envs: &[(String, PathBuf)],
    times: &Mutex<Vec<(String, f64)>>,
) -> Result<(), String> {
    let name = name_of(binary);
    let started = Instant::now();
    let mut cmd = Command::new(&binary.path);
    cmd.arg("--test-threads=1")
        .current_dir(sh::root().join("tests"))
        .stdin(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| format!("{name}: cannot run: {e}"))?;
    let took = started.elapsed().as_secs_f64();
    if let Ok(mut t) = times.lock() {
        t.push((name.clone(), took));
    }
    let ok = out.status.success();
    eprintln!(
        "\n== e2e {name}: {} in {took:.1} s\n{}{}",
        if ok { "ok" } else { "FAILED" },
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if ok { Ok(()) } else { Err(format!("{name} failed")) }
}
