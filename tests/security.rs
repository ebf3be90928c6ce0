//! Hostile input and the page's defences: a strict Content-Security-Policy
//! with Trusted Types (read from every built page, and never violated by a
//! visit that uses every part of the page), XSS payloads through every URL
//! key, and no network traffic after load.

use std::path::{Path, PathBuf};
use std::time::Duration;

use e2e::{Browser, Session, Site, artifacts_dir, open, site_dir};
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

/// Directives whose value is a list of sources.
const SOURCE_LISTS: &[&str] = &[
    "default-src",
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "style-src",
    "style-src-elem",
    "style-src-attr",
    "img-src",
    "connect-src",
    "font-src",
    "object-src",
    "media-src",
    "frame-src",
    "child-src",
    "worker-src",
    "manifest-src",
    "base-uri",
    "form-action",
    "frame-ancestors",
];

/// Schemes that name data the page holds itself (never a server), and where they may appear.
const LOCAL_SCHEMES: &[(&str, &str)] = &[("data:", "img-src"), ("blob:", "img-src")];

/// A policy's directives in order, each with its values (names in lower case).
fn directives(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_ascii_whitespace();
            let name = words.next().unwrap_or_default().to_ascii_lowercase();
            (name, words.map(str::to_string).collect())
        })
        .collect()
}

/// What loosens a Content-Security-Policy: every source that lets in inline
/// code, eval or anything remote, and every directive that is unknown (a typo
/// restricts nothing) or repeated (browsers ignore all but the first).
fn policy_problems(policy: &str) -> Vec<String> {
    let mut problems = vec![];
    let all = directives(policy);
    for (i, (name, values)) in all.iter().enumerate() {
        if all[..i].iter().any(|(n, _)| n == name) {
            problems.push(format!("{name} is given twice"));
            continue;
        }
        match name.as_str() {
            "require-trusted-types-for" if values == &["'script'"] => {}
            "trusted-types" if values == &["'none'"] => {}
            "require-trusted-types-for" | "trusted-types" => {
                problems.push(format!(
                    "{name} {}: expected 'script' and 'none'",
                    values.join(" ")
                ));
            }
            n if SOURCE_LISTS.contains(&n) => {
                if values.is_empty() {
                    problems.push(format!("{name} lists no source (write 'none')"));
                }
                if values.len() > 1 && values.iter().any(|v| v == "'none'") {
                    problems.push(format!("{name}: 'none' among other sources"));
                }
                for v in values {
                    if let Some(why) = source_problem(name, v) {
                        problems.push(format!("{name} {v}: {why}"));
                    }
                }
            }
            _ => problems.push(format!("unknown directive {name}")),
        }
    }
    problems
}

/// The directives a page that runs the playground needs and `policy` lacks
/// (the host pages in `examples/` only frame or load it).
fn missing_directives(policy: &str) -> Vec<String> {
    let all = directives(policy);
    let has = |name: &str| all.iter().any(|(n, _)| n == name);
    let refuses = |name: &str| all.iter().any(|(n, v)| n == name && v == &["'none'"]);
    let mut missing: Vec<String> = [
        "default-src",
        "script-src",
        "style-src",
        "base-uri",
        "require-trusted-types-for",
    ]
    .into_iter()
    .filter(|d| !has(d))
    .map(String::from)
    .collect();
    if !refuses("object-src") && !refuses("default-src") {
        missing.push("object-src 'none'".into());
    }
    missing
}

