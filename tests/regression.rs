//! Regression and CSV import in the built page: a 2-D and a 1-D regression
//! run train to a test R² of at least 0.9 and show it, and a CSV dropped on
//! the plot becomes the `custom` data set, while a bad one is refused with
//! its line and column and leaves the points as they were. Each state is
//! saved as a screenshot in `target/e2e/`, desktop and phone.

use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir, viewport};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(120);
/// The bar for a regression that learned its function.
const GOOD_FIT: f64 = 0.9;

/// Plays the run until its stop (the link's `max_epochs`) and returns the last epoch's figures.
fn train_to_stop(s: &Session) -> Value {
    s.click("#play");
    s.wait_for(
        "document.body.dataset.playing === 'false' && window.backprop.run().epoch > 0",
        LOAD,
    );
    s.eval("window.backprop.run().lastEpoch()")
}

fn shots(s: &Session, name: &str) {
    s.screenshot(&artifacts_dir().join(format!("regression-{name}-1440.png")));
    viewport(s, 390, 844);
    s.exec_async(
        "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
        json!([]),
    );
    s.screenshot(&artifacts_dir().join(format!("regression-{name}-390.png")));
    viewport(s, 1440, 900);
}

#[test]
fn a_2d_and_a_1d_regression_train_to_an_r2_of_0_9_and_show_it() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    for (name, link) in [
        ("plane", "#dataset=reg_plane&max_epochs=400&speed=0"),
        ("sine", "#dataset=sine&max_epochs=800&speed=0"),
    ] {
        let s = open(&browser, &site, link, 1440, 900);
        let e = train_to_stop(&s);
        let r2 = e["test_r2"]
            .as_f64()
            .unwrap_or_else(|| panic!("{name}: no test R² in {e}"));
        assert!(r2 >= GOOD_FIT, "{name}: test R² {r2}");
        let shown = s.eval("document.getElementById('test-acc').textContent");
        assert!(
            shown.as_str().is_some_and(|t| t.starts_with("R² 0.9")),
            "{name}: {shown}"
        );
        let curve = name == "sine";
        assert_eq!(s.eval("window.backprop.run().isCurve()"), json!(curve), "{name}");
        shots(&s, name);
        s.assert_no_console_errors();
    }
}

/// Drops a file named `name` holding `text` on the plot, as a drag from the desktop does.
fn drop_csv(s: &Session, name: &str, text: &str) {
    s.exec(
        "const dt = new DataTransfer(); dt.items.add(new File([arguments[1]], arguments[0], { type: 'text/csv' }));\
         const plot = document.getElementById('plot');\
         plot.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));\
         plot.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
        json!([name, text]),
    );
}

#[test]
fn a_csv_dropped_on_the_plot_becomes_the_custom_data_and_a_bad_one_changes_nothing() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#dataset=moons", 1440, 900);
    // 60 points of a curve, with a header and every fifth one held out.
    let mut csv = String::from("x,value,split\n");
    for i in 0..60 {
        let x = -2.0 + 4.0 * f64::from(i) / 59.0;
        let split = if i % 5 == 4 { "test" } else { "train" };
        csv.push_str(&format!("{x},{},{split}\n", x * x - 1.0));
    }
    drop_csv(&s, "curve.csv", &csv);
    s.wait_for("window.backprop.run().len() === 60", LOAD);
    assert_eq!(s.eval("window.backprop.run().isCurve()"), json!(true));
    let hash = s.eval("location.hash");
    let hash = hash.as_str().unwrap_or_default();
    assert!(
        hash.contains("dataset=custom") && hash.contains("custom=curve"),
        "{hash}"
    );
    assert_eq!(
        s.eval("window.backprop.run().exportCsv()"),
        json!(csv),
        "the points export as they were dropped"
    );
    let e = train_to_stop_after(&s, 300);
    assert!(e["train_r2"].as_f64().is_some(), "{e}");
    shots(&s, "dropped");

    drop_csv(&s, "bad.csv", "x,value\n0,1\n1,oops\n");
    s.wait_for(
        "document.getElementById('notices').textContent.includes('column')",
        LOAD,
    );
    let said = s.eval("document.getElementById('notices').textContent");
    assert!(
        said.as_str()
            .is_some_and(|t| t.contains("data.csv line 3, column 2 (value)")),
        "{said}"
    );
    assert_eq!(
        s.eval("window.backprop.run().len()"),
        json!(60),
        "nothing half-imported"
    );
    assert_eq!(s.eval("window.backprop.run().exportCsv()"), json!(csv));
}

/// Sets a stop at `epochs` and trains to it.
fn train_to_stop_after(s: &Session, epochs: u32) -> Value {
    s.exec(
        "window.backprop.handle.setState({ max_epochs: arguments[0], speed: 0 });",
        json!([epochs]),
    );
    train_to_stop(s)
}
