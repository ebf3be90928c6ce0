//! The page's load time: how long after navigation the first decision
//! boundary is drawn, read from the page's own `first-boundary` mark.
//!
//! The release site is served from a loopback server that compresses as
//! static hosts do (gzip for text, scripts, styles, wasm, JSON and SVG when
//! the browser accepts it, with the right `Content-Type`, so the wasm
//! compiles while it streams in). Each load is a fresh headless Chromium
//! profile, so the cache is empty. Loads run twice: unthrottled, and under
//! Chromium's "Fast 3G" network emulation. Requests and bytes come from the
//! page's Resource Timing entries (each `transferSize`, headers included) and
//! its navigation entry.
//!
//! `cargo xtask bench` reports the built site; `cargo xtask bench-load
//! [--runs N] [--waterfall] [SITE…]` measures one or more built sites with
//! their loads interleaved, so two builds are compared in the same
//! conditions.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::provision::Tools;
use crate::sh;

/// The budgets: the first boundary after navigation, in ms.
pub const LOCAL_BUDGET_MS: f64 = 300.0;
pub const FAST_3G_BUDGET_MS: f64 = 2000.0;

/// Chromium DevTools' "Fast 3G": 1.6 Mbit/s down, 750 kbit/s up, 150 ms
/// latency. CDP takes throughputs in bytes per second.
const FAST_3G: Network = Network {
    name: "Fast 3G",
    latency_ms: 150.0,
    down_bytes_per_s: 1_600_000.0 / 8.0,
    up_bytes_per_s: 750_000.0 / 8.0,
};

/// The window the page loads in (a laptop's).
const WINDOW: (u32, u32) = (1280, 900);

/// How long one load may take before the run is called broken: a throttled
/// load takes a few seconds; a busy machine may triple that.
const LOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the network must stay quiet before a load's requests are counted.
const SETTLE: Duration = Duration::from_millis(500);

/// Emulated network conditions.
#[derive(Debug, Clone, Copy)]
struct Network {
    name: &'static str,
    latency_ms: f64,
    down_bytes_per_s: f64,
    up_bytes_per_s: f64,
}

/// One load's figures.
#[derive(Debug, Clone)]
pub struct Load {
    /// `first-boundary`'s time after navigation start.
    pub first_boundary_ms: f64,
    /// Requests (resources plus the document) and their transferred bytes.
    pub requests: usize,
    pub bytes: f64,
    /// The same for responses complete by the first boundary: the critical path.
    pub critical_requests: usize,
    pub critical_bytes: f64,
    /// Every resource: (path, start ms, end ms, transferred bytes), in start order.
    pub waterfall: Vec<(String, f64, f64, f64)>,
    /// The page's performance marks (name, ms after navigation start): its load phases.
    pub marks: Vec<(String, f64)>,
}

/// Median, min and max of each figure over the loads of one site and network.
#[derive(Debug, Clone)]
pub struct Summary {
    pub network: &'static str,
    pub first_boundary_ms: [f64; 3],
    pub requests: [f64; 3],
    pub bytes: [f64; 3],
    pub critical_requests: [f64; 3],
    pub critical_bytes: [f64; 3],
}

impl Summary {
    fn of(network: &'static str, loads: &[Load]) -> Self {
        let stat = |f: &dyn Fn(&Load) -> f64| {
            let mut v: Vec<f64> = loads.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            let mid = v.len() / 2;
            let median = if v.len() % 2 == 1 {
                v[mid]
            } else {
                (v[mid - 1] + v[mid]) / 2.0
            };
            [median, v[0], v[v.len() - 1]]
        };
        Self {
            network,
            first_boundary_ms: stat(&|l| l.first_boundary_ms),
            requests: stat(&|l| l.requests as f64),
            bytes: stat(&|l| l.bytes),
            critical_requests: stat(&|l| l.critical_requests as f64),
            critical_bytes: stat(&|l| l.critical_bytes),
        }
    }

    /// A markdown row: network, first boundary, requests, KB.
    pub fn row(&self, label: &str) -> String {
        let spread = |v: [f64; 3], scale: f64| {
            let [m, lo, hi] = v.map(|x| x / scale);
            if lo == hi {
                format!("{m:.0}")
            } else {
                format!("{m:.0} ({lo:.0}–{hi:.0})")
            }
        };
        format!(
            "| {label}{} | {} | {} of {} | {} of {} |",
            self.network,
            spread(self.first_boundary_ms, 1.0),
            spread(self.critical_requests, 1.0),
            spread(self.requests, 1.0),
            spread(self.critical_bytes, 1000.0),
            spread(self.bytes, 1000.0),
        )
    }
}

