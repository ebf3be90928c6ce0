//! The walk-through's movement, in the built page: δ flowing back along the
//! links on a backward step, the weights tweening from before to after on
//! the update, `p` playing the steps, each honouring
//! `prefers-reduced-motion`; and the first screen's training point ringed on
//! the main plot.

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(60);

/// How long the frames are sampled after a step: past the longest animation
/// (the update's 900 ms tween) by enough to see the picture hold still.
const SAMPLE_MS: u32 = 1600;

/// Clicks `#id` from inside the page, then returns `[ms since the click,
/// hash of the walk-through's canvas]` for every animation frame over
/// `SAMPLE_MS`: what a learner would see, frame by frame.
const FRAMES_JS: &str = "const [id, ms, done] = arguments;\
    const c = document.getElementById('walk-stage');\
    const hash = () => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;\
      let h = 0; for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]) | 0; return h; };\
    const frames = []; const start = performance.now();\
    document.getElementById(id).click();\
    const tick = (now) => { frames.push([now - start, hash()]);\
      if (now - start < ms) requestAnimationFrame(tick); else done(frames); };\
    requestAnimationFrame(tick);";

/// The frames after clicking `#id`: `(ms, hash)` pairs.
fn frames_after_click(s: &Session, id: &str) -> Vec<(f64, i64)> {
    let v = s.exec_async(FRAMES_JS, json!([id, SAMPLE_MS]));
    let frames: Vec<(f64, i64)> = serde_json::from_value(v).expect("frames");
    assert!(frames.len() > 20, "frames were drawn: {}", frames.len());
    frames
}

/// Distinct pictures among the frames from `from` ms to `to` ms after the click.
fn distinct(frames: &[(f64, i64)], from: f64, to: f64) -> usize {
    let mut hashes: Vec<i64> = frames
        .iter()
        .filter(|(t, _)| *t >= from && *t < to)
        .map(|(_, h)| *h)
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes.len()
}

/// A session on the page, emulating `prefers-reduced-motion: reduce` when asked.
fn session(browser: &Browser, site: &Site, reduced: bool) -> Session {
    let s = browser.session(1440, 900);
    let motion = if reduced { "reduce" } else { "no-preference" };
    s.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-reduced-motion", "value": motion }] }),
    );
    e2e::viewport(&s, 1440, 900);
    s.goto(&site.url(""));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    s.exec("document.getElementById('view-walk').scrollIntoView()", json!([]));
    s
}

fn stage(s: &Session) -> Value {
    s.eval("document.getElementById('view-walk').dataset.stage")
}

/// Follows the first screen's point and steps to the last forward step's successor, the loss.
fn to_the_loss(s: &Session) {
    for _ in 0..4 {
        s.click("#walk-next");
    }
    assert_eq!(stage(s), json!("loss:"));
}

#[test]
fn a_backward_step_flows_delta_along_the_links_and_holds_still_with_reduced_motion() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    for reduced in [false, true] {
        let s = session(&browser, &site, reduced);
        to_the_loss(&s);
        let frames = frames_after_click(&s, "walk-next");
        assert_eq!(stage(&s), json!("backward:2"));
        // The flow lasts 700 ms: while it runs the picture changes frame after frame.
        let moving = distinct(&frames, 0.0, 650.0);
        let after = distinct(&frames, 900.0, f64::INFINITY);
        if reduced {
            assert_eq!(
                distinct(&frames, 0.0, f64::INFINITY),
                1,
                "reduced motion: the step is drawn once, no dots"
            );
        } else {
            assert!(moving >= 5, "δ flows: {moving} different pictures in 650 ms");
            assert_eq!(after, 1, "and then the picture holds still");
        }
        s.assert_no_console_errors();
    }
}

#[test]
fn the_update_tweens_the_weights_from_before_to_after_and_jumps_with_reduced_motion() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    for reduced in [false, true] {
        let s = session(&browser, &site, reduced);
        to_the_loss(&s);
        for _ in 0..4 {
            s.click("#walk-next");
        }
        assert_eq!(stage(&s), json!("update:"));
        let before: Vec<f64> =
            serde_json::from_value(s.eval("Array.from(window.backprop.run().params())")).expect("params");
        let frames = frames_after_click(&s, "walk-apply");
        let after: Vec<f64> =
            serde_json::from_value(s.eval("Array.from(window.backprop.run().params())")).expect("params");
        assert_ne!(before, after, "the step moved the weights");
        let last = frames.last().expect("a frame").1;
        if reduced {
            assert_eq!(
                distinct(&frames, 0.0, f64::INFINITY),
                1,
                "reduced motion: the weights are drawn at their new values at once"
            );
        } else {
            let tweening = distinct(&frames, 0.0, 850.0);
            assert!(
                tweening >= 5,
                "the links tween: {tweening} different pictures in 850 ms"
            );
            assert_eq!(distinct(&frames, 1000.0, f64::INFINITY), 1, "then hold still");
            assert_ne!(frames[0].1, last, "the tween ends elsewhere than it starts");
        }
        // Where the tween ends is the picture of the new weights, as a redraw gives it.
        s.exec(
            "document.getElementById('walk-prev').click(); document.getElementById('walk-next').click();",
            json!([]),
        );
        let redrawn = frames_after_click(&s, "walk-stage-name");
        assert_eq!(
            redrawn.last().expect("a frame").1,
            last,
            "the tween ends on the new weights"
        );
        s.assert_no_console_errors();
    }
}

