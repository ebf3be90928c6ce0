//! The built page in headless Chromium, served from a sub-path: it loads and
//! trains, steps, keeps its settings in the URL, survives hostile links,
//! shows divergence, redraws on a dataset switch, lets you draw points, and
//! stays smooth. Screenshots go to target/e2e/.

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(30);

/// Counts canvas pixels near each class colour, plus a hash of all pixels.
const PIXELS_JS: &str = r#"
const canvas = document.getElementById(arguments[0]);
const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
const css = getComputedStyle(canvas);
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.trim().slice(i, i + 2), 16));
const classes = [0, 1].map((c) => rgb(css.getPropertyValue(`--class-${c}`)));
const counts = classes.map(() => 0);
let hash = 0;
for (let i = 0; i < data.length; i += 4) {
  hash = (hash * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2] + 17 * data[i + 3]) >>> 0;
  classes.forEach((c, k) => {
    if (Math.abs(data[i] - c[0]) < 40 && Math.abs(data[i + 1] - c[1]) < 40 && Math.abs(data[i + 2] - c[2]) < 40) counts[k]++;
  });
}
return { counts, hash };
"#;

fn epoch(s: &Session) -> u64 {
    s.eval("Number(document.body.dataset.epoch)")
        .as_u64()
        .unwrap_or(0)
}

fn text(s: &Session, id: &str) -> String {
    s.eval(&format!("document.getElementById('{id}').textContent"))
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn play_trains_the_moons_and_the_curves_fill() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    // boot.js compiled the engine while the modules loaded, and that module was used:
    // the wasm was fetched once, and the early compile succeeded.
    let wasm_fetches =
        s.eval("performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length");
    assert_eq!(wasm_fetches, json!(1), "the module is fetched once");
    let early = s.exec_async(
        "const done = arguments[arguments.length - 1]; \
         Promise.resolve(globalThis.__BACKPROP_WASM_MODULE__).then((m) => done(m instanceof WebAssembly.Module));",
        json!([]),
    );
    assert_eq!(early, json!(true), "boot.js compiled the module");
    let before = s.exec(PIXELS_JS, json!(["plot"]));
    for (class, n) in before["counts"].as_array().expect("counts").iter().enumerate() {
        assert!(
            n.as_u64().unwrap_or(0) > 1000,
            "class {class} barely drawn: {before}"
        );
    }
    // Play with the keyboard, pause with a click.
    s.keys(" ");
    s.wait_for("document.body.dataset.playing === 'true'", LOAD);
    s.wait_for(
        "Number(document.body.dataset.epoch) >= 200",
        Duration::from_secs(60),
    );
    s.click("#play");
    s.wait_for("document.body.dataset.playing === 'false'", LOAD);
    let acc: f64 = text(&s, "train-acc")
        .trim_end_matches('%')
        .trim()
        .parse()
        .expect("a percentage");
    assert!(acc >= 90.0, "train accuracy {acc} % after {} epochs", epoch(&s));
    let points = s
        .eval("window.backprop.run().historyLength()")
        .as_u64()
        .unwrap_or(0);
    assert!(points >= 200, "the loss curve has {points} points");
    let after = s.exec(PIXELS_JS, json!(["loss-chart"]));
    assert_ne!(after["hash"], json!(0));
    s.screenshot(&artifacts_dir().join("page-1440-light.png"));
    // Nothing was fetched from anywhere but the page's own origin.
    let foreign = s.eval("performance.getEntriesByType('resource').map((e) => e.name).filter((u) => !u.startsWith(location.origin))");
    assert_eq!(foreign, json!([]), "requests to other origins");
    s.assert_no_console_errors();
}