/// The table's head, for rows from `Summary::row`.
pub const TABLE_HEAD: &str = "| page load (gzip, empty cache) | first boundary ms | requests by it, of all | KB by it, of all |\n| --- | --- | --- | --- |";

/// Builds the release site (`trunk build --release` into `target/dist`).
pub fn build_site(tools: &Tools) -> Result<PathBuf, String> {
    let out = sh::root().join("target/dist");
    sh::run(tools.cmd("cargo").args(["fetch", "--locked"]))?;
    let mut trunk = tools.cmd("trunk");
    // Trunk logs on stdout; keep stdout for the tables.
    trunk.stdout(std::io::stderr());
    sh::run(trunk.args(["build", "--release", "--dist"]).arg(&out))?;
    Ok(out)
}

/// `runs` loads of each site, unthrottled and then under Fast 3G, the sites'
/// loads interleaved. Returns, per site, the unthrottled and the Fast 3G summary.
pub fn measure(
    tools: &Tools,
    sites: &[PathBuf],
    runs: usize,
    waterfall: bool,
) -> Result<Vec<[Summary; 2]>, String> {
    let driver = tools.chromedriver.clone().ok_or("no chromedriver")?;
    let servers = sites
        .iter()
        .map(|s| GzipSite::serve(s))
        .collect::<Result<Vec<_>, _>>()?;
    let browser = e2e::Browser::start_with(&driver, tools.chrome.clone());
    let mut out = Vec::new();
    let mut loads: Vec<[Vec<Load>; 2]> = sites.iter().map(|_| [vec![], vec![]]).collect();
    for (n, network) in [None, Some(FAST_3G)].into_iter().enumerate() {
        for run in 0..runs {
            for (i, server) in servers.iter().enumerate() {
                let load = load_once(&browser, server, network)?;
                if waterfall && run == 0 {
                    print_waterfall(&sites[i], network, &load);
                }
                loads[i][n].push(load);
            }
        }
    }
    for [local, slow] in &loads {
        out.push([Summary::of("local", local), Summary::of(FAST_3G.name, slow)]);
    }
    Ok(out)
}

fn print_waterfall(site: &Path, network: Option<Network>, load: &Load) {
    eprintln!(
        "\n{} ({}): first boundary at {:.0} ms",
        site.display(),
        network.map_or("local", |n| n.name),
        load.first_boundary_ms
    );
    for (name, start, end, bytes) in &load.waterfall {
        eprintln!("  {start:7.0} – {end:7.0} ms {bytes:8.0} B  {name}");
    }
    for (name, at) in &load.marks {
        eprintln!("  {at:7.0} ms            mark  {name}");
    }
}

/// One load in a fresh browser profile (an empty cache).
fn load_once(browser: &e2e::Browser, site: &GzipSite, network: Option<Network>) -> Result<Load, String> {
    let session = browser.session(WINDOW.0, WINDOW.1);
    e2e::viewport(&session, WINDOW.0, WINDOW.1);
    if let Some(n) = network {
        // Before navigating: the document's own request is throttled too.
        session.cdp("Network.enable", json!({}));
        session.cdp(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": n.latency_ms,
                "downloadThroughput": n.down_bytes_per_s,
                "uploadThroughput": n.up_bytes_per_s,
            }),
        );
    }
    site.reset();
    session.goto(&site.url());
    let started = Instant::now();
    let mut settled_since: Option<(Instant, usize)> = None;
    let figures = loop {
        // The page is up and every response the server sent has arrived
        // (favicons are fetched by the browser, outside the page's Resource
        // Timing), with no new request for a moment: lazily loaded modules
        // are counted too.
        let (sent, in_flight, favicons) = site.counts();
        let v = session.exec(READ_FIGURES, json!([]));
        let seen = v["entries"].as_u64().unwrap_or(0) as usize;
        if v["ready"].as_bool() == Some(true) && in_flight == 0 && seen + favicons >= sent {
            match settled_since {
                Some((since, n)) if n == sent && since.elapsed() >= SETTLE => break v,
                Some((_, n)) if n == sent => {}
                _ => settled_since = Some((Instant::now(), sent)),
            }
        } else {
            settled_since = None;
        }
        if started.elapsed() > LOAD_TIMEOUT {
            return Err(format!(
                "the page did not finish loading in {LOAD_TIMEOUT:?}: {v}, {sent} requests served"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let num = |k: &str| figures[k].as_f64().ok_or_else(|| format!("no {k} in {figures}"));
    let waterfall = figures["waterfall"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let f = |i: usize| r[i].as_f64().unwrap_or(f64::NAN);
                    (r[0].as_str().unwrap_or("").to_string(), f(1), f(2), f(3))
                })
                .collect()
        })
        .unwrap_or_default();
    let marks = figures["marks"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r[0].as_str().unwrap_or("").to_string(),
                        r[1].as_f64().unwrap_or(f64::NAN),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Load {
        first_boundary_ms: num("first")?,
        requests: num("requests")? as usize,
        bytes: num("bytes")?,
        critical_requests: num("criticalRequests")? as usize,
        critical_bytes: num("criticalBytes")?,
        waterfall,
        marks,
    })
}

