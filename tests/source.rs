//! The page's modules, read as text (no browser): every function fits in a
//! screenful or two, and only the run's API (`web/js/runapi.js`) changes the
//! live run, so a view reads the run and asks for changes in one documented way.
//!
//! The reader is deliberately small: comments, strings, template text and
//! regular expressions are blanked, so the braces and parentheses left are
//! the code's own; a `{` that follows `=>`, or a parameter list that is not
//! an `if`/`for`/`while`/`switch`/`catch`, opens a function body.

use e2e::root;

/// The longest a function may be, in lines from its opening brace to its
/// closing one: longer ones hold several jobs and are split into named parts.
const MAX_FUNCTION_LINES: usize = 150;

/// The wasm `Playground`'s methods that change the run (training, its
/// parameters, its data, its settings).
const MUTATING: &[&str] = &[
    "setParam",
    "stepOnSample",
    "stepEpochs",
    "stepBatches",
    "stepFor",
    "reset",
    "newSeed",
    "setConfig",
    "applySettings",
    "importCsv",
    "addPoint",
    "removeNearest",
    "jumpRun",
];

/// The only module that calls them on the run.
const RUN_API: &str = "runapi.js";

/// Receivers a module may call a method of that name on: the run's API itself
/// (`ctx` in views, `api` in the page), the race view's own `Race` and the
/// bug hunt's own `BugHunt`.
const ALLOWED_RECEIVERS: &[(&str, &str)] = &[
    ("*", "ctx"),
    ("*", "api"),
    ("race.js", "race"),
    ("bughunt.js", "bugHunt"),
];

/// Every module in `web/js`, as `(file name, text)`, sorted by name.
fn modules() -> Vec<(String, String)> {
    let dir = root().join("web/js");
    let mut out = vec![];
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "js") {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((name, text));
        }
    }
    out.sort();
    assert!(
        out.len() >= 20,
        "expected the page's modules in {}, found {}",
        dir.display(),
        out.len()
    );
    out
}

/// Whether a `/` after `before` (the code so far) starts a regular expression
/// rather than a division: it does after an operator, an opening bracket, the
/// start, or a keyword such as `return`.
fn starts_regex(before: &[char]) -> bool {
    let mut i = before.len();
    while i > 0 && before[i - 1].is_whitespace() {
        i -= 1;
    }
    if i == 0 {
        return true;
    }
    let last = before[i - 1];
    if last.is_alphanumeric() || last == '_' || last == '$' {
        let end = i;
        while i > 0 && (before[i - 1].is_alphanumeric() || before[i - 1] == '_' || before[i - 1] == '$') {
            i -= 1;
        }
        let word: String = before[i..end].iter().collect();
        return ["return", "typeof", "case", "in", "of", "void", "delete"].contains(&word.as_str());
    }
    !matches!(last, ')' | ']' | '}' | '\'' | '"' | '`' | '.')
}

