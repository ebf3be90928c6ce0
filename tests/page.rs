//! The built page in headless Chromium: it loads from a sub-path, draws the
//! moons in both class colours, and "New seed" redraws them.

use std::time::Duration;

use e2e::{Browser, Site, artifacts_dir, site_dir};
use serde_json::json;

const LOAD: Duration = Duration::from_secs(20);

/// Counts canvas pixels within 40 (per channel) of each class colour, plus a
/// hash of all pixels, so a test can see what is drawn and whether it changed.
const PIXELS_JS: &str = r#"
const canvas = document.getElementById(arguments[0]);
const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
const css = getComputedStyle(canvas);
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.trim().slice(i, i + 2), 16));
const classes = [0, 1].map((c) => rgb(css.getPropertyValue(`--class-${c}`)));
const counts = classes.map(() => 0);
let hash = 0;
for (let i = 0; i < data.length; i += 4) {
  hash = (hash * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2] + 17 * data[i + 3]) >>> 0;
  classes.forEach((c, k) => {
    if (Math.abs(data[i] - c[0]) < 40 && Math.abs(data[i + 1] - c[1]) < 40 && Math.abs(data[i + 2] - c[2]) < 40) counts[k]++;
  });
}
return { counts, hash };
"#;

#[test]
fn moons_page_draws_both_classes_and_new_seed_redraws() {
    assert!(
        site_dir().join("index.html").is_file(),
        "no index.html in {}",
        site_dir().display()
    );
    let site = Site::serve(site_dir());
    let browser = Browser::start();
    let s = browser.session(1440, 900);
    s.goto(&site.url(""));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);

    let before = s.exec(PIXELS_JS, json!(["data-canvas"]));
    let counts = before["counts"].as_array().expect("counts");
    for (class, n) in counts.iter().enumerate() {
        // Each of 500 points per class covers ~30 pixels; 1000 is far above noise.
        assert!(
            n.as_u64().unwrap_or(0) > 1000,
            "class {class} colour barely drawn: {before}"
        );
    }
    let seed_before = s.eval("document.getElementById('seed').textContent");
    s.screenshot(&artifacts_dir().join("moons-1440.png"));

    s.click("#new-seed");
    s.wait_for(
        &format!("document.getElementById('seed').textContent !== {seed_before}"),
        LOAD,
    );
    let after = s.exec(PIXELS_JS, json!(["data-canvas"]));
    assert_ne!(
        before["hash"], after["hash"],
        "the canvas did not change after New seed"
    );
    s.assert_no_console_errors();
}
