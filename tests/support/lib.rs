//! End-to-end test support: a loopback static server for the built site and a
//! small synchronous WebDriver client for chromedriver (plain HTTP + JSON).

pub mod http;
pub mod server;
pub mod webdriver;

use std::path::PathBuf;

pub use server::Site;
pub use webdriver::{Browser, Session};

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
