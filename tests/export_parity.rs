//! The exported PyTorch and NumPy scripts replay the page's run number for
//! number. For a matrix of configurations covering every optimizer and
//! schedule, clipping by norm and by value, L1 and L2, batch norm, every
//! activation and initialiser, every input feature and an activation per
//! layer, both outputs (binary and multi-class) and the data sources
//! (generated, the tutorial's, drawn by hand), the page trains
//! to `max_epochs`, its "History CSV" is downloaded, both scripts run with
//! `--history FILE`, and each epoch's training loss must agree, and the
//! final test accuracy be equal. So must a run with batch norm whose last
//! mini-batch is one row, and runs exported in progress (mid-epoch, between
//! epochs, and just after switching optimizer): their scripts continue from
//! that moment's weights and optimizer state, and match the page's epochs
//! from there on.
//!
//! `BACKPROP_PYTHON` names the Python that runs them: it must import NumPy
//! and PyTorch (`cargo xtask test` provisions one, see the README); a
//! missing interpreter or module fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(60);
const TRAIN: Duration = Duration::from_secs(300);

/// NumPy replays the engine's float64 operations one for one; what differs
/// is only the order of sums inside matrix products (BLAS against the
/// engine's kernels), a few ulps per step, which training over these runs
/// grows to well under this.
const NUMPY_REL: f64 = 1e-9;

/// PyTorch computes the same float64 maths through its own kernels (fused
/// BCE-with-logits, its batch-norm and optimizer formulas, LambdaLR's
/// `base * factor`): a few ulps per operation, more of them than NumPy's.
const TORCH_REL: f64 = 1e-6;

/// Captures downloads: clicking a download link stores `{ name, text }` in `window.__downloads`.
const CAPTURE_JS: &str = "window.__downloads = []; window.__blobs = {};\
    const make = URL.createObjectURL;\
    URL.createObjectURL = (b) => { const u = make(b); window.__blobs[u] = b; return u; };\
    HTMLAnchorElement.prototype.click = function () {\
      const name = this.download; const b = window.__blobs[this.href];\
      b.text().then((text) => window.__downloads.push({ name, type: b.type, text }));\
    };";

/// The matrix: a tag and the page's link. Each line adds what the others lack.
const CASES: [(&str, &str); 14] = [
    // The page's defaults: moons, full-batch SGD, ReLU, He normal, sigmoid + BCE.
    ("default", "#max_epochs=60&seed=1"),
    (
        "momentum-step",
        "#n=300&optimizer=momentum&momentum=0.9&lr=0.05&batch=32&schedule=step&sched_gamma=0.5&sched_epochs=15&max_epochs=50&seed=2",
    ),
    (
        "nesterov-exponential-clip-value",
        "#n=300&optimizer=nesterov&momentum=0.8&lr=0.05&batch=50&schedule=exponential&sched_gamma=0.5&clip=value&clip_at=0.05&max_epochs=50&seed=3",
    ),
    (
        "rmsprop-cosine-l1-tanh",
        "#dataset=circles&n=300&optimizer=rmsprop&lr=0.01&alpha=0.9&batch=25&schedule=cosine&sched_epochs=30&reg=l1&lambda=0.001&activation=tanh&max_epochs=50&seed=4",
    ),
    (
        "adam-warmup-clip-norm-l2-bn",
        "#dataset=xor&n=300&optimizer=adam&lr=0.01&batch=32&bn=1&schedule=warmup_cosine&sched_epochs=40&clip=norm&clip_at=0.5&reg=l2&lambda=0.001&max_epochs=50&seed=5",
    ),
    (
        "adamw-cyclic-sigmoid-xavier",
        "#dataset=gaussians&n=300&optimizer=adamw&lr=0.005&batch=64&schedule=cyclic&sched_epochs=10&activation=sigmoid&init=xavier_uniform&max_epochs=50&seed=6",
    ),
    (
        "adagrad-leaky-relu-he-uniform",
        "#dataset=spiral&n=300&optimizer=adagrad&lr=0.05&batch=16&activation=leaky_relu&init=he_uniform&layers=16,16&max_epochs=50&seed=7",
    ),
    (
        "multiclass-adam-bn-elu",
        "#dataset=spiral3&n=300&noise=0.05&layers=16,16&optimizer=adam&lr=0.02&batch=32&bn=1&activation=elu&max_epochs=50&seed=8",
    ),
    (
        "multiclass-gelu-lecun-full-batch",
        "#dataset=spiral3&n=300&activation=gelu&init=lecun_normal&lr=0.5&max_epochs=50&seed=9",
    ),
    (
        "linear-uniform-unscaled",
        "#dataset=gaussians&n=200&activation=linear&init=uniform&standardize=0&lr=0.1&batch=20&max_epochs=50&seed=10",
    ),
    (
        "bn-full-batch-xavier-normal",
        "#n=200&bn=1&init=xavier_normal&clip=value&clip_at=0.1&max_epochs=50&seed=13",
    ),
    ("tutorial-data", "#dataset=tutorial&max_epochs=60&seed=11"),
    // Every input feature, in the network's input order, and an activation per layer.
    (
        "features-per-layer-activation",
        "#dataset=circles&n=300&features=x1,x2,x1_sq,x2_sq,x1_x2,sin_x1,sin_x2&layers=6,4&activations=tanh,sigmoid&optimizer=adam&lr=0.02&batch=32&max_epochs=50&seed=14",
    ),
    // Drawn by hand (see `draw`), in mini-batches that leave a remainder.
    (
        "custom-data",
        "#dataset=custom&batch=3&optimizer=adam&lr=0.02&max_epochs=60&seed=12",
    ),
];