#[test]
fn step_advances_exactly_one_epoch_by_button_and_key() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#batch=64", 1440, 900);
    assert_eq!(epoch(&s), 0);
    s.click("#step-epoch");
    s.wait_for("Number(document.body.dataset.epoch) === 1", LOAD);
    s.exec("document.activeElement.blur()", json!([]));
    s.keys("\u{E014}"); // →
    s.wait_for("Number(document.body.dataset.epoch) === 2", LOAD);
    let steps = s.eval("window.backprop.run().steps").as_u64().unwrap_or(0);
    assert_eq!(
        steps,
        2 * 13,
        "800 points in batches of 64 make 13 steps an epoch"
    );
    s.click("#step-batch");
    s.wait_for("window.backprop.run().steps === 27", LOAD);
    assert_eq!(epoch(&s), 2);
    s.keys("r");
    s.wait_for("Number(document.body.dataset.epoch) === 0", LOAD);
    s.assert_no_console_errors();
}

#[test]
fn the_url_hash_reproduces_the_settings_after_reload() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.click("#data-circles");
    s.click("#add-layer");
    s.set_input("ctl-optimizer", "adam");
    s.set_input("ctl-lr", "0.03");
    s.set_input("ctl-clip", "norm");
    let hash = s.eval("location.hash").as_str().unwrap_or("").to_string();
    for part in [
        "dataset=circles",
        "layers=10%2C8%2C4",
        "optimizer=adam",
        "lr=0.03",
        "clip=norm",
    ] {
        assert!(hash.contains(part), "{part} missing from {hash}");
    }
    let reloaded = open(&browser, &site, &hash, 1440, 900);
    let settings = reloaded.eval("window.backprop.settings()");
    assert_eq!(settings["dataset"], "circles");
    assert_eq!(settings["layers"], json!([10, 8, 4]));
    assert_eq!(settings["optimizer"], "adam");
    assert_eq!(settings["lr"], json!(0.03));
    assert_eq!(settings["clip"], "norm");
    assert_eq!(
        reloaded.eval("document.getElementById('ctl-optimizer').value"),
        "adam"
    );
    assert_eq!(
        reloaded.eval("document.getElementById('data-circles').getAttribute('aria-pressed')"),
        "true"
    );
    assert_eq!(
        reloaded.eval("window.backprop.run().layout().sizes"),
        json!([2, 10, 8, 4, 1])
    );
    reloaded.assert_no_console_errors();
}

#[test]
fn a_garbage_hash_shows_a_notice_and_falls_back_per_key() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let hostile =
        "#lr=abc&layers=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&bogus=1&noise=0.3&dataset=%3Cscript%3E";
    let s = open(&browser, &site, hostile, 1440, 900);
    let notices = text(&s, "notices");
    assert!(
        notices.contains("lr=") && notices.contains("not a number"),
        "{notices}"
    );
    assert!(notices.contains("bogus"), "{notices}");
    let settings = s.eval("window.backprop.settings()");
    assert_eq!(settings["lr"], json!(0.1), "lr falls back to its default");
    assert_eq!(settings["layers"], json!([10, 8]));
    assert_eq!(settings["dataset"], "moons");
    assert_eq!(settings["noise"], json!(0.3), "good keys are kept");
    assert_eq!(
        s.eval("document.querySelectorAll('img, script:not([src]):not([type=module])').length"),
        json!(0)
    );
    assert_eq!(
        s.eval("document.querySelectorAll('#notices *').length > 0"),
        json!(true)
    );
    s.assert_no_console_errors();
}

