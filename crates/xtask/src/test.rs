//! `cargo xtask test`: every check CI runs, in order, each one timed.
//!
//! A failed stage does not stop the independent ones after it, so one run
//! reports everything that is wrong; the end-to-end stage needs the build.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::provision::Tools;
use crate::sh;

/// Where the release build for the end-to-end tests goes; `trunk serve`
/// rebuilds `dist/` in debug mode, so the tests keep their own copy.
pub fn site_dir() -> PathBuf {
    sh::root().join("target/site")
}

/// The short soak's length, natively and in wasm: ten times the epoch its
/// memory is compared with, a few seconds each (`cargo xtask soak` runs 10^6).
const SHORT_SOAK_EPOCHS: u64 = 100_000;

struct Stage {
    name: &'static str,
    result: Result<(), String>,
    took: Duration,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let skip: Vec<&str> = args
        .windows(2)
        .filter(|w| w[0] == "--skip")
        .map(|w| w[1].as_str())
        .collect();
    let started = Instant::now();
    let t = Instant::now();
    let tools = Tools::provision(true)?;
    tools.report();
    let mut stages = vec![Stage {
        name: "provision",
        result: Ok(()),
        took: t.elapsed(),
    }];
    let chromedriver = tools.chromedriver.clone().unwrap_or_default();
    let chrome = tools.chrome.clone().unwrap_or_default();

    let mut stage = |name: &'static str, f: &mut dyn FnMut() -> Result<(), String>| -> bool {
        if skip.contains(&name) {
            eprintln!("\n== {name}: skipped (--skip {name})");
            return true;
        }
        eprintln!("\n== {name}");
        let t = Instant::now();
        let result = f();
        let ok = result.is_ok();
        if let Err(e) = &result {
            eprintln!("== {name} FAILED: {e}");
        }
        stages.push(Stage {
            name,
            result,
            took: t.elapsed(),
        });
        ok
    };

    stage("fmt", &mut || {
        sh::run(tools.cmd("cargo").args(["fmt", "--all", "--", "--check"]))
    });
    stage("clippy", &mut || {
        sh::run(
            tools
                .cmd("cargo")
                .args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
        )
    });
    stage("clippy-wasm32", &mut || {
        sh::run(tools.cmd("cargo").args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "backprop",
            "-p",
            "backprop-wasm",
            "--lib",
            "--tests",
            "--",
            "-D",
            "warnings",
        ]))
    });
    stage("cargo-test", &mut || {
        sh::run(
            tools
                .cmd("cargo")
                .args(["test", "--workspace", "--exclude", "e2e"]),
        )
    });
    stage("bughunt-isolation", &mut || {
        // The normal path's digest, built without the bug hunt's code
        // (cargo-test checked it with that code): the same bits both ways.
        sh::run(tools.cmd("cargo").args([
            "test",
            "-p",
            "backprop",
            "--no-default-features",
            "--test",
            "bughunt",
        ]))
    });
    stage("wasm-pack-test", &mut || {
        sh::run(
            tools
                .cmd("wasm-pack")
                .args([
                    "test",
                    "--headless",
                    "--chrome",
                    "--mode",
                    "no-install",
                    "--chromedriver",
                ])
                .arg(&chromedriver)
                .arg("crates/backprop-wasm")
                .env("CHROMEDRIVER", &chromedriver),
        )
    });
    stage("wasm-kernels", &mut || {
        // The kernels' own tests, compiled to wasm (simd128 lanes) and run in
        // Node by `wasm-bindgen-test-runner` (the runner `.cargo/config.toml` names).
        sh::run(tools.cmd("cargo").args([
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "backprop",
            "--lib",
            "fast",
        ]))
    });
    let built = stage("trunk-build", &mut || {
        sh::run(tools.cmd("cargo").args(["fetch", "--locked"]))?;
        sh::run(
            tools
                .cmd("trunk")
                .args(["build", "--release", "--dist"])
                .arg(site_dir()),
        )?;
        crate::dist::single_file(&site_dir()).map(|_| ())
    });
    stage("pkg", &mut || crate::pkg::build(&tools).map(|_| ()));
    // Both run the page's settings module against the package just built.
    stage("fuzz-smoke", &mut || {
        // The Rust fuzz targets run 2,000 cases each inside cargo-test; this is the URL-hash decoder's.
        sh::run(
            tools
                .cmd("node")
                .args(["tests/fuzz/hash.mjs", "20000", "1"])
                .env("BACKPROP_PKG_DIR", crate::pkg::pkg_dir()),
        )
    });
    stage("fuzz-boundary", &mut || {
        // Links decoded by the page and run by the engine: each case builds two runs.
        sh::run(
            tools
                .cmd("node")
                .args(["tests/fuzz/boundary.mjs", "2000", "1"])
                .env("BACKPROP_PKG_DIR", crate::pkg::pkg_dir()),
        )
    });
    stage("walk-questions", &mut || {
        // The walk-through's question templates against the engine on random networks and points.
        sh::run(
            tools
                .cmd("node")
                .args(["tests/node/questions.mjs", "60"])
                .env("BACKPROP_PKG_DIR", crate::pkg::pkg_dir()),
        )
    });
    stage("soak-short", &mut || {
        let pkg = crate::pkg::build(&tools)?;
        crate::soak::run(&tools, SHORT_SOAK_EPOCHS, &pkg)
    });
    if built {
        stage("e2e", &mut || e2e(&tools, &chrome, &chromedriver));
    }
    // One timed run of every system in `cargo xtask bench`: the harness works (figures come from the full run).
    stage("bench-smoke", &mut || crate::bench::run(&tools, true));

    summary(&stages, started)
}

/// Prints the stages' table; fails naming the stages that failed.
fn summary(stages: &[Stage], started: Instant) -> Result<(), String> {
    eprintln!("\n| stage | result | seconds |\n| --- | --- | --- |");
    for s in stages {
        let result = if s.result.is_ok() { "ok" } else { "FAILED" };
        eprintln!("| {} | {result} | {:.1} |", s.name, s.took.as_secs_f64());
    }
    eprintln!("| total | | {:.1} |", started.elapsed().as_secs_f64());
    let failed: Vec<&str> = stages
        .iter()
        .filter(|s| s.result.is_err())
        .map(|s| s.name)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed stages: {}", failed.join(", ")))
    }
}

/// The page's end-to-end tests in Chromium, every test binary even after a failure.
fn e2e(tools: &Tools, chrome: &Path, chromedriver: &Path) -> Result<(), String> {
    let site = site_dir();
    let mut envs = vec![
        ("BACKPROP_SITE_DIR", site.as_path()),
        ("CHROME", chrome),
        ("CHROMEDRIVER", chromedriver),
    ];
    // The exported NumPy and PyTorch scripts run in the PyTorch venv. Without
    // it the rest still runs, and the stage fails.
    let python = crate::torch::python_with_torch(tools);
    if let Ok(python) = &python {
        envs.push(("BACKPROP_PYTHON", python.as_path()));
    }
    let tests = crate::browser_tests::run(tools, &envs);
    match python {
        Ok(_) => tests,
        Err(why) => Err(format!(
            "{why}: the exported scripts cannot run{}",
            tests.err().map_or(String::new(), |e| format!("; and {e}"))
        )),
    }
}
