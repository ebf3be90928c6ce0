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
    // Two fifths of the way along: x₂'s links cross this one at a half, a third, a quarter…
    // of the way, so the midpoint could pick x₂ → unit j − 1 instead.
    const ALONG: f64 = 0.4;
    let (mx, my) = (
        40.0 + ALONG * (313.3 - 40.0),
        181.0 + ALONG * (200.0 + (j as f64 - 4.5) * 38.0 - 181.0),
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

/// Numbers on the page carry 6 significant digits, so a sum recomputed from
/// its plugged-in terms agrees with the shown value to a few parts in a
/// million of the terms' magnitude.
const PLUGGED_TOL: f64 = 2e-5;

/// Opens the page and follows the first screen's point with Next, as a new user would.
fn start_on_first_point(
    browser: &Browser,
    site: &Site,
    fragment: &str,
    width: u32,
    height: u32,
) -> (Session, usize, Value) {
    let s = open(browser, site, fragment, width, height);
    // The first screen: the network, a point to follow and an invitation, Next ready.
    let invite = s
        .eval("document.getElementById('walk-point').textContent")
        .to_string();
    assert!(invite.contains("Next") || invite.contains("下一步"), "{invite}");
    assert_eq!(
        s.eval("document.getElementById('walk-next').disabled"),
        json!(false)
    );
    let inked = s.eval(
        "(() => { const c = document.getElementById('walk-stage'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;\
         let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()",
    );
    assert!(
        inked.as_u64().unwrap_or(0) > 5000,
        "the first screen draws the network: {inked} pixels"
    );
    let first = s
        .eval("Array.from(window.backprop.run().testFlags()).indexOf(0)")
        .as_u64()
        .expect("a training point") as usize;
    s.click("#walk-next");
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.point"),
        json!(first.to_string()),
        "Next starts on the offered point"
    );
    let trace = s.eval(&format!("window.backprop.run().trace({first})"));
    (s, first, trace)
}

/// The offset from the stage canvas's centre, in CSS pixels, of node `j` of column `c`
/// (the picture's geometry: columns spread over 900 px, nodes 2r + 4 apart, centred).
fn node_offset(s: &Session, c: usize, j: usize) -> (i64, i64) {
    let v = s.exec(
        "const [c, j] = arguments; const sizes = window.backprop.run().layout().sizes; const cv = document.getElementById('walk-stage');\
         const r = Math.max(5, Math.min(20, (cv.height - 20) / Math.max(...sizes) / 2 - 2)); const gap = (cv.width - 80) / (sizes.length - 1);\
         const x = 40 + c * gap, y = cv.height / 2 + (j - (sizes[c] - 1) / 2) * (2 * r + 4);\
         const k = cv.getBoundingClientRect().width / cv.width; return [Math.round((x - cv.width / 2) * k), Math.round((y - cv.height / 2) * k)];",
        json!([c, j]),
    );
    (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0))
}

/// Blue minus red of the stage's pixel at the middle of the link from node
/// `from` of the last hidden column to the output, times its opacity (the
/// canvas is transparent under the links): > 0 for the positive colour
/// (blue), < 0 for the negative one (orange), near 0 for a dimmed link.
fn output_link_hue(s: &Session, from: usize) -> i64 {
    let v = s.exec(
        "const [from] = arguments; const sizes = window.backprop.run().layout().sizes; const cv = document.getElementById('walk-stage');\
         const r = Math.max(5, Math.min(20, (cv.height - 20) / Math.max(...sizes) / 2 - 2)); const gap = (cv.width - 80) / (sizes.length - 1);\
         const c = sizes.length - 2; const y1 = cv.height / 2 + (from - (sizes[c] - 1) / 2) * (2 * r + 4);\
         const x = 40 + (c + 0.5) * gap, y = (y1 + cv.height / 2) / 2;\
         const d = cv.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data; return Math.round((d[2] - d[0]) * d[3] / 255);",
        json!([from]),
    );
    v.as_i64().expect("a pixel")
}

