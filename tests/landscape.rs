//! The loss-landscape view in headless Chromium: the slice is drawn, the path
//! grows while training, the timeline's slider moves the marker, "jump here"
//! changes the boundary, and the race's four paths share one slice.

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::json;

const LOAD: Duration = Duration::from_secs(60);

fn data(s: &Session, key: &str) -> String {
    s.eval(&format!(
        "document.getElementById('view-landscape').dataset.{key} ?? ''"
    ))
    .as_str()
    .unwrap_or("")
    .to_string()
}

fn number(s: &Session, key: &str) -> f64 {
    data(s, key).parse().unwrap_or(f64::NAN)
}

/// Waits until no slice is in progress and at least `n` slices are complete.
fn settled(s: &Session, n: u32) {
    s.wait_for(
        &format!(
            "(() => {{ const d = document.getElementById('view-landscape').dataset; return d.busy === 'false' && Number(d.slices) >= {n}; }})()"
        ),
        LOAD,
    );
}

/// Distinct colours in the heatmap's square (a blank or flat slice has one or two).
fn colours(s: &Session, id: &str) -> u64 {
    s.exec(
        "const c = document.getElementById(arguments[0]); const d = c.getContext('2d').getImageData(60, 20, 340, 340).data;\
         const seen = new Set(); for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); return seen.size;",
        json!([id]),
    )
    .as_u64()
    .unwrap_or(0)
}

fn shot(s: &Session, name: &str) {
    s.exec(
        "document.getElementById('view-landscape').scrollIntoView()",
        json!([]),
    );
    s.screenshot(&artifacts_dir().join(format!("{name}.png")));
}

const PLOT_HASH: &str = "(() => { const d = document.getElementById('plot').getContext('2d').getImageData(0, 0, 560, 560).data; let h = 0; for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0; return h; })()";

#[test]
fn the_slice_is_drawn_its_path_follows_training_and_the_timeline_and_jump_here_moves_the_weights() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.click("#tab-landscape");
    settled(&s, 1);
    assert!(
        colours(&s, "landscape-slice") > 200,
        "the heatmap shows a range of losses"
    );
    let centre = number(&s, "centreLoss");
    assert!(centre > 0.0 && centre.is_finite(), "centre loss {centre}");

    // Training: new slices follow the weights, and the path grows.
    let slices = number(&s, "slices");
    s.click("#play");
    s.wait_for("Number(document.body.dataset.epoch) >= 40", LOAD);
    s.wait_for(
        &format!("Number(document.getElementById('view-landscape').dataset.slices) > {slices} + 2"),
        LOAD,
    );
    let early_path = number(&s, "pathLastEpoch");
    s.wait_for("Number(document.body.dataset.epoch) >= 120", LOAD);
    s.click("#play");
    s.wait_for("document.body.dataset.playing === 'false'", LOAD);
    settled(&s, 1);
    // Wait for a slice started after the pause, so that it shows the final weights.
    let paused_at = number(&s, "slices");
    s.set_input("landscape-dirs", "pca");
    settled(&s, paused_at as u32 + 1);
    let late_path = number(&s, "pathLastEpoch");
    assert!(
        late_path > early_path && late_path >= 120.0,
        "the path grew: to epoch {early_path}, then to epoch {late_path}"
    );
    assert!(number(&s, "pathPoints") >= 10.0, "a snapshot per epoch, thinned");
    let explained = s.eval("document.getElementById('landscape-explained').textContent");
    assert!(
        explained.to_string().contains('%'),
        "PCA shows the variance explained: {explained}"
    );
    assert_eq!(data(&s, "marker"), "0.00000,0.00000", "the present is the centre");
    // The step along the gradient: plain SGD goes lr·|g| downhill.
    assert!(number(&s, "stepT") > 0.0, "the step goes along −g");
    let note = s.eval("document.getElementById('landscape-line-note').textContent");
    assert!(
        note.to_string().contains("learning rate 0.1000"),
        "the line names this step's learning rate: {note}"
    );
    shot(&s, "landscape-1440-light");

    // Scrubbing the timeline back marks that epoch's weights on the plane.
    s.click("#tab-timeline");
    s.set_input("timeline", "0");
    s.click("#tab-landscape");
    s.wait_for(
        "document.getElementById('view-landscape').dataset.marker !== '0.00000,0.00000'",
        LOAD,
    );
    let first_epoch = s.eval("document.getElementById('view-landscape').dataset.markerEpoch");
    assert_ne!(
        first_epoch,
        s.eval("document.body.dataset.epoch"),
        "the marker is at an earlier epoch"
    );
    s.click("#tab-timeline");
    s.click("#timeline-present");
    s.click("#tab-landscape");
    s.wait_for(
        "document.getElementById('view-landscape').dataset.marker === '0.00000,0.00000'",
        LOAD,
    );

    // Jump here: the live weights move, so the boundary changes.
    let before = s.eval(PLOT_HASH);
    // Pointer actions do not scroll: bring the slice into view first.
    s.exec(
        "document.getElementById('landscape-slice').scrollIntoView({ block: 'center' })",
        json!([]),
    );
    s.click_at("#landscape-slice", 120, -100, None);
    s.wait_for(
        "document.getElementById('view-landscape').dataset.jumps === '1'",
        LOAD,
    );
    s.wait_for(&format!("{PLOT_HASH} !== {before}"), LOAD);
    settled(&s, 1);

    // Dark theme: the view redraws from the page's colours.
    s.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
    );
    s.click("#landscape-log");
    s.click("#landscape-log");
    shot(&s, "landscape-1440-dark");
    s.assert_no_console_errors();
}

