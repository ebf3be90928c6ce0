//! Backprop, explained live: a point is picked on the plot, the walk-through
//! shows the bindings' own numbers at every stage, one weight's chain rule
//! adds up, and the view speaks English and 简体中文.

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(30);

/// The values table as `[{ key: value }]` rows, read back from the DOM.
const TABLE_JS: &str = "return Array.from(document.querySelectorAll('#walk-values tr')).slice(1).map((tr) =>\
    Object.fromEntries(Array.from(tr.querySelectorAll('td[data-key]'), (td) => [td.dataset.key, Number(td.dataset.value)])));";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 + 1e-9 * b.abs()
}

#[test]
fn stepping_through_shows_the_traces_numbers_and_the_chain_rule_adds_up() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    for _ in 0..20 {
        s.click("#step-epoch");
    }
    // Clicking the plot picks the nearest training point.
    s.click_at("#plot", 0, 0, None);
    s.wait_for(
        "document.getElementById('view-walk').dataset.point !== undefined",
        LOAD,
    );
    let point = s
        .eval("Number(document.getElementById('view-walk').dataset.point)")
        .as_u64()
        .expect("point");
    let trace: Value = s.eval(&format!("window.backprop.run().trace({point})"));
    let layers = trace["layers"].as_array().expect("layers").len();
    assert_eq!(layers, 3);

    walk_forward_and_backward(&s, &trace, layers);

    // Back to the start with ←.
    for _ in 0..(2 * layers + 1) {
        s.keys("\u{E012}");
    }
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.stage"),
        json!("forward:0")
    );

    check_one_weights_chain_rule(&s, &trace);

    s.click("#walk-apply");
    s.wait_for(
        "document.getElementById('walk-applied').dataset.after !== undefined",
        LOAD,
    );
    let before = s
        .eval("Number(document.getElementById('walk-applied').dataset.before)")
        .as_f64()
        .unwrap_or(0.0);
    let after = s
        .eval("Number(document.getElementById('walk-applied').dataset.after)")
        .as_f64()
        .unwrap_or(1.0);
    assert!(
        after < before,
        "one step on the point lowers its loss: {before} -> {after}"
    );

    s.click("#walk-batch");
    s.wait_for("document.querySelector('#walk-batch-table') !== null", LOAD);
    let mean = s
        .eval("Number(document.querySelector('#walk-batch-table td[data-key=mean]').dataset.value)")
        .as_f64()
        .unwrap_or(0.0);
    let full = s
        .eval("Number(document.querySelector('#walk-batch-table td[data-key=full]').dataset.value)")
        .as_f64()
        .unwrap_or(1.0);
    assert!(
        (mean - full).abs() <= 1e-12 + 1e-9 * full.abs(),
        "mean of per-sample gradients {mean} vs batch {full}"
    );
    // Show the backward pass through layer 2 (forward 1-3, loss, backward 3, backward 2).
    for _ in 0..(layers + 2) {
        s.click("#walk-next");
    }
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.stage"),
        json!("backward:1")
    );
    s.exec(
        "document.getElementById('walk-stage').scrollIntoView()",
        json!([]),
    );
    s.screenshot(&artifacts_dir().join("walk-1440-en.png"));
    s.assert_no_console_errors();
}

/// Every key of the message tables, in both languages.
const TABLES_JS: &str = "const done = arguments[arguments.length - 1];\
    import(new URL('js/i18n.js', document.baseURI)).then((m) => done({ en: Object.keys(m.STRINGS.en), zh: Object.keys(m.STRINGS.zh), zhText: m.STRINGS.zh }));";

