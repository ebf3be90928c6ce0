//! Stop conditions in the page, through `mount()`'s handle and in the race:
//! a run stops at exactly the epoch "Stop after epochs" or "Stop at test
//! accuracy" names, at every speed, and says so; play and the step buttons at
//! the stop train nothing and say why.

use std::time::Duration;

use e2e::{Browser, Session, Site, open, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(60);

/// Records the `epoch` and `stopped` events of the page's handle (or of the
/// examples page's left playground) in `window.__epochs` and `window.__stops`.
const LISTEN_JS: &str = "const h = window.examples?.left ?? window.backprop.handle; window.__epochs = []; window.__stops = [];\
    h.addEventListener('epoch', (e) => window.__epochs.push(e.detail.epoch));\
    h.addEventListener('stopped', (e) => window.__stops.push(e.detail));";

/// Waits for two animation frames, so anything a frame does after a stop has happened.
fn frames(s: &Session) {
    s.exec_async(
        "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
        json!([]),
    );
}

fn notices(s: &Session) -> String {
    s.eval("document.getElementById('notices').textContent")
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn epoch(s: &Session) -> Value {
    s.eval("window.backprop.run().epoch")
}

/// Resets the run with `settings`, plays it until it stops by itself, and returns the `stopped` event.
fn play_until_stopped(s: &Session, settings: Value) -> Value {
    s.exec(
        "const h = window.backprop.handle; h.pause(); h.setState(arguments[0]); h.reset();\
         window.__epochs = []; window.__stops = []; h.play();",
        json!([settings]),
    );
    s.wait_for(
        "window.__stops.length > 0 && document.body.dataset.playing === 'false'",
        LOAD,
    );
    frames(s);
    assert_eq!(s.eval("window.__stops.length"), json!(1), "{settings}: one stop");
    s.eval("window.__stops[0]")
}

#[test]
fn the_tutorial_link_stops_at_exactly_1000_epochs_as_fast_as_possible() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(
        &browser,
        &site,
        "#dataset=tutorial&max_epochs=1000&speed=0",
        1440,
        900,
    );
    s.exec(LISTEN_JS, json!([]));
    s.click("#play");
    s.wait_for(
        "document.body.dataset.playing === 'false' && window.__stops.length > 0",
        LOAD,
    );
    frames(&s);
    assert_eq!(epoch(&s), json!(1000));
    assert_eq!(s.eval("document.body.dataset.epoch"), json!("1000"));
    assert_eq!(s.eval("window.backprop.run().historyLength()"), json!(1000));
    let said = notices(&s);
    assert!(said.contains("Stopped after 1000 epochs."), "{said}");
    assert_eq!(
        s.eval("window.__stops"),
        json!([{ "reason": "max_epochs", "epoch": 1000, "test_acc": null }])
    );
    assert_eq!(s.eval("window.__epochs[window.__epochs.length - 1]"), json!(1000));
    // Play again at the stop: nothing trains, and the page says why.
    s.click("#play");
    frames(&s);
    assert_eq!(s.eval("document.body.dataset.playing"), json!("false"));
    assert_eq!(epoch(&s), json!(1000));
    assert!(
        notices(&s).contains("The run is at its stop, epoch 1000"),
        "{}",
        notices(&s)
    );
    assert_eq!(s.eval("window.__stops.length"), json!(1), "no second stop");
    s.assert_no_console_errors();
}

#[test]
fn max_epochs_stops_at_the_named_epoch_at_every_speed_and_batch_size() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.exec(LISTEN_JS, json!([]));
    for (speed, batch, max) in [
        (1, 0, 1),
        (1, 0, 7),
        (100, 0, 7),
        (100, 0, 250),
        (0, 0, 333),
        (0, 32, 3),
        (5, 32, 12),
    ] {
        let settings = json!({ "speed": speed, "batch": batch, "max_epochs": max });
        let stop = play_until_stopped(&s, settings.clone());
        assert_eq!(epoch(&s), json!(max), "{settings}");
        assert_eq!(
            stop,
            json!({ "reason": "max_epochs", "epoch": max, "test_acc": null }),
            "{settings}"
        );
        assert_eq!(
            s.eval("window.__epochs[window.__epochs.length - 1]"),
            json!(max),
            "{settings}: the last epoch event"
        );
        let steps_per_epoch = if batch == 0 { 1 } else { 800_u64.div_ceil(batch) };
        assert_eq!(
            s.eval("window.backprop.run().steps"),
            json!(max * steps_per_epoch),
            "{settings}: no step past the epoch's end"
        );
    }
    s.assert_no_console_errors();
}

