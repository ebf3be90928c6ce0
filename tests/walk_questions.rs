//! Predict first's chain-rule and boundary questions in the built page:
//! which path contributes most to a weight's gradient (answered wrongly),
//! and whether the boundary moves towards the point (answered rightly),
//! each graded against the engine's numbers and explained, in English and
//! Chinese, on a desktop and on a phone in the dark theme.

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(60);

/// Two hidden layers of 4 and 3: a first-layer weight has 3 paths to the output.
const LINK: &str = "#layers=4,3&seed=3";

fn stage(s: &Session) -> Value {
    s.eval("document.getElementById('view-walk').dataset.stage")
}

fn template(s: &Session) -> Value {
    s.eval("document.getElementById('walk-question').dataset.template ?? null")
}

fn verdict(s: &Session) -> (Value, String) {
    (
        s.eval("document.getElementById('walk-verdict').dataset.correct"),
        s.eval("document.getElementById('walk-verdict').textContent")
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

/// Follows a training point with an odd index whose first layer has a
/// gradient: where two templates fit a step the point's index picks one,
/// odd picks the chain-rule paths and the boundary, and the paths question
/// needs a weight that moves. Returns the point.
fn follow_an_odd_point(s: &Session) -> u64 {
    for _ in 0..40 {
        s.click("#walk-random");
        let point = s.eval("Number(document.getElementById('view-walk').dataset.point)");
        let point = point.as_u64().expect("a followed point");
        let moves = s.eval(&format!(
            "window.backprop.run().trace({point}).layers[0].dw.some((g) => g !== 0)"
        ));
        if point % 2 == 1 && moves == json!(true) {
            return point;
        }
    }
    panic!("40 random points, none with an odd index and a first-layer gradient");
}

/// Steps on to `want`, answering with the first option any question on the way.
fn step_to(s: &Session, want: &str) {
    for _ in 0..10 {
        if stage(s) == json!(want) {
            return;
        }
        if s.eval("document.getElementById('view-walk').dataset.pending") == json!("true") {
            s.click("#walk-question button[data-choice]");
        }
        s.click("#walk-next");
    }
    panic!("never reached {want}: at {}", stage(s));
}

/// Each path's contribution to the gradient of first-layer weight `from → to`,
/// from the engine's trace and parameters (input, then f′(z) and the weight
/// at each step, then the output's δ), keyed as the page keys its options.
fn paths(trace: &Value, params: &[f64], layout: &Value, from: usize, to: usize) -> Vec<(String, f64)> {
    let layers = layout["layers"].as_array().expect("layers");
    let f = |v: &Value| v.as_f64().expect("a number");
    let mut out = vec![(vec![to], f(&trace["input"][from]))];
    for (l, layer) in layers.iter().enumerate().skip(1) {
        let (at, n_out) = (
            layer["w"].as_u64().expect("w") as usize,
            layer["n_out"].as_u64().expect("n_out") as usize,
        );
        out = out
            .into_iter()
            .flat_map(|(units, value)| {
                let j = units[units.len() - 1];
                let leave = value * f(&trace["layers"][l - 1]["f_prime"][j]);
                (0..n_out).map(move |k| {
                    let mut next = units.clone();
                    next.push(k);
                    (next, leave * params[at + j * n_out + k])
                })
            })
            .collect();
    }
    let last = layers.len() - 1;
    out.into_iter()
        .map(|(units, value)| {
            let o = units[units.len() - 1];
            let key = units
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("-");
            (key, value * f(&trace["layers"][last]["delta"][o]))
        })
        .collect()
}

/// The paths add up to the engine's ∂L/∂w within this fraction of their
/// largest term: the products and the engine's sums round differently, a
/// few ulps each.
const SUM_TOL: f64 = 1e-12;

#[test]
fn the_chain_rule_and_boundary_questions_grade_against_the_engine_and_explain() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = e2e::open(&browser, &site, LINK, 1440, 900);
    let point = follow_an_odd_point(&s);
    s.click("#walk-predict");
    step_to(&s, "backward:0");
    assert_eq!(template(&s), json!("path-most"));
    let trace = s.eval(&format!("window.backprop.run().trace({point})"));
    let params: Vec<f64> =
        serde_json::from_value(s.eval("Array.from(window.backprop.run().params())")).expect("params");
    let layout = s.eval("window.backprop.run().layout()");
    // The weight asked about: the first layer's with the largest gradient.
    let dw: Vec<f64> = serde_json::from_value(trace["layers"][0]["dw"].clone()).expect("dw");
    let k = (0..dw.len())
        .max_by(|&a, &b| dw[a].abs().total_cmp(&dw[b].abs()))
        .expect("weights");
    let n_out = layout["layers"][0]["n_out"].as_u64().expect("n_out") as usize;
    let found = paths(&trace, &params, &layout, k / n_out, k % n_out);
    assert_eq!(found.len(), 3, "4 → 3 → 1: three paths");
    let sum: f64 = found.iter().map(|(_, v)| v).sum();
    let top = found.iter().map(|(_, v)| v.abs()).fold(0.0, f64::max);
    assert!(
        (sum - dw[k]).abs() <= SUM_TOL * top,
        "the paths add up to ∂L/∂w: {sum} vs {}",
        dw[k]
    );
    let offered: Vec<String> = serde_json::from_value(s.eval(
        "Array.from(document.querySelectorAll('#walk-question button[data-choice]'), (b) => b.dataset.choice)",
    ))
    .expect("options");
    let mut keys: Vec<String> = found.iter().map(|(key, _)| key.clone()).collect();
    keys.sort();
    let mut shown = offered.clone();
    shown.sort();
    assert_eq!(shown, keys, "one option per path");
    // Answer the smallest path: wrong, and the explanation names the largest.
    let by_size = |a: &&(String, f64), b: &&(String, f64)| a.1.abs().total_cmp(&b.1.abs());
    let smallest = found.iter().min_by(by_size).expect("a path");
    let largest = found.iter().max_by(by_size).expect("a path");
    assert!(largest.1.abs() > smallest.1.abs(), "the paths differ: {found:?}");
    s.exec(
        "document.getElementById('walk-question').scrollIntoView()",
        json!([]),
    );
    s.screenshot(&artifacts_dir().join("walk-question-paths-en.png"));
    s.click(&format!("#walk-question button[data-choice='{}']", smallest.0));
    let (correct, why) = verdict(&s);
    assert_eq!(correct, json!("false"));
    let largest_name = s.eval(&format!(
        "document.querySelector(\"#walk-question button[data-choice='{}']\").textContent",
        largest.0
    ));
    assert!(
        why.contains(largest_name.as_str().unwrap_or("?")) && why.contains("f′(z)"),
        "names the largest path and the misconception: {why}"
    );
    s.screenshot(&artifacts_dir().join("walk-question-paths-en-answered.png"));

    // The update: towards or away, from the point's side and the loss one step would give.
    s.click("#walk-next");
    assert_eq!(stage(&s), json!("update:"));
    assert_eq!(template(&s), json!("boundary-move"));
    let before = trace["loss"].as_f64().expect("loss");
    let after = s
        .eval(&format!("window.backprop.run().lossAfterStep({point})"))
        .as_f64()
        .expect("loss after");
    let yhat = trace["layers"][2]["a"][0].as_f64().expect("ŷ");
    let own = if trace["target"][0].as_f64() == Some(1.0) {
        yhat
    } else {
        1.0 - yhat
    };
    // Its own class's probability p grows when the loss (−log p) falls.
    let right = if (own > 0.5) == (after < before) {
        "away"
    } else {
        "towards"
    };
    s.click(&format!("#walk-question button[data-choice={right}]"));
    let (correct, why) = verdict(&s);
    assert_eq!(correct, json!("true"), "{why}");
    let dir = if right == "away" {
        "away from the point"
    } else {
        "towards the point"
    };
    assert!(why.contains(dir), "{why}");
    assert_eq!(
        s.eval("document.getElementById('walk-score').dataset.asked"),
        json!("4"),
        "the loss, a hidden layer, the paths and the boundary"
    );
    s.exec(
        "document.getElementById('walk-question').scrollIntoView()",
        json!([]),
    );
    s.screenshot(&artifacts_dir().join("walk-question-boundary-en.png"));
    s.click("#walk-lang-zh");
    let (_, why) = verdict(&s);
    let zh = if right == "away" {
        "远离这个点"
    } else {
        "靠近这个点"
    };
    assert!(why.contains(zh), "{why}");
    s.screenshot(&artifacts_dir().join("walk-question-boundary-zh.png"));
    s.assert_no_console_errors();
}

#[test]
fn the_new_questions_fit_a_phone_in_chinese_and_the_dark_theme() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = browser.session(390, 844);
    s.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
    );
    e2e::viewport(&s, 390, 844);
    s.goto(&format!("{}{LINK}&lang=zh", site.url("")));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    follow_an_odd_point(&s);
    s.click("#walk-predict");
    for (want, name) in [("backward:0", "paths"), ("update:", "boundary")] {
        step_to(&s, want);
        assert_eq!(
            template(&s),
            json!(if name == "paths" {
                "path-most"
            } else {
                "boundary-move"
            })
        );
        s.click("#walk-question button[data-choice]");
        assert_eq!(
            s.eval("document.documentElement.scrollWidth - window.innerWidth"),
            json!(0),
            "{want}: no horizontal scrolling at 390 px"
        );
        s.exec(
            "document.getElementById('walk-question').scrollIntoView()",
            json!([]),
        );
        s.screenshot(&artifacts_dir().join(format!("walk-question-{name}-390-zh-dark.png")));
    }
    s.assert_no_console_errors();
}
