//! `cargo xtask fuzz [CASES]`: the fuzz targets at length (default a million
//! cases each); `cargo xtask soak [EPOCHS]`: a long run natively and as wasm
//! in Node, each failing unless it trained every epoch, is still ready and
//! kept its memory flat. `cargo xtask test` runs a short soak.

use std::path::Path;

use crate::provision::Tools;
use crate::sh;

pub fn fuzz(args: &[String]) -> Result<(), String> {
    // proptest counts cases in a u32, and so do the fuzz test and this.
    let cases = args.first().map_or("1000000", String::as_str);
    match cases.parse::<u32>() {
        Ok(n) if n > 0 => {}
        _ => {
            return Err(format!(
                "CASES must be a whole number from 1 to {}, got {cases:?}",
                u32::MAX
            ));
        }
    }
    let tools = Tools::provision(false)?;
    let started = std::time::Instant::now();
    sh::run(
        tools
            .cmd("cargo")
            .args([
                "test",
                "--release",
                "-p",
                "backprop",
                "--test",
                "fuzz",
                "--",
                "--nocapture",
            ])
            .env("FUZZ_CASES", cases),
    )?;
    // The page's settings module runs against the engine's package.
    let pkg = crate::pkg::build(&tools)?;
    sh::run(
        tools
            .cmd("node")
            .args(["tests/fuzz/hash.mjs", cases, "1"])
            .env("BACKPROP_PKG_DIR", &pkg),
    )?;
    // Each link across the boundary builds two runs: a tenth as many cases.
    let links = (cases.parse::<u64>().unwrap_or(0) / 10).max(1).to_string();
    sh::run(
        tools
            .cmd("node")
            .args(["tests/fuzz/boundary.mjs", &links, "1"])
            .env("BACKPROP_PKG_DIR", &pkg),
    )?;
    eprintln!(
        "fuzz: {cases} cases for each of 5 targets (config JSON, config text, model import, CSV import, URL hash) \
         and {links} links across the boundary in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn soak(args: &[String]) -> Result<(), String> {
    let epochs = args.first().map_or("1000000", String::as_str);
    let epochs = epochs
        .parse::<u64>()
        .map_err(|e| format!("EPOCHS must be a whole number, got {epochs:?} ({e})"))?;
    let tools = Tools::provision(false)?;
    let pkg = crate::pkg::build(&tools)?;
    run(&tools, epochs, &pkg)
}

/// The soak for `epochs` epochs natively, then as wasm in Node with the
/// module built in `pkg`. Each side checks itself and fails with its reason.
pub fn run(tools: &Tools, epochs: u64, pkg: &Path) -> Result<(), String> {
    let epochs = epochs.to_string();
    eprintln!("== soak, native");
    // In the dev profile: the engine is compiled at opt-level 3 there too,
    // with debug assertions and overflow checks on, and the build is the one
    // `cargo test` made (a release build would compile criterion again).
    sh::run(
        tools
            .cmd("cargo")
            .args(["run", "-p", "backprop", "--example", "soak", "--", &epochs]),
    )?;
    eprintln!("== soak, wasm in Node");
    std::fs::copy(sh::root().join("tests/soak/soak.mjs"), pkg.join("soak.mjs"))
        .map_err(|e| format!("soak.mjs: {e}"))?;
    sh::run(tools.cmd("node").arg(pkg.join("soak.mjs")).arg(&epochs))
}
