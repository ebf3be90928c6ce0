//! The teaching views in headless Chromium: the optimizer race, the
//! best-practices lab, the network diagram, hidden space and the timeline.

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::json;

const LOAD: Duration = Duration::from_secs(30);

fn data(s: &Session, panel: &str, key: &str) -> String {
    s.eval(&format!("document.getElementById('{panel}').dataset.{key} ?? ''"))
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// True once the hidden-space canvas shows points of both classes (not just grid lines).
fn both_classes_drawn() -> String {
    let count = |c: u8| {
        format!(
            "(() => {{ const c = document.getElementById('hidden-canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;\
             const hex = getComputedStyle(c).getPropertyValue('--class-{c}').trim(); const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));\
             let n = 0; for (let i = 0; i < d.length; i += 4) n += Math.abs(d[i] - rgb[0]) < 30 && Math.abs(d[i + 1] - rgb[1]) < 30 && Math.abs(d[i + 2] - rgb[2]) < 30; return n; }})()"
        )
    };
    format!("{} > 300 && {} > 300", count(0), count(1))
}

fn shot(s: &Session, panel: &str, name: &str) {
    s.exec(
        "document.getElementById(arguments[0]).scrollIntoView()",
        json!([panel]),
    );
    s.screenshot(&artifacts_dir().join(format!("{name}.png")));
}

#[test]
fn the_race_runs_four_optimizers_from_identical_starts() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#batch=64", 1440, 900);
    s.click("#tab-race");
    s.click("#race-start");
    s.wait_for(
        "Number(document.getElementById('view-race').dataset.epoch) >= 40",
        Duration::from_secs(60),
    );
    assert_eq!(data(&s, "view-race", "runs"), "4");
    let first: Vec<f64> = serde_json::from_str(&data(&s, "view-race", "firstLosses")).expect("first losses");
    assert_eq!(first.len(), 4);
    assert!(
        first.iter().all(|&l| l == first[0]),
        "identical initial losses: {first:?}"
    );
    assert_eq!(
        s.eval("document.querySelectorAll('#race-multiples canvas').length"),
        json!(4)
    );
    let legend =
        s.eval("Array.from(document.querySelectorAll('#race-multiples figcaption'), (f) => f.textContent)");
    for name in ["SGD (Acc: ", "Momentum (Acc: ", "RMSprop (Acc: ", "Adam (Acc: "] {
        assert!(legend.to_string().contains(name), "{name} missing from {legend}");
    }
    // Every boundary is drawn (not blank).
    let blank = s.exec(
        "return Array.from(document.querySelectorAll('#race-multiples canvas')).filter((c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; return d.every((v, i) => i % 4 !== 3 || v === 0); }).length;",
        json!([]),
    );
    assert_eq!(blank, json!(0));
    s.click("#race-toggle");
    shot(&s, "view-race", "view-race-1440");
    s.assert_no_console_errors();
}

#[test]
fn the_lab_checks_gradients_marks_clipping_and_plots_the_schedule() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.click("#step-epoch");
    s.click("#tab-lab");
    s.click("#gradcheck");
    s.wait_for(
        "(document.getElementById('view-lab').dataset.gradcheck ?? '') !== ''",
        LOAD,
    );
    assert_eq!(
        data(&s, "view-lab", "gradcheck"),
        "good,good,good",
        "every layer green on the default net"
    );

    let before = data(&s, "view-lab", "lrCurve");
    s.set_input("ctl-schedule", "cosine");
    s.click("#step-epoch");
    s.wait_for(
        &format!("document.getElementById('view-lab').dataset.lrCurve !== {before:?}"),
        LOAD,
    );

    s.set_input("ctl-clip", "norm");
    s.set_input("ctl-clip_at", "0.01");
    for _ in 0..5 {
        s.click("#step-epoch");
    }
    s.wait_for(
        "Number(document.getElementById('view-lab').dataset.clippedEpochs) >= 5",
        LOAD,
    );
    shot(&s, "view-lab", "view-lab-1440");
    s.assert_no_console_errors();
}

