//! Hostile input and the page's defences: a strict Content-Security-Policy
//! with Trusted Types, XSS payloads through every URL key, and no network
//! traffic after load.

use std::time::Duration;

use e2e::{Browser, Site, open, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(30);

/// Elements an injection would create.
const INJECTED: &str = "document.querySelectorAll('img, svg, iframe, object, embed, script:not([src]), [onerror], [onload], a[href^=javascript]').length";

#[test]
fn the_policy_and_trusted_types_are_enforced() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1280, 900);
    s.assert_no_console_errors();
    // An HTML sink refuses a plain string, and the refusal is reported.
    let outcome = s.exec(
        "try { document.getElementById('status').innerHTML = '<b>x</b>'; return 'assigned'; } catch (e) { return e.name; }",
        json!([]),
    );
    assert_eq!(outcome, json!("TypeError"), "Trusted Types must block innerHTML");
    // An inline script added by any means does not run.
    s.exec(
        "const el = document.createElement('script'); try { el.text = 'window.__ran = 1'; } catch (e) {} document.body.append(el);",
        json!([]),
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        s.eval("window.__ran === undefined"),
        json!(true),
        "an inline script ran"
    );
    let violations = s.eval("window.__csp");
    assert!(
        violations.as_array().is_some_and(|v| !v.is_empty()),
        "the recorder saw the blocked sink: {violations}"
    );
}

#[test]
fn hostile_values_in_every_key_never_run_or_inject() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let clean = open(&browser, &site, "", 1280, 900);
    let defaults: Value = clean.eval("window.backprop.settings()");
    let baseline = clean.eval(INJECTED);
    let keys: Vec<String> = defaults.as_object().expect("settings").keys().cloned().collect();
    assert!(keys.len() > 30, "every setting: {keys:?}");
    let payloads = [
        "<img src=x onerror=window.__xss=1>",
        "\"><script>window.__xss=1</script>",
        "javascript:window.__xss=1",
        "';window.__xss=1;'",
        "<svg onload=window.__xss=1>",
        "{{constructor.constructor('window.__xss=1')()}}",
        "%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D1%3E",
        "1e309",
        "-0",
        "\u{202e}\u{0000}",
    ];
    for payload in payloads {
        let encoded: String = payload.bytes().map(|b| format!("%{b:02X}")).collect();
        let hash: Vec<String> = keys.iter().map(|k| format!("{k}={encoded}")).collect();
        let s = open(&browser, &site, &format!("#{}", hash.join("&")), 1280, 900);
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            s.eval("window.__xss === undefined"),
            json!(true),
            "{payload}: a payload ran"
        );
        assert_eq!(s.eval(INJECTED), baseline, "{payload}: an element was injected");
        let settings = s.eval("window.backprop.settings()");
        for k in &keys {
            // A hostile value never becomes a setting (a few payloads, like -0, are valid numbers for some keys).
            if settings[k] != defaults[k] {
                let value = &settings[k];
                assert!(value.is_number(), "{payload}: {k} took {value}");
            }
        }
        let notices = s
            .eval("document.getElementById('notices').textContent")
            .to_string();
        assert!(notices.contains("not understood"), "{payload}: no notice");
        s.assert_no_console_errors();
    }
}

#[test]
fn nothing_is_fetched_after_load() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1280, 900);
    std::thread::sleep(Duration::from_millis(500));
    let before = s.eval("performance.getEntriesByType('resource').length");
    let served = site.request_count();
    s.click("#play");
    s.wait_for("Number(document.body.dataset.epoch) >= 100", LOAD);
    s.click("#tab-race");
    s.click("#race-start");
    s.wait_for(
        "Number(document.getElementById('view-race').dataset.epoch) >= 10",
        LOAD,
    );
    s.click("#play");
    assert_eq!(
        s.eval("performance.getEntriesByType('resource').length"),
        before,
        "requests during play"
    );
    assert_eq!(site.request_count(), served, "the server saw requests after load");
    s.assert_no_console_errors();
}
