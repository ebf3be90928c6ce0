//! `cargo xtask bench`: every system on the same workloads, in one run, as
//! one markdown table (median with min–max), with our ratio to each peer.
//!
//! Systems: ours natively (criterion) and as wasm (headless Chromium, Node);
//! TensorFlow.js 4.22 (wasm and cpu backends, from bench/peers); a plain
//! JavaScript Float64Array loop; the tutorial's NumPy class and the same maths
//! in a lean NumPy loop (in a venv under target/, skipped when NumPy cannot be
//! installed). Peers live in bench/peers and never ship with the page.

use std::path::Path;

use serde_json::{Value, json};

use crate::provision::Tools;
use crate::sh;

const WORKLOADS: [&str; 4] = ["W1", "W2", "W3", "W4"];

/// Criterion's saved figures for one benchmark as `{median, min, max}` in
/// epochs/s (or ms for the grid), from its estimates and per-sample times.
fn criterion_figure(dir: &Path, per_second: bool) -> Option<Value> {
    let est: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("new/estimates.json")).ok()?).ok()?;
    let sample: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("new/sample.json")).ok()?).ok()?;
    let median_ns = est["median"]["point_estimate"].as_f64()?;
    let per_iter: Vec<f64> = sample["iters"]
        .as_array()?
        .iter()
        .zip(sample["times"].as_array()?)
        .filter_map(|(i, t)| Some(t.as_f64()? / i.as_f64()?))
        .collect();
    let (lo, hi) = per_iter
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let f = |ns: f64| if per_second { 1e9 / ns } else { ns / 1e6 };
    Some(if per_second {
        json!({ "median": f(median_ns), "min": f(hi), "max": f(lo) })
    } else {
        json!({ "median": f(median_ns), "min": f(lo), "max": f(hi) })
    })
}

fn native(tools: &Tools, smoke: bool) -> Result<Value, String> {
    let mut cmd = tools.cmd("cargo");
    // Criterion reports on stdout; keep stdout for the table.
    cmd.stdout(std::io::stderr());
    cmd.args(["bench", "-p", "backprop", "--bench", "train", "--"]);
    if smoke {
        cmd.arg("--test");
        sh::run(&mut cmd)?;
        return Ok(json!({}));
    }
    cmd.args(["--warm-up-time", "1", "--measurement-time", "3"]);
    sh::run(&mut cmd)?;
    let base = sh::root().join("target/criterion");
    let get = |group: &str, name: &str, per_second: bool| {
        criterion_figure(&base.join(group).join(name), per_second)
    };
    Ok(json!({
        "W1": get("epoch", "W1 GD [2,10,8,1]", true),
        "W2": get("epoch", "W2 Adam [2,10,8,1]", true),
        "W3": get("grid", "W3 predict 200x200", false),
        "W4": get("epoch", "W4 Adam [2,64,64,64,1]", true),
    }))
}

fn node_json(tools: &Tools, script: &str, arg: Option<&str>) -> Result<Value, String> {
    let mut cmd = tools.cmd("node");
    cmd.arg(sh::root().join(script));
    if let Some(a) = arg {
        cmd.arg(a);
    }
    let out = sh::output(&mut cmd).ok_or_else(|| format!("node {script} failed"))?;
    serde_json::from_str(out.lines().last().unwrap_or("")).map_err(|e| format!("{script}: {e}"))
}

/// A Python with NumPy: `target/bench-venv`, made (from PyPI) when missing.
/// `None` when there is no `python3` with `venv`, or PyPI cannot be reached.
pub fn python_with_numpy(tools: &Tools) -> Option<std::path::PathBuf> {
    let venv = sh::root().join("target/bench-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        sh::run(tools.cmd("python3").args(["-m", "venv"]).arg(&venv)).ok()?;
    }
    if sh::output(tools.cmd(&python).args(["-c", "import numpy"])).is_none() {
        sh::run(tools.cmd(venv.join("bin/pip")).args(["install", "-q", "numpy"])).ok()?;
    }
    Some(python)
}