/// Why one source in directive `name` is too loose, or None when it is fine.
fn source_problem(name: &str, source: &str) -> Option<String> {
    let lower = source.to_ascii_lowercase();
    if let Some(keyword) = lower.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')) {
        return match keyword {
            "self" | "none" => None,
            // Compiling WebAssembly, which the engine needs; it allows no JS eval.
            "wasm-unsafe-eval" if name == "script-src" => None,
            k if ["sha256-", "sha384-", "sha512-"].iter().any(|p| k.starts_with(p)) => {
                let digest = &source[8..source.len() - 1];
                let base64 = digest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
                (!base64 || digest.len() < 44).then(|| "not a base64 digest".into())
            }
            "unsafe-inline" | "unsafe-eval" | "unsafe-hashes" => Some("lets in inline code or eval".into()),
            _ => Some("a keyword this page does not use".into()),
        };
    }
    if lower.ends_with(':') && !lower.contains('/') {
        return match LOCAL_SCHEMES.iter().find(|(scheme, _)| *scheme == lower) {
            Some((_, only_in)) if *only_in == name => None,
            Some((_, only_in)) => Some(format!("allowed only in {only_in}")),
            None => Some("a whole scheme: any server".into()),
        };
    }
    Some("a host: a remote source".into())
}

/// The `content` of the `<meta http-equiv="Content-Security-Policy">` tags in `html`.
fn meta_policies(html: &str) -> Vec<String> {
    let mut out = vec![];
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<meta").map(|i| at + i) {
        let end = lower[start..].find('>').map_or(lower.len(), |i| start + i);
        let tag = &html[start..end];
        let attr = |name: &str| -> Option<String> {
            let tag_lower = tag.to_ascii_lowercase();
            let i = tag_lower.find(&format!(" {name}="))? + name.len() + 2;
            let quote = tag[i..].chars().next()?;
            let value = if quote == '"' || quote == '\'' {
                tag[i + 1..].split(quote).next()?
            } else {
                tag[i..].split_ascii_whitespace().next()?
            };
            Some(
                value
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&apos;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            )
        };
        if attr("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("content-security-policy")) {
            out.push(attr("content").unwrap_or_default());
        }
        at = end;
    }
    out
}

/// Every HTML page under `dir`.
fn html_pages(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(html_pages(&path));
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
    out
}

#[test]
fn every_built_page_has_one_policy_without_inline_code_eval_or_remote_sources() {
    let dir = site_dir();
    let pages = html_pages(&dir);
    for needed in ["index.html", "backprop-playground.html", "examples/index.html"] {
        assert!(
            pages.contains(&dir.join(needed)),
            "{needed} is missing from {}: build with `cargo xtask dist`",
            dir.display()
        );
    }
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        let policies = meta_policies(&html);
        assert_eq!(
            policies.len(),
            1,
            "{}: one policy, got {policies:?}",
            page.display()
        );
        let mut problems = policy_problems(&policies[0]);
        if !page.starts_with(dir.join("examples")) {
            problems.extend(
                missing_directives(&policies[0])
                    .into_iter()
                    .map(|d| format!("no {d}")),
            );
        }
        assert!(
            problems.is_empty(),
            "{}: {problems:#?}\n(policy: {})",
            page.display(),
            policies[0]
        );
    }
}

