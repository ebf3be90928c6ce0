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

/// The examples page: the iframe, two `mount()`ed playgrounds and the custom
/// element, all live at once.
#[test]
fn two_mounted_playgrounds_train_independently_and_ids_stay_isolated() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = browser.session(1440, 1000);
    e2e::viewport(&s, 1440, 1000);
    s.goto(&site.url("examples/index.html"));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    // Each playground's ids live in its own shadow root: none leak into the page.
    assert_eq!(
        s.eval(
            "[document.querySelectorAll('#play').length, \
              !!document.getElementById('mount-a').shadowRoot.getElementById('play'), \
              !!document.getElementById('mount-b').shadowRoot.getElementById('play')]"
        ),
        json!([0, true, true])
    );
    assert_eq!(
        s.eval("[window.examples.left.getState().dataset, window.examples.right.getState().dataset]"),
        json!(["xor", "spiral"])
    );
    // The page's iframe (embed=1, views hidden) sizes itself too, smaller than a full page.
    s.wait_for("document.getElementById('frame').style.height !== ''", LOAD);
    let framed = s
        .eval("parseInt(document.getElementById('frame').style.height)")
        .as_i64()
        .unwrap_or(0);
    assert!((300..1400).contains(&framed), "embedded frame height {framed}");
    // Play the left one through its own button in its shadow root; the right one stays put.
    s.exec(
        "window.__epochs = 0; window.examples.left.addEventListener('epoch', () => window.__epochs++);\
         document.getElementById('mount-a').scrollIntoView();\
         document.getElementById('mount-a').shadowRoot.getElementById('play').click();",
        json!([]),
    );
    s.wait_for("window.examples.left.getState().epoch >= 30", LOAD);
    assert_eq!(s.eval("window.examples.right.getState().epoch"), json!(0));
    assert!(
        s.eval("window.__epochs").as_u64().unwrap_or(0) > 0,
        "no epoch events"
    );
    // Step the right one by 10 through the API: it moves by exactly 10.
    s.click("#mount-b-step");
    assert_eq!(s.eval("window.examples.right.getState().epoch"), json!(10));
    s.exec("window.examples.left.pause()", json!([]));
    let left = s.eval("window.examples.left.getState().epoch");
    // setState on one does not touch the other; bad keys come back as problems.
    let problems = s.exec(
        "return window.examples.right.setState({ optimizer: 'sgd', lr: 'fast', bogus: 1 });",
        json!([]),
    );
    let text = problems.to_string();
    assert!(
        text.contains("lr") && text.contains("fast") && text.contains("bogus"),
        "{text}"
    );
    assert_eq!(
        s.eval("[window.examples.left.getState().optimizer, window.examples.right.getState().optimizer]"),
        json!(["adam", "sgd"])
    );
    assert_eq!(s.eval("window.examples.left.getState().epoch"), left);
    s.exec("document.getElementById('mount-a').scrollIntoView()", json!([]));
    s.screenshot(&artifacts_dir().join("embed-mount-1440.png"));
    // A second mount on an element that holds a playground is refused, by name.
    let twice = s.exec_async(
        "const done = arguments[arguments.length - 1];\
         import(new URL('../js/app.js', document.baseURI)).then((m) => m.mount(document.getElementById('mount-a'), {}))\
           .then(() => done('mounted twice'), (e) => done(e.message));",
        json!([]),
    );
    assert!(
        twice.to_string().contains("already holds a playground"),
        "{twice}"
    );
    // destroy() removes one playground and frees its run; the other keeps training.
    s.exec(
        "window.examples.right.destroy(); window.examples.left.play();",
        json!([]),
    );
    assert_eq!(
        s.eval("document.getElementById('mount-b').shadowRoot.querySelector('.bp-app')"),
        json!(null)
    );
    let before = s
        .eval("window.examples.left.getState().epoch")
        .as_u64()
        .unwrap_or(0);
    s.wait_for(
        &format!("window.examples.left.getState().epoch > {before} + 10"),
        LOAD,
    );
    s.assert_no_console_errors();
}

