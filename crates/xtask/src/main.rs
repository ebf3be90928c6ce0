//! `cargo xtask`: the project's automation, in Rust.
//!
//! - `cargo xtask serve [trunk args…]`: provision, then `trunk serve`.
//! - `cargo xtask test`: provision, then every check CI runs, each stage timed.
//! - `cargo xtask provision [--browser]`: only install what is missing.
//! - `cargo xtask pkg`: the release module with TypeScript definitions.
//! - `cargo xtask dist`: the release site, plus one self-contained HTML file.
//! - `cargo xtask bench-wasm`: the wasm benchmark in Node and headless Chromium.
//! - `cargo xtask bench-load [SITE…]`: the page's load time, built sites side by side.
//! - `cargo xtask fuzz [CASES]`, `cargo xtask soak [EPOCHS]`: the long reliability runs.
//! - `cargo xtask strip-names [FILE]`: Trunk's post-build hook (see `strip`).

mod bench;
mod browser_tests;
mod dist;
mod load;
mod pkg;
mod provision;
mod sh;
mod soak;
mod strip;
mod test;
mod torch;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("help", &[][..]),
    };
    let result = match cmd {
        "serve" => serve(rest),
        "test" => test::run(rest),
        "pkg" => pkg::pkg(rest),
        "dist" => dist::dist(rest),
        "bench-wasm" => pkg::bench_wasm(rest),
        "bench" => bench::bench(rest),
        "bench-load" => load::bench_load(rest),
        "fuzz" => soak::fuzz(rest),
        "soak" => soak::soak(rest),
        "strip-names" => strip::strip_names(rest),
        "provision" => provision::Tools::provision(rest.iter().any(|a| a == "--browser")).map(|t| t.report()),
        "help" | "--help" | "-h" => {
            print!("{}", HELP);
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

const HELP: &str = "\
usage: cargo xtask <command>

commands:
  serve [ARGS…]        install what is missing, then `trunk serve ARGS…` (http://127.0.0.1:8080)
  test [--skip STAGE]  install what is missing (Chromium too), then run every check CI runs
  provision [--browser] only install what is missing
  dist                 the release site in target/dist, plus backprop-playground.html: one file, no server
  pkg                  the release module for embedding, with TypeScript definitions, in target/pkg
  bench [--smoke]      every system (ours native and wasm, TF.js, plain JS, NumPy) on W1-W4, one table,
                       and the page's load time
  bench-wasm           W1-W4 through the bindings, in Node and headless Chromium, and the module size
  bench-load [--runs N] [--waterfall] [SITE…]
                       the page's first boundary after navigation, local and Fast 3G, sites side by side
  fuzz [CASES]         the config, model, CSV and URL-hash fuzzers (default 1,000,000 cases each), and a tenth as many links across the boundary
  soak [EPOCHS]        a long run natively and as wasm in Node, with peak memory (default 1,000,000 epochs)
  strip-names [FILE]   drop a module's function-name section (Trunk's post-build hook)
";

fn serve(args: &[String]) -> Result<(), String> {
    let tools = provision::Tools::provision(false)?;
    tools.report();
    sh::run(tools.cmd("cargo").args(["fetch", "--locked"]))?;
    sh::run(tools.cmd("trunk").arg("serve").args(args))
}