#[test]
fn p_plays_the_steps_and_pauses_them() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = session(&browser, &site, false);
    s.click("#walk-next");
    assert_eq!(stage(&s), json!("forward:0"));
    s.keys("p");
    // Play walks on by itself, a step about every second.
    s.wait_for(
        "document.getElementById('view-walk').dataset.stage === 'loss:'",
        Duration::from_secs(10),
    );
    s.keys("p");
    let paused = stage(&s);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(stage(&s), paused, "p again pauses");
    // With reduced motion too (nothing animates, the steps still play).
    let s = session(&browser, &site, true);
    s.click("#walk-next");
    s.keys("p");
    s.wait_for(
        "document.getElementById('view-walk').dataset.stage === 'update:'",
        Duration::from_secs(15),
    );
    s.assert_no_console_errors();
}

/// The main plot's ring: `(point, x, y, radius)` in canvas pixels, or None.
fn ring(s: &Session) -> Option<(u64, f64, f64, f64)> {
    let v = s.eval("document.getElementById('plot').dataset.marked ?? null");
    let parts: Vec<f64> = v
        .as_str()?
        .split(':')
        .map(|p| p.parse().expect("a number"))
        .collect();
    assert_eq!(parts.len(), 4, "{v}");
    Some((parts[0] as u64, parts[1], parts[2], parts[3]))
}

/// The sum of R, G and B of the main plot's pixels along a line through the
/// ring's band, from 4 px inside its radius to 4 px outside.
fn across_the_ring(s: &Session, (x, y, r): (f64, f64, f64)) -> Vec<i64> {
    serde_json::from_value(s.exec(
        "const [x, y, r] = arguments; const c = document.getElementById('plot').getContext('2d'); const out = [];\
         for (let d = -4; d <= 4; d++) { const p = c.getImageData(Math.floor(x + r + d), Math.floor(y), 1, 1).data; out.push(p[0] + p[1] + p[2]); }\
         return out;",
        json!([x, y, r]),
    ))
    .expect("pixels")
}

/// The ring is drawn in the theme's text and panel colours: one dark, one
/// light, whichever the theme, so both show across its band.
fn assert_ringed(pixels: &[i64]) {
    let (min, max) = (pixels.iter().min(), pixels.iter().max());
    assert!(
        min < Some(&150) && max > Some(&600),
        "a dark and a light stroke across the ring: {pixels:?}"
    );
}

#[test]
fn the_first_screens_training_point_is_ringed_on_the_main_plot() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    let first = s.eval("Array.from(window.backprop.run().testFlags()).indexOf(0)");
    s.wait_for(
        "document.getElementById('plot').dataset.marked !== undefined",
        LOAD,
    );
    let (point, x, y, r) = ring(&s).expect("a ring");
    assert_eq!(json!(point), first, "the point Next will follow");
    let ringed = across_the_ring(&s, (x, y, r));
    assert_ringed(&ringed);
    s.exec("document.getElementById('plot').scrollIntoView()", json!([]));
    s.screenshot(&artifacts_dir().join("walk-first-ring-1440.png"));
    // Another tab: no ring.
    s.click("#tab-race");
    s.wait_for(
        "document.getElementById('plot').dataset.marked === undefined",
        LOAD,
    );
    assert_ne!(across_the_ring(&s, (x, y, r)), ringed, "the ring went");
    // Back, and a random point: the ring follows the point the walk-through follows.
    s.click("#tab-walk");
    s.click("#walk-random");
    let followed = s.eval("document.getElementById('view-walk').dataset.point");
    let followed = followed.as_str().expect("a followed point");
    s.wait_for(
        &format!("(document.getElementById('plot').dataset.marked ?? '').startsWith('{followed}:')"),
        LOAD,
    );
    let (_, x, y, r) = ring(&s).expect("a ring");
    assert_ringed(&across_the_ring(&s, (x, y, r)));
    s.assert_no_console_errors();
}

#[test]
fn the_ring_shows_on_a_phone_in_the_dark_theme() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = browser.session(390, 844);
    s.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
    );
    e2e::viewport(&s, 390, 844);
    s.goto(&format!("{}#lang=zh", site.url("")));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    s.wait_for(
        "document.getElementById('plot').dataset.marked !== undefined",
        LOAD,
    );
    let (_, x, y, r) = ring(&s).expect("a ring");
    assert_ringed(&across_the_ring(&s, (x, y, r)));
    s.exec("document.getElementById('plot').scrollIntoView()", json!([]));
    s.screenshot(&artifacts_dir().join("walk-first-ring-390-zh-dark.png"));
    s.exec("document.getElementById('view-walk').scrollIntoView()", json!([]));
    s.screenshot(&artifacts_dir().join("walk-first-screen-390-zh-dark.png"));
    s.assert_no_console_errors();
}