#[test]
fn the_policy_check_catches_every_loosening() {
    let strict = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
                  object-src 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types 'none'";
    assert_eq!(policy_problems(strict), Vec::<String>::new());
    let hashed = "default-src 'none'; script-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' 'wasm-unsafe-eval'; \
                  style-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='; img-src data: blob:; object-src 'none'; \
                  base-uri 'none'; require-trusted-types-for 'script'; trusted-types 'none'";
    assert_eq!(policy_problems(hashed), Vec::<String>::new());
    let looser = [
        (
            "script-src 'self'",
            "script-src 'self' 'unsafe-inline'",
            "'unsafe-inline'",
        ),
        (
            "script-src 'self'",
            "script-src 'self' 'unsafe-eval'",
            "'unsafe-eval'",
        ),
        (
            "style-src 'self'",
            "style-src 'self' 'UNSAFE-INLINE'",
            "'UNSAFE-INLINE'",
        ),
        (
            "style-src 'self'",
            "style-src 'self' 'unsafe-hashes'",
            "'unsafe-hashes'",
        ),
        ("img-src 'self' data:", "img-src 'self' data: https:", "https:"),
        ("img-src 'self' data:", "img-src 'self' data: http:", "http:"),
        ("default-src 'self'", "default-src *", "*"),
        (
            "default-src 'self'",
            "default-src 'self' cdn.example.com",
            "cdn.example.com",
        ),
        (
            "script-src 'self'",
            "script-src 'self' https://cdn.example.com",
            "https://cdn.example.com",
        ),
        (
            "style-src 'self'",
            "style-src 'self' *.example.com",
            "*.example.com",
        ),
        (
            "script-src 'self'",
            "script-src 'self' data:",
            "data:: allowed only in img-src",
        ),
        (
            "script-src 'self'",
            "script-src 'self' 'sha256-short'",
            "not a base64 digest",
        ),
        (
            "script-src 'self'",
            "script-src 'self' 'strict-dynamic'",
            "'strict-dynamic'",
        ),
        ("trusted-types 'none'", "trusted-types anything", "trusted-types"),
        (
            "require-trusted-types-for 'script'",
            "require-trusted-types-for 'none'",
            "require-trusted-types-for",
        ),
        ("base-uri 'none'", "base-urn 'none'", "unknown directive base-urn"),
        (
            "base-uri 'none'",
            "base-uri 'none'; base-uri *",
            "base-uri is given twice",
        ),
        ("img-src 'self' data:", "img-src 'self' 'none'", "'none' among"),
        ("img-src 'self' data:", "img-src", "lists no source"),
    ];
    for (from, to, named) in looser {
        let policy = strict.replacen(from, to, 1);
        assert_ne!(policy, strict, "{from} is in the strict policy");
        let problems = policy_problems(&policy);
        assert!(
            problems.iter().any(|p| p.contains(named)),
            "{to}: {problems:?} should name {named}"
        );
    }
    // A playground page must also refuse plugins and base URLs and require Trusted Types.
    assert_eq!(missing_directives(strict), Vec::<String>::new());
    assert_eq!(missing_directives(hashed), Vec::<String>::new());
    assert_eq!(
        missing_directives(&strict.replacen("object-src 'none'", "object-src 'self'", 1)),
        vec!["object-src 'none'"]
    );
    assert_eq!(
        missing_directives("default-src 'self'; script-src 'self'; style-src 'self'"),
        vec!["base-uri", "require-trusted-types-for", "object-src 'none'"]
    );
    // The meta tag is read as a browser reads it: any attribute order, quotes and entities.
    let html = r#"<head><META content="script-src 'self' &#39;unsafe-inline&#39;" HTTP-EQUIV="content-security-policy"></head>"#;
    assert_eq!(
        meta_policies(html),
        vec!["script-src 'self' 'unsafe-inline'".to_string()]
    );
    assert_eq!(
        meta_policies("<meta charset=utf-8><meta name=x content=y>"),
        Vec::<String>::new()
    );
}

/// Downloads land in `window.__downloads` (name and size) as well as on disk.
const COUNT_DOWNLOADS_JS: &str = "window.__downloads = [];\
    const click = HTMLAnchorElement.prototype.click;\
    HTMLAnchorElement.prototype.click = function () { if (this.download) window.__downloads.push(this.download); return click.call(this); };";

