//! The Diagnosis panel: three broken links open it with the right problem,
//! its cure button restarts the run from the same seed with the change and
//! the cured run is healthy, shown beside the broken one; "since when"
//! takes the timeline to the epoch it began; a healthy link never shows it.
//! Each state is saved as a screenshot in `target/e2e/` (light and dark,
//! desktop and phone).

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(60);

/// Waits for two animation frames, so the panel has looked at the latest step.
fn frames(s: &Session) {
    s.exec_async(
        "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
        json!([]),
    );
}

/// Trains `n` epochs through the page's handle, `chunk` at a time, letting
/// the panel look after each chunk.
fn step(s: &Session, n: u64, chunk: u64) {
    let mut done = 0;
    while done < n {
        let k = chunk.min(n - done);
        s.exec("window.backprop.handle.step(arguments[0]);", json!([k]));
        frames(s);
        done += k;
    }
}

fn problem(s: &Session) -> Value {
    s.eval("document.getElementById('diagnosis').dataset.problem ?? ''")
}

fn panel_hidden(s: &Session) -> Value {
    s.eval("document.getElementById('diagnosis').hidden")
}

/// Saves the panel's part of the page in light and dark.
fn shots(s: &Session, name: &str) {
    s.exec(
        "document.getElementById('diagnosis').scrollIntoView({ block: 'start' });",
        json!([]),
    );
    for dark in [false, true] {
        s.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": if dark { "dark" } else { "light" } }] }),
        );
        frames(s);
        let scheme = if dark { "dark" } else { "light" };
        s.screenshot(&artifacts_dir().join(format!("diagnosis-{name}-{scheme}.png")));
    }
    s.cdp("Emulation.setEmulatedMedia", json!({ "features": [] }));
}

/// Opens `fragment`, trains until the panel names `expected` (within
/// `epochs`, `chunk` at a time), screenshots it, clicks its first cure,
/// trains the cured run `cured_epochs` and checks no problem is shown, the
/// broken run stands beside the cured one and the seed is the same.
fn broken_link_is_diagnosed_and_cured(
    fragment: &str,
    expected: &str,
    epochs: u64,
    chunk: u64,
    cured_epochs: u64,
    name: &str,
) {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    for (width, height, device) in [(1280, 900, "desktop"), (390, 844, "phone")] {
        let s = open(&browser, &site, fragment, width, height);
        assert_eq!(
            panel_hidden(&s),
            json!(true),
            "{fragment}: hidden before training"
        );
        let seed = s.eval("window.backprop.handle.getState().seed");
        let mut trained = 0;
        while problem(&s) != json!(expected) && trained < epochs {
            step(&s, chunk, chunk);
            trained += chunk;
        }
        assert_eq!(problem(&s), json!(expected), "{fragment}: after {trained} epochs");
        assert_eq!(panel_hidden(&s), json!(false), "{fragment}: the panel shows");
        let what = s.eval("document.getElementById('diagnosis-what').textContent");
        assert!(
            what.as_str().is_some_and(|t| t.len() > 10),
            "{fragment}: says what is wrong: {what}"
        );
        assert!(
            s.eval("document.querySelectorAll('#diagnosis-evidence li').length")
                .as_u64()
                > Some(0),
            "{fragment}: shows evidence"
        );
        shots(&s, &format!("{name}-{device}"));

        s.click("#diagnosis-cures .diagnosis-cure");
        s.exec("window.backprop.handle.pause();", json!([]));
        frames(&s);
        assert_eq!(
            s.eval("window.backprop.handle.getState().seed"),
            seed,
            "{fragment}: same seed"
        );
        assert!(
            s.eval("window.backprop.run().epoch").as_u64() < Some(50),
            "{fragment}: the cure restarts the run"
        );
        step(&s, cured_epochs, 100);
        assert_eq!(
            problem(&s),
            json!(""),
            "{fragment}: cured, after {cured_epochs} epochs"
        );
        assert_eq!(s.eval("window.backprop.run().status().state"), json!("ready"));
        assert_eq!(
            s.eval("document.getElementById('diagnosis-compare').hidden"),
            json!(false),
            "{fragment}: the broken run beside the cured one"
        );
        shots(&s, &format!("{name}-cured-{device}"));
        s.assert_no_console_errors();
    }
}

#[test]
fn a_learning_rate_of_15_shows_divergence_and_a_tenth_of_it_cures() {
    broken_link_is_diagnosed_and_cured("#lr=15", "divergence", 10, 1, 500, "divergence");
}

#[test]
fn zero_initialisation_shows_a_plateau_and_he_initialisation_cures() {
    broken_link_is_diagnosed_and_cured("#init=zeros", "plateau", 400, 50, 500, "plateau");
}

#[test]
fn a_learning_rate_of_3e_5_shows_it_too_small_and_a_hundred_times_it_cures() {
    broken_link_is_diagnosed_and_cured("#lr=0.00003", "lr_too_small", 400, 50, 500, "lr-too-small");
}

#[test]
fn since_when_takes_the_timeline_to_the_epoch_the_trouble_began() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    // Played one epoch a frame, so the timeline holds epochs 1 and 2 before the run stops in epoch 3.
    let s = open(&browser, &site, "#lr=15&autoplay=1&lang=zh", 1280, 900);
    s.wait_for(
        "document.getElementById('diagnosis').dataset.problem === 'divergence'",
        LOAD,
    );
    shots(&s, "divergence-zh-desktop");
    s.click("#diagnosis-since");
    frames(&s);
    assert_eq!(
        s.eval("document.getElementById('view-timeline').hidden"),
        json!(false),
        "the timeline is open"
    );
    assert_eq!(
        s.eval("document.getElementById('diagnosis').dataset.seeked"),
        json!("1"),
        "the boundary shown is epoch 1's, where the loss last fell"
    );
    s.assert_no_console_errors();
}

#[test]
fn a_healthy_link_never_shows_the_panel() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#", 1280, 900);
    for _ in 0..20 {
        step(&s, 100, 100);
        assert_eq!(
            panel_hidden(&s),
            json!(true),
            "at epoch {}",
            s.eval("window.backprop.run().epoch")
        );
    }
    assert_eq!(s.eval("window.backprop.run().epoch"), json!(2000));
    s.assert_no_console_errors();
}