#[test]
fn hovering_a_link_shows_its_live_weight_and_clicking_edits_it() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.click("#tab-network");
    // The link from input x₁ to the first unit of layer 1, at its midpoint in canvas
    // units (900 × 420 for [2, 10, 8, 1]: neurons of 36 px, the inputs' column at
    // 60 px after their names, columns 261.3 px apart).
    let (mx, my) = ((96.0 + 321.33) / 2.0, (188.0 + 28.0) / 2.0);
    let offset = s.exec(
        "const c = document.getElementById('diagram'); const r = c.getBoundingClientRect(); const k = r.width / c.width;\
         return [Math.round((arguments[0] - c.width / 2) * k), Math.round((arguments[1] - c.height / 2) * k)];",
        json!([mx, my]),
    );
    let (dx, dy) = (offset[0].as_i64().unwrap_or(0), offset[1].as_i64().unwrap_or(0));
    s.move_to("#diagram", dx, dy);
    s.wait_for(
        "document.getElementById('diagram-readout').textContent.includes('weight')",
        LOAD,
    );
    let readout = s.eval("document.getElementById('diagram-readout').textContent");
    assert!(readout.to_string().contains("x₁ → h1.1"), "{readout}");
    let w0 = data(&s, "diagram-readout", "weight");
    for _ in 0..5 {
        s.click("#step-epoch");
    }
    s.move_to("#diagram", dx, dy + 1);
    s.wait_for(
        &format!("document.getElementById('diagram-readout').dataset.weight !== {w0:?}"),
        LOAD,
    );
    shot(&s, "view-network", "view-network-1440");
    // The first hidden neuron (x 321.3–357.3, y 10–46) stands for its bias.
    let centre = s.exec(
        "const c = document.getElementById('diagram'); const r = c.getBoundingClientRect(); const k = r.width / c.width;\
         return [Math.round((339.3 - c.width / 2) * k), Math.round((28 - c.height / 2) * k)];",
        json!([]),
    );
    s.move_to(
        "#diagram",
        centre[0].as_i64().unwrap_or(0),
        centre[1].as_i64().unwrap_or(0),
    );
    s.wait_for(
        "document.getElementById('diagram-readout').textContent.startsWith('h1.1: bias')",
        LOAD,
    );
    s.move_to("#diagram", dx, dy);
    s.wait_for(
        "document.getElementById('diagram-readout').textContent.includes('x₁ → h1.1')",
        LOAD,
    );
    s.click_at("#diagram", dx, dy, None);
    s.wait_for(
        "!document.getElementById('diagram-edit').closest('.field').hidden",
        LOAD,
    );
    s.set_input("diagram-edit", "2.5");
    s.click("#diagram-apply");
    s.wait_for("window.backprop.run().params()[0] === 2.5", LOAD);
    s.assert_no_console_errors();
}

#[test]
fn hidden_space_and_the_timeline_scrub_and_resume() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.exec("window.backprop.run()", json!([]));
    s.click("#play");
    s.wait_for(
        "Number(document.body.dataset.epoch) >= 120",
        Duration::from_secs(60),
    );
    s.click("#play");
    s.wait_for("document.body.dataset.playing === 'false'", LOAD);

    s.click("#tab-hidden");
    s.wait_for(&both_classes_drawn(), LOAD);
    shot(&s, "view-hidden", "view-hidden-1440");

    s.click("#tab-timeline");
    s.wait_for(
        "Number(document.getElementById('view-timeline').dataset.snapshots) >= 10",
        LOAD,
    );
    let epoch_now = s
        .eval("Number(document.body.dataset.epoch)")
        .as_u64()
        .unwrap_or(0);
    let hash = "(() => { const d = document.getElementById('plot').getContext('2d').getImageData(0, 0, 560, 560).data; let h = 0; for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0; return h; })()";
    let present = s.eval(hash);
    s.set_input("timeline", "0");
    s.wait_for("!document.getElementById('snapshot-note').hidden", LOAD);
    let early = s.eval(hash);
    assert_ne!(present, early, "scrubbing back changes the boundary");
    assert_eq!(
        s.eval("Number(document.body.dataset.epoch)")
            .as_u64()
            .unwrap_or(0),
        epoch_now,
        "the run itself is untouched"
    );
    assert_eq!(
        s.eval("document.querySelectorAll('#confusion td').length"),
        json!(4)
    );
    shot(&s, "view-timeline", "view-timeline-1440");
    s.click("#play");
    s.wait_for(
        &format!("Number(document.body.dataset.epoch) > {epoch_now}"),
        LOAD,
    );
    s.wait_for("document.getElementById('snapshot-note').hidden", LOAD);
    s.click("#play");
    s.assert_no_console_errors();
}