#[test]
fn the_walk_through_speaks_english_and_chinese() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    let tables = s.exec_async(TABLES_JS, json!([]));
    let mut en: Vec<String> = serde_json::from_value(tables["en"].clone()).expect("en");
    let mut zh: Vec<String> = serde_json::from_value(tables["zh"].clone()).expect("zh");
    en.sort();
    zh.sort();
    assert_eq!(en, zh, "every message exists in both languages");

    s.click("#walk-random");
    s.click("#walk-lang-zh");
    s.wait_for("location.hash.includes('lang=zh')", LOAD);
    // Every labelled element now shows the Chinese text of its key.
    let mismatched = s.exec(
        "const zh = arguments[0]; return Array.from(document.querySelectorAll('#view-walk [data-i18n]')).filter((n) => n.textContent !== zh[n.dataset.i18n]).map((n) => n.dataset.i18n);",
        json!([tables["zhText"]]),
    );
    assert_eq!(mismatched, json!([]));
    assert_eq!(
        s.eval("document.getElementById('tab-walk').textContent"),
        tables["zhText"]["tab"]
    );
    let stage = s.eval("document.getElementById('walk-stage-name').textContent");
    assert!(stage.to_string().contains("前向传播"), "{stage}");
    s.exec("document.getElementById('view-walk').scrollIntoView()", json!([]));
    s.screenshot(&artifacts_dir().join("walk-1440-zh.png"));
    // The language is kept in the link.
    let reloaded = open(&browser, &site, "#lang=zh", 390, 844);
    assert_eq!(
        reloaded.eval("document.getElementById('tab-walk').textContent"),
        tables["zhText"]["tab"]
    );
    reloaded.click("#walk-random");
    reloaded.exec("document.getElementById('view-walk').scrollIntoView()", json!([]));
    reloaded.screenshot(&artifacts_dir().join("walk-390-zh.png"));
    s.click("#walk-lang-en");
    s.wait_for("!location.hash.includes('lang=zh')", LOAD);
    let phone = open(&browser, &site, "", 390, 844);
    phone.click("#walk-random");
    phone.click("#walk-next");
    let overflow = phone.eval("document.documentElement.scrollWidth - window.innerWidth");
    assert_eq!(overflow, json!(0), "no horizontal scrolling at 390 px");
    phone.exec("document.getElementById('view-walk').scrollIntoView()", json!([]));
    phone.screenshot(&artifacts_dir().join("walk-390-en.png"));
    s.assert_no_console_errors();
    phone.assert_no_console_errors();

    // Three classes: the loss stage speaks of softmax and cross-entropy, not sigmoid.
    let spiral = open(&browser, &site, "#dataset=spiral3", 1440, 900);
    spiral.click("#walk-random");
    for _ in 0..3 {
        spiral.click("#walk-next");
    }
    assert_eq!(
        spiral.eval("document.getElementById('view-walk').dataset.stage"),
        json!("loss:")
    );
    let text = spiral
        .eval("document.getElementById('walk-explain').textContent")
        .to_string();
    assert!(
        text.contains("softmax") && text.contains("Cross-entropy") && !text.contains("sigmoid"),
        "{text}"
    );
    spiral.assert_no_console_errors();
}