/// Reads the page's figures once it has marked its first boundary and is ready.
const READ_FIGURES: &str = r"
const mark = performance.getEntriesByName('first-boundary')[0];
const nav = performance.getEntriesByType('navigation')[0];
const resources = performance.getEntriesByType('resource');
if (!mark || !nav || document.body.dataset.ready !== 'true') return { ready: false, entries: resources.length + 1 };
const all = [nav, ...resources];
const critical = all.filter((e) => e.responseEnd <= mark.startTime);
const sum = (list) => list.reduce((s, e) => s + e.transferSize, 0);
const path = (e) => new URL(e.name).pathname;
return {
  ready: true,
  entries: all.length,
  first: mark.startTime,
  requests: all.length,
  bytes: sum(all),
  criticalRequests: critical.length,
  criticalBytes: sum(critical),
  waterfall: all.map((e) => [path(e), e.startTime, e.responseEnd, e.transferSize]),
  marks: performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]),
};
";

/// One file as the server sends it.
struct File {
    content_type: &'static str,
    body: Vec<u8>,
    /// The body gzipped, for types a static host compresses.
    gzipped: Option<Vec<u8>>,
}

/// What the server has done since the last `reset`.
#[derive(Default)]
struct Log {
    sent: usize,
    in_flight: usize,
    favicons: usize,
}

/// A static server on a loopback port serving one directory, from memory,
/// gzipped where a static host would, with keep-alive connections.
struct GzipSite {
    port: u16,
    log: Arc<Mutex<Log>>,
}

impl GzipSite {
    fn serve(dir: &Path) -> Result<Self, String> {
        if !dir.join("index.html").is_file() {
            return Err(format!("no index.html in {}", dir.display()));
        }
        let mut files = HashMap::new();
        load_files(dir, dir, &mut files)?;
        let files = Arc::new(files);
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (files, log) = (Arc::clone(&files), Arc::clone(&shared));
                std::thread::spawn(move || {
                    let _ = handle(stream, &files, &log);
                });
            }
        });
        Ok(Self { port, log })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    fn reset(&self) {
        *self.lock() = Log::default();
    }

    /// (responses sent, requests still being answered, favicon requests).
    fn counts(&self) -> (usize, usize, usize) {
        let log = self.lock();
        (log.sent, log.in_flight, log.favicons)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        // A poisoned lock only means a connection thread panicked mid-count.
        self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Reads every file under `dir` into `files`, keyed by its URL path (`/js/app.js`).
fn load_files(root: &Path, dir: &Path, files: &mut HashMap<String, File>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            load_files(root, &path, files)?;
            continue;
        }
        let body = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (content_type, compress) = content_type(&path);
        let gzipped = if compress { Some(gzip(&path)?) } else { None };
        let rel = path.strip_prefix(root).map_err(|e| e.to_string())?;
        let key: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        files.insert(
            format!("/{}", key.join("/")),
            File {
                content_type,
                body,
                gzipped,
            },
        );
    }
    Ok(())
}