#[test]
fn a_link_the_engine_rejects_in_part_keeps_every_other_key_and_names_the_value() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    // The warm-up is a tenth of sched_epochs (at least 1): one epoch leaves none to anneal.
    let s = open(
        &browser,
        &site,
        "#schedule=warmup_cosine&sched_epochs=1&optimizer=adam",
        1440,
        900,
    );
    let settings = s.eval("window.backprop.settings()");
    assert_eq!(settings["optimizer"], "adam", "{settings}");
    assert_eq!(settings["schedule"], "warmup_cosine");
    assert_eq!(
        settings["sched_epochs"],
        json!(500),
        "only the rejected key falls back"
    );
    let config = s.eval("window.backprop.run().config()");
    assert_eq!(config["optimizer"]["kind"], "adam");
    assert_eq!(
        config["schedule"],
        json!({ "kind": "warmup_cosine", "warmup": 50, "total": 500 })
    );
    let hash = s.eval("location.hash").as_str().unwrap_or("").to_string();
    assert!(
        hash.contains("optimizer=adam")
            && hash.contains("schedule=warmup_cosine")
            && !hash.contains("sched_epochs"),
        "{hash}"
    );
    let notices = text(&s, "notices");
    assert!(
        notices.contains("sched_epochs=“1”") && notices.contains("warm-up") && notices.contains("using 500"),
        "{notices}"
    );
    assert_eq!(
        s.eval("window.backprop.handle.problems.length"),
        json!(1),
        "handle.problems names it too"
    );
    // The same rule when a control sets it: the change gives way, the run keeps going.
    s.set_input("ctl-schedule", "cosine");
    s.set_input("ctl-sched_epochs", "1");
    s.set_input("ctl-schedule", "warmup_cosine");
    let notices = text(&s, "notices");
    assert!(notices.contains("schedule=“warmup_cosine”"), "{notices}");
    assert_eq!(
        s.eval("[window.backprop.settings().schedule, window.backprop.settings().sched_epochs]"),
        json!(["cosine", 1])
    );
    s.assert_no_console_errors();
}

#[test]
fn a_huge_learning_rate_shows_the_divergence_banner_and_pauses() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#lr=1000", 1440, 900);
    s.click("#play");
    s.wait_for("!document.getElementById('banner').hidden", LOAD);
    s.wait_for("document.body.dataset.playing === 'false'", LOAD);
    let banner = text(&s, "banner-text");
    assert!(
        banner.contains("diverged") && banner.contains("learning rate"),
        "{banner}"
    );
    s.screenshot(&artifacts_dir().join("page-diverged.png"));
    s.click("#banner-reset");
    s.wait_for("document.getElementById('banner').hidden", LOAD);
    // The banner hides at once; the epoch shown follows on the next frame.
    s.wait_for("document.body.dataset.epoch === '0'", LOAD);
    assert_eq!(epoch(&s), 0);
    assert_eq!(s.eval("document.body.dataset.playing"), json!("false"));
    s.assert_no_console_errors();
}

#[test]
fn switching_dataset_redraws_and_drawing_adds_points_where_clicked() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    let before = s.exec(PIXELS_JS, json!(["plot"]))["hash"].clone();
    s.click("#data-xor");
    s.wait_for("window.backprop.settings().dataset === 'xor'", LOAD);
    let after = s.exec(PIXELS_JS, json!(["plot"]))["hash"].clone();
    assert_ne!(before, after, "the plot changed with the dataset");

    s.click("#data-custom");
    s.wait_for("window.backprop.run().len() === 0", LOAD);
    // The plot shows [-2, 2]²; the canvas centre is a little left of x = 0 (the y axis margin).
    s.click_at("#plot", 0, 0, None);
    s.click_at("#plot", 60, -60, Some("\u{E008}")); // shift: the other class
    s.wait_for("window.backprop.run().len() === 2", LOAD);
    let points: Vec<f64> =
        serde_json::from_value(s.eval("Array.from(window.backprop.run().points())")).expect("points");
    let labels: Vec<u8> =
        serde_json::from_value(s.eval("Array.from(window.backprop.run().labels())")).expect("labels");
    assert_eq!(labels, vec![0, 1]);
    assert!(
        points[0].abs() < 0.3 && points[1].abs() < 0.3,
        "first point near the centre: {points:?}"
    );
    assert!(
        points[2] > points[0] + 0.3 && points[3] > points[1] + 0.3,
        "second up and right: {points:?}"
    );
    s.click_at("#plot", 60, -60, Some("\u{E009}")); // ctrl: remove the nearest
    s.wait_for("window.backprop.run().len() === 1", LOAD);
    s.assert_no_console_errors();
}

