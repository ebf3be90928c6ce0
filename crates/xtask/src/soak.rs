//! `cargo xtask fuzz [CASES]`: the fuzz targets at length (default a million
//! cases each); `cargo xtask soak [EPOCHS]`: a long run natively and as wasm
//! in Node, reporting peak memory along the way.

use crate::provision::Tools;
use crate::sh;

pub fn fuzz(args: &[String]) -> Result<(), String> {
    let cases = args.first().map_or("1000000", String::as_str);
    cases
        .parse::<u64>()
        .map_err(|e| format!("cases {cases:?}: {e}"))?;
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
    epochs
        .parse::<u64>()
        .map_err(|e| format!("epochs {epochs:?}: {e}"))?;
    let tools = Tools::provision(false)?;
    eprintln!("== native");
    sh::run(tools.cmd("cargo").args([
        "run",
        "--release",
        "-p",
        "backprop",
        "--example",
        "soak",
        "--",
        epochs,
    ]))?;
    eprintln!("== wasm in Node");
    let out = crate::pkg::build(&tools)?;
    std::fs::copy(sh::root().join("tests/soak/soak.mjs"), out.join("soak.mjs"))
        .map_err(|e| format!("soak.mjs: {e}"))?;
    sh::run(tools.cmd("node").arg(out.join("soak.mjs")).arg(epochs))
}
