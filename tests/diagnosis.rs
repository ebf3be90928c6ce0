//! The Diagnosis panel: every broken link of the engine's scenarios opens it
//! with the right problem, its first cure button restarts the run from the
//! same seed with the change and the cured run is healthy, shown beside the
//! broken one; "since when" takes the timeline to the epoch it began; a
//! healthy link never shows it.
//! Each state is saved as a screenshot in `target/e2e/` (light and dark,
//! desktop and phone).

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir, viewport};
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

/// A broken run of the engine's scenario tests, as a link.
struct Scenario {
    link: &'static str,
    /// The problem the panel must name…
    problem: &'static str,
    /// …by this epoch…
    within: u64,
    /// …trained this many epochs at once, then looked at every `chunk`.
    from: u64,
    chunk: u64,
}

/// Every scenario of the engine's tests that a link can make (the saturated
/// one needs an initialisation scale no URL key carries; the engine's tests
/// cover it). The dead ReLUs come from the same jump as the explosion: the
/// explosion is named first, the dead layer once the loss has settled. The
/// vanishing gradients show from epoch 207 (the loss flat for 200 epochs)
/// until about 215, when the output layer's gradient fades too and the
/// panel names a plateau: the panel looks at every epoch there. Adam's
/// swings come and go, so the panel looks at every epoch for them too.
const SCENARIOS: [Scenario; 8] = [
    Scenario {
        link: "#lr=15",
        problem: "divergence",
        within: 3,
        from: 0,
        chunk: 1,
    },
    Scenario {
        link: "#lr=12",
        problem: "exploding",
        within: 3,
        from: 0,
        chunk: 1,
    },
    Scenario {
        link: "#lr=12",
        problem: "dead_relu",
        within: 100,
        from: 0,
        chunk: 25,
    },
    Scenario {
        link: "#init=zeros",
        problem: "plateau",
        within: 400,
        from: 0,
        chunk: 50,
    },
    Scenario {
        link: "#layers=4,4,4,4,4,4,4,4,4,4,4,4&activation=sigmoid",
        problem: "vanishing",
        within: 212,
        from: 200,
        chunk: 1,
    },
    Scenario {
        link: "#optimizer=adam&lr=0.3",
        problem: "lr_too_large",
        within: 60,
        from: 20,
        chunk: 1,
    },
    Scenario {
        link: "#lr=0.00003",
        problem: "lr_too_small",
        within: 400,
        from: 0,
        chunk: 50,
    },
    Scenario {
        link: "#n=100&noise=0.4&layers=64,64&optimizer=adam&lr=0.01",
        problem: "overfitting",
        within: 150,
        from: 0,
        chunk: 5,
    },
];

/// Epochs a cured run trains before the panel must show no problem.
const CURED_EPOCHS: u64 = 500;

/// Follows `fragment` in the session's page (a fresh load) and waits until it is ready.
fn follow(s: &Session, site: &Site, fragment: &str) {
    s.goto("about:blank");
    s.goto(&format!("{}{fragment}", site.url("")));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
}

/// Trains until the panel names the scenario's problem (within its epochs)
/// and checks it says what is wrong, with evidence.
fn diagnosed(s: &Session, sc: &Scenario) {
    let fragment = sc.link;
    assert_eq!(panel_hidden(s), json!(true), "{fragment}: hidden before training");
    step(s, sc.from, sc.from.max(1));
    let mut trained = sc.from;
    while problem(s) != json!(sc.problem) && trained < sc.within {
        step(s, sc.chunk, sc.chunk);
        trained += sc.chunk;
    }
    assert_eq!(
        problem(s),
        json!(sc.problem),
        "{fragment}: after {trained} epochs"
    );
    assert_eq!(panel_hidden(s), json!(false), "{fragment}: the panel shows");
    let what = s.eval("document.getElementById('diagnosis-what').textContent");
    assert!(
        what.as_str().is_some_and(|t| t.len() > 10),
        "{fragment}: says what is wrong: {what}"
    );
    let words = s.eval("document.getElementById('diagnosis-problem').textContent");
    assert!(
        words.as_str().is_some_and(|t| !t.contains('{')),
        "{fragment}: every placeholder filled in: {words}"
    );
    assert!(
        s.eval("document.querySelectorAll('#diagnosis-evidence li').length")
            .as_u64()
            > Some(0),
        "{fragment}: shows evidence"
    );
}

/// Clicks the first cure, trains the cured run `CURED_EPOCHS` and checks no
/// problem is shown, the broken run stands beside the cured one and the seed
/// is the same.
fn cured(s: &Session, fragment: &str) {
    let seed = s.eval("window.backprop.handle.getState().seed");
    s.click("#diagnosis-cures .diagnosis-cure");
    s.exec("window.backprop.handle.pause();", json!([]));
    frames(s);
    assert_eq!(
        s.eval("window.backprop.handle.getState().seed"),
        seed,
        "{fragment}: same seed"
    );
    assert!(
        s.eval("window.backprop.run().epoch").as_u64() < Some(50),
        "{fragment}: the cure restarts the run"
    );
    step(s, CURED_EPOCHS, 100);
    assert_eq!(
        problem(s),
        json!(""),
        "{fragment}: cured, after {CURED_EPOCHS} epochs"
    );
    assert_eq!(s.eval("window.backprop.run().status().state"), json!("ready"));
    assert_eq!(
        s.eval("document.getElementById('diagnosis-compare').hidden"),
        json!(false),
        "{fragment}: the broken run beside the cured one"
    );
}

#[test]
fn every_broken_link_names_its_problem_and_its_first_cure_cures() {
    // One browser session follows every link in turn: a browser per link
    // would cost more than the runs themselves.
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#", 1280, 900);
    for sc in &SCENARIOS {
        follow(&s, &site, sc.link);
        diagnosed(&s, sc);
        shots(&s, &format!("{}-desktop", sc.problem));
        cured(&s, sc.link);
        shots(&s, &format!("{}-cured-desktop", sc.problem));
        s.assert_no_console_errors();
    }
    // The panel on a phone, for the first scenario.
    viewport(&s, 390, 844);
    let sc = &SCENARIOS[0];
    follow(&s, &site, sc.link);
    diagnosed(&s, sc);
    shots(&s, &format!("{}-phone", sc.problem));
    cured(&s, sc.link);
    shots(&s, &format!("{}-cured-phone", sc.problem));
    s.assert_no_console_errors();
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
