//! What the integration tests share: running the command, naming its outputs, writing PNG chunks.

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

/// CRC-32 (IEEE), as PNG chunks carry it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG chunk: length, kind, data, CRC.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let body = [kind.as_slice(), data].concat();
    chunk.extend(&body);
    chunk.extend(crc32(&body).to_be_bytes());
    chunk
}
