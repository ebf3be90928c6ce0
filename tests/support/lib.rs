//! End-to-end test support: a loopback static server for the built site and a
//! small synchronous WebDriver client for chromedriver (plain HTTP + JSON).

pub mod http;
pub mod server;
pub mod webdriver;

use std::path::PathBuf;

pub use server::Site;
pub use webdriver::{Browser, Session};

/// Sets the exact viewport (a headless window's size includes its frame).
pub fn viewport(s: &Session, width: u32, height: u32) {
    s.cdp(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500 }),
    );
}

/// Opens the built page (with `fragment`, e.g. `#seed=3`) in a new session of
/// `width` × `height` and waits until it is ready.
pub fn open(browser: &Browser, site: &Site, fragment: &str, width: u32, height: u32) -> Session {
    assert!(
        site_dir().join("index.html").is_file(),
        "no index.html in {}",
        site_dir().display()
    );
    let s = browser.session(width, height);
    viewport(&s, width, height);
    s.goto(&format!("{}{fragment}", site.url("")));
    s.wait_for(
        "document.body.dataset.ready === 'true'",
        std::time::Duration::from_secs(30),
    );
    s
}

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The release build under test: `BACKPROP_SITE_DIR`, else `dist/`.
pub fn site_dir() -> PathBuf {
    match std::env::var_os("BACKPROP_SITE_DIR") {
        Some(d) => PathBuf::from(d),
        None => root().join("dist"),
    }
}

/// Where screenshots go: `target/e2e/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = root().join("target/e2e");
    let _ = std::fs::create_dir_all(&dir);
    dir
}
