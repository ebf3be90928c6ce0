//! `cargo xtask pkg`: the release module for embedding, with TypeScript
//! definitions; `cargo xtask bench-wasm`: the wasm benchmark in Node and in
//! headless Chromium, and the module's size.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::provision::Tools;
use crate::sh;

/// Where `pkg` writes `backprop_wasm.js`, `backprop_wasm.d.ts` and `backprop_wasm_bg.wasm`.
pub fn pkg_dir() -> PathBuf {
    sh::root().join("target/pkg")
}

/// Builds the release module and runs wasm-bindgen (web target, with `.d.ts`).
pub fn build(tools: &Tools) -> Result<PathBuf, String> {
    sh::run(tools.cmd("cargo").args([
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "backprop-wasm",
    ]))?;
    let wasm = sh::root().join("target/wasm32-unknown-unknown/release/backprop_wasm.wasm");
    let out = pkg_dir();
    sh::run(
        tools
            .cmd("wasm-bindgen")
            // As the page's module (see `strip`): no function-name section.
            .args(["--target", "web", "--remove-name-section", "--out-dir"])
            .arg(&out)
            .arg(&wasm),
    )?;
    let dts =
        std::fs::read_to_string(out.join("backprop_wasm.d.ts")).map_err(|e| format!("no .d.ts: {e}"))?;
    if !dts.contains("Builds a run from a plain settings object") {
        return Err("the TypeScript definitions lack the doc comments".into());
    }
    Ok(out)
}

pub fn pkg(_args: &[String]) -> Result<(), String> {
    let tools = Tools::provision(false)?;
    let out = build(&tools)?;
    let (raw, gz) = sizes(&out.join("backprop_wasm_bg.wasm"))?;
    eprintln!(
        "{}: backprop_wasm.js, backprop_wasm.d.ts, backprop_wasm_bg.wasm ({raw} bytes, {gz} gzipped)",
        out.display()
    );
    Ok(())
}

/// Raw and `gzip -9` sizes of a file.
pub fn sizes(file: &Path) -> Result<(u64, u64), String> {
    let raw = std::fs::metadata(file)
        .map_err(|e| format!("{}: {e}", file.display()))?
        .len();
    let out = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(file)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    Ok((raw, out.stdout.len() as u64))
}

/// Measures W1-W4 through the bindings in Node and headless Chromium:
/// `(chromium, node, raw size, gzipped size)`.
/// Runs the wasm workloads in Node and headless Chromium: `runs` timed runs
/// of each (7 for figures; 1 for a smoke run). Returns (Chromium, Node, raw
/// bytes, gzipped bytes).
pub fn measure_wasm(
    tools: &Tools,
    runs: u32,
) -> Result<(serde_json::Value, serde_json::Value, u64, u64), String> {
    let out = build(tools)?;
    for f in ["bench.mjs", "bench.html", "bench-node.mjs"] {
        std::fs::copy(sh::root().join("bench/wasm").join(f), out.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    eprintln!("== wasm in Node");
    let node = sh::output(
        tools
            .cmd("node")
            .arg(out.join("bench-node.mjs"))
            .env("BACKPROP_BENCH_RUNS", runs.to_string()),
    )
    .ok_or("node bench failed (is node installed?)")?;
    let node: serde_json::Value =
        serde_json::from_str(node.trim()).map_err(|e| format!("node output: {e}"))?;

    eprintln!("== wasm in headless Chromium");
    let site = e2e::Site::serve(out.clone());
    let driver = tools.chromedriver.clone().ok_or("no chromedriver")?;
    let browser = e2e::Browser::start_with(&driver, tools.chrome.clone());
    let s = browser.session(1000, 700);
    s.goto(&site.url(&format!("bench.html?runs={runs}")));
    s.wait_for(
        "document.body.dataset.result !== undefined",
        Duration::from_secs(300),
    );
    let chrome: serde_json::Value =
        serde_json::from_str(s.eval("document.body.dataset.result").as_str().unwrap_or("{}"))
            .map_err(|e| e.to_string())?;

    let (raw, gz) = sizes(&out.join("backprop_wasm_bg.wasm"))?;
    Ok((chrome, node, raw, gz))
}

pub fn bench_wasm(_args: &[String]) -> Result<(), String> {
    let tools = Tools::provision(true)?;
    let (chrome, node, raw, gz) = measure_wasm(&tools, 7)?;
    println!("\n| workload | Chromium median (min–max) | Node median (min–max) |\n| --- | --- | --- |");
    for (w, unit) in [
        ("W1", "epochs/s"),
        ("W2", "epochs/s"),
        ("W3", "ms per 200×200 refresh"),
        ("W3p", "ms per 200×200 predict (no colours)"),
        ("W4", "epochs/s"),
        ("L1", "ms per 41×41 landscape slice"),
    ] {
        let f = |v: &serde_json::Value| {
            let n = |k: &str| v[w][k].as_f64().unwrap_or(f64::NAN);
            format!("{:.1} ({:.1}–{:.1}) {unit}", n("median"), n("min"), n("max"))
        };
        println!("| {w} | {} | {} |", f(&chrome), f(&node));
    }
    println!("\nrelease module: {raw} bytes, {gz} bytes gzipped (wasm-opt off)");
    Ok(())
}