#[test]
fn the_picture_colours_links_by_sign_and_lights_the_steps_layer() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let (s, _, _) = start_on_first_point(&browser, &site, "", 1440, 900);
    // The output layer's weights: the strongest positive and the strongest negative one.
    let w: Vec<f64> = serde_json::from_value(s.eval(
        "(() => { const pg = window.backprop.run(); const l = pg.layout().layers.at(-1); return Array.from(pg.params().slice(l.w, l.w + l.n_in)); })()",
    ))
    .expect("output weights");
    let strongest = |positive: bool| {
        (0..w.len())
            .filter(|&i| (w[i] > 0.0) == positive)
            .max_by(|&a, &b| w[a].abs().total_cmp(&w[b].abs()))
            .expect("output weights of both signs")
    };
    let (pos, neg) = (strongest(true), strongest(false));
    // Forward through the output layer: that layer is lit, its links full strength.
    s.click("#walk-next");
    s.click("#walk-next");
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.stage"),
        json!("forward:2")
    );
    assert_eq!(
        s.eval("document.getElementById('walk-stage').dataset.active"),
        json!("3")
    );
    let (lit_pos, lit_neg) = (output_link_hue(&s, pos), output_link_hue(&s, neg));
    assert!(lit_pos > 20, "a positive weight is blue: {lit_pos}");
    assert!(lit_neg < -20, "a negative weight is orange: {lit_neg}");
    // Back at layer 1, the output layer's links are dimmed.
    s.click("#walk-prev");
    s.click("#walk-prev");
    assert_eq!(
        s.eval("document.getElementById('walk-stage').dataset.active"),
        json!("1")
    );
    let (dim_pos, dim_neg) = (output_link_hue(&s, pos), output_link_hue(&s, neg));
    assert!(
        dim_pos.abs() * 2 < lit_pos.abs() && dim_neg.abs() * 2 < lit_neg.abs(),
        "dimmed {dim_pos}, {dim_neg} vs lit {lit_pos}, {lit_neg}"
    );
    s.assert_no_console_errors();
}

/// Splits `text` at its top-level " + " and parses each `a·b` product (or number).
fn plugged_terms(text: &str) -> Vec<f64> {
    text.split(" + ")
        .map(|t| {
            t.split('·')
                .map(|n| {
                    n.trim()
                        .trim_start_matches('(')
                        .trim_end_matches(')')
                        .parse::<f64>()
                        .unwrap_or(f64::NAN)
                })
                .product()
        })
        .collect()
}