/// Uses every part of the page: training, every view, the race, the lab's
/// check, every export, a model import, the tour, both languages and drawing
/// points. (The engine's CSV import has no control on the page.) Returns the
/// downloads' names.
fn visit_everything(s: &Session, model_file: &Path) -> Vec<String> {
    s.exec(COUNT_DOWNLOADS_JS, json!([]));
    s.click("#play");
    s.wait_for("Number(document.body.dataset.epoch) >= 50", LOAD);
    s.click("#play");
    for tab in ["walk", "race", "lab", "network", "hidden", "timeline"] {
        s.click(&format!("#tab-{tab}"));
        match tab {
            "walk" => {
                s.click("#walk-random");
                s.click("#walk-next");
            }
            "race" => {
                s.click("#race-start");
                s.wait_for(
                    "Number(document.getElementById('view-race').dataset.epoch) >= 5",
                    LOAD,
                );
                s.click("#race-toggle");
            }
            "lab" => {
                s.click("#gradcheck");
                s.wait_for(
                    "(document.getElementById('view-lab').dataset.gradcheck ?? '') !== ''",
                    LOAD,
                );
            }
            "timeline" => s.set_input("timeline", "0"),
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    for button in [
        "#export-png",
        "#export-curves",
        "#export-history",
        "#export-data",
        "#export-model",
        "#export-pytorch",
        "#export-numpy",
    ] {
        s.click(button);
    }
    s.wait_for("window.__downloads.length === 5", LOAD);
    s.wait_for(
        "document.getElementById('export-code-box').dataset.kind === 'numpy'",
        LOAD,
    );
    let model = s.eval("window.backprop.run().exportModel()");
    std::fs::write(model_file, model.as_str().expect("model text")).expect("write the model");
    s.send_file("#import-model", model_file);
    s.wait_for(
        "document.getElementById('notices').textContent.includes('Model imported at epoch')",
        LOAD,
    );
    s.click("#tour-start");
    s.wait_for("!!document.getElementById('tour')", LOAD);
    s.click("#tour-close");
    s.set_input("lang", "zh");
    s.set_input("lang", "en");
    // Hand-drawn points on the custom dataset.
    s.click("#data-custom");
    s.click_at("#plot", 0, 0, None);
    s.click_at("#plot", 40, -40, Some("\u{E008}"));
    s.wait_for("window.backprop.run().len() === 2", LOAD);
    std::thread::sleep(Duration::from_millis(300));
    serde_json::from_value(s.eval("window.__downloads")).expect("names")
}

/// Opens the page at `url` with downloads going to `target/e2e/downloads`.
fn open_for_visit(browser: &Browser, url: &str) -> Session {
    let downloads = artifacts_dir().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads folder");
    let s = browser.session(1440, 1000);
    e2e::viewport(&s, 1440, 1000);
    s.cdp(
        "Browser.setDownloadBehavior",
        json!({ "behavior": "allow", "downloadPath": downloads.to_string_lossy() }),
    );
    s.goto(url);
    s.wait_for("document.body.dataset.ready === 'true'", LOAD);
    assert_eq!(
        s.eval("Array.isArray(window.__csp)"),
        json!(true),
        "the violation recorder runs before the page"
    );
    s
}

/// No violation was recorded, and the recorder is alive: a deliberate one is caught.
fn assert_no_violation(s: &Session, what: &str) {
    assert_eq!(
        s.eval("window.__csp"),
        json!([]),
        "{what}: Content-Security-Policy violations"
    );
    s.assert_no_console_errors();
    s.exec(
        "document.body.setAttribute('style', 'outline: 1px solid red')",
        json!([]),
    );
    s.wait_for("window.__csp.length > 0", LOAD);
}

#[test]
fn a_visit_through_every_view_export_and_import_violates_no_policy() {
    let (site, browser) = (Site::serve(site_dir()), Browser::start());
    let s = open_for_visit(&browser, &site.url(""));
    let names = visit_everything(&s, &artifacts_dir().join("csp-visit-model.json"));
    assert_eq!(names.len(), 5, "five downloads: {names:?}");
    assert_no_violation(&s, "the site");

    // The single file, from disk, with its own hash-based policy.
    let file = std::fs::canonicalize(site_dir().join("backprop-playground.html")).expect("the single file");
    let s = open_for_visit(&browser, &format!("file://{}", file.display()));
    let names = visit_everything(&s, &artifacts_dir().join("csp-visit-model-file.json"));
    assert_eq!(names.len(), 5, "five downloads: {names:?}");
    assert_no_violation(&s, "the single file");
}