#[test]
fn every_view_fits_a_phone() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#seed=2", 390, 844);
    s.click("#play");
    s.wait_for(
        "Number(document.body.dataset.epoch) >= 60",
        Duration::from_secs(60),
    );
    s.click("#play");
    for tab in ["race", "lab", "network", "hidden", "timeline"] {
        s.click(&format!("#tab-{tab}"));
        if tab == "race" {
            s.click("#race-start");
            s.wait_for(
                "Number(document.getElementById('view-race').dataset.epoch) >= 10",
                LOAD,
            );
            s.click("#race-toggle");
        }
        if tab == "hidden" {
            s.wait_for(&both_classes_drawn(), LOAD);
        }
        let overflow = s.eval("document.documentElement.scrollWidth - window.innerWidth");
        assert_eq!(overflow, json!(0), "{tab}: no horizontal scrolling at 390 px");
        shot(&s, &format!("view-{tab}"), &format!("view-{tab}-390"));
    }
    s.assert_no_console_errors();
}

#[test]
fn the_timeline_hint_counts_its_snapshots_as_soon_as_there_are_any() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.click("#tab-timeline");
    let hint = || {
        s.eval("document.getElementById('timeline-label').textContent")
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert!(hint().starts_with("Train for a while"), "{}", hint());
    s.click("#step-epoch");
    s.wait_for(
        "document.getElementById('view-timeline').dataset.snapshots === '1'",
        LOAD,
    );
    assert_eq!(hint(), "One snapshot, at epoch 1: drag the slider to look back.");
    // Hundreds of epochs later, without touching the slider.
    s.click("#play");
    s.wait_for(
        "Number(document.body.dataset.epoch) >= 300",
        Duration::from_secs(60),
    );
    s.click("#play");
    s.wait_for("document.body.dataset.playing === 'false'", LOAD);
    let n = data(&s, "view-timeline", "snapshots");
    assert_eq!(
        s.eval("document.getElementById('timeline').max"),
        json!(n),
        "the slider holds every snapshot"
    );
    // "{n} snapshots, from epoch {first} to {last}: drag the slider to look back."
    let said = hint();
    let epochs: Vec<u64> = said
        .strip_prefix(&format!("{n} snapshots, from epoch "))
        .and_then(|t| t.strip_suffix(": drag the slider to look back."))
        .map(|t| t.split(" to ").filter_map(|e| e.parse().ok()).collect())
        .unwrap_or_default();
    let now: u64 = s
        .eval("Number(document.body.dataset.epoch)")
        .as_u64()
        .unwrap_or(0);
    assert!(
        epochs.len() == 2 && 1 <= epochs[0] && epochs[0] < epochs[1] && epochs[1] <= now,
        "{said} (epoch {now})"
    );
    // A fresh run has none again.
    s.keys("r");
    s.wait_for(
        "document.getElementById('view-timeline').dataset.snapshots === '0'",
        LOAD,
    );
    assert!(hint().starts_with("Train for a while"), "{}", hint());
    s.assert_no_console_errors();
}
