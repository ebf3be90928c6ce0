//! `cargo xtask bench`: every system on the same workloads, in one run, as
//! one markdown table (median with min–max), with our ratio to each peer.
//!
//! Systems: ours natively (criterion) and as wasm (headless Chromium, Node);
//! TensorFlow.js 4.22 (wasm and cpu backends, from bench/peers); a plain
//! JavaScript Float64Array loop; the tutorial's NumPy class and the same maths
//! in a lean NumPy loop (in a venv under target/, skipped when NumPy cannot be
//! installed); PyTorch on one thread (f64), in the venv `torch` provisions.
//! Peers live in bench/peers and never ship with the page.
//!
//! Then the page's load: the release site served with gzip, the first
//! boundary after navigation with an empty cache, unthrottled and under
//! Fast 3G (see `load`).

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

/// Ours natively. With `baseline`, the kernels keep to the two f64 lanes
/// every x86-64 CPU has (SSE2, as wasm's `simd128`) instead of the widest
/// this CPU offers, and criterion keeps its figures apart.
fn native(tools: &Tools, smoke: bool, baseline: bool) -> Result<Value, String> {
    let mut cmd = tools.cmd("cargo");
    // Criterion reports on stdout; keep stdout for the table.
    cmd.stdout(std::io::stderr());
    cmd.args(["bench", "-p", "backprop", "--bench", "train", "--"]);
    let home = sh::root().join(if baseline {
        "target/criterion-baseline"
    } else {
        "target/criterion"
    });
    cmd.env("CRITERION_HOME", &home);
    if baseline {
        cmd.env("BACKPROP_SIMD", "baseline");
        // Only the four workloads.
        cmd.arg("^(epoch/W[124] [GA]|grid/W3 predict 200x200)");
    }
    if smoke {
        // The shortest run criterion allows: the harness and its parsing, not figures.
        cmd.args([
            "--warm-up-time",
            "0.05",
            "--measurement-time",
            "0.1",
            "--sample-size",
            "10",
        ]);
    } else {
        cmd.args(["--warm-up-time", "1", "--measurement-time", "3"]);
    }
    sh::run(&mut cmd)?;
    let get = |group: &str, name: &str, per_second: bool| {
        criterion_figure(&home.join(group).join(name), per_second)
    };
    Ok(json!({
        "W1": get("epoch", "W1 GD [2,10,8,1]", true),
        "W2": get("epoch", "W2 Adam [2,10,8,1]", true),
        "W3": get("grid", "W3 predict 200x200", false),
        "W4": get("epoch", "W4 Adam [2,64,64,64,1]", true),
        "L1": get("landscape", "L1 slice 41x41", false),
    }))
}

