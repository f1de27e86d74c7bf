//! The command line at its edges: what it refuses to overwrite, where it writes, how it fails to
//! write, how it reads its arguments, and that the same run gives the same bytes.

mod common;

use common::{out_path, stderr, twinproc};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use twinproc_golden_tests::{config_dir, image_path};

fn text(path: &Path) -> &str {
    path.to_str().expect("utf-8")
}

/// A fresh directory of this process's for `name`.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("twinproc-edges-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

/// One line on standard error, with the prefix, and this exit status.
fn one_line(output: &std::process::Output, code: i32) -> String {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("twinproc: "), "{err}");
    err
}

/// `--out` naming an image, the configuration file or (through the directory) the file a config
/// directory holds, or a hard link to one of them: refused before any work, the input intact.
#[test]
fn out_never_replaces_an_input() {
    let dir = scratch("clobber");
    let image = dir.join("cat.png");
    std::fs::copy(image_path("chelsea.png"), &image).expect("copy");
    let config = dir.join("config");
    std::fs::create_dir_all(&config).expect("dir");
    let config_file = config.join("preprocessor_config.json");
    std::fs::copy(
        config_dir("clip_vit_b32").join("preprocessor_config.json"),
        &config_file,
    )
    .expect("copy");
    let link = dir.join("link.png");
    std::fs::hard_link(&image, &link).expect("link");
    let (image_bytes, config_bytes) = (
        std::fs::read(&image).unwrap(),
        std::fs::read(&config_file).unwrap(),
    );
    for (config_arg, out) in [
        (&config, &image),
        (&config, &config_file),
        (&config_file, &config_file),
        (&config, &link),
    ] {
        let output = twinproc(&[
            "preprocess",
            "--config",
            text(config_arg),
            "--out",
            text(out),
            text(&image),
        ]);
        let err = one_line(&output, 1);
        assert!(err.contains("is the input"), "{err}");
    }
    assert_eq!(std::fs::read(&image).unwrap(), image_bytes);
    assert_eq!(std::fs::read(&config_file).unwrap(), config_bytes);
    std::fs::remove_dir_all(&dir).ok();
}

/// Where the output goes: a new file gets the umask's permissions; a symbolic link is written
/// through (it stays a link); a device is written through (`/dev/null` stays a device); nothing is
/// left beside the output; the same run gives the same bytes.
#[cfg(unix)]
#[test]
fn out_is_written_where_it_points_with_the_umask() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = scratch("out");
    let out = dir.join("o.safetensors");
    let config = config_dir("clip_vit_b32");
    let images = [image_path("chelsea.png"), image_path("astronaut.png")];
    let command = format!(
        "umask 027; exec '{}' preprocess --config '{}' --out '{}' '{}' '{}'",
        env!("CARGO_BIN_EXE_twinproc"),
        text(&config),
        text(&out),
        text(&images[0]),
        text(&images[1]),
    );
    let status = Command::new("sh")
        .args(["-c", &command])
        .status()
        .expect("sh");
    assert!(status.success());
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let first = std::fs::read(&out).unwrap();

    let target = dir.join("target.safetensors");
    std::fs::write(&target, b"old").unwrap();
    let link = dir.join("link.safetensors");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for out in [&link, Path::new("/dev/null")] {
        let args = ["preprocess", "--config", text(&config), "--out", text(out)];
        let images: Vec<&str> = images.iter().map(|p| text(p)).collect();
        let output = twinproc(&[&args[..], &images].concat());
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        first,
        "the same bytes, run after run"
    );
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["link.safetensors", "o.safetensors", "target.safetensors"]
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A reader that has gone (`| head -0`) ends the command quietly; a full disk is one line.
#[test]
fn a_failing_standard_output_is_no_panic() {
    let config = config_dir("clip_vit_b32");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_twinproc"))
        .args(["inspect", "--config", text(&config)])
        .stdout(writer)
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    #[cfg(target_os = "linux")]
    {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let output = Command::new(env!("CARGO_BIN_EXE_twinproc"))
            .args(["inspect", "--config", text(&config)])
            .stdout(full)
            .output()
            .expect("run");
        let err = one_line(&output, 1);
        assert!(err.contains("cannot write to standard output"), "{err}");
    }
}

/// Arguments clap refuses, and counts out of range: one line, the prefix, exit status 2.
#[test]
fn argument_errors_are_one_line() {
    let config = config_dir("clip_vit_b32");
    let image = image_path("chelsea.png");
    for (args, says) in [
        (vec!["bench", "--threads", "0"], "--threads"),
        (vec!["bench", "--threads", "100000"], "from 1 to 1024"),
        (vec!["bench", "--repeat", "0"], "--repeat"),
        (vec!["preprocess", "--bogus"], "--bogus"),
    ] {
        let mut args = args;
        args.extend(["--config", text(&config), text(&image)]);
        let output = twinproc(&args);
        let err = one_line(&output, 2);
        assert!(err.contains(says), "{err}");
    }
    let help = twinproc(&["--help"]);
    assert!(help.status.success());
}

/// Waits for `child` at most `limit`; kills it if it runs on.
fn wait(mut child: std::process::Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    None
}

/// A FIFO named as an image or as the configuration is refused at once (opening it would wait for
/// a writer forever).
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_not_waited_on() {
    let dir = scratch("fifo");
    let fifo = dir.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo here
    }
    let config = config_dir("clip_vit_b32");
    let out = out_path("fifo");
    for args in [
        vec![
            "preprocess",
            "--config",
            text(&config),
            "--out",
            text(&out),
            text(&fifo),
        ],
        vec!["inspect", "--config", text(&fifo)],
    ] {
        let child = Command::new(env!("CARGO_BIN_EXE_twinproc"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let status =
            wait(child, Duration::from_secs(20)).expect("no answer in 20 s: it waits on the FIFO");
        assert_eq!(status.code(), Some(1));
    }
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).ok();
}
