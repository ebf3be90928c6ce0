//! Export and share: model JSON out and back in gives the same predictions;
//! the downloads hold what they say; the PyTorch and NumPy scripts are valid
//! Python, and the NumPy one (the PyTorch one too, where PyTorch is
//! installed) trains to a similar accuracy.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(60);

/// Captures downloads: clicking a download link stores `{ name, text }` in `window.__downloads`.
const CAPTURE_JS: &str = "window.__downloads = []; window.__blobs = {};\
    const make = URL.createObjectURL;\
    URL.createObjectURL = (b) => { const u = make(b); window.__blobs[u] = b; return u; };\
    HTMLAnchorElement.prototype.click = function () {\
      const name = this.download; const b = window.__blobs[this.href];\
      b.arrayBuffer().then((buf) => {\
        const bytes = new Uint8Array(buf);\
        window.__downloads.push({ name, type: b.type, size: b.size, text: name.endsWith('.png') ? Array.from(bytes.slice(0, 8)).join(',') : new TextDecoder().decode(bytes) });\
      });\
    };";

fn download(s: &Session, button: &str) -> Value {
    let before = s.eval("window.__downloads.length").as_u64().unwrap_or(0);
    s.click(button);
    s.wait_for(&format!("window.__downloads.length > {before}"), LOAD);
    s.eval("window.__downloads[window.__downloads.length - 1]")
}

#[test]
fn export_then_import_reproduces_the_predictions_and_downloads_hold_their_data() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(
        &browser,
        &site,
        "#dataset=circles&optimizer=adam&lr=0.01&seed=5",
        1440,
        1000,
    );
    s.exec(CAPTURE_JS, json!([]));
    s.click("#step-epoch");
    for _ in 0..24 {
        s.click("#step-epoch");
    }
    assert_eq!(s.eval("window.backprop.run().epoch"), json!(25));
    let probs = "Array.from((() => { const pg = window.backprop.run(); pg.grid(40, -2, 2, -2, 2, false); return pg.gridProbs(); })())";
    let before = s.eval(probs);

    // Model JSON through the button, then back in through the file input.
    let model = download(&s, "#export-model");
    assert!(
        model["name"].as_str().unwrap_or("").ends_with("epoch25.json"),
        "{}",
        model["name"]
    );
    let text = model["text"].as_str().unwrap_or("");
    assert!(text.contains("\"backprop-playground/model\""), "not a model file");
    let path = artifacts_dir().join("export-model.json");
    std::fs::write(&path, text).expect("write model");
    // Something else first, so the import has to restore it.
    s.set_input("ctl-seed", "9");
    s.wait_for("window.backprop.run().epoch === 0", LOAD);
    s.send_file("#import-model", &path);
    s.wait_for("window.backprop.run().epoch === 25", LOAD);
    assert_eq!(s.eval(probs), before, "imported run predicts differently");
    assert_eq!(
        s.eval("[window.backprop.settings().seed, window.backprop.settings().optimizer, location.hash.includes('seed=5')]"),
        json!([5, "adam", true])
    );
    // It keeps training from there.
    s.click("#step-epoch");
    assert_eq!(s.eval("window.backprop.run().epoch"), json!(26));

    // A broken file says why and changes nothing.
    let bad = artifacts_dir().join("export-bad.json");
    std::fs::write(&bad, text.replacen("\"version\":1", "\"version\":99", 1)).expect("write");
    s.send_file("#import-model", &bad);
    s.wait_for(
        "document.getElementById('notices').textContent.includes('version')",
        LOAD,
    );
    assert_eq!(s.eval("window.backprop.run().epoch"), json!(26));

    // History CSV: a header and one row per epoch; data CSV: every point.
    let history = download(&s, "#export-history");
    let rows: Vec<&str> = history["text"].as_str().unwrap_or("").lines().collect();
    assert_eq!(rows[0], "epoch,train_loss,test_loss,train_acc,test_acc,lr");
    assert_eq!(
        rows.len(),
        1 + s
            .eval("window.backprop.run().historyLength()")
            .as_u64()
            .unwrap_or(0) as usize
    );
    let data = download(&s, "#export-data");
    let lines = data["text"].as_str().unwrap_or("").lines().count();
    assert_eq!(
        lines as u64,
        1 + s.eval("window.backprop.run().len()").as_u64().unwrap_or(0)
    );
    // PNGs start with the PNG signature.
    for button in ["#export-png", "#export-curves"] {
        let png = download(&s, button);
        assert_eq!(png["text"], json!("137,80,78,71,13,10,26,10"), "{button}");
        assert!(
            png["size"].as_u64().unwrap_or(0) > 2000,
            "{button} is nearly empty"
        );
    }
    s.assert_no_console_errors();
}

