//! The Python that runs the exported scripts (e2e) and PyTorch's benchmark
//! peer: a venv with NumPy and PyTorch from PyPI, made once per machine in
//! `~/.cache/backprop-playground/torch-venv`, outside the clone, because it
//! is large. PyPI has only PyTorch's CUDA build for Linux (the `+cpu`
//! wheels live on download.pytorch.org, which the build does not use), so
//! the first install downloads about 3 GB of wheels (torch's own is 539 MB,
//! the rest its nvidia and triton dependencies) and fills about 5.4 GB;
//! the tests run it on the CPU. Later calls find it and download nothing.

use std::path::PathBuf;

use crate::provision::Tools;
use crate::sh;

/// The PyTorch the exported scripts are checked against.
const TORCH_VERSION: &str = "2.15.0";

/// `$XDG_CACHE_HOME/backprop-playground/torch-venv`, else under `~/.cache`.
fn venv_dir() -> Result<PathBuf, String> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .ok_or("neither XDG_CACHE_HOME nor HOME is set: nowhere to keep the PyTorch venv")?;
    Ok(cache.join("backprop-playground/torch-venv"))
}

/// The venv's Python, made and filled when it cannot import NumPy and this
/// PyTorch. An error says what failed: nothing here is skipped.
pub fn python_with_torch(tools: &Tools) -> Result<PathBuf, String> {
    let venv = venv_dir()?;
    let python = venv.join("bin/python");
    let check = format!("import numpy, torch; assert torch.__version__.split('+')[0] == '{TORCH_VERSION}'");
    if sh::output(tools.cmd(&python).args(["-c", &check])).is_some() {
        return Ok(python);
    }
    if !python.exists() {
        eprintln!("making {} (python3 -m venv)", venv.display());
        sh::run(tools.cmd("python3").args(["-m", "venv"]).arg(&venv))
            .map_err(|e| format!("python3 -m venv {}: {e}", venv.display()))?;
    }
    eprintln!(
        "installing NumPy and PyTorch {TORCH_VERSION} from PyPI into {} (about 3 GB the first time)",
        venv.display()
    );
    sh::run(tools.cmd(venv.join("bin/pip")).args([
        "install",
        "-q",
        "numpy",
        &format!("torch=={TORCH_VERSION}"),
    ]))
    .map_err(|e| format!("pip install torch=={TORCH_VERSION} into {}: {e}", venv.display()))?;
    match sh::output(tools.cmd(&python).args(["-c", &check])) {
        Some(_) => Ok(python),
        None => Err(format!(
            "{} cannot import numpy and torch {TORCH_VERSION} after installing them",
            python.display()
        )),
    }
}