/// The Python from `BACKPROP_PYTHON` (else `python3`); it must import NumPy and PyTorch.
fn python() -> PathBuf {
    let python = std::env::var_os("BACKPROP_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let how = "set BACKPROP_PYTHON to a Python with NumPy and PyTorch (`cargo xtask test` provisions one)";
    match Command::new(&python).args(["-c", "import numpy, torch"]).output() {
        Ok(out) if out.status.success() => python,
        Ok(out) => panic!(
            "{} cannot import numpy and torch: {}; {how}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!("cannot run the Python at {}: {e}; {how}", python.display()),
    }
}

/// One History CSV row.
#[derive(Debug, PartialEq)]
struct Row {
    epoch: f64,
    train_loss: f64,
    test_acc: f64,
}

fn parse_history(text: &str, what: &str) -> Vec<Row> {
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("epoch,train_loss,test_loss,train_acc,test_acc,lr"),
        "{what}: header"
    );
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), 6, "{what}: {line}");
            let num = |i: usize| -> f64 {
                cells[i]
                    .parse()
                    .unwrap_or_else(|e| panic!("{what}: column {i} of {line}: {e}"))
            };
            Row {
                epoch: num(0),
                train_loss: num(1),
                test_acc: num(4),
            }
        })
        .collect()
}

fn download(s: &Session, button: &str) -> Value {
    let before = s.eval("window.__downloads.length").as_u64().unwrap_or(0);
    s.click(button);
    s.wait_for(&format!("window.__downloads.length > {before}"), LOAD);
    s.eval("window.__downloads[window.__downloads.length - 1]")
}

/// Draws 20 points by clicking the plot: two interleaved arcs, one per class.
fn draw(s: &Session) {
    for i in 0..20_i64 {
        let (dx, dy) = ((i - 10) * 14, if i % 2 == 0 { -60 + i * 3 } else { 60 - i * 3 });
        let shift = (i % 2 == 1).then_some("\u{E008}");
        s.click_at("#plot", dx, dy, shift);
    }
    assert_eq!(s.eval("window.backprop.run().len()"), json!(20));
}

/// Runs `script` with `--history`, returning the file's rows.
fn run_script(python: &Path, script: &Path) -> Vec<Row> {
    let history = script.with_extension("csv");
    // One thread, as a learner's laptop would not need more for these
    // networks: PyTorch's thread pool only burns the cores the other tests use.
    let out = Command::new(python)
        .arg(script)
        .arg("--history")
        .arg(&history)
        .env("OMP_NUM_THREADS", "1")
        .env("MKL_NUM_THREADS", "1")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed:\n{}{}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&history).expect("the script wrote its history");
    parse_history(&text, &script.display().to_string())
}