#[test]
fn hovering_a_node_shows_its_formula_with_numbers_that_add_up() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let (s, _, trace) = start_on_first_point(&browser, &site, "", 1440, 900);
    s.click("#walk-next");
    // Forward, layer 2: z of unit 3 = Σ a·w + b, every number plugged in.
    let (dx, dy) = node_offset(&s, 2, 3);
    s.move_to("#walk-stage", dx, dy);
    s.wait_for(
        "document.querySelector('#walk-hover p[data-line=z]') !== null",
        LOAD,
    );
    let z_line = s
        .eval("document.querySelector('#walk-hover p[data-line=z]').textContent")
        .as_str()
        .expect("z")
        .to_string();
    let parts: Vec<&str> = z_line.split(" = ").collect();
    assert_eq!(parts.len(), 4, "{z_line}");
    let terms = plugged_terms(parts[2]);
    assert_eq!(terms.len(), 10 + 1, "ten products and the bias: {z_line}");
    let (sum, scale) = (
        terms.iter().sum::<f64>(),
        terms.iter().map(|t| t.abs()).sum::<f64>(),
    );
    let shown: f64 = parts[3].parse().expect("value");
    let want = trace["layers"][1]["z"][3].as_f64().expect("z");
    assert!(
        (sum - want).abs() <= PLUGGED_TOL * scale + 1e-9,
        "{z_line}: recomputed {sum}, engine {want}"
    );
    assert!(
        (shown - want).abs() <= PLUGGED_TOL * want.abs() + 1e-9,
        "{shown} vs {want}"
    );
    // Backward, layer 2: δ = (Σ w·δ)·f′(z) for a live unit.
    for _ in 0..4 {
        s.click("#walk-next");
    }
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.stage"),
        json!("backward:1")
    );
    let delta: Vec<f64> = serde_json::from_value(trace["layers"][1]["delta"].clone()).expect("δ");
    let j = (0..delta.len())
        .find(|&j| delta[j] != 0.0)
        .expect("a live unit in layer 2");
    let (dx, dy) = node_offset(&s, 2, j);
    s.move_to("#walk-stage", 0, 0); // off every node, between the columns
    s.move_to("#walk-stage", dx, dy);
    s.wait_for(
        "document.querySelector('#walk-hover p[data-line=delta]') !== null",
        LOAD,
    );
    let d_line = s
        .eval("document.querySelector('#walk-hover p[data-line=delta]').textContent")
        .as_str()
        .expect("δ")
        .to_string();
    let parts: Vec<&str> = d_line.split(" = ").collect();
    assert_eq!(parts.len(), 4, "{d_line}");
    let (inner, f_prime) = parts[2].rsplit_once(")·").expect("(Σ w·δ)·f′");
    let terms = plugged_terms(inner.trim_start_matches('('));
    assert_eq!(terms.len(), 1, "one unit above: {d_line}");
    let f_prime: f64 = f_prime
        .trim_start_matches('(')
        .trim_end_matches(')')
        .parse()
        .expect("f′");
    let recomputed = terms.iter().sum::<f64>() * f_prime;
    assert!(
        (recomputed - delta[j]).abs() <= PLUGGED_TOL * delta[j].abs() + 1e-12,
        "{d_line}: recomputed {recomputed}, engine {}",
        delta[j]
    );
    // Hovering a term lights its link: the formula names it, the picture redraws it.
    let term = s.exec(
        "const t = document.querySelectorAll('#walk-hover .term')[0]; t.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));\
         return [`${t.dataset.layer}:${t.dataset.from}:${t.dataset.to}`, document.getElementById('walk-stage').dataset.lit];",
        json!([]),
    );
    assert_eq!(
        term[0],
        json!(format!("2:{j}:0")),
        "the term w·δ of the link {j} → output"
    );
    assert_eq!(term[1], term[0], "the picture lights that link");
    s.assert_no_console_errors();
}

#[test]
fn the_code_panel_highlights_the_engines_own_lines_for_each_step() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let (s, _, _) = start_on_first_point(&browser, &site, "", 1440, 900);
    let mut seen = Vec::new();
    loop {
        let stage = s
            .eval("document.getElementById('view-walk').dataset.stage")
            .as_str()
            .expect("stage")
            .to_string();
        let file = s
            .eval("document.getElementById('walk-code').dataset.file")
            .as_str()
            .expect("a file")
            .to_string();
        let source = std::fs::read_to_string(e2e::root().join("crates/backprop/src").join(&file))
            .unwrap_or_else(|e| panic!("engine source {file}: {e}"));
        let lines: Vec<String> = serde_json::from_value(
            s.eval("Array.from(document.querySelectorAll('#walk-code .hl code'), (c) => c.textContent)"),
        )
        .expect("lines");
        assert!(!lines.is_empty(), "{stage}: a highlighted line");
        for line in &lines {
            assert!(
                source.lines().any(|l| l == line),
                "{stage}: {line:?} is a line of {file}"
            );
        }
        s.exec(
            "document.getElementById('walk-stage').scrollIntoView()",
            json!([]),
        );
        s.screenshot(&artifacts_dir().join(format!("walk-step-{}-en.png", seen.len())));
        seen.push((stage, lines));
        if s.eval("document.getElementById('walk-next').disabled") == json!(true) {
            break;
        }
        s.click("#walk-next");
    }
    assert_eq!(seen.len(), 8, "forward ×3, loss, backward ×3, update");
    let at = |key: &str| &seen.iter().find(|(k, _)| k == key).expect(key).1;
    assert_ne!(at("forward:0"), at("loss:"));
    assert_ne!(at("loss:"), at("backward:1"));
    assert_ne!(at("backward:1"), at("update:"));
    s.exec("document.getElementById('walk-code').scrollIntoView()", json!([]));
    s.screenshot(&artifacts_dir().join("walk-code-update.png"));
    s.assert_no_console_errors();
}

