//! `cargo xtask dist`: the release site in `target/dist`, plus
//! `backprop-playground.html`, one self-contained file (wasm, modules, styles
//! and icon inlined) that works opened straight from disk (`file://`).
//!
//! The page's ES modules are joined into one module script: each module
//! becomes an async function scope evaluated in dependency order, its imports
//! bound from earlier modules' exports. This is not a general bundler; it
//! accepts the forms the page uses, one statement per line, and refuses
//! anything else with the file and line:
//! - `import { a, b as c } from './x.js';`, `import d, * as e from './x.js';`,
//!   `import * as e from './x.js';`, `import d from './x.js';`
//! - `export function|async function|class|const|let NAME …`,
//!   `export { a, b as default };`, `export default NAME;`
//! - `import('./x.js')` anywhere in a line: a module the page loads lazily
//!   is joined like the others, and the call resolves to its exports.
//!
//! The file carries its own Content-Security-Policy, with the inline script
//! and style allowed by their SHA-256 hashes only.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::provision::Tools;
use crate::sh;

pub const SINGLE_FILE: &str = "backprop-playground.html";

pub fn dist(_args: &[String]) -> Result<(), String> {
    let tools = Tools::provision(false)?;
    tools.report();
    let out = sh::root().join("target/dist");
    sh::run(tools.cmd("cargo").args(["fetch", "--locked"]))?;
    sh::run(
        tools
            .cmd("trunk")
            .args(["build", "--release", "--dist"])
            .arg(&out),
    )?;
    let file = single_file(&out)?;
    let size = fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "site: {}\nsingle file: {} ({size} bytes)",
        out.display(),
        file.display()
    );
    Ok(())
}

struct Module {
    name: String,
    /// Lines of the body with imports removed and `export ` stripped.
    body: String,
    /// `(local binding, module it comes from, what: None = the namespace, Some(name) = one export)`.
    imports: Vec<(String, PathBuf, Option<String>)>,
    /// `(exported name, local name)`.
    exports: Vec<(String, String)>,
    /// `(the import() call as written, the module it loads)`.
    lazy: Vec<(String, PathBuf)>,
}

/// Writes `SINGLE_FILE` into `site` (a Trunk release build) and returns its path.
pub fn single_file(site: &Path) -> Result<PathBuf, String> {
    let read = |p: &Path| fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let entry = site.join("js/main.js");
    let mut order = Vec::new();
    let mut modules = HashMap::new();
    load(&entry, &mut modules, &mut order, &mut Vec::new())?;

    let wasm = fs::read(site.join("backprop-wasm_bg.wasm")).map_err(|e| format!("wasm: {e}"))?;
    let css = read(&site.join("style.css"))?;
    let icon = read(&site.join("favicon.svg"))?;

    let mut script = String::new();
    script.push_str("globalThis.__BACKPROP_WASM__ = Uint8Array.from(atob('");
    script.push_str(&base64(&wasm));
    script.push_str("'), (c) => c.charCodeAt(0));\n");
    script.push_str("globalThis.__BACKPROP_CSS__ = ");
    script.push_str(&serde_json::to_string(&css).map_err(|e| e.to_string())?);
    script.push_str(";\n");
    let ids: HashMap<&PathBuf, usize> = order.iter().enumerate().map(|(i, p)| (p, i)).collect();
    for path in &order {
        let m = &modules[path];
        script.push_str(&format!(
            "// ---- {} ----\nconst __m{} = await (async () => {{\n",
            m.name, ids[path]
        ));
        let mut body = m.body.clone();
        for (call, from) in &m.lazy {
            body = body.replace(call, &format!("Promise.resolve(__m{})", ids[from]));
        }
        for (local, from, what) in &m.imports {
            let source = format!("__m{}", ids[from]);
            match what {
                None => script.push_str(&format!("const {local} = {source};\n")),
                Some(name) => script.push_str(&format!("const {local} = {source}.{name};\n")),
            }
        }
        script.push_str(&body);
        let exports: Vec<String> = m.exports.iter().map(|(e, l)| format!("{e}: {l}")).collect();
        script.push_str(&format!("return {{ {} }};\n}})();\n", exports.join(", ")));
    }
    // The script ends inside a <script> element: a literal "</script" would close it.
    if script.to_ascii_lowercase().contains("</script") {
        return Err("a module contains \"</script\", which cannot be inlined".into());
    }
    let style = css.clone();
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{}' 'wasm-unsafe-eval'; style-src 'sha256-{}'; img-src data: blob:; \
         object-src 'none'; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'",
        base64(&sha256(script.as_bytes())),
        base64(&sha256(style.as_bytes())),
    );
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <title>Backprop Playground</title>\n\
         <meta name=\"description\" content=\"Train a neural network in your browser and watch backpropagation learn. One file, no server.\">\n\
         <link rel=\"icon\" href=\"data:image/svg+xml;base64,{}\">\n\
         <style>{style}</style>\n</head>\n<body>\n\
         <div id=\"app\"><noscript>Backprop Playground needs JavaScript and WebAssembly.</noscript></div>\n\
         <script type=\"module\">{script}</script>\n</body>\n</html>\n",
        base64(icon.as_bytes()),
    );
    let out = site.join(SINGLE_FILE);
    fs::write(&out, html).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(out)
}