#[test]
fn the_custom_element_reflects_attribute_changes() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = browser.session(1440, 1000);
    e2e::viewport(&s, 1440, 1000);
    s.goto(&site.url("examples/index.html"));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    s.wait_for("!!document.getElementById('element').playground", LOAD);
    let state = "document.getElementById('element').playground.getState()";
    assert_eq!(
        s.eval(&format!(
            "[{state}.dataset, {state}.layers, {state}.optimizer, {state}.lr]"
        )),
        json!(["circles", [6, 4], "adam", 0.03])
    );
    // Embedded layout: no header; the hidden panels are hidden.
    assert_eq!(
        s.eval(
            "(() => { const r = document.getElementById('element').shadowRoot;\
              return [r.getElementById('top').hidden, r.getElementById('panel-views').hidden, r.getElementById('panel-export').hidden, r.getElementById('panel-data').hidden]; })()"
        ),
        json!([true, true, true, false])
    );
    // Its styles reached the shadow root before drawing: the thumbnails are in the class colours.
    let orange = s.exec(
        "const c = document.getElementById('element').shadowRoot.querySelector('#data-moons canvas');\
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;\
         for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] > 180 && d[i + 2] < 80) n++;\
         return n;",
        json!([]),
    );
    assert!(
        orange.as_u64().unwrap_or(0) > 20,
        "thumbnail not in the class colours: {orange}"
    );
    // The page's control sets the attribute; the element applies it.
    s.set_input("element-dataset", "xor");
    s.wait_for(&format!("{state}.dataset === 'xor'"), LOAD);
    // Off-screen playgrounds do not draw: bring it into view, then its controls follow.
    s.exec("document.getElementById('element').scrollIntoView()", json!([]));
    s.wait_for(
        "document.getElementById('element').shadowRoot.getElementById('data-xor').getAttribute('aria-pressed') === 'true'",
        LOAD,
    );
    s.exec(
        "const e = document.getElementById('element'); e.setAttribute('layers', '3'); e.setAttribute('lr', '0.1');",
        json!([]),
    );
    assert_eq!(
        s.eval(&format!("[{state}.layers, {state}.lr]")),
        json!([[3], 0.1])
    );
    // Removing an attribute brings back the default.
    s.exec(
        "document.getElementById('element').removeAttribute('optimizer')",
        json!([]),
    );
    assert_eq!(s.eval(&format!("{state}.optimizer")), json!("sgd"));
    // Events are re-dispatched on the element.
    s.exec(
        "window.__el = 0; const e = document.getElementById('element'); e.addEventListener('epoch', () => window.__el++);\
         e.scrollIntoView(); e.playground.play();",
        json!([]),
    );
    s.wait_for("window.__el >= 5", LOAD);
    s.screenshot(&artifacts_dir().join("embed-element-1440.png"));
    s.assert_no_console_errors();
}

#[test]
fn the_single_file_build_trains_from_file_url() {
    let file = site_dir().join("backprop-playground.html");
    assert!(
        file.is_file(),
        "no {}: build it with `cargo xtask dist`",
        file.display()
    );
    let browser = Browser::start();
    let s = browser.session(1280, 900);
    e2e::viewport(&s, 1280, 900);
    let path = std::fs::canonicalize(&file).expect("path");
    s.goto(&format!("file://{}#dataset=circles&seed=3", path.display()));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    assert_eq!(s.eval("location.protocol"), json!("file:"));
    // Nothing else is loaded: everything is in the one file.
    assert_eq!(
        s.eval("performance.getEntriesByType('resource').filter((r) => !r.name.startsWith('data:')).length"),
        json!(0)
    );
    s.click("#play");
    s.wait_for("Number(document.body.dataset.epoch) >= 100", LOAD);
    s.click("#play");
    let acc = s
        .eval("window.backprop.run().lastEpoch().train_acc")
        .as_f64()
        .unwrap_or(0.0);
    assert!(acc > 0.8, "train accuracy {acc} after 100 epochs on circles");
    assert_eq!(s.eval("window.backprop.settings().dataset"), json!("circles"));
    s.screenshot(&artifacts_dir().join("single-file-1280.png"));
    s.assert_no_console_errors();
}

#[test]
fn embed_layout_hide_keys_autoplay_and_the_handle_events() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = e2e::open(
        &browser,
        &site,
        "#embed=1&autoplay=1&lr_hide=1&layers_hide=1&curves_hide=1",
        1280,
        900,
    );
    // Autoplay: training without a click.
    s.wait_for("Number(document.body.dataset.epoch) >= 5", LOAD);
    assert_eq!(
        s.eval(
            "[document.getElementById('top').hidden, document.getElementById('ctl-lr').closest('.field').hidden,\
              document.getElementById('layers').hidden, document.getElementById('panel-curves').hidden,\
              document.getElementById('ctl-optimizer').closest('.field').hidden]"
        ),
        json!([true, true, true, true, false])
    );
    s.screenshot(&artifacts_dir().join("embed-compact-1280.png"));
    // `stopped` with its reason, and `diverged`, from the handle.
    s.exec(
        "const h = window.backprop.handle; window.__events = [];\
         for (const t of ['stopped', 'diverged']) h.addEventListener(t, (e) => window.__events.push([t, e.detail.reason ?? e.detail.what]));\
         h.pause(); h.setState({ max_epochs: 20 }); h.reset(); h.play();",
        json!([]),
    );
    s.wait_for("window.__events.length >= 1", LOAD);
    assert_eq!(s.eval("window.__events[0]"), json!(["stopped", "max_epochs"]));
    assert_eq!(s.eval("window.backprop.handle.getState().epoch"), json!(20));
    s.exec(
        "const h = window.backprop.handle; h.setState({ max_epochs: 0, lr: 1000 }); h.reset(); h.play();",
        json!([]),
    );
    s.wait_for("window.__events.length >= 2", LOAD);
    assert_eq!(s.eval("window.__events[1]"), json!(["diverged", "exploded"]));
    assert_eq!(
        s.eval("window.backprop.handle.getState().status"),
        json!("diverged")
    );
    s.assert_no_console_errors();
}