#[test]
fn the_update_shows_each_layers_weight_before_and_after_as_the_engine_moved_it() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let (s, point, trace) = start_on_first_point(&browser, &site, "", 1440, 900);
    for _ in 0..7 {
        s.click("#walk-next");
    }
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.stage"),
        json!("update:")
    );
    let before: Vec<f64> =
        serde_json::from_value(s.eval("Array.from(window.backprop.run().params())")).expect("params");
    let lr = s.eval("window.backprop.run().lr").as_f64().expect("lr");
    s.click("#walk-apply");
    let after: Vec<f64> =
        serde_json::from_value(s.eval("Array.from(window.backprop.run().params())")).expect("params");
    let rows: Vec<Value> = serde_json::from_value(s.eval(
        "Array.from(document.querySelectorAll('#walk-moved-table tr[data-index]'), (r) => [Number(r.dataset.index), Number(r.dataset.before), Number(r.dataset.after)])",
    ))
    .expect("rows");
    assert_eq!(rows.len(), 3, "one weight per layer");
    let layout = s.eval("window.backprop.run().layout().layers");
    for (l, row) in rows.iter().enumerate() {
        let i = row[0].as_u64().expect("index") as usize;
        let (b, a) = (row[1].as_f64().expect("before"), row[2].as_f64().expect("after"));
        assert_eq!(
            (b, a),
            (before[i], after[i]),
            "layer {l}: the engine's own values"
        );
        let k = i - layout[l]["w"].as_u64().expect("w") as usize;
        let g = trace["layers"][l]["dw"][k].as_f64().expect("dw");
        assert!(
            (a - (b - lr * g)).abs() <= 1e-12 * (1.0 + b.abs()),
            "layer {l}: w − η·g"
        );
    }
    let loss_after = s
        .eval(&format!("window.backprop.run().sampleLoss({point})"))
        .as_f64()
        .expect("loss");
    let shown = s
        .eval("Number(document.getElementById('walk-applied').dataset.after)")
        .as_f64()
        .expect("after");
    assert_eq!(shown, loss_after, "the point's loss after, as the engine has it");
    s.assert_no_console_errors();
}

#[test]
fn predict_first_asks_before_revealing_and_grades_against_the_engine() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let (s, _, trace) = start_on_first_point(&browser, &site, "", 1440, 900);
    s.click("#walk-predict");
    for _ in 0..3 {
        s.click("#walk-next");
    }
    assert_eq!(
        s.eval("document.getElementById('view-walk').dataset.stage"),
        json!("loss:")
    );
    // The question stands between the picture and the reveal: the numbers wait.
    assert_eq!(
        s.eval("document.getElementById('walk-question').dataset.template"),
        json!("output-sign")
    );
    assert_eq!(
        s.eval("document.getElementById('walk-values').hidden"),
        json!(true)
    );
    let delta = trace["layers"][2]["delta"][0].as_f64().expect("δ");
    let right = if delta > 0.0 {
        "positive"
    } else if delta < 0.0 {
        "negative"
    } else {
        "zero"
    };
    s.click(&format!("#walk-question button[data-choice={right}]"));
    assert_eq!(
        s.eval("document.getElementById('walk-verdict').dataset.correct"),
        json!("true")
    );
    let why = s
        .eval("document.getElementById('walk-verdict').textContent")
        .to_string();
    assert!(why.contains("δ = ŷ − y"), "{why}");
    assert_eq!(
        s.eval("document.getElementById('walk-values').hidden"),
        json!(false)
    );
    assert_eq!(
        s.eval("document.getElementById('walk-score').dataset.right"),
        json!("1")
    );
    // Backward through layer 2: which unit's δ is exactly zero? Answer wrongly.
    s.click("#walk-next");
    s.click("#walk-next");
    assert_eq!(
        s.eval("document.getElementById('walk-question').dataset.template"),
        json!("dead-unit")
    );
    let delta: Vec<f64> = serde_json::from_value(trace["layers"][1]["delta"].clone()).expect("δ");
    let zero: Vec<String> = (0..delta.len())
        .filter(|&j| delta[j] == 0.0)
        .map(|j| j.to_string())
        .collect();
    let wrong = if zero.is_empty() {
        "0".to_string()
    } else {
        "none".to_string()
    };
    s.click(&format!("#walk-question button[data-choice='{wrong}']"));
    assert_eq!(
        s.eval("document.getElementById('walk-verdict').dataset.correct"),
        json!("false")
    );
    let why = s
        .eval("document.getElementById('walk-verdict').textContent")
        .to_string();
    assert!(why.contains("f′(z) = 0"), "the misconception named: {why}");
    assert_eq!(
        (
            s.eval("document.getElementById('walk-score').dataset.right"),
            s.eval("document.getElementById('walk-score').dataset.asked")
        ),
        (json!("1"), json!("2"))
    );
    // The right answer is marked for the learner.
    let marked: Vec<String> = serde_json::from_value(s.eval(
        "Array.from(document.querySelectorAll('#walk-question button.right'), (b) => b.dataset.choice)",
    ))
    .expect("marked");
    let expect = if zero.is_empty() {
        vec!["none".to_string()]
    } else {
        zero
    };
    assert_eq!(marked, expect);
    // In Chinese too.
    s.click("#walk-lang-zh");
    let why = s
        .eval("document.getElementById('walk-verdict').textContent")
        .to_string();
    assert!(why.contains("不太对") && why.contains("f′(z) = 0"), "{why}");
    s.exec(
        "document.getElementById('walk-question').scrollIntoView()",
        json!([]),
    );
    s.screenshot(&artifacts_dir().join("walk-predict-zh.png"));
    s.assert_no_console_errors();
}

