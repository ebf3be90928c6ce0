//! The whole UI in English and 简体中文: every message exists in both tables,
//! a Chinese page shows no English UI text, the switch relabels in place, and
//! the page's modules hold no UI text outside the message tables.

use std::time::Duration;

use e2e::{Browser, Site, artifacts_dir, open, root, site_dir};
use serde_json::{Value, json};

const LOAD: Duration = Duration::from_secs(30);

/// Words that are the same in both languages: names, symbols and code.
const SAME_IN_BOTH: &[&str] = &[
    "ReLU",
    "Leaky",
    "GELU",
    "Sigmoid",
    "sigmoid",
    "tanh",
    "softmax",
    "Xavier",
    "LeCun",
    "Momentum",
    "Nesterov",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adagrad",
    "English",
    "PyTorch",
    "NumPy",
    "JSON",
    "make_moons",
    "noise",
    "random_state",
    "onehot",
];

/// Visible text under `.bp-app` (text nodes, aria-labels, titles, option text), minus code and formulas.
const VISIBLE_TEXT_JS: &str = "const out = [];\
    const skip = (n) => n.closest('code, .mono, math, textarea, [hidden], script, style');\
    const app = document.querySelector('.bp-app');\
    const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);\
    for (let n = walker.nextNode(); n; n = walker.nextNode()) { if (!skip(n.parentElement)) out.push(n.textContent); }\
    for (const e of app.querySelectorAll('[aria-label], [title]')) { if (!skip(e)) out.push(e.getAttribute('aria-label') ?? '', e.getAttribute('title') ?? ''); }\
    return out;";

fn english_words(texts: &Value) -> Vec<String> {
    let mut found = vec![];
    for t in texts.as_array().into_iter().flatten().filter_map(Value::as_str) {
        for word in t.split(|c: char| !(c.is_ascii_alphabetic() || c == '_')) {
            if word.len() >= 4 && !SAME_IN_BOTH.contains(&word) && !found.contains(&word.to_string()) {
                found.push(word.to_string());
            }
        }
    }
    found
}

#[test]
fn the_chinese_page_has_no_english_ui_text_and_the_switch_relabels() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open(&browser, &site, "#lang=zh", 1440, 1000);
    s.click("#step-epoch"); // fill the counters, stats and charts
    s.click("#walk-random");
    s.click("#tab-lab");
    s.click("#gradcheck");
    for tab in ["race", "network", "hidden", "timeline", "walk"] {
        s.click(&format!("#tab-{tab}"));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(s.eval("document.querySelector('.bp-app').lang"), json!("zh-CN"));
    let words = english_words(&s.exec(VISIBLE_TEXT_JS, json!([])));
    assert!(words.is_empty(), "English on the Chinese page: {words:?}");
    s.screenshot(&artifacts_dir().join("page-1440-zh.png"));

    // Switch to English with the language menu: the labels change in place.
    s.set_input("lang", "en");
    s.wait_for("document.getElementById('play').textContent === 'Play'", LOAD);
    assert_eq!(
        s.eval("document.getElementById('view-title').textContent"),
        json!("Decision boundary")
    );
    assert_eq!(s.eval("location.hash.includes('lang=en')"), json!(true));
    // And back: every labelled node shows its Chinese message.
    s.set_input("lang", "zh");
    s.wait_for("document.getElementById('play').textContent === '播放'", LOAD);
    let tables = s.exec_async(
        "const done = arguments[arguments.length - 1];\
         import(new URL('js/i18n.js', document.baseURI)).then((m) => done(m.STRINGS.zh));",
        json!([]),
    );
    let stale = s.exec(
        "const zh = arguments[0]; return Array.from(document.querySelectorAll('[data-i18n]')).filter((n) => n.textContent !== zh[n.dataset.i18n]).map((n) => n.dataset.i18n);",
        json!([tables]),
    );
    assert_eq!(stale, json!([]));
    assert_eq!(
        english_words(&s.exec(VISIBLE_TEXT_JS, json!([]))),
        Vec::<String>::new()
    );
    s.assert_no_console_errors();
}

#[test]
fn numbers_follow_the_locale_and_the_browser_language_is_the_default() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    // A Chinese browser without lang= gets Chinese.
    let s = browser.session_with(1280, 900, &["--lang=zh-CN", "--accept-lang=zh-CN,zh"]);
    e2e::viewport(&s, 1280, 900);
    s.goto(&site.url(""));
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    assert_eq!(
        s.eval("document.getElementById('play').textContent"),
        json!("播放")
    );
    assert_eq!(
        s.eval("location.hash"),
        json!(""),
        "the default language is not written into the link"
    );
    let formatted = s.exec_async(
        "const done = arguments[arguments.length - 1];\
         import(new URL('js/i18n.js', document.baseURI)).then((m) => done([m.pct('en', 0.975), m.pct('zh', 0.975), m.num('en', 12345.5, 1), m.num('zh', 12345.5, 1)]));",
        json!([]),
    );
    assert_eq!(formatted, json!(["97.5%", "97.5%", "12,345.5", "12,345.5"]));
    s.assert_no_console_errors();
}

/// The page's modules put no UI text on screen except through the message tables.
#[test]
fn no_ui_text_outside_the_message_tables() {
    let dir = root().join("web/js");
    let sinks = [
        "text: '",
        "text: `",
        "textContent = '",
        "textContent = `",
        "'aria-label': '",
        "title: '",
        "setAttribute('aria-label', '",
        "notice('",
        "notice(`",
    ];
    let allowed = [
        "'English'",
        "'中文'",
        "'简体中文'",
        "'✎'",
        "'×'",
        "'−'",
        "'+'",
        "'–'",
        "'ŷ'",
        "'y'",
        "'L'",
        "'δ = ŷ − y'",
    ];
    let mut found = vec![];
    // The modules in web/js and in its folders (a view's own modules, e.g. web/js/walk).
    let mut files = vec![];
    let mut dirs = vec![dir];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("a folder of web/js") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        // The tables themselves, and the generated Python (its text is code, not UI).
        if name == "i18n.js" || name == "i18n-zh.js" || name == "codegen.js" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for (no, line) in text.lines().enumerate() {
            if line.contains("// formula, not prose") {
                continue;
            }
            for sink in sinks {
                let mut rest = line;
                while let Some(at) = rest.find(sink) {
                    let literal = &rest[at + sink.len() - 1..];
                    let quote = literal.chars().next().unwrap_or('\'');
                    let end = literal[1..].find(quote).map_or(literal.len(), |e| e + 2);
                    let lit = &literal[..end];
                    let letters = lit.chars().filter(char::is_ascii_alphabetic).count();
                    // A message key (one identifier-like word) is how text should get there.
                    let key = lit.len() > 2 && !lit[1..lit.len() - 1].contains(char::is_whitespace);
                    if letters >= 2 && !key && !allowed.contains(&lit) && !lit.starts_with("`${") {
                        found.push(format!("{name}:{}: {lit}", no + 1));
                    }
                    rest = &rest[at + sink.len()..];
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "UI text outside the message tables:\n{}",
        found.join("\n")
    );
}