fn numpy(tools: &Tools) -> Option<Value> {
    let python = python_with_numpy(tools)?;
    let out = sh::output(
        tools
            .cmd(&python)
            .arg(sh::root().join("bench/peers/numpy_bench.py")),
    )?;
    serde_json::from_str(out.trim()).ok()
}

fn cell(v: &Value, w: &str) -> String {
    let f = &v[w];
    match (f["median"].as_f64(), f["min"].as_f64(), f["max"].as_f64()) {
        (Some(m), Some(lo), Some(hi)) => {
            let fmt = |x: f64| {
                if x >= 100.0 {
                    format!("{x:.0}")
                } else {
                    format!("{x:.2}")
                }
            };
            format!("{} ({}–{})", fmt(m), fmt(lo), fmt(hi))
        }
        _ => "–".into(),
    }
}

pub fn bench(args: &[String]) -> Result<(), String> {
    let smoke = args.iter().any(|a| a == "--smoke");
    let tools = Tools::provision(true)?;
    eprintln!("== ours, native (criterion)");
    let native = native(&tools, smoke)?;
    eprintln!("== ours, wasm (Chromium and Node)");
    let (chrome, node, raw, gz) = crate::pkg::measure_wasm(&tools)?;
    eprintln!("== plain JavaScript");
    let js = node_json(&tools, "bench/peers/js_mlp.mjs", None)?;
    if smoke {
        eprintln!("smoke run: every system of ours and the plain-JS peer ran");
        return Ok(());
    }
    eprintln!("== TensorFlow.js");
    let peers = sh::root().join("bench/peers");
    if !peers.join("node_modules/@tensorflow/tfjs").exists() {
        sh::run(
            tools
                .cmd("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&peers),
        )?;
    }
    let tf_wasm = node_json(&tools, "bench/peers/tfjs.mjs", Some("wasm"))?;
    let tf_cpu = node_json(&tools, "bench/peers/tfjs.mjs", Some("cpu"))?;
    eprintln!("== NumPy");
    let np = numpy(&tools);

    let mut rows: Vec<(&str, Value)> = vec![
        ("ours, native (f64)", native),
        ("ours, wasm in Chromium (f64)", chrome.clone()),
        ("ours, wasm in Node (f64)", node),
        ("TF.js 4.22, wasm backend", tf_wasm),
        ("TF.js 4.22, cpu backend", tf_cpu),
        ("plain JS, Float64Array", js),
    ];
    match &np {
        Some(v) => {
            rows.push(("NumPy, the tutorial's class", v["numpy-tutorial"].clone()));
            rows.push(("NumPy, lean loop, 1 BLAS thread", v["numpy-lean"].clone()));
        }
        None => eprintln!("NumPy could not be installed: its rows are skipped"),
    }
    println!(
        "\n| system | W1 epochs/s | W2 epochs/s | W3 ms | W4 epochs/s |\n| --- | --- | --- | --- | --- |"
    );
    for (name, v) in &rows {
        println!(
            "| {name} | {} | {} | {} | {} |",
            cell(v, "W1"),
            cell(v, "W2"),
            cell(v, "W3"),
            cell(v, "W4")
        );
    }
    println!("\nRatio of ours in Chromium to each peer (> 1: ours is faster; W3 inverted):\n");
    println!("| peer | W1 | W2 | W3 | W4 |\n| --- | --- | --- | --- | --- |");
    for (name, v) in rows.iter().skip(3) {
        let ratio = |w: &str| {
            let (a, b) = (chrome[w]["median"].as_f64(), v[w]["median"].as_f64());
            match (a, b) {
                (Some(a), Some(b)) if w == "W3" => format!("{:.2}", b / a),
                (Some(a), Some(b)) => format!("{:.2}", a / b),
                _ => "–".into(),
            }
        };
        println!(
            "| {name} | {} | {} | {} | {} |",
            ratio("W1"),
            ratio("W2"),
            ratio("W3"),
            ratio("W4")
        );
    }
    if let Some(note) = np.as_ref().and_then(|v| v["pytorch-note"].as_str()) {
        println!("\nPyTorch: {note}.");
    }
    println!("\nRelease module: {raw} bytes, {gz} bytes gzipped. Workloads: {WORKLOADS:?} (see README).");
    Ok(())
}