#[test]
fn every_step_fits_a_phone_in_chinese_and_the_dark_theme() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = browser.session(390, 844);
    s.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }, { "name": "prefers-reduced-motion", "value": "reduce" }] }),
    );
    e2e::viewport(&s, 390, 844);
    s.goto(&format!("{}#lang=zh", site.url("")));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    s.exec("document.getElementById('view-walk').scrollIntoView()", json!([]));
    s.screenshot(&artifacts_dir().join("walk-390-zh-dark-first.png"));
    s.click("#walk-next");
    s.click("#walk-predict");
    let order = [
        "forward:0",
        "forward:1",
        "forward:2",
        "loss:",
        "backward:2",
        "backward:1",
        "backward:0",
        "update:",
    ];
    for (step, want) in order.iter().enumerate() {
        assert_eq!(
            s.eval("document.getElementById('view-walk').dataset.stage"),
            json!(want)
        );
        // A question waits at some steps: answer it (the first option) to see the reveal too.
        if s.eval("document.getElementById('view-walk').dataset.pending") == json!("true") {
            s.exec(
                "document.getElementById('walk-question').scrollIntoView()",
                json!([]),
            );
            s.screenshot(&artifacts_dir().join(format!("walk-390-zh-dark-{step}-question.png")));
            s.click("#walk-question button[data-choice]");
        }
        if *want == "forward:1" {
            // No hover on a phone: a tap on a node shows its formula.
            let (dx, dy) = node_offset(&s, 2, 0);
            s.click_at("#walk-stage", dx, dy, None);
            assert_eq!(
                s.eval("document.querySelector('#walk-hover p[data-line=z]') !== null"),
                json!(true),
                "a tapped node's formula"
            );
        }
        let overflow = s.eval("document.documentElement.scrollWidth - window.innerWidth");
        assert_eq!(
            overflow,
            json!(0),
            "step {step}: no horizontal scrolling at 390 px"
        );
        s.exec(
            "document.getElementById('walk-stage').scrollIntoView()",
            json!([]),
        );
        s.screenshot(&artifacts_dir().join(format!("walk-390-zh-dark-{step}.png")));
        if step < 7 {
            s.click("#walk-next");
        }
    }
    // Reduced motion: the update shows its after state at once, no tween.
    s.click("#walk-apply");
    assert!(s.eval("document.querySelector('#walk-moved-table tr[data-index]') !== null") == json!(true));
    s.exec(
        "document.getElementById('walk-moved').scrollIntoView()",
        json!([]),
    );
    s.screenshot(&artifacts_dir().join("walk-390-zh-dark-applied.png"));
    s.assert_no_console_errors();
}