/// A model file of a network the page's controls cannot show, trained a little.
fn model_with_hidden(s: &Session, hidden: &str) -> PathBuf {
    let text = s.eval(&format!(
        "(() => {{ const Playground = window.backprop.run().constructor; \
           const p = new Playground({{ seed: 3, dataset: {{ kind: 'circles' }}, network: {{ hidden: [{hidden}] }}, \
                                      optimizer: {{ kind: 'adam', lr: 0.01 }} }}); \
           p.stepEpochs(3); const t = p.exportModel(); p.free(); return t; }})()"
    ));
    let path = artifacts_dir().join(format!("import-{}.json", hidden.replace(',', "-")));
    std::fs::write(&path, text.as_str().expect("a model file")).expect("write model");
    path
}

#[test]
fn an_imported_network_wider_or_deeper_than_the_controls_keeps_the_link_honest() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    for (hidden, sizes, encoded) in [
        ("64,40", json!([2, 64, 40, 1]), "layers=64%2C40"),
        (
            "5,5,5,5,5,5,5,5,5,5",
            json!([2, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1]),
            "layers=5%2C5%2C5%2C5%2C5%2C5%2C5%2C5%2C5%2C5",
        ),
    ] {
        let s = open(&browser, &site, "", 1440, 1000);
        let file = model_with_hidden(&s, hidden);
        s.send_file("#import-model", &file);
        s.wait_for("window.backprop.run().epoch === 3", LOAD);
        assert_eq!(s.eval("window.backprop.run().layout().sizes"), sizes);
        let layers = s.eval("window.backprop.settings().layers");
        assert_eq!(
            layers,
            sizes
                .as_array()
                .map(|a| json!(a[1..a.len() - 1]))
                .unwrap_or_default(),
            "{hidden}"
        );
        // The link encodes the real network, not what the controls can show …
        let hash = s.eval("location.hash").as_str().unwrap_or("").to_string();
        assert!(
            hash.contains(encoded) && hash.contains("dataset=circles"),
            "{hash}"
        );
        // … and the page says the controls cannot show it.
        s.wait_for(
            &format!(
                "document.getElementById('notices').textContent.includes('cannot show layers={hidden}')"
            ),
            LOAD,
        );
        // Reloading the link reproduces the network.
        let reloaded = open(&browser, &site, &hash, 1440, 1000);
        assert_eq!(reloaded.eval("window.backprop.run().layout().sizes"), sizes);
        assert!(
            text_of(&reloaded, "notices").contains(&format!("cannot show layers={hidden}")),
            "the reloaded page says so too"
        );
        s.assert_no_console_errors();
        reloaded.assert_no_console_errors();
    }
}

