//! A small synchronous WebDriver client: one chromedriver per test binary,
//! one headless Chromium session per test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http;

/// A running chromedriver.
#[derive(Debug)]
pub struct Browser {
    port: u16,
    child: Child,
    chrome: Option<PathBuf>,
}

impl Browser {
    /// Starts `CHROMEDRIVER` (or `chromedriver` on PATH) on a free loopback port,
    /// driving `CHROME` when set.
    pub fn start() -> Self {
        let driver =
            std::env::var_os("CHROMEDRIVER").map_or_else(|| PathBuf::from("chromedriver"), PathBuf::from);
        let chrome = std::env::var_os("CHROME").map(PathBuf::from);
        Self::start_with(&driver, chrome)
    }

    /// Starts the given chromedriver, driving `chrome` (or the driver's default browser).
    pub fn start_with(driver: &Path, chrome: Option<PathBuf>) -> Self {
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromedriver {driver:?}: {e} (set CHROMEDRIVER)"));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok((200, body)) = http::request(port, "GET", "/status", None)
                && body.contains("\"ready\":true")
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { port, child, chrome }
    }

    /// A new headless session with a window of `width` × `height` CSS pixels.
    pub fn session(&self, width: u32, height: u32) -> Session {
        self.session_with(width, height, &[])
    }

    /// Like `session`, with extra Chromium flags (e.g. `--force-dark-mode`).
    pub fn session_with(&self, width: u32, height: u32, extra: &[&str]) -> Session {
        let profile = std::env::temp_dir().join(format!("bp-e2e-{}-{}", std::process::id(), free_port()));
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--hide-scrollbars".into(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={width},{height}"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut options = json!({ "args": args });
        if let Some(chrome) = &self.chrome {
            options["binary"] = json!(chrome);
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let v = call(self.port, "POST", "/session", Some(caps));
        let id = v["sessionId"].as_str().expect("session id").to_string();
        let session = Session {
            port: self.port,
            id,
            profile,
        };
        // Record every Content-Security-Policy violation from the first script on.
        session.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective}: ${e.blockedURI}`));" }),
        );
        session
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser window.
#[derive(Debug)]
pub struct Session {
    port: u16,
    id: String,
    profile: PathBuf,
}

impl Session {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        call(self.port, method, &format!("/session/{}{path}", self.id), body)
    }

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub fn exec(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Runs asynchronous `script`: it calls its last argument with the result.
    pub fn exec_async(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Evaluates a JS expression.
    pub fn eval(&self, expr: &str) -> Value {
        self.exec(&format!("return ({expr});"), json!([]))
    }

    /// Polls the JS expression `cond` until it is truthy, or panics after `timeout`.
    pub fn wait_for(&self, cond: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.eval(cond);
            if v.as_bool() == Some(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?} waiting for `{cond}` (last value {v}); console: {:?}",
                self.console()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the element matching the CSS selector `css` as a user would.
    pub fn click(&self, css: &str) {
        let el = self.find(css);
        self.cmd("POST", &format!("/element/{el}/click"), Some(json!({})));
    }

    /// Chooses the file at `path` in the file input matching `css`, as a user would.
    pub fn send_file(&self, css: &str, path: &Path) {
        let el = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({ "text": path.to_string_lossy() })),
        );
    }

    /// Sets an input or select by id and fires `change` and `input`, as a user edit would.
    pub fn set_input(&self, id: &str, value: &str) {
        self.exec(
            "const el = document.getElementById(arguments[0]); el.value = arguments[1];\
             el.dispatchEvent(new Event('change')); el.dispatchEvent(new Event('input'));",
            json!([id, value]),
        );
    }

    /// Clicks at `(dx, dy)` CSS pixels from the centre of the element matching `css`,
    /// holding the modifier key `modifier` (e.g. "\u{E008}" Shift) when given.
    pub fn click_at(&self, css: &str, dx: i64, dy: i64, modifier: Option<&str>) {
        let el = self.find(css);
        let origin = json!({ "element-6066-11e4-a52e-4f735466cecf": el });
        let mut keys = vec![];
        if let Some(m) = modifier {
            keys.push(json!({"type": "keyDown", "value": m}));
        }
        let pointer = json!({"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
            {"type": "pointerMove", "origin": origin, "x": dx, "y": dy, "duration": 0},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0}
        ]});
        let mut actions = vec![pointer];
        if !keys.is_empty() {
            actions.insert(0, json!({"type": "key", "id": "kbd", "actions": keys}));
        }
        self.cmd("POST", "/actions", Some(json!({ "actions": actions })));
        self.cmd("DELETE", "/actions", None);
    }

    /// Moves the mouse to `(dx, dy)` CSS pixels from the centre of the element matching `css`.
    pub fn move_to(&self, css: &str, dx: i64, dy: i64) {
        let el = self.find(css);
        let origin = json!({ "element-6066-11e4-a52e-4f735466cecf": el });
        let pointer = json!({"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
            {"type": "pointerMove", "origin": origin, "x": dx, "y": dy, "duration": 0}
        ]});
        self.cmd("POST", "/actions", Some(json!({ "actions": [pointer] })));
    }

    /// Runs a Chrome DevTools Protocol command (e.g. `Emulation.setEmulatedMedia`).
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// Types `text` into the focused element (WebDriver key codes allowed, e.g. "\u{E007}" for Enter).
    pub fn keys(&self, text: &str) {
        let actions: Vec<Value> = text
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        self.cmd(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "kbd", "actions": actions}]})),
        );
    }

    /// The WebDriver id of the first element matching `css`.
    pub fn find(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    /// Saves a PNG screenshot of the viewport.
    pub fn screenshot(&self, path: &Path) {
        let v = self.cmd("GET", "/screenshot", None);
        let png = base64_decode(v.as_str().expect("base64 screenshot"));
        std::fs::write(path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// Console messages logged since the last call: `(level, message)`.
    pub fn console(&self) -> Vec<(String, String)> {
        let v = self.cmd("POST", "/se/log", Some(json!({ "type": "browser" })));
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["level"].as_str().unwrap_or("").to_string(),
                            e["message"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Panics if the console has any error (level SEVERE) since the last call.
    pub fn assert_no_console_errors(&self) {
        let errors: Vec<_> = self
            .console()
            .into_iter()
            .filter(|(l, _)| l == "SEVERE")
            .collect();
        assert!(errors.is_empty(), "console errors: {errors:#?}");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = http::request(self.port, "DELETE", &format!("/session/{}", self.id), None);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One WebDriver command; panics with the driver's message on an error.
fn call(port: u16, method: &str, path: &str, body: Option<Value>) -> Value {
    let text = body.map(|b| b.to_string());
    let (status, reply) =
        http::request(port, method, path, text.as_deref()).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let v: Value = serde_json::from_str(&reply).unwrap_or(Value::Null);
    assert!(status == 200, "{method} {path} -> {status}: {}", v["value"]);
    v.get("value").cloned().unwrap_or(v)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = s.bytes().filter_map(val).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, &d) in chunk.iter().enumerate() {
            n |= u32::from(d) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}