#[test]
fn a_target_accuracy_stops_at_the_first_epoch_that_reaches_it() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1440, 900);
    s.exec(LISTEN_JS, json!([]));
    for speed in [0, 100, 1] {
        let stop = play_until_stopped(&s, json!({ "speed": speed, "target_acc": 85, "max_epochs": 0 }));
        assert_eq!(stop["reason"], json!("target_acc"), "speed {speed}");
        let at = stop["epoch"].as_u64().expect("an epoch");
        assert_eq!(epoch(&s), json!(at));
        // The history: every earlier epoch is below the target, this one reaches it.
        let accs: Vec<f64> =
            serde_json::from_value(s.eval("Array.from(window.backprop.run().history('test_acc'))"))
                .expect("accuracies");
        assert_eq!(accs.len() as u64, at, "speed {speed}: one record per epoch");
        let first = accs.iter().position(|&a| a >= 0.85).expect("reached") as u64 + 1;
        assert_eq!(
            at, first,
            "speed {speed}: stopped at {at}, first reached at {first}"
        );
        assert_eq!(stop["test_acc"], json!(accs[accs.len() - 1]));
        let said = notices(&s);
        assert!(said.contains(&format!("test accuracy at epoch {at}.")), "{said}");
        assert_eq!(s.eval("window.__epochs[window.__epochs.length - 1]"), json!(at));
    }
    // Reached at the first epoch: 1 % is met by any classifier.
    let stop = play_until_stopped(&s, json!({ "speed": 0, "target_acc": 1 }));
    assert_eq!(stop["reason"], json!("target_acc"));
    assert_eq!(stop["epoch"], json!(1));
    // Unreachable: 100 % on noisy moons never comes, so "Stop after epochs" stops it.
    let stop = play_until_stopped(
        &s,
        json!({ "speed": 0, "noise": 0.5, "target_acc": 100, "max_epochs": 60 }),
    );
    assert_eq!(
        stop,
        json!({ "reason": "max_epochs", "epoch": 60, "test_acc": null })
    );
    s.assert_no_console_errors();
}