#[test]
fn the_race_draws_four_paths_on_one_shared_slice() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#batch=64", 1440, 900);
    s.click("#tab-race");
    s.click("#race-start");
    s.wait_for(
        "Number(document.getElementById('view-race').dataset.epoch) >= 30",
        LOAD,
    );
    s.click("#race-toggle");
    s.click("#tab-landscape");
    s.wait_for(
        "document.getElementById('view-landscape').dataset.racePaths === '4'",
        LOAD,
    );
    let points: Vec<f64> = serde_json::from_str(&data(&s, "racePathPoints")).expect("path lengths");
    assert_eq!(points.len(), 4);
    assert!(
        points.iter().all(|&n| n >= 10.0),
        "every optimizer's path has its epochs: {points:?}"
    );
    assert!(colours(&s, "landscape-race") > 200, "the shared slice is drawn");
    let legend = s.eval(
        "Array.from(document.querySelectorAll('#landscape-legend li'), (l) => l.textContent).join(',')",
    );
    assert_eq!(legend, json!("SGD,Momentum,RMSprop,Adam"));
    s.exec(
        "document.getElementById('landscape-race').scrollIntoView()",
        json!([]),
    );
    s.screenshot(&artifacts_dir().join("landscape-race-1440.png"));
    s.assert_no_console_errors();
}

#[test]
fn the_landscape_fits_a_phone() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#seed=2", 390, 844);
    s.click("#play");
    s.wait_for("Number(document.body.dataset.epoch) >= 30", LOAD);
    s.click("#play");
    s.click("#tab-landscape");
    settled(&s, 1);
    let overflow = s.eval("document.documentElement.scrollWidth - window.innerWidth");
    assert_eq!(overflow, json!(0), "no horizontal scrolling at 390 px");
    shot(&s, "landscape-390");
    // Keyboard: arrows move the cursor over the slice, Enter sets the weights there.
    s.exec("document.getElementById('landscape-slice').focus()", json!([]));
    s.keys("\u{E014}\u{E014}\u{E013}");
    let hover = s.eval("document.getElementById('landscape-hover').textContent");
    assert!(
        hover.to_string().contains("loss ≈"),
        "the cursor reads the loss: {hover}"
    );
    let before = s.eval(PLOT_HASH);
    s.keys("\u{E007}");
    s.wait_for(
        "document.getElementById('view-landscape').dataset.jumps === '1'",
        LOAD,
    );
    s.wait_for(&format!("{PLOT_HASH} !== {before}"), LOAD);
    s.assert_no_console_errors();
}

/// Frames per second and the longest task over three seconds (as page.rs measures).
const PERF_JS: &str = r#"
const done = arguments[arguments.length - 1];
const long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) long.push(e.duration); })
  .observe({ type: 'longtask' });
let frames = 0;
const start = performance.now();
function tick() { frames++; if (performance.now() - start < 3000) requestAnimationFrame(tick); else finish(); }
function finish() {
  setTimeout(() => done({ fps: frames / ((performance.now() - start) / 1000), worst: Math.max(0, ...long) }), 100);
}
requestAnimationFrame(tick);
"#;

#[test]
fn training_with_the_landscape_open_is_measured_for_the_frame_budget() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.click("#tab-landscape");
    settled(&s, 1);
    s.click("#play");
    s.wait_for("Number(document.body.dataset.epoch) > 5", LOAD);
    let slices = number(&s, "slices");
    let perf = s.exec_async(PERF_JS, json!([]));
    let during = number(&s, "slices") - slices;
    s.click("#play");
    let fps = perf["fps"].as_f64().unwrap_or(0.0);
    let worst = perf["worst"].as_f64().unwrap_or(f64::NAN);
    let report = format!("{{\"fps\": {fps:.1}, \"worst_long_task_ms\": {worst:.1}, \"slices\": {during}}}\n");
    std::fs::write(artifacts_dir().join("landscape-perf.json"), &report).expect("write landscape-perf.json");
    eprintln!("landscape open while training: {report}");
    // The budgets (>= 55 fps, no long task over 50 ms) are judged by `cargo
    // xtask bench` from landscape-perf.json: a timed assertion here would
    // depend on how busy the machine is. What must hold anyway: frames were
    // drawn and the slice kept following the weights while they were.
    assert!(fps > 0.0, "no frame was drawn");
    assert!(during >= 1.0, "no slice was completed while training");
    s.assert_no_console_errors();
}
