//! The bug hunt in headless Chromium, solved end to end from a link: train
//! the hunt, run the gradient check, guess wrong, guess right from what the
//! check flags, reveal the buggy and the correct line; in English and
//! Chinese, on a desktop and a phone, light and dark (screenshots in
//! `target/e2e/bughunt-*.png`).

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
use serde_json::json;

/// The link's hunt: seed 2 hides a flipped update in the third layer
/// (`Hunt::from_seed(2)`), a bug that stays in its layer, so the check
/// flags that layer alone.
const SEED: &str = "2";
const BUG_KIND: &str = "flipped_update";
const BUG_LAYER: &str = "2";
/// A wrong guess: neither that kind nor that layer.
const WRONG: (&str, &str) = ("summed_batch", "0");

/// Words of four or more Latin letters the view shows (text, option
/// labels, aria-labels), formulas and code aside.
const ENGLISH_WORDS_JS: &str = "const out = new Set(); const view = document.getElementById('view-bughunt');\
    const skip = (n) => n.closest('code, .mono, [hidden]');\
    const add = (t) => { for (const w of (t ?? '').split(/[^A-Za-z_]+/)) if (w.length >= 4) out.add(w); };\
    const walker = document.createTreeWalker(view, NodeFilter.SHOW_TEXT);\
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!skip(n.parentElement)) add(n.textContent);\
    for (const e of view.querySelectorAll('[aria-label]')) if (!skip(e)) add(e.getAttribute('aria-label'));\
    return [...out];";

fn data(s: &Session, key: &str) -> String {
    s.eval(&format!(
        "document.getElementById('view-bughunt').dataset.{key} ?? ''"
    ))
    .as_str()
    .unwrap_or("")
    .to_string()
}

fn text(s: &Session, id: &str) -> String {
    s.eval(&format!("document.getElementById('{id}').textContent"))
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn guess(s: &Session, kind: &str, layer: &str) {
    s.set_input("bughunt-kind", kind);
    s.set_input("bughunt-layer", layer);
    s.click("#bughunt-guess");
}

/// Saves the view's top and its end (the reveal) in light and dark as
/// `bughunt-<name>-<top|end>-<scheme>.png`.
fn shots(s: &Session, name: &str) {
    for dark in [false, true] {
        let scheme = if dark { "dark" } else { "light" };
        s.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
        for (part, script) in [
            (
                "top",
                "document.getElementById('tab-bughunt').scrollIntoView({ block: 'start' });",
            ),
            (
                "end",
                "document.getElementById('bughunt-answer').scrollIntoView({ block: 'end' });",
            ),
        ] {
            s.exec(script, json!([]));
            s.screenshot(&artifacts_dir().join(format!("bughunt-{name}-{part}-{scheme}.png")));
        }
    }
    s.cdp("Emulation.setEmulatedMedia", json!({ "features": [] }));
}

/// Solves the hunt in `lang`, expecting these texts: the grade of a wrong
/// guess, of the right one, and the start of the reveal's title.
fn solve(s: &Session, wrong_grade: &str, right_grade: &str, answer: &str) {
    s.click("#tab-bughunt");
    s.wait_for(
        "document.getElementById('view-bughunt').dataset.seed === '2'",
        std::time::Duration::from_secs(20),
    );
    s.click("#bughunt-train");
    assert_eq!(data(s, "epoch"), "150");
    s.click("#bughunt-check");
    // The check flags the bugged layer, and only it.
    assert_eq!(data(s, "flagged"), BUG_LAYER);
    assert_eq!(data(s, "verdicts"), "good,good,wrong,good");
    s.click("#bughunt-compare");
    assert_eq!(
        s.eval("document.querySelectorAll('#bughunt-compare-table tr').length"),
        json!(5)
    );

    guess(s, WRONG.0, WRONG.1);
    assert_eq!(data(s, "grade"), "bhWrong");
    assert_eq!(text(s, "bughunt-grade"), wrong_grade);
    assert!(s.eval("document.getElementById('bughunt-answer').hidden") == json!(true));

    let flagged = data(s, "flagged");
    // Half right is not right: the layer alone earns a hint.
    guess(s, WRONG.0, &flagged);
    assert_eq!(data(s, "grade"), "bhLayerOnly");
    guess(s, BUG_KIND, &flagged);
    assert_eq!(data(s, "grade"), "bhRight");
    assert_eq!(text(s, "bughunt-grade"), right_grade);

    s.click("#bughunt-reveal");
    let title = text(s, "bughunt-answer-title");
    assert!(title.starts_with(answer), "{title}");
    assert_eq!(
        s.eval("document.querySelector('#bughunt-buggy code').textContent"),
        json!("W₃ ← W₃ + η·dW₃")
    );
    assert_eq!(
        s.eval("document.querySelector('#bughunt-correct code').textContent"),
        json!("W₃ ← W₃ − η·dW₃")
    );
    assert!(!text(s, "bughunt-why").is_empty());
}

#[test]
fn a_seeded_hunt_is_solved_in_english_and_chinese_on_a_desktop_and_a_phone() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let cases = [
        ("", 1440, 900, "en-desktop"),
        ("", 390, 844, "en-phone"),
        ("&lang=zh", 1440, 900, "zh-desktop"),
        ("&lang=zh", 390, 844, "zh-phone"),
    ];
    for (lang, width, height, name) in cases {
        let s = open(&browser, &site, &format!("#bug_seed={SEED}{lang}"), width, height);
        if lang.is_empty() {
            solve(
                &s,
                "Not this one: neither the layer nor the mistake. Check the gradient again.",
                "Right: that is the bug. Reveal it to see the line.",
                "The bug: update sign flipped in layer 3.",
            );
        } else {
            solve(
                &s,
                "不是这个：层和错误类型都不对。再看看梯度检验。",
                "对了：就是这个 bug。揭晓答案看那一行。",
                "bug 是：第 3 层的“更新的符号反了”。",
            );
            let words = s.exec(ENGLISH_WORDS_JS, json!([]));
            assert_eq!(words, json!([]), "{name}: English in the Chinese view");
        }
        // Nothing is wider than the screen.
        let wide = s.eval("document.documentElement.scrollWidth");
        assert!(
            wide.as_u64().is_some_and(|w| w <= u64::from(width)),
            "{name}: {wide} px wide"
        );
        shots(&s, name);
        s.assert_no_console_errors();
    }
}

#[test]
fn a_random_hunt_writes_its_seed_into_the_link_and_a_bad_seed_is_named() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "", 1280, 900);
    s.click("#tab-bughunt");
    s.click("#bughunt-random");
    let seed = data(&s, "seed");
    assert!(seed.parse::<u64>().is_ok_and(|n| n < 1_000_000), "{seed}");
    let hash = s.eval("location.hash");
    assert!(
        hash.as_str()
            .is_some_and(|h| h.contains(&format!("bug_seed={seed}"))),
        "{hash}"
    );
    s.set_input("bughunt-seed", "1.5");
    s.click("#bughunt-start");
    assert_eq!(data(&s, "seed"), seed, "a bad seed keeps the hunt");
    let status = text(&s, "bughunt-status");
    assert!(status.contains("bug_seed") && status.contains("1.5"), "{status}");
    s.assert_no_console_errors();
}
