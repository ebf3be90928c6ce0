//! Export and share: model JSON out and back in gives the same predictions;
//! the downloads hold what they say. (The PyTorch and NumPy scripts are
//! run and checked against the page's history in export_parity.rs.)

use std::path::PathBuf;
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