/// Loads `path` and its imports depth-first; `order` ends in dependency order.
fn load(
    path: &Path,
    modules: &mut HashMap<PathBuf, Module>,
    order: &mut Vec<PathBuf>,
    stack: &mut Vec<PathBuf>,
) -> Result<(), String> {
    let path = fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if modules.contains_key(&path) {
        return Ok(());
    }
    if stack.contains(&path) {
        return Err(format!("circular import through {}", path.display()));
    }
    stack.push(path.clone());
    let m = parse(&path)?;
    for dep in m.imports.iter().map(|i| &i.1).chain(m.lazy.iter().map(|l| &l.1)) {
        load(dep, modules, order, stack)?;
    }
    stack.pop();
    modules.insert(path.clone(), m);
    order.push(path);
    Ok(())
}

fn parse(path: &Path) -> Result<Module, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut m = Module {
        name: name.clone(),
        body: String::new(),
        imports: vec![],
        exports: vec![],
        lazy: vec![],
    };
    for (no, line) in text.lines().enumerate() {
        let at = || format!("{name}:{}", no + 1);
        if line.starts_with("import ") && line.contains(" from '") && line.trim_end().ends_with("';") {
            let (what, from) = line["import ".len()..].rsplit_once(" from '").ok_or_else(at)?;
            let from = dir.join(from.trim_end().trim_end_matches("';"));
            let from = fs::canonicalize(&from).map_err(|e| format!("{}: {}: {e}", at(), from.display()))?;
            for part in split_bindings(what).map_err(|e| format!("{}: {e}", at()))? {
                m.imports.push((part.0, from.clone(), part.1));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("export ") {
            if let Some(list) = rest.strip_prefix('{') {
                let list = list.trim_end().trim_end_matches(';').trim_end_matches('}');
                for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let (local, exported) = item.split_once(" as ").unwrap_or((item, item));
                    m.exports.push((exported.trim().into(), local.trim().into()));
                }
                continue;
            }
            if let Some(local) = rest.strip_prefix("default ") {
                let local = local.trim_end().trim_end_matches(';');
                if !is_ident(local) {
                    return Err(format!("{}: `export default` takes a name here", at()));
                }
                m.exports.push(("default".into(), local.into()));
                continue;
            }
            let decl = ["async function ", "function ", "class ", "const ", "let "]
                .iter()
                .find_map(|k| rest.strip_prefix(k))
                .ok_or_else(|| format!("{}: unsupported export form", at()))?;
            let ident: String = decl
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            if ident.is_empty() {
                return Err(format!("{}: unsupported export form", at()));
            }
            m.exports.push((ident.clone(), ident));
            m.body.push_str(rest);
            m.body.push('\n');
            continue;
        }
        for call in lazy_imports(line) {
            let from = dir.join(&call["import('".len()..call.len() - "')".len()]);
            let from = fs::canonicalize(&from).map_err(|e| format!("{}: {}: {e}", at(), from.display()))?;
            m.lazy.push((call, from));
        }
        m.body.push_str(line);
        m.body.push('\n');
    }
    Ok(m)
}

/// Every `import('./…')` call in `line`, as written.
fn lazy_imports(line: &str) -> Vec<String> {
    let mut calls = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("import('./") {
        let after = &rest[at..];
        match after.find("')") {
            Some(end) => {
                calls.push(after[..end + 2].to_string());
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    calls
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// `a, * as b` / `{ x, y as z }` / `* as b` / `a` → `(local, Some(export) | None for the namespace)`.
fn split_bindings(what: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let what = what.trim();
    let mut out = Vec::new();
    if let Some(list) = what.strip_prefix('{') {
        let list = list.strip_suffix('}').ok_or("unclosed braces")?;
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (exported, local) = item.split_once(" as ").unwrap_or((item, item));
            out.push((local.trim().into(), Some(exported.trim().into())));
        }
        return Ok(out);
    }
    for part in what.split(',').map(str::trim) {
        if let Some(ns) = part.strip_prefix("* as ") {
            out.push((ns.trim().into(), None));
        } else if is_ident(part) {
            out.push((part.into(), Some("default".into())));
        } else {
            return Err(format!("unsupported import {what:?}"));
        }
    }
    Ok(out)
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SHA-256 (FIPS 180-4), for the CSP hashes.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    let mut out = [0u8; 32];
    for (i, word) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_and_base64_match_the_standard_vectors() {
        assert_eq!(
            base64(&sha256(b"")),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(
            base64(&sha256(b"abc")),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(
            base64(&sha256(long)),
            "JI1qYdIGOLjlwCaTDD5gOaM85Flk/yFn9uzt1BnbBsE="
        );
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn import_forms_are_parsed_and_others_refused() {
        assert_eq!(
            split_bindings("{ a, b as c }").unwrap(),
            vec![("a".into(), Some("a".into())), ("c".into(), Some("b".into()))]
        );
        assert_eq!(
            split_bindings("init, * as wasm").unwrap(),
            vec![("init".into(), Some("default".into())), ("wasm".into(), None)]
        );
        assert!(split_bindings("a b").is_err());
    }

    #[test]
    fn lazy_imports_are_found_as_written() {
        assert_eq!(
            lazy_imports(
                "  ['race', () => import('./race.js').then((m) => m.mountRace)], import('./lab.js')"
            ),
            vec![
                "import('./race.js')".to_string(),
                "import('./lab.js')".to_string()
            ]
        );
        assert!(lazy_imports("import { a } from './a.js';").is_empty());
    }
}