#[test]
fn play_and_the_step_buttons_at_the_stop_train_nothing_and_say_so() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#batch=400", 1440, 900);
    s.exec(LISTEN_JS, json!([]));
    // Steps up to the stop: the step that completes epoch 3 stops the run there.
    s.exec("window.backprop.handle.setState({ max_epochs: 3 })", json!([]));
    for _ in 0..2 {
        s.click("#step-epoch");
    }
    s.click("#step-batch");
    assert_eq!(s.eval("window.__stops.length"), json!(0));
    s.click("#step-batch"); // the epoch's second and last mini-batch
    assert_eq!(epoch(&s), json!(3));
    assert_eq!(
        s.eval("window.__stops"),
        json!([{ "reason": "max_epochs", "epoch": 3, "test_acc": null }])
    );
    assert!(notices(&s).contains("Stopped after 3 epochs."), "{}", notices(&s));
    // At the stop: play, →, one mini-batch and the handle's step all train nothing.
    s.click("#step-epoch");
    s.click("#step-batch");
    s.click("#play");
    s.exec("window.backprop.handle.step(10)", json!([]));
    frames(&s);
    assert_eq!(
        (epoch(&s), s.eval("window.backprop.run().steps")),
        (json!(3), json!(6))
    );
    assert_eq!(s.eval("document.body.dataset.playing"), json!("false"));
    assert_eq!(s.eval("window.__stops.length"), json!(1), "nothing stopped again");
    assert!(
        notices(&s).contains("The run is at its stop, epoch 3"),
        "{}",
        notices(&s)
    );
    // The handle's step(n) stops at the stop too, and raising it lets the run train on.
    s.exec(
        "window.backprop.handle.setState({ max_epochs: 8 }); window.backprop.handle.step(100);",
        json!([]),
    );
    assert_eq!(epoch(&s), json!(8));
    assert_eq!(
        s.eval("window.__stops[1]"),
        json!({ "reason": "max_epochs", "epoch": 8, "test_acc": null })
    );
    // A stop set at the run's own epoch: play says the run is there already.
    s.exec("window.backprop.handle.setState({ max_epochs: 0 })", json!([]));
    s.click("#step-epoch");
    s.exec("window.backprop.handle.setState({ max_epochs: 9 })", json!([]));
    s.click("#play");
    frames(&s);
    assert_eq!(
        (epoch(&s), s.eval("document.body.dataset.playing")),
        (json!(9), json!("false"))
    );
    assert!(
        notices(&s).contains("The run is at its stop, epoch 9"),
        "{}",
        notices(&s)
    );
    // A target accuracy the run has reached already: the same.
    s.exec(
        "window.backprop.handle.setState({ max_epochs: 0, target_acc: 1 })",
        json!([]),
    );
    s.click("#step-epoch");
    assert_eq!(epoch(&s), json!(9), "the last epoch reached 1 %: no step");
    assert!(
        notices(&s).contains("Test accuracy already reached the target"),
        "{}",
        notices(&s)
    );
    s.assert_no_console_errors();
}

#[test]
fn a_mounted_playground_reports_the_exact_stop_in_its_events() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = browser.session(1440, 1000);
    e2e::viewport(&s, 1440, 1000);
    s.goto(&site.url("examples/index.html"));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    // The left playground, mounted in a shadow root by examples.js; on screen, so it trains.
    s.exec("document.getElementById('mount-a').scrollIntoView();", json!([]));
    s.exec(
        &format!("{LISTEN_JS} h.setState({{ max_epochs: 500, speed: 0 }}); h.reset(); h.play();"),
        json!([]),
    );
    s.wait_for("window.__stops.length > 0", LOAD);
    frames(&s);
    assert_eq!(s.eval("window.__stops[0].reason"), json!("max_epochs"));
    assert_eq!(s.eval("window.__stops[0].epoch"), json!(500));
    assert_eq!(s.eval("window.__epochs[window.__epochs.length - 1]"), json!(500));
    assert_eq!(
        s.eval("[window.examples.left.getState().epoch, window.examples.left.getState().playing]"),
        json!([500, false])
    );
    s.assert_no_console_errors();
}

#[test]
fn the_race_stops_every_optimizer_at_max_epochs() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    // Full batch: the race's first step (for the initial losses) completes epoch 1 by itself.
    for max in [1, 4] {
        let s = open(&browser, &site, &format!("#max_epochs={max}"), 1440, 900);
        s.click("#tab-race");
        s.click("#race-start");
        s.wait_for(
            "!document.getElementById('race-status').textContent.startsWith('Racing')",
            LOAD,
        );
        frames(&s);
        assert_eq!(
            s.eval("document.getElementById('view-race').dataset.epoch"),
            json!(max.to_string())
        );
        assert_eq!(
            s.eval("document.getElementById('view-race').dataset.epochs"),
            json!(format!("[{max},{max},{max},{max}]")),
            "every optimizer stops there"
        );
        assert_eq!(
            s.eval("document.getElementById('race-status').textContent"),
            json!(format!("Finished · epoch {max}"))
        );
        // Resuming at the stop trains nothing.
        s.click("#race-toggle");
        frames(&s);
        assert_eq!(
            s.eval("document.getElementById('view-race').dataset.epoch"),
            json!(max.to_string())
        );
        s.assert_no_console_errors();
    }
}
