//! The guided tour: each step sets the playground up, and Next unlocks only
//! once the step's condition holds. Tours are data, so authors can load their own.

use std::time::Duration;

use e2e::{Browser, Site, artifacts_dir, open, site_dir};
use serde_json::json;

const LOAD: Duration = Duration::from_secs(30);

#[test]
fn the_tutorial_tour_advances_only_when_its_condition_holds() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#tour=tutorial", 1440, 1000);
    assert_eq!(s.eval("document.getElementById('tour').dataset.step"), json!("0"));
    // Step 1 set the tutorial's setup, in one fresh run.
    let settings = s.eval("window.backprop.settings()");
    assert_eq!(
        (
            &settings["dataset"],
            &settings["layers"],
            &settings["lr"],
            &settings["max_epochs"]
        ),
        (&json!("tutorial"), &json!([10, 8]), &json!(0.1), &json!(1000))
    );
    assert!(
        s.eval("document.querySelectorAll('#notices .notice').length")
            .as_u64()
            .unwrap_or(9)
            <= 1
    );
    // Steps without a condition open at once.
    assert_eq!(
        s.eval("document.getElementById('tour-next').disabled"),
        json!(false)
    );
    s.click("#tour-next");
    s.click("#tour-next");
    // "Press play until test accuracy passes 95 %": locked until it does.
    assert_eq!(s.eval("document.getElementById('tour').dataset.step"), json!("2"));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        s.eval("document.getElementById('tour-next').disabled"),
        json!(true)
    );
    assert_eq!(
        s.eval("document.getElementById('tour').dataset.met"),
        json!("false")
    );
    s.click("#tour-next"); // a click on the locked button does nothing
    assert_eq!(s.eval("document.getElementById('tour').dataset.step"), json!("2"));
    s.screenshot(&artifacts_dir().join("tour-waiting-1440.png"));
    s.click("#play");
    s.wait_for(
        "document.getElementById('tour').dataset.met === 'true'",
        Duration::from_secs(120),
    );
    let at: f64 = s
        .eval("document.getElementById('tour').dataset.metValue")
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("the value when the step was done");
    assert!(at >= 0.95, "unlocked at test accuracy {at}");
    assert_eq!(
        s.eval("document.getElementById('tour-next').disabled"),
        json!(false)
    );
    s.click("#tour-next");
    // "Let it reach epoch 1000": the run stops there by itself (max_epochs).
    s.wait_for(
        "document.getElementById('tour').dataset.met === 'true'",
        Duration::from_secs(120),
    );
    assert_eq!(s.eval("window.backprop.run().epoch"), json!(1000));
    s.screenshot(&artifacts_dir().join("tour-1440.png"));
    s.click("#tour-close");
    assert_eq!(
        s.eval("!!document.getElementById('tour') || location.hash.includes('tour=')"),
        json!(false)
    );
    s.assert_no_console_errors();
}

#[test]
fn an_authors_tour_loads_through_the_api_and_bad_ones_are_refused() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#lang=zh", 1440, 1000);
    s.exec(
        "window.backprop.handle.startTour({ title: { en: 'Mine', zh: '我的教程' }, steps: [\
           { title: { en: 'Adam', zh: '选 Adam' }, text: { en: 'Choose Adam.', zh: '请选择 Adam。' }, until: { setting: 'optimizer', equals: 'adam' } },\
           { title: 'Done', text: 'Done.' } ] });",
        json!([]),
    );
    assert_eq!(
        s.eval("document.getElementById('tour-text').textContent"),
        json!("请选择 Adam。")
    );
    assert_eq!(
        s.eval("document.getElementById('tour-next').disabled"),
        json!(true)
    );
    s.set_input("ctl-optimizer", "adam");
    s.wait_for("!document.getElementById('tour-next').disabled", LOAD);
    s.click("#tour-next");
    assert_eq!(s.eval("document.getElementById('tour').dataset.step"), json!("1"));
    let error = s.exec(
        "try { window.backprop.handle.startTour({ steps: [{ until: { metric: 'speed', atLeast: 1 } }] }); return 'accepted'; } catch (e) { return e.message; }",
        json!([]),
    );
    assert!(error.to_string().contains("steps[0].until"), "{error}");
    // The `tour` key starts a built-in tour when set later, too (an attribute, setState).
    s.exec(
        "window.backprop.handle.setState({ tour: 'tutorial' });",
        json!([]),
    );
    assert_eq!(s.eval("document.getElementById('tour').dataset.step"), json!("0"));
    assert_eq!(s.eval("location.hash.includes('tour=tutorial')"), json!(true));
    let unknown = s.exec(
        "try { window.backprop.handle.startTour('nope'); return 'accepted'; } catch (e) { return e.message; }",
        json!([]),
    );
    assert!(unknown.to_string().contains("nope"), "{unknown}");
    s.assert_no_console_errors();
}