/// `text` with every comment, string, template text and regular expression
/// replaced by spaces (newlines kept, so line numbers hold). The code inside
/// a template's `${…}` stays.
fn code_only(text: &str) -> Vec<char> {
    let src: Vec<char> = text.chars().collect();
    let mut out = src.clone();
    // What encloses the position: code (with its open braces) or a template's text.
    enum Within {
        Code(usize),
        Template,
    }
    let mut stack = vec![Within::Code(0)];
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in out.iter_mut().take(to.min(src.len())).skip(from) {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let at = |i: usize| src.get(i).copied().unwrap_or('\0');
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        if matches!(stack.last(), Some(Within::Template)) {
            match c {
                '\\' => blank(&mut out, i, i + 2),
                '`' => {
                    blank(&mut out, i, i + 1);
                    stack.pop();
                }
                '$' if at(i + 1) == '{' => {
                    blank(&mut out, i, i + 2);
                    stack.push(Within::Code(0));
                    i += 2;
                    continue;
                }
                _ => blank(&mut out, i, i + 1),
            }
            i += if c == '\\' { 2 } else { 1 };
            continue;
        }
        let start = i;
        match c {
            '/' if at(i + 1) == '/' => {
                while i < src.len() && src[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                i += 2;
                while i < src.len() && !(src[i] == '*' && at(i + 1) == '/') {
                    i += 1;
                }
                i += 2;
            }
            '\'' | '"' => {
                i += 1;
                while i < src.len() && src[i] != c && src[i] != '\n' {
                    i += if src[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            '`' => {
                stack.push(Within::Template);
                i += 1;
            }
            '/' if starts_regex(&out[..i]) => {
                i += 1;
                let mut class = false;
                while i < src.len() && src[i] != '\n' && (class || src[i] != '/') {
                    match src[i] {
                        '\\' => i += 1,
                        '[' => class = true,
                        ']' => class = false,
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
                while i < src.len() && src[i].is_ascii_alphabetic() {
                    i += 1;
                }
            }
            '{' => {
                if let Some(Within::Code(open)) = stack.last_mut() {
                    *open += 1;
                }
                i += 1;
                continue;
            }
            '}' => {
                let nested = stack.len() > 1;
                match stack.last_mut() {
                    Some(Within::Code(0)) if nested => {
                        // The end of a template's `${…}`: back to its text.
                        blank(&mut out, i, i + 1);
                        stack.pop();
                    }
                    Some(Within::Code(open)) => *open = open.saturating_sub(1),
                    _ => {}
                }
                i += 1;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        }
        // Keep the quotes of a string and the slashes of a regex: the code reads as a value there.
        blank(&mut out, start, i);
        if matches!(c, '\'' | '"') {
            out[start] = c;
            if i - 1 > start && i - 1 < out.len() {
                out[i - 1] = c;
            }
        }
    }
    out
}

/// One function body: its name (or how it was written), its first line and its length in lines.
#[derive(Debug)]
struct Function {
    name: String,
    line: usize,
    lines: usize,
}

/// The identifier that ends just before `end` in `code` (whitespace skipped).
fn word_before(code: &[char], end: usize) -> String {
    let mut i = end;
    while i > 0 && code[i - 1].is_whitespace() {
        i -= 1;
    }
    let stop = i;
    while i > 0 && (code[i - 1].is_alphanumeric() || code[i - 1] == '_' || code[i - 1] == '$') {
        i -= 1;
    }
    code[i..stop].iter().collect()
}

/// Every function body in `code` (from `code_only`), outer ones included whole.
fn functions(code: &[char]) -> Vec<Function> {
    let line_of = |i: usize| code[..i].iter().filter(|&&c| c == '\n').count() + 1;
    let mut out = vec![];
    for (open, _) in code.iter().enumerate().filter(|(_, c)| **c == '{') {
        let mut j = open;
        while j > 0 && code[j - 1].is_whitespace() {
            j -= 1;
        }
        if j == 0 {
            continue;
        }
        let name = if j >= 2 && code[j - 1] == '>' && code[j - 2] == '=' {
            "an arrow function".to_string()
        } else if code[j - 1] == ')' {
            // Back to the parameter list's `(`, then the word before it.
            let mut depth = 0usize;
            let mut k = j;
            while k > 0 {
                k -= 1;
                match code[k] {
                    ')' => depth += 1,
                    '(' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let word = word_before(code, k);
            if word.is_empty() || ["if", "for", "while", "switch", "catch", "with"].contains(&word.as_str()) {
                continue;
            }
            if word == "function" {
                "an anonymous function".to_string()
            } else {
                word
            }
        } else {
            continue;
        };
        let mut depth = 0usize;
        let mut close = open;
        for (k, c) in code.iter().enumerate().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = k;
                        break;
                    }
                }
                _ => {}
            }
        }
        assert!(
            close > open,
            "an unclosed function body `{name}` at line {}",
            line_of(open)
        );
        out.push(Function {
            name,
            line: line_of(open),
            lines: line_of(close) - line_of(open) + 1,
        });
    }
    out
}

#[test]
fn the_reader_sees_code_only_and_finds_every_kind_of_function() {
    let text = "\
const s = '{ not code'; // a comment {
const t = `text { ${a ? '}' : `${b}`} more }`;
const r = /\\{(\\w+)\\}/g;
const half = x / 2 / y;
function named(a) {
  if (a) { return 1; }
  for (const k of a) { go(k); }
  try { x(); } catch (e) { y(); }
}
const arrow = (v) => { return v; };
const o = { method(x) { return x; }, async other() { await x; } };
";
    let code = code_only(text);
    let kept: String = code.iter().collect();
    assert_eq!(kept.lines().count(), text.lines().count(), "{kept}");
    assert!(
        !kept.contains("not code") && !kept.contains("comment") && !kept.contains("more"),
        "{kept}"
    );
    assert!(!kept.contains("${") && kept.contains("a ?"), "{kept}");
    assert!(kept.contains("x / 2 / y"), "a division is not a regex: {kept}");
    let found: Vec<(String, usize, usize)> = functions(&code)
        .into_iter()
        .map(|f| (f.name, f.line, f.lines))
        .collect();
    assert_eq!(
        found,
        [
            ("named".to_string(), 5, 5),
            ("an arrow function".to_string(), 10, 1),
            ("method".to_string(), 11, 1),
            ("other".to_string(), 11, 1),
        ]
    );
}

#[test]
fn the_reader_measures_a_long_function_from_brace_to_brace() {
    let body = "  step();\n".repeat(MAX_FUNCTION_LINES - 1);
    let text = format!("export function long() {{\n{body}}}\n");
    let found = functions(&code_only(&text));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].lines, MAX_FUNCTION_LINES + 1);
}

#[test]
fn no_function_in_the_pages_modules_is_longer_than_150_lines() {
    let mut seen = 0;
    let mut named = vec![];
    let mut long = vec![];
    for (file, text) in modules() {
        for f in functions(&code_only(&text)) {
            seen += 1;
            named.push(format!("{file}:{}", f.name));
            if f.lines > MAX_FUNCTION_LINES {
                long.push(format!("{file}:{}: {} is {} lines", f.line, f.name, f.lines));
            }
        }
    }
    // The reader found the page's functions: a scan that sees none cannot pass.
    assert!(seen > 200, "only {seen} functions found");
    for known in [
        "app.js:mount",
        "views.js:mountViews",
        "walkthrough.js:mountWalkthrough",
    ] {
        assert!(named.iter().any(|n| n == known), "{known} not found");
    }
    assert!(
        long.is_empty(),
        "functions longer than {MAX_FUNCTION_LINES} lines (split them into named parts):\n{}",
        long.join("\n")
    );
}

#[test]
fn only_the_run_api_calls_a_mutating_method_of_the_run() {
    let mut calls = 0;
    let mut found = vec![];
    for (file, text) in modules() {
        if file == RUN_API {
            continue;
        }
        let code: String = code_only(&text).into_iter().collect();
        for (no, line) in code.lines().enumerate() {
            for name in MUTATING {
                let call = format!(".{name}(");
                for (at, _) in line.match_indices(&call) {
                    calls += 1;
                    let before: Vec<char> = line[..at].trim_end_matches('?').chars().collect();
                    let receiver = word_before(&before, before.len());
                    let allowed = ALLOWED_RECEIVERS
                        .iter()
                        .any(|&(f, r)| (f == "*" || f == file) && r == receiver && !receiver.is_empty());
                    if !allowed {
                        let shown = if receiver.is_empty() {
                            "(an expression)"
                        } else {
                            receiver.as_str()
                        };
                        found.push(format!("{file}:{}: {shown}.{name}(…)", no + 1));
                    }
                }
            }
        }
    }
    // The page does ask for changes (through the API): a scan that sees no call cannot pass.
    assert!(calls >= 5, "only {calls} calls of those names found");
    assert!(
        found.is_empty(),
        "the run changed outside {RUN_API} (ask the run's API instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_views_read_only_run_offers_no_mutating_method() {
    let path = root().join("web/js").join(RUN_API);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = text
        .find("const READS = [")
        .expect("runapi.js lists the run's reading methods in `const READS = [`");
    let list = &text[start..start + text[start..].find("];").expect("the end of READS")];
    let reads: Vec<&str> = list.split('\'').skip(1).step_by(2).collect();
    assert!(reads.len() >= 20, "{reads:?}");
    let offered: Vec<&&str> = reads.iter().filter(|r| MUTATING.contains(r)).collect();
    assert!(offered.is_empty(), "READS offers mutating methods: {offered:?}");
}