fn node_json(
    tools: &Tools,
    script: &str,
    arg: Option<&str>,
    env: &[(&str, String)],
) -> Result<Value, String> {
    let mut cmd = tools.cmd("node");
    cmd.arg(sh::root().join(script));
    for (k, v) in env {
        cmd.env(k, v);
    }
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

fn numpy(tools: &Tools, runs: u32) -> Option<Value> {
    let python = python_with_numpy(tools)?;
    let out = sh::output(
        tools
            .cmd(&python)
            .arg(sh::root().join("bench/peers/numpy_bench.py"))
            .env("BACKPROP_BENCH_RUNS", runs.to_string()),
    )?;
    serde_json::from_str(out.trim()).ok()
}

/// PyTorch's figures, in the venv the exported scripts are checked in (see `torch`).
fn pytorch(tools: &Tools, runs: u32) -> Result<Value, String> {
    let python = crate::torch::python_with_torch(tools)?;
    let script = sh::root().join("bench/peers/torch_bench.py");
    let out = sh::output(
        tools
            .cmd(&python)
            .arg(&script)
            .env("BACKPROP_BENCH_RUNS", runs.to_string()),
    )
    .ok_or_else(|| format!("{} failed", script.display()))?;
    serde_json::from_str(out.trim()).map_err(|e| format!("{}: {e}", script.display()))
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
    run(&tools, smoke)
}

/// The whole harness. `smoke`: one timed run of every system (CI checks that
/// the harness works; the figures mean nothing and budgets are not judged).
pub fn run(tools: &Tools, smoke: bool) -> Result<(), String> {
    let runs = if smoke { 1 } else { 7 };
    let node_env = [("BACKPROP_BENCH_RUNS", runs.to_string())];
    eprintln!("== ours, native (criterion), on two lanes and then the widest");
    let native_two_lanes = native(tools, smoke, true)?;
    let native = native(tools, smoke, false)?;
    eprintln!("== ours, wasm (Chromium and Node)");
    let (chrome, node, raw, gz) = crate::pkg::measure_wasm(tools, runs)?;
    eprintln!("== plain JavaScript");
    let js = node_json(tools, "bench/peers/js_mlp.mjs", None, &node_env)?;
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
    let tf_wasm = node_json(tools, "bench/peers/tfjs.mjs", Some("wasm"), &node_env)?;
    let tf_cpu = node_json(tools, "bench/peers/tfjs.mjs", Some("cpu"), &node_env)?;
    eprintln!("== NumPy");
    let np = numpy(tools, runs);
    eprintln!("== PyTorch, one thread (f64)");
    let torch = pytorch(tools, runs)?;
    eprintln!("== the page's load (release site, gzip, empty cache)");
    let site = crate::load::build_site(tools)?;
    let [load_local, load_3g] = crate::load::measure(tools, &[site], runs as usize, false)?
        .pop()
        .ok_or("no load figures")?;

    let mut rows: Vec<(&str, Value)> = vec![
        ("ours, native (f64)", native.clone()),
        ("ours, native, two lanes as wasm (f64)", native_two_lanes.clone()),
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
    rows.push(("PyTorch 2.15, 1 thread (f64)", torch));
    // Our rows come first; every one of their cells must have a figure, or
    // the harness is broken.
    const OURS: usize = 4;
    for (name, v) in rows.iter().take(OURS) {
        for w in WORKLOADS {
            if v[w]["median"].as_f64().is_none() {
                return Err(format!("no {w} figure for {name}"));
            }
        }
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
    for (name, v) in rows.iter().skip(OURS) {
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
    println!("\nThe page's load (loads of each: {runs}); median (min–max):\n");
    println!("{}", crate::load::TABLE_HEAD);
    println!("{}", load_local.row(""));
    println!("{}", load_3g.row(""));
    if smoke {
        println!("\nSmoke run: one timed run of each system; figures and budgets are not meaningful.");
        return Ok(());
    }
    budgets(&native, &chrome, &rows[OURS..], [&load_local, &load_3g]);
    let lanes = |w: &str| {
        let (n, c) = (
            native_two_lanes[w]["median"].as_f64().unwrap_or(f64::NAN),
            chrome[w]["median"].as_f64().unwrap_or(f64::NAN),
        );
        if w == "W3" { c / n } else { n / c }
    };
    println!(
        "\nNative on wasm's two lanes against wasm in Chromium: W1 {:.2}×, W2 {:.2}×, W3 {:.2}×, W4 {:.2}×.",
        lanes("W1"),
        lanes("W2"),
        lanes("W3"),
        lanes("W4")
    );
    Ok(())
}

/// The budgets, each with the figure it is judged on.
fn budgets(native: &Value, chrome: &Value, peers: &[(&str, Value)], load: [&crate::load::Summary; 2]) {
    let m = |v: &Value, w: &str| v[w]["median"].as_f64().unwrap_or(f64::NAN);
    let mut lines: Vec<(String, String, bool)> = vec![];
    let mut at_least = |what: &str, v: f64, min: f64, unit: &str| {
        lines.push((format!("{what} ≥ {min} {unit}"), format!("{v:.0}"), v >= min));
    };
    at_least("wasm in Chromium, W1", m(chrome, "W1"), 15000.0, "epochs/s");
    at_least("wasm in Chromium, W2", m(chrome, "W2"), 12000.0, "epochs/s");
    at_least("wasm in Chromium, W4", m(chrome, "W4"), 300.0, "epochs/s");
    at_least("native, W1", m(native, "W1"), 30000.0, "epochs/s");
    at_least("native, W4", m(native, "W4"), 850.0, "epochs/s");
    let mut at_most = |what: &str, v: f64, max: f64, unit: &str| {
        lines.push((format!("{what} ≤ {max} {unit}"), format!("{v:.2}"), v <= max));
    };
    at_most(
        "wasm in Chromium, W3 predict (no colours)",
        m(chrome, "W3p"),
        1.0,
        "ms",
    );
    at_most("wasm in Chromium, W3 full refresh", m(chrome, "W3"), 1.5, "ms");
    at_most(
        "wasm in Chromium, landscape slice 41 × 41",
        m(chrome, "L1"),
        40.0,
        "ms",
    );
    println!(
        "\nLandscape slice 41 × 41 (L1): native {:.2} ms, wasm in Chromium {:.2} ms.",
        m(native, "L1"),
        m(chrome, "L1")
    );
    for (summary, budget) in load
        .into_iter()
        .zip([crate::load::LOCAL_BUDGET_MS, crate::load::FAST_3G_BUDGET_MS])
    {
        let median = summary.first_boundary_ms[0];
        lines.push((
            format!(
                "page: first boundary ≤ {budget} ms after navigation, {}",
                summary.network
            ),
            format!("{median:.0} ms"),
            median <= budget,
        ));
    }
    for w in ["W1", "W2"] {
        let r = m(native, w) / m(chrome, w);
        lines.push((
            format!("wasm within 2× of native, {w}"),
            format!("{r:.2}×"),
            r <= 2.0,
        ));
    }
    let r = m(chrome, "W3") / m(native, "W3");
    lines.push((
        "wasm within 2× of native, W3".into(),
        format!("{r:.2}×"),
        r <= 2.0,
    ));
    for (name, v) in peers {
        for w in WORKLOADS {
            let (ours, theirs) = (m(native, w), m(v, w));
            if theirs.is_nan() {
                continue;
            }
            let ahead = if w == "W3" { ours < theirs } else { ours > theirs };
            lines.push((
                format!("native ahead of {name}, {w}"),
                format!("{ours:.2} vs {theirs:.2}"),
                ahead,
            ));
        }
    }
    let perf = sh::root().join("target/e2e/perf.json");
    match std::fs::read_to_string(&perf)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    {
        Some(p) => {
            let f = |k: &str| p[k].as_f64().unwrap_or(f64::NAN);
            lines.push((
                "page: playing at ≥ 50 fps (60 Hz)".into(),
                format!("{:.1} fps", f("fps")),
                f("fps") >= 50.0,
            ));
            lines.push((
                "page: worst long task while playing ≤ 50 ms".into(),
                format!("{:.0} ms", f("worst_long_task_ms")),
                f("worst_long_task_ms") <= 50.0,
            ));
            lines.push((
                "page: four optimizers racing at ≥ 58 fps (60 Hz)".into(),
                format!("{:.1} fps", f("race_fps")),
                f("race_fps") >= 58.0,
            ));
            lines.push((
                "page: worst long task while racing ≤ 50 ms".into(),
                format!("{:.0} ms", f("race_worst_long_task_ms")),
                f("race_worst_long_task_ms") <= 50.0,
            ));
        }
        None => eprintln!("no {}: run the e2e tests for the racing budgets", perf.display()),
    }
    let landscape = sh::root().join("target/e2e/landscape-perf.json");
    match std::fs::read_to_string(&landscape)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    {
        Some(p) => {
            let f = |k: &str| p[k].as_f64().unwrap_or(f64::NAN);
            lines.push((
                "page: training with the landscape open at ≥ 55 fps (60 Hz)".into(),
                format!("{:.1} fps", f("fps")),
                f("fps") >= 55.0,
            ));
            lines.push((
                "page: worst long task with the landscape open ≤ 50 ms".into(),
                format!("{:.0} ms", f("worst_long_task_ms")),
                f("worst_long_task_ms") <= 50.0,
            ));
        }
        None => eprintln!(
            "no {}: run the e2e test `landscape` for the landscape's frame budget",
            landscape.display()
        ),
    }
    println!("\n| budget | measured | holds |\n| --- | --- | --- |");
    for (what, v, ok) in &lines {
        println!("| {what} | {v} | {} |", if *ok { "yes" } else { "**no**" });
    }
}