/// Steps through forward (z, a), the loss and backward (δ, f′) with the
/// buttons and the → key, checking each stage's table against the trace.
fn walk_forward_and_backward(s: &Session, trace: &Value, layers: usize) {
    // Forward, layer by layer: z and a as the trace has them.
    for l in 0..layers {
        assert_eq!(
            s.eval("document.getElementById('view-walk').dataset.stage"),
            json!(format!("forward:{l}"))
        );
        let rows: Vec<Value> = serde_json::from_value(s.exec(TABLE_JS, json!([]))).expect("rows");
        assert_eq!(rows.len(), trace["layers"][l]["z"].as_array().expect("z").len());
        for (j, row) in rows.iter().enumerate() {
            for key in ["z", "a"] {
                let (shown, want) = (
                    row[key].as_f64().unwrap_or(f64::NAN),
                    trace["layers"][l][key][j].as_f64().unwrap_or(0.0),
                );
                assert!(close(shown, want), "layer {l} unit {j} {key}: {shown} vs {want}");
            }
        }
        s.click("#walk-next");
    }
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.stage"),
        json!("loss:")
    );
    let loss = s
        .eval("Number(document.querySelector('#walk-values td[data-key=loss]').dataset.value)")
        .as_f64()
        .unwrap_or(f64::NAN);
    assert!(close(loss, trace["loss"].as_f64().unwrap_or(0.0)));
    s.exec("document.activeElement.blur()", json!([]));
    s.keys("\u{E014}"); // → steps the walk-through, not the training
    // Backward, from the output down: δ (and f′ for hidden layers).
    for l in (0..layers).rev() {
        assert_eq!(
            s.eval("document.getElementById('view-walk').dataset.stage"),
            json!(format!("backward:{l}"))
        );
        let rows: Vec<Value> = serde_json::from_value(s.exec(TABLE_JS, json!([]))).expect("rows");
        for (j, row) in rows.iter().enumerate() {
            let mut keys = vec!["delta"];
            if l + 1 < layers {
                keys.push("f_prime");
            }
            for key in keys {
                let (shown, want) = (
                    row[key].as_f64().unwrap_or(f64::NAN),
                    trace["layers"][l][key][j].as_f64().unwrap_or(0.0),
                );
                assert!(close(shown, want), "layer {l} unit {j} {key}: {shown} vs {want}");
            }
        }
        s.click("#walk-next");
    }
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.stage"),
        json!("update:")
    );
    assert_eq!(
        s.eval("Number(document.body.dataset.epoch)"),
        json!(20),
        "the arrow key stepped the walk-through only"
    );
}

/// Clicks one weight of layer 1 and checks its chain rule: the paths' sum,
/// backprop's gradient and the finite difference agree.
fn check_one_weights_chain_rule(s: &Session, trace: &Value) {
    // One weight: the link from x₁ into a live unit j of layer 1 (a dead one would make
    // every number 0). Stage geometry: columns 273.3 px apart, neurons 38 px apart,
    // centred on y = 200; x₁ sits at (40, 181), unit j at (313.3, 200 + (j − 4.5)·38).
    let f_prime: Vec<f64> = serde_json::from_value(trace["layers"][0]["f_prime"].clone()).expect("f'");
    let j = f_prime
        .iter()
        .position(|&d| d > 0.0)
        .expect("a live unit in layer 1");
    let (mx, my) = (
        (40.0 + 313.3) / 2.0,
        (181.0 + 200.0 + (j as f64 - 4.5) * 38.0) / 2.0,
    );
    let offset = s.exec(
        "const c = document.getElementById('walk-stage'); const r = c.getBoundingClientRect(); const k = r.width / c.width;\
         return [Math.round((arguments[0] - c.width / 2) * k), Math.round((arguments[1] - c.height / 2) * k)];",
        json!([mx, my]),
    );
    s.click_at(
        "#walk-stage",
        offset[0].as_i64().unwrap_or(0),
        offset[1].as_i64().unwrap_or(0),
        None,
    );
    s.wait_for("document.querySelector('#walk-chain-table') !== null", LOAD);
    let get = |key: &str| {
        s.eval(&format!(
            "Number(document.querySelector('#walk-chain-table td[data-key={key}]').dataset.value)"
        ))
        .as_f64()
        .unwrap_or(f64::NAN)
    };
    let (sum, backprop, fd) = (get("sum"), get("backprop"), get("fd"));
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.weight"),
        json!(j.to_string()),
        "W₁[x₁ → unit {j}]"
    );
    assert!(
        backprop.abs() > 1e-6,
        "a live unit's weight has a gradient: {backprop}"
    );
    assert!(close(sum, backprop), "paths sum {sum} vs backprop {backprop}");
    // The finite difference agrees to the 6 significant digits displayed.
    assert!(
        (fd - backprop).abs() <= 5e-6 * backprop.abs() + 1e-9,
        "finite difference {fd} vs backprop {backprop}"
    );
    assert!(
        s.eval("document.querySelectorAll('#walk-chain ol li').length")
            .as_u64()
            .unwrap_or(0)
            == 8,
        "8 paths through layer 2"
    );
    let update = s.eval("document.getElementById('walk-update-text').textContent");
    assert!(update.to_string().contains("w ← w − η·g"), "{update}");
}