/// The largest relative difference in training loss over the run; panics
/// unless every epoch is there and the last test accuracy is the page's.
fn compare(page: &[Row], script: &[Row], what: &str) -> f64 {
    assert_eq!(script.len(), page.len(), "{what}: epochs in the history");
    let mut worst = 0.0_f64;
    for (p, s) in page.iter().zip(script) {
        assert_eq!(s.epoch, p.epoch, "{what}");
        worst = worst.max((s.train_loss - p.train_loss).abs() / p.train_loss.abs());
    }
    let (p, s) = (&page[page.len() - 1], &script[script.len() - 1]);
    assert_eq!(s.test_acc, p.test_acc, "{what}: final test accuracy");
    worst
}

/// The epochs a case's link names.
fn max_epochs(fragment: &str) -> usize {
    fragment
        .split("max_epochs=")
        .nth(1)
        .and_then(|v| v.split('&').next())
        .and_then(|v| v.parse::<usize>().ok())
        .expect("every case names max_epochs")
}

/// Shows both scripts of the run as it is now and saves them, NumPy's first.
fn export_scripts(s: &Session, tag: &str) -> [(&'static str, PathBuf); 2] {
    ["numpy", "pytorch"].map(|kind| {
        s.click(&format!("#export-{kind}"));
        s.wait_for(
            &format!("document.getElementById('export-code-box').dataset.kind === '{kind}'"),
            LOAD,
        );
        let code = s.eval("document.getElementById('export-code').value");
        let path = artifacts_dir().join(format!("parity-{tag}-{kind}.py"));
        std::fs::write(&path, code.as_str().unwrap_or("")).expect("write script");
        (kind, path)
    })
}

/// Plays the page to its stop at `epochs` and returns its History CSV's rows.
fn train_to_the_end(s: &Session, epochs: usize) -> Vec<Row> {
    s.click("#play");
    s.wait_for(
        &format!(
            "document.body.dataset.playing === 'false' && Number(document.body.dataset.epoch) >= {epochs}"
        ),
        TRAIN,
    );
    let history = download(s, "#export-history");
    parse_history(history["text"].as_str().unwrap_or(""), "the page's History CSV")
}

/// Runs both `scripts` and compares them with `page`: the largest relative
/// difference of each (NumPy's, PyTorch's), and a line for each over its tolerance.
fn run_and_compare(
    python: &Path,
    scripts: &[(&str, PathBuf); 2],
    page: &[Row],
    tag: &str,
) -> ([f64; 2], Vec<String>) {
    let mut failures = vec![];
    let worst = [(0, NUMPY_REL), (1, TORCH_REL)].map(|(i, tol)| {
        let (kind, path) = &scripts[i];
        let diff = compare(page, &run_script(python, path), &format!("{tag} ({kind})"));
        if diff > tol {
            failures.push(format!(
                "{tag} ({kind}): training loss differs by {diff:.3e} (relative), over {tol:e}"
            ));
        }
        diff
    });
    (worst, failures)
}

const TABLE_HEADER: &str = "configuration                        epochs        numpy      pytorch";

fn table_row(tag: &str, epochs: usize, worst: [f64; 2]) -> String {
    format!("{tag:<36} {epochs:>6} {:>12.3e} {:>12.3e}", worst[0], worst[1])
}

/// Trains one case of the matrix (opened in `s`) to its end and exports
/// both scripts: the page's history and the scripts to replay it with.
fn train_case(s: &Session, tag: &str, fragment: &str) -> (Vec<Row>, [(&'static str, PathBuf); 2]) {
    s.exec(CAPTURE_JS, json!([]));
    if tag == "custom-data" {
        draw(s);
    }
    let epochs = max_epochs(fragment);
    let page = train_to_the_end(s, epochs);
    assert_eq!(page.len(), epochs, "{tag}: the page trained every epoch");
    let scripts = export_scripts(s, tag);
    s.assert_no_console_errors();
    (page, scripts)
}

/// Trains one case of the matrix (opened in `s`) to its end and replays it with both scripts.
fn replay_case(s: &Session, python: &Path, tag: &str, fragment: &str) -> (String, Vec<String>) {
    let (page, scripts) = train_case(s, tag, fragment);
    let (worst, failures) = run_and_compare(python, &scripts, &page, tag);
    (table_row(tag, page.len(), worst), failures)
}

/// Cases whose scripts may run while the browser trains the next one.
const SCRIPTS_IN_FLIGHT: usize = 2;

#[test]
fn exported_scripts_replay_the_pages_run_number_for_number() {
    // First, so a missing interpreter fails before any browser work.
    let python = python();
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let mut table = vec![TABLE_HEADER.to_string()];
    let mut failures = vec![];
    // The scripts of a case run while the browser trains the next ones (at
    // most SCRIPTS_IN_FLIGHT cases behind it); a script's panic is re-raised here.
    let mut in_flight = std::collections::VecDeque::new();
    let mut finish = |job: std::thread::JoinHandle<(String, Vec<String>)>| {
        let (row, mut failed) = job.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        table.push(row);
        failures.append(&mut failed);
    };
    for (tag, fragment) in CASES {
        let s = open(&browser, &site, fragment, 1440, 1000);
        let (page, scripts) = train_case(&s, tag, fragment);
        drop(s);
        let python = python.clone();
        in_flight.push_back(std::thread::spawn(move || {
            let (worst, failures) = run_and_compare(&python, &scripts, &page, tag);
            (table_row(tag, page.len(), worst), failures)
        }));
        if in_flight.len() > SCRIPTS_IN_FLIGHT {
            finish(in_flight.pop_front().expect("a case in flight"));
        }
    }
    in_flight.into_iter().for_each(&mut finish);
    let table = table.join("\n");
    eprintln!("largest relative difference in training loss per epoch:\n{table}");
    std::fs::write(artifacts_dir().join("export-parity.txt"), format!("{table}\n")).expect("write table");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Batch norm with a last mini-batch of one row: 160 training points in
/// batches of 53 (the default split holds out a fifth of the 200). PyTorch's
/// `BatchNorm1d` refuses such a batch in training; the script normalises it
/// as the engine does.
const ONE_ROW_LAST_BATCH: (&str, &str) = (
    "bn-one-row-last-batch",
    "#n=200&bn=1&batch=53&optimizer=momentum&momentum=0.9&lr=0.05&max_epochs=40&seed=15",
);

#[test]
fn a_one_row_last_mini_batch_with_batch_norm_replays_too() {
    let python = python();
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let (tag, fragment) = ONE_ROW_LAST_BATCH;
    let s = open(&browser, &site, fragment, 1440, 1000);
    let train = s.eval("Array.from(window.backprop.run().testFlags()).filter((t) => t === 0).length");
    assert_eq!(train, json!(160), "{tag}: 3 batches of 53 and one of 1");
    let (row, failures) = replay_case(&s, &python, tag, fragment);
    eprintln!("{TABLE_HEADER}\n{row}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs exported in progress: the page steps `epochs` epochs and `batches`
/// mini-batches (then, if named, switches to another optimizer, which
/// starts afresh), the scripts are exported there, the page plays on to its
/// end, and the scripts' epochs must be the page's from that epoch on.
const IN_PROGRESS: [(&str, &str, usize, usize, Option<&str>); 3] = [
    // Adam's moments and step count, a step schedule, batch norm's running statistics, mid-epoch.
    (
        "adam-bn-step-exported-mid-epoch",
        "#dataset=xor&n=300&optimizer=adam&lr=0.01&batch=32&bn=1&schedule=step&sched_gamma=0.5&sched_epochs=8&max_epochs=40&seed=16",
        12,
        3,
        None,
    ),
    // Nesterov's momentum buffer, a cosine schedule through LambdaLR, L2 and clipping, at an epoch's start.
    (
        "nesterov-cosine-exported-at-epoch-15",
        "#dataset=circles&n=300&optimizer=nesterov&momentum=0.9&lr=0.05&batch=25&schedule=cosine&sched_epochs=30&reg=l2&lambda=0.001&clip=norm&clip_at=0.5&max_epochs=40&seed=17",
        15,
        0,
        None,
    ),
    // Adam for 10 epochs, then RMSprop from a fresh state: the scripts run the optimizer the run has now.
    (
        "adam-then-rmsprop-exported-at-switch",
        "#dataset=moons&n=300&optimizer=adam&lr=0.01&batch=30&max_epochs=30&seed=18",
        10,
        0,
        Some("rmsprop"),
    ),
];

#[test]
fn scripts_exported_mid_run_continue_from_the_weights_and_optimizer_state_of_that_moment() {
    let python = python();
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let mut table = vec![TABLE_HEADER.to_string()];
    let mut failures = vec![];
    for (tag, fragment, epochs, batches, switch) in IN_PROGRESS {
        let s = open(&browser, &site, fragment, 1440, 1000);
        s.exec(CAPTURE_JS, json!([]));
        for _ in 0..epochs {
            s.click("#step-epoch");
        }
        for _ in 0..batches {
            s.click("#step-batch");
        }
        if let Some(optimizer) = switch {
            s.set_input("ctl-optimizer", optimizer);
            assert_eq!(
                s.eval("JSON.parse(window.backprop.run().exportModel()).optimizer.t"),
                json!(0),
                "{tag}: the new optimizer has not stepped"
            );
        }
        assert_eq!(
            s.eval("window.backprop.run().epoch"),
            json!(epochs),
            "{tag}: stepped to epoch {epochs}"
        );
        let scripts = export_scripts(&s, tag);
        // The scripts say where they start: this epoch, these rows of the next.
        let rows = s.eval("JSON.parse(window.backprop.run().exportModel()).progress?.rows ?? 0");
        assert_eq!(rows.as_u64().map(|r| r > 0), Some(batches > 0), "{tag}: {rows}");
        for (kind, path) in &scripts {
            let text = std::fs::read_to_string(path).expect("script");
            let at = format!("\"epoch\": {epochs}, \"rows\": {rows},");
            assert!(text.contains(&at), "{tag} ({kind}): the script starts at {at}");
        }
        let page = train_to_the_end(&s, max_epochs(fragment));
        assert_eq!(
            page.len(),
            max_epochs(fragment),
            "{tag}: the page trained every epoch"
        );
        let (worst, mut failed) = run_and_compare(&python, &scripts, &page[epochs..], tag);
        table.push(table_row(tag, page.len() - epochs, worst));
        failures.append(&mut failed);
        s.assert_no_console_errors();
    }
    let table = table.join("\n");
    eprintln!("largest relative difference in training loss per epoch, from the export on:\n{table}");
    std::fs::write(
        artifacts_dir().join("export-parity-in-progress.txt"),
        format!("{table}\n"),
    )
    .expect("write table");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_notebook_holds_the_scripts_cells() {
    let python = python();
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#max_epochs=5&seed=1", 1440, 1000);
    s.exec(CAPTURE_JS, json!([]));
    for kind in ["numpy", "pytorch"] {
        s.click(&format!("#export-{kind}"));
        let script = s.eval("document.getElementById('export-code').value");
        let script = script.as_str().unwrap_or("");
        let file = download(&s, "#export-notebook");
        assert!(
            file["name"]
                .as_str()
                .unwrap_or("")
                .ends_with(&format!("-{kind}.ipynb")),
            "{}",
            file["name"]
        );
        let nb: Value = serde_json::from_str(file["text"].as_str().unwrap_or("")).expect("notebook JSON");
        assert_eq!(nb["nbformat"], json!(4));
        let cells = nb["cells"].as_array().expect("cells");
        let sections = script.matches("\n# %%").count();
        assert_eq!(
            cells.len(),
            sections + 1,
            "{kind}: one cell per section and the docstring's"
        );
        // Run together, the cells are the script (without its #! line).
        let code: Vec<String> = cells
            .iter()
            .map(|c| {
                assert_eq!(c["cell_type"], json!("code"));
                c["source"]
                    .as_array()
                    .expect("source lines")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<String>()
            })
            .collect();
        let joined = code.join("\n\n");
        let path = artifacts_dir().join(format!("notebook-{kind}.py"));
        std::fs::write(&path, &joined).expect("write cells");
        let out = Command::new(&python).arg(&path).output().expect("run the cells");
        assert!(
            out.status.success(),
            "{kind}: the notebook's cells fail:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Epoch 5/5"),
            "{kind}: the cells train"
        );
    }
    s.assert_no_console_errors();
}