/// The file gzipped at level 9, as a host serving precompressed files would
/// (and as the README's module sizes are given).
fn gzip(path: &Path) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new("gzip")
        .args(["-9", "-c", "-n"])
        .arg(path)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip {} failed", path.display()));
    }
    Ok(out.stdout)
}

/// The `Content-Type`, and whether a static host would gzip it.
fn content_type(p: &Path) -> (&'static str, bool) {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => ("text/html; charset=utf-8", true),
        "js" | "mjs" => ("text/javascript; charset=utf-8", true),
        "css" => ("text/css; charset=utf-8", true),
        "wasm" => ("application/wasm", true),
        "json" => ("application/json", true),
        "svg" => ("image/svg+xml", true),
        "txt" | "csv" => ("text/plain; charset=utf-8", true),
        "png" => ("image/png", false),
        _ => ("application/octet-stream", false),
    }
}

/// Answers requests on one connection until the browser closes it.
fn handle(stream: TcpStream, files: &HashMap<String, File>, log: &Mutex<Log>) -> std::io::Result<()> {
    // An idle keep-alive connection is dropped after a while, as hosts do.
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let (mut gzip_ok, mut close) = (false, false);
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 || h == "\r\n" {
                break;
            }
            let h = h.to_ascii_lowercase();
            if let Some(v) = h.strip_prefix("accept-encoding:") {
                gzip_ok = v.split(',').any(|e| e.trim().starts_with("gzip"));
            }
            if let Some(v) = h.strip_prefix("connection:") {
                close = v.trim() == "close";
            }
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let path = if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        {
            let mut l = log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            l.in_flight += 1;
            if path.ends_with("favicon.ico") || path.ends_with("favicon.svg") {
                l.favicons += 1;
            }
        }
        let result = respond(&mut stream, files.get(&path), gzip_ok);
        {
            let mut l = log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            l.in_flight -= 1;
            l.sent += 1;
        }
        result?;
        if close {
            return Ok(());
        }
    }
}

fn respond(stream: &mut TcpStream, file: Option<&File>, gzip_ok: bool) -> std::io::Result<()> {
    let Some(file) = file else {
        return stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    };
    let (body, encoding) = match (&file.gzipped, gzip_ok) {
        (Some(gz), true) => (gz, "Content-Encoding: gzip\r\n"),
        _ => (&file.body, ""),
    };
    let vary = if file.gzipped.is_some() {
        "Vary: Accept-Encoding\r\n"
    } else {
        ""
    };
    // Revalidate on every visit: the page's file names do not change between builds.
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\n{encoding}{vary}Content-Length: {}\r\nCache-Control: no-cache\r\n\r\n",
        file.content_type,
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

/// `cargo xtask bench-load [--runs N] [--waterfall] [SITE…]`: the load
/// figures of each built site (default: build `target/dist`), side by side.
pub fn bench_load(args: &[String]) -> Result<(), String> {
    let mut runs = 7;
    let mut waterfall = false;
    let mut sites = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--runs takes a number of loads, at least 1")?;
            }
            "--waterfall" => waterfall = true,
            site => sites.push(PathBuf::from(site)),
        }
    }
    let tools = Tools::provision(true)?;
    if sites.is_empty() {
        sites.push(build_site(&tools)?);
    }
    let results = measure(&tools, &sites, runs, waterfall)?;
    println!("\nLoads of each site and network: {runs}; median (min–max).\n");
    println!("{TABLE_HEAD}");
    for (site, [local, slow]) in sites.iter().zip(&results) {
        let label = format!("{}, ", site.display());
        println!("{}", local.row(&label));
        println!("{}", slow.row(&label));
    }
    Ok(())
}

