//! The playground in an iframe: the host page sizes the frame to the
//! playground's height, and hostile messages to the host change nothing.

use std::time::Duration;

use e2e::{Browser, Site, artifacts_dir, site_dir};
use serde_json::json;

const LOAD: Duration = Duration::from_secs(30);

#[test]
fn the_iframe_host_gets_the_height_and_ignores_anything_else() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = browser.session(1440, 900);
    s.goto(&site.url("examples/iframe.html"));
    // The frame grows from its 600 px default to the playground's full height.
    s.wait_for("document.getElementById('frame').style.height !== ''", LOAD);
    let height = s
        .eval("parseInt(document.getElementById('frame').style.height)")
        .as_i64()
        .unwrap_or(0);
    let inner = s.exec(
        "return document.getElementById('frame').contentDocument.documentElement.scrollHeight;",
        json!([]),
    );
    assert!(height > 1000, "frame height {height}");
    assert!(
        (height - inner.as_i64().unwrap_or(0)).abs() <= 2,
        "frame {height} vs content {inner}"
    );

    // Hostile messages: wrong shapes, markup, scripts, huge or negative heights,
    // and the right shape from a window that is not the playground's.
    s.exec(
        "window.__xss = undefined;\
         for (const m of [\
           '<img src=x onerror=window.__xss=1>',\
           { type: 'backprop-playground:height', height: '1e9' },\
           { type: 'backprop-playground:height', height: 1e9 },\
           { type: 'backprop-playground:height', height: -5 },\
           { type: 'backprop-playground:height', height: 300, html: '<b>x</b>' },\
           { type: 'other', height: 300 },\
           [1, 2],\
           null,\
         ]) window.postMessage(m, '*');\
         window.postMessage({ type: 'backprop-playground:height', height: 300 }, '*');",
        json!([]),
    );
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        s.eval("parseInt(document.getElementById('frame').style.height)")
            .as_i64()
            .unwrap_or(0),
        height,
        "a message changed the frame"
    );
    assert_eq!(
        s.eval("window.__xss === undefined && document.querySelectorAll('img, b').length === 0"),
        json!(true)
    );
    s.screenshot(&artifacts_dir().join("embed-iframe-1440.png"));
    s.assert_no_console_errors();
}