/// Frames per second and the longest task while training the default net.
const PERF_JS: &str = r#"
const done = arguments[arguments.length - 1];
const long = [];
const atLoad = performance.getEntriesByType('longtask').map((e) => e.duration);
// Only tasks from now on: the requirement is about play, not about loading.
new PerformanceObserver((list) => { for (const e of list.getEntries()) long.push(e.duration); })
  .observe({ type: 'longtask' });
let frames = 0;
const start = performance.now();
function tick() { frames++; if (performance.now() - start < 3000) requestAnimationFrame(tick); else finish(); }
function finish() {
  setTimeout(() => done({ fps: frames / ((performance.now() - start) / 1000), long, worst: Math.max(0, ...long), atLoad }), 100);
}
requestAnimationFrame(tick);
"#;

#[test]
fn training_stays_smooth_and_the_screenshots_are_taken() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.click("#play");
    s.wait_for("Number(document.body.dataset.epoch) > 5", LOAD);
    let perf: Value = s.exec_async(PERF_JS, json!([]));
    let fps = perf["fps"].as_f64().unwrap_or(0.0);
    let worst = perf["worst"].as_f64().unwrap_or(0.0);
    s.click("#play");

    // Four optimizers racing: frames per second and long tasks while they train.
    s.click("#tab-race");
    s.click("#race-start");
    s.wait_for(
        "Number(document.getElementById('view-race').dataset.epoch) > 3",
        LOAD,
    );
    let race: Value = s.exec_async(PERF_JS, json!([]));
    s.click("#race-toggle");
    let first = s.eval("performance.getEntriesByName('first-boundary')[0]?.startTime ?? null");
    let report = format!(
        "{{\"fps\": {fps:.1}, \"worst_long_task_ms\": {worst:.1}, \"race_fps\": {:.1}, \"race_worst_long_task_ms\": {:.1}, \"first_boundary_ms\": {first}}}\n",
        race["fps"].as_f64().unwrap_or(0.0),
        race["worst"].as_f64().unwrap_or(0.0),
    );
    std::fs::write(artifacts_dir().join("perf.json"), &report).expect("write perf.json");
    eprintln!("performance: {report}");
    // Frame rate and long tasks are judged by `cargo xtask bench` from
    // perf.json, side by side with the other budgets: a timed assertion here
    // would fail on a busy machine and pass on a quiet one.
    assert!(fps > 0.0, "no frame was drawn while playing");
    assert!(
        race["fps"].as_f64().unwrap_or(0.0) > 0.0,
        "no frame was drawn while racing"
    );
    assert!(first.as_f64().is_some(), "the first boundary was drawn");

    for (name, width, height, dark) in [
        ("page-1440-dark", 1440, 900, true),
        ("page-390-light", 390, 844, false),
        ("page-390-dark", 390, 844, true),
    ] {
        let s = browser.session(width, height);
        if dark {
            s.cdp(
                "Emulation.setEmulatedMedia",
                json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
            );
        }
        e2e::viewport(&s, width, height);
        s.goto(&format!("{}#seed=3", site.url("")));
        s.wait_for("document.body.dataset.ready === 'true'", LOAD);
        s.exec("document.getElementById('step-epoch').click()", json!([]));
        for _ in 0..60 {
            s.exec("window.backprop.run().stepEpochs(5)", json!([]));
        }
        s.exec("document.getElementById('step-epoch').click()", json!([]));
        s.wait_for("Number(document.body.dataset.epoch) >= 300", LOAD);
        if width < 500 {
            let overflow = s.eval("document.documentElement.scrollWidth - window.innerWidth");
            assert_eq!(
                overflow,
                json!(0),
                "{name}: no horizontal scrolling at {width} px"
            );
        }
        s.screenshot(&artifacts_dir().join(format!("{name}.png")));
        s.assert_no_console_errors();
    }
}