/// The modules `entry` imports statically, itself included, as paths
/// relative to `web` (`js/app.js`; the generated `../backprop-wasm.js` as
/// `backprop-wasm.js`): the graph that must be complete before any of it
/// runs. Lines of the form `import … from './x.js';`, as the page writes them.
#[cfg(test)]
fn static_graph(web: &Path, entry: &str) -> Result<std::collections::BTreeSet<String>, String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![entry.to_string()];
    while let Some(rel) = todo.pop() {
        if !seen.insert(rel.clone()) {
            continue;
        }
        let path = web.join(&rel);
        if !path.is_file() {
            // Built by Trunk next to the page (the wasm bindings' glue).
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let dir = Path::new(&rel).parent().unwrap_or(Path::new(""));
        for line in text.lines().filter(|l| l.starts_with("import ")) {
            let Some((_, from)) = line.rsplit_once(" from '") else {
                continue;
            };
            let from = from.trim_end().trim_end_matches("';");
            let mut parts: Vec<&str> = dir.iter().filter_map(|c| c.to_str()).collect();
            for part in from.split('/') {
                match part {
                    "." => {}
                    ".." => {
                        parts.pop();
                    }
                    p => parts.push(p),
                }
            }
            todo.push(parts.join("/"));
        }
    }
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_preloads_exactly_the_modules_its_first_boundary_needs() {
        let web = sh::root().join("web");
        let html = std::fs::read_to_string(web.join("index.html")).unwrap();
        let preloaded: std::collections::BTreeSet<String> = html
            .lines()
            .filter_map(|l| l.trim().strip_prefix("<link rel=\"modulepreload\" href=\""))
            .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
            .collect();
        let mut graph = static_graph(&web, "js/main.js").unwrap();
        // The entry is the page's module script itself.
        assert!(graph.remove("js/main.js"));
        assert!(
            graph.contains("js/app.js") && graph.contains("backprop-wasm.js"),
            "{graph:?}"
        );
        // Lazily loaded views are not preloaded, or they would compete with the engine's download.
        assert!(!graph.contains("js/race.js"), "{graph:?}");
        assert_eq!(
            preloaded, graph,
            "index.html's modulepreload links against main.js's static imports"
        );
    }

    fn load(ms: f64) -> Load {
        Load {
            first_boundary_ms: ms,
            requests: 3,
            bytes: 2000.0,
            critical_requests: 2,
            critical_bytes: 1500.0,
            waterfall: vec![],
            marks: vec![],
        }
    }

    #[test]
    fn summary_takes_the_median_and_the_spread() {
        let s = Summary::of("local", &[load(300.0), load(100.0), load(200.0), load(400.0)]);
        assert_eq!(s.first_boundary_ms, [250.0, 100.0, 400.0]);
        assert_eq!(s.row(""), "| local | 250 (100–400) | 2 of 3 | 2 of 2 |");
    }

    /// One GET on a fresh connection: (head, body).
    fn get(port: u16, path: &str, accept: &str) -> (String, Vec<u8>) {
        use std::io::Read;
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\n{accept}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).unwrap();
        let split = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        (
            String::from_utf8_lossy(&reply[..split]).into_owned(),
            reply[split + 4..].to_vec(),
        )
    }

    #[test]
    fn serves_gzip_only_to_clients_that_accept_it() {
        let dir = std::env::temp_dir().join(format!("bp-load-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("js")).unwrap();
        let script = "export const a = 1;\n".repeat(200);
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(dir.join("js/app.js"), &script).unwrap();
        let site = GzipSite::serve(&dir).unwrap();

        let (head, body) = get(site.port, "/js/app.js", "Accept-Encoding: gzip, deflate, br\r\n");
        assert!(head.contains("Content-Encoding: gzip"), "{head}");
        assert!(head.contains("Content-Type: text/javascript"), "{head}");
        assert!(body.len() < script.len() / 10, "{} bytes gzipped", body.len());
        let mut gunzip = std::process::Command::new("gzip")
            .args(["-d", "-c"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        gunzip.stdin.take().unwrap().write_all(&body).unwrap();
        assert_eq!(gunzip.wait_with_output().unwrap().stdout, script.as_bytes());

        let (head, body) = get(site.port, "/js/app.js", "");
        assert!(!head.contains("Content-Encoding"), "{head}");
        assert_eq!(body, script.as_bytes());
        let (head, _) = get(site.port, "/", "");
        assert!(
            head.starts_with("HTTP/1.1 200") && head.contains("text/html"),
            "{head}"
        );
        let (head, _) = get(site.port, "/../Cargo.toml", "");
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");
        assert_eq!(site.counts(), (4, 0, 0));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn static_host_types_are_gzipped_with_their_content_type() {
        assert_eq!(content_type(Path::new("a_bg.wasm")), ("application/wasm", true));
        assert_eq!(
            content_type(Path::new("js/app.js")),
            ("text/javascript; charset=utf-8", true)
        );
        assert_eq!(content_type(Path::new("shot.png")), ("image/png", false));
    }
}
