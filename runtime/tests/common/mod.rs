//! What the command-line tests share: running the command, and naming its outputs.

#![allow(dead_code)] // each test file uses its own part

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `twinproc args…` to the end.
pub fn twinproc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_twinproc"))
        .args(args)
        .output()
        .expect("run twinproc")
}

/// A path in the temporary directory for this process's `name`d output.
pub fn out_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "twinproc-cli-{}-{name}.safetensors",
        std::process::id()
    ))
}

/// The command's standard error, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
