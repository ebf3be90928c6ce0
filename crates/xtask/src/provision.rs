//! Installs, once, what the build and the tests need, and finds it afterwards.
//!
//! Everything comes from the package registries (crates.io, Debian): no tool
//! downloads a binary at run time. Each check is a `--version` call, so a run
//! with everything present costs well under a few seconds.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use crate::sh;

/// Trunk 0.22 needs a newer rustc than 1.95; 0.21.14 is the last that builds here.
const TRUNK_VERSION: &str = "0.21.14";
const WASM_PACK_VERSION: &str = "0.15.1";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where the tools are, and the PATH every child process gets.
#[derive(Debug)]
pub struct Tools {
    path: OsString,
    pub chrome: Option<PathBuf>,
    pub chromedriver: Option<PathBuf>,
    versions: Vec<(String, String)>,
}

impl Tools {
    /// Installs what is missing: the wasm32 target, wasm-bindgen-cli matching
    /// Cargo.lock, Trunk, and with `browser` also wasm-pack, Chromium and chromedriver.
    pub fn provision(browser: bool) -> Result<Self, String> {
        let bin = cargo_bin_dir();
        let mut dirs = vec![bin.clone()];
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let path = std::env::join_paths(dirs).map_err(|e| format!("PATH: {e}"))?;
        let mut tools = Self {
            path,
            chrome: None,
            chromedriver: None,
            versions: Vec::new(),
        };
        tools.ensure_wasm_target()?;
        let bindgen = wasm_bindgen_version()?;
        tools.ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &bindgen, false)?;
        tools.ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;
        if browser {
            tools.ensure_cargo_tool("wasm-pack", "wasm-pack", WASM_PACK_VERSION, true)?;
            tools.ensure_browser()?;
            tools.ensure_node()?;
        }
        Ok(tools)
    }

    /// A command for `program` with the tools' PATH.
    pub fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("PATH", &self.path).current_dir(sh::root());
        c
    }

    pub fn report(&self) {
        for (tool, version) in &self.versions {
            eprintln!("  {tool:<14} {version}");
        }
    }

    fn version_of(&self, program: &str) -> Option<String> {
        let out = sh::output(self.cmd(program).arg("--version"))?;
        Some(out.lines().next().unwrap_or_default().trim().to_string())
    }

    fn ensure_wasm_target(&mut self) -> Result<(), String> {
        let installed = sh::output(self.cmd("rustup").args(["target", "list", "--installed"]));
        match installed {
            Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => {}
            Some(_) => sh::run(self.cmd("rustup").args(["target", "add", WASM_TARGET]))?,
            None => {
                // No rustup: the target must come with the toolchain.
                let sysroot = sh::output(self.cmd("rustc").args(["--print", "sysroot"])).unwrap_or_default();
                let lib = PathBuf::from(sysroot.trim())
                    .join("lib/rustlib")
                    .join(WASM_TARGET);
                if !lib.exists() {
                    return Err(format!(
                        "the {WASM_TARGET} target is missing and rustup is not available to add it"
                    ));
                }
            }
        }
        self.versions.push(("wasm32 target".into(), "installed".into()));
        Ok(())
    }

    /// Makes `program --version` report `version`, installing `krate@version` otherwise.
    fn ensure_cargo_tool(
        &mut self,
        program: &str,
        krate: &str,
        version: &str,
        locked: bool,
    ) -> Result<(), String> {
        let wanted = |v: &str| v.split_whitespace().any(|w| w.trim_start_matches('v') == version);
        let found = self.version_of(program);
        if !found.as_deref().is_some_and(wanted) {
            eprintln!(
                "xtask: installing {krate} {version} (found: {}); this takes a few minutes once",
                found.as_deref().unwrap_or("none")
            );
            let mut install = self.cmd("cargo");
            install.args(["install", "--force", &format!("{krate}@{version}")]);
            if locked {
                install.arg("--locked");
            } else {
                // wasm-bindgen-cli's lockfile names a yanked crate: resolve afresh,
                // preferring versions that build on this rustc.
                install.env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback");
            }
            sh::run(&mut install)?;
            let now = self.version_of(program);
            if !now.as_deref().is_some_and(wanted) {
                return Err(format!(
                    "{program} reports {now:?} after installing {krate} {version}"
                ));
            }
        }
        self.versions.push((program.into(), version.into()));
        Ok(())
    }

    /// `apt-get update` then `apt-get install` of `packages`, non-interactively.
    fn apt_install(&self, packages: &[&str]) -> Result<(), String> {
        sh::run(self.cmd("apt-get").arg("update").arg("-qq"))?;
        sh::run(
            self.cmd("apt-get")
                .args(["install", "-y", "-qq", "--no-install-recommends"])
                .args(packages)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    }

    /// Node.js and npm: the URL-hash fuzz, the wasm benchmark in Node and the
    /// benchmark's TF.js peers need them.
    fn ensure_node(&mut self) -> Result<(), String> {
        let missing = || {
            ["node", "npm"]
                .into_iter()
                .any(|n| sh::which(n, &self.path).is_none())
        };
        if missing() && is_root() && sh::which("apt-get", &self.path).is_some() {
            eprintln!("xtask: installing nodejs and npm with apt-get");
            self.apt_install(&["nodejs", "npm"])?;
        }
        if missing() {
            return Err("Node.js and npm are needed for the tests (Debian/Ubuntu: \
                        `sudo apt-get install nodejs npm`)."
                .into());
        }
        let v = self.version_of("node").unwrap_or_else(|| "?".into());
        self.versions.push(("node".into(), v));
        Ok(())
    }

    fn ensure_browser(&mut self) -> Result<(), String> {
        let find = |env: &str, names: &[&str], path: &OsString| -> Option<PathBuf> {
            if let Some(p) = std::env::var_os(env) {
                return Some(PathBuf::from(p));
            }
            names.iter().find_map(|n| sh::which(n, path))
        };
        const CHROMES: &[&str] = &[
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ];
        let mut chrome = find("CHROME", CHROMES, &self.path);
        let mut driver = find("CHROMEDRIVER", &["chromedriver"], &self.path);
        if (chrome.is_none() || driver.is_none()) && is_root() && sh::which("apt-get", &self.path).is_some() {
            eprintln!("xtask: installing chromium and chromium-driver with apt-get");
            self.apt_install(&["chromium", "chromium-driver"])?;
            chrome = find("CHROME", CHROMES, &self.path);
            driver = find("CHROMEDRIVER", &["chromedriver"], &self.path);
        }
        // The walk-through's 简体中文 screenshots need a CJK font; the page itself fetches none.
        let has_cjk = sh::output(self.cmd("fc-list").arg(":lang=zh")).is_some_and(|s| !s.trim().is_empty());
        if !has_cjk && is_root() && sh::which("apt-get", &self.path).is_some() {
            eprintln!("xtask: installing a CJK font (fonts-wqy-microhei) for the Chinese screenshots");
            self.apt_install(&["fonts-wqy-microhei"])?;
        }
        let (Some(chrome), Some(driver)) = (chrome, driver) else {
            return Err(
                "Chromium and chromedriver are needed for the browser tests. Install them \
                 (Debian/Ubuntu: `sudo apt-get install chromium chromium-driver`), or point \
                 CHROME and CHROMEDRIVER at a Chrome and a matching chromedriver."
                    .into(),
            );
        };
        let cv = self
            .version_of(&chrome.to_string_lossy())
            .unwrap_or_else(|| "?".into());
        let dv = self
            .version_of(&driver.to_string_lossy())
            .unwrap_or_else(|| "?".into());
        self.versions
            .push(("chrome".into(), format!("{cv} ({})", chrome.display())));
        self.versions
            .push(("chromedriver".into(), format!("{dv} ({})", driver.display())));
        self.chrome = Some(chrome);
        self.chromedriver = Some(driver);
        Ok(())
    }
}

/// `cargo install`'s destination: `$CARGO_INSTALL_ROOT/bin`, else `$CARGO_HOME/bin`.
fn cargo_bin_dir() -> PathBuf {
    if let Some(root) = std::env::var_os("CARGO_INSTALL_ROOT") {
        return PathBuf::from(root).join("bin");
    }
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home).join("bin");
    }
    let home = std::env::var_os("HOME").unwrap_or_default();
    PathBuf::from(home).join(".cargo/bin")
}

/// The wasm-bindgen version Cargo.lock pins; the CLI must match it exactly.
fn wasm_bindgen_version() -> Result<String, String> {
    let lock_path = sh::root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
    lock_version(&lock, "wasm-bindgen").ok_or_else(|| "Cargo.lock has no wasm-bindgen package".into())
}

/// The `version` of package `name` in a Cargo.lock text.
fn lock_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')?;
            return Some(version.to_string());
        }
    }
    None
}

fn is_root() -> bool {
    sh::output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

#[cfg(test)]
mod tests {
    use super::lock_version;

    #[test]
    fn lock_version_finds_the_exact_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9.9.9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(lock_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(lock_version(lock, "trunk"), None);
    }
}