fn text_of(s: &Session, id: &str) -> String {
    s.eval(&format!("document.getElementById('{id}').textContent"))
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// The Python that runs the exported scripts: `BACKPROP_PYTHON` (`cargo
/// xtask test` points it at the venv with NumPy it makes under `target/`),
/// else `python3`. It must exist and import NumPy: a missing interpreter
/// fails the test rather than skipping the run.
fn python_with_numpy() -> PathBuf {
    let python = std::env::var_os("BACKPROP_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let how =
        "set BACKPROP_PYTHON to a Python with NumPy (`cargo xtask test` makes one in target/bench-venv)";
    match Command::new(&python).args(["-c", "import numpy"]).output() {
        Ok(out) if out.status.success() => python,
        Ok(out) => panic!(
            "{} cannot import numpy: {}; {how}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!("cannot run the Python at {}: {e}; {how}", python.display()),
    }
}

/// A Python that can import PyTorch, which the tests do not install (it is
/// large): the NumPy one or `python3`. Where there is one, the PyTorch
/// script is run too, not only compiled.
fn python_with_torch(numpy: &Path) -> Option<PathBuf> {
    [numpy.to_path_buf(), PathBuf::from("python3")]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .args(["-c", "import torch"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

fn python(py: &Path, args: &[&str], script: &Path) -> (bool, String) {
    let out = Command::new(py)
        .args(args)
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", py.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn test_accuracy(output: &str) -> f64 {
    output
        .lines()
        .find_map(|l| l.strip_prefix("Test accuracy: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no test accuracy in:\n{output}"))
}

/// Exports both scripts for the page at `fragment` after training to its
/// `max_epochs`; returns `(playground test accuracy, [(kind, path)])`.
fn export_scripts(
    browser: &Browser,
    site: &Site,
    fragment: &str,
    tag: &str,
) -> (f64, Vec<(String, PathBuf)>) {
    let s = open(browser, site, fragment, 1440, 1000);
    s.click("#play");
    s.wait_for(
        "document.body.dataset.playing === 'false' && Number(document.body.dataset.epoch) > 0",
        Duration::from_secs(120),
    );
    let acc = s
        .eval("window.backprop.run().lastEpoch().test_acc")
        .as_f64()
        .unwrap_or(0.0);
    let mut out = vec![];
    for kind in ["pytorch", "numpy"] {
        s.click(&format!("#export-{kind}"));
        s.wait_for(
            &format!("document.getElementById('export-code-box').dataset.kind === '{kind}'"),
            LOAD,
        );
        let code = s.eval("document.getElementById('export-code').value");
        let path = artifacts_dir().join(format!("export-{tag}-{kind}.py"));
        std::fs::write(&path, code.as_str().unwrap_or("")).expect("write script");
        out.push((kind.to_string(), path));
    }
    s.assert_no_console_errors();
    (acc, out)
}

#[test]
fn the_pytorch_and_numpy_scripts_are_valid_python_and_train_alike() {
    // First, so a missing interpreter fails before any browser work.
    let numpy = python_with_numpy();
    let torch = python_with_torch(&numpy);
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let cases = [
        // The tutorial's setup on the default moons.
        ("#max_epochs=300&seed=1", "gd", 0.06),
        // Everything else at once: three classes, mini-batches, Adam, batch norm,
        // a schedule, clipping and L2.
        (
            "#dataset=spiral3&noise=0.05&layers=16,16&optimizer=adam&lr=0.02&batch=32&bn=1&schedule=cosine&sched_epochs=200&clip=norm&clip_at=1&reg=l2&lambda=0.0001&max_epochs=200&seed=2",
            "adam-bn",
            0.12,
        ),
    ];
    for (fragment, tag, tolerance) in cases {
        let (acc, scripts) = export_scripts(&browser, &site, fragment, tag);
        for (kind, path) in &scripts {
            let (ok, text) = python(&numpy, &["-m", "py_compile"], path);
            assert!(ok, "{kind} script for {tag} does not compile:\n{text}");
            let py = match (kind.as_str(), &torch) {
                ("numpy", _) => &numpy,
                (_, Some(torch)) => torch,
                (_, None) => {
                    eprintln!("the PyTorch script for {tag} compiles; no PyTorch here to run it");
                    continue;
                }
            };
            let (ok, text) = python(py, &[], path);
            assert!(ok, "{kind} script for {tag} failed:\n{text}");
            let theirs = test_accuracy(&text);
            eprintln!("{tag}: playground test accuracy {acc:.4}, {kind} script {theirs:.4}");
            assert!(
                (theirs - acc).abs() <= tolerance,
                "{kind} script for {tag}: test accuracy {theirs} vs the playground's {acc}"
            );
        }
    }
}
