//! The `twinproc` command line, run as a user runs it.

mod common;

use common::{out_path, stderr, twinproc};
use std::path::{Path, PathBuf};
use std::process::Command;
use twinproc_golden_tests::{
    RefTensor, compare_f32, config_dir, fixtures, golden_files, image_path, sha256_hex, tensor,
    zoo_goldens,
};

fn read_f32(path: &PathBuf, key: &str) -> (Vec<usize>, Vec<f32>) {
    let bytes = std::fs::read(path).expect("read output");
    let file = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let view = file.tensor(key).expect("key");
    assert_eq!(view.dtype(), safetensors::Dtype::F32);
    let data = view
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (view.shape().to_vec(), data)
}

/// One batch call from the command line equals transformers' batched call, in both numerics modes.
#[test]
fn preprocess_matches_transformers_batch() {
    for backend in ["pil", "torchvision"] {
        let (_, meta, _) = golden_files("clip_vit_b32")
            .into_iter()
            .find(|(stem, _, _)| *stem == format!("_batch.{backend}"))
            .expect("batch reference");
        let names: Vec<String> =
            serde_json::from_str(meta["images"].as_str().expect("images")).expect("list");
        let out = out_path(&format!("batch-{backend}"));
        let config = config_dir("clip_vit_b32");
        let mut args = vec![
            "preprocess".to_owned(),
            "--config".into(),
            config.display().to_string(),
            "--numerics".into(),
            backend.into(),
            "--out".into(),
            out.display().to_string(),
        ];
        if backend == "pil" {
            // One thread for the decoding and the CPU twin: the same bytes.
            args.extend(["--threads".into(), "1".into()]);
        }
        args.extend(names.iter().map(|n| image_path(n).display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = twinproc(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        let (shape, data) = read_f32(&out, "pixel_values");
        let Some(RefTensor::F32 {
            shape: ref_shape,
            data: ref_data,
        }) = tensor(&format!(
            "golden/clip_vit_b32/_batch.{backend}/pixel_values"
        ))
        else {
            panic!("no reference")
        };
        assert_eq!(shape, ref_shape);
        assert_eq!(compare_f32(&ref_data, &data), None, "{backend}");
        assert!(
            String::from_utf8_lossy(&output.stdout)
                .contains("pixel_values [4, 3, 224, 224] float32")
        );
    }
}

/// `preprocess --config config --out out image`, which must fail: its one line of standard error.
fn failed_preprocess(config: &Path, out: &Path, image: &Path) -> String {
    let output = twinproc(&[
        "preprocess",
        "--config",
        config.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        image.to_str().expect("utf-8"),
    ]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!out.exists());
    err
}

#[test]
fn unreadable_image_fails_with_one_line_naming_it() {
    let missing = Path::new("/nonexistent/cat.png");
    let err = failed_preprocess(&config_dir("clip_vit_b32"), &out_path("missing"), missing);
    assert!(err.contains("/nonexistent/cat.png"), "{err}");
}

/// A corrupt file: one line with the decoder's own reason (the error's source), said once.
#[test]
fn corrupt_image_fails_with_the_decoders_reason() {
    let bad = out_path("corrupt-input.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n not a png").expect("write");
    let err = failed_preprocess(&config_dir("clip_vit_b32"), &out_path("corrupt"), &bad);
    assert!(err.contains("cannot decode image: "), "{err}");
    let reason = err.trim_end().rsplit(": ").next().expect("a reason");
    assert_eq!(err.matches(reason).count(), 1, "said once: {err}");
}

#[test]
fn invalid_config_fails_naming_the_key() {
    let dir = std::env::temp_dir().join(format!("twinproc-cli-bad-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("preprocessor_config.json"),
        r#"{"image_processor_type": "CLIPImageProcessor", "crop_size": {"height": 224}}"#,
    )
    .expect("write");
    let err = failed_preprocess(&dir, &out_path("bad-config"), &image_path("chelsea.png"));
    assert!(err.contains("crop_size"), "{err}");
}

/// `preprocess` of one image on CUDA with `extra` arguments: it must fail; its standard error.
fn cuda_preprocess_error(extra: &[&str]) -> String {
    let config = config_dir("clip_vit_b32");
    let image = image_path("chelsea.png");
    let out = out_path("cuda");
    let mut args = vec![
        "preprocess",
        "--config",
        config.to_str().expect("utf-8"),
        "--backend",
        "cuda",
        "--out",
        out.to_str().expect("utf-8"),
    ];
    args.extend(extra);
    args.push(image.to_str().expect("utf-8"));
    let output = twinproc(&args);
    assert!(!output.status.success());
    stderr(&output)
}

#[test]
fn cuda_backend_is_a_clear_error_without_cuda() {
    let err = cuda_preprocess_error(&[]);
    assert!(err.contains("CUDA"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // Threads are the CPU twin's: asking them of CUDA is an error of its own, before any work.
    let err = cuda_preprocess_error(&["--threads", "2"]);
    assert_eq!(
        err.trim(),
        "twinproc: --threads applies to the CPU backend",
        "{err}"
    );
}

#[test]
fn inspect_tells_file_values_from_defaults() {
    let config = config_dir("siglip_so400m_384");
    let output = twinproc(&["inspect", "--config", config.to_str().expect("utf-8")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} line in:\n{text}"))
            .to_owned()
    };
    assert!(
        line("size").contains(r#"{"height":384,"width":384}"#) && line("size").ends_with("file")
    );
    assert!(line("resample").contains('3') && line("resample").ends_with("file"));
    assert!(line("do_center_crop").ends_with("unset"));
    assert!(line("data_format").ends_with("unset"));
    let clip = config_dir("clip_legacy_int_size");
    let output = twinproc(&["inspect", "--config", clip.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&output.stdout);
    let default_to_square = text
        .lines()
        .find(|l| l.starts_with("default_to_square"))
        .expect("default_to_square line");
    assert!(default_to_square.contains("false") && default_to_square.ends_with("default"));
}

#[test]
fn bench_prints_one_json_line() {
    let config = config_dir("clip_vit_b32");
    let image = image_path("chelsea.png");
    let output = twinproc(&[
        "bench",
        "--config",
        config.to_str().expect("utf-8"),
        "--repeat",
        "2",
        "--threads",
        "1",
        image.to_str().expect("utf-8"),
        image.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(text.trim_end().lines().count(), 1, "{text}");
    let line: serde_json::Value = serde_json::from_str(text.trim()).expect("json");
    assert_eq!(line["images"], 2);
    assert!(line["median_s"].as_f64().expect("median") > 0.0);
    assert!(line["images_per_s"].as_f64().expect("rate") > 0.0);
}

/// The CLI resolves LLaVA-OneVision through the registry and writes all three outputs.
#[test]
fn preprocess_llava_onevision_through_the_registry() {
    let config = config_dir("llava_onevision_qwen2_0.5b_ov");
    let image = image_path("chelsea.png");
    let out = out_path("llava");
    let output = twinproc(&[
        "preprocess",
        "--config",
        config.to_str().expect("utf-8"),
        "--numerics",
        "pil",
        "--out",
        out.to_str().expect("utf-8"),
        image.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (shape, data) = read_f32(&out, "pixel_values");
    let Some(RefTensor::F32 {
        shape: ref_shape,
        data: ref_data,
    }) = tensor("golden/llava_onevision_qwen2_0.5b_ov/chelsea.pil/pixel_values")
    else {
        panic!("no reference")
    };
    assert_eq!(shape, ref_shape);
    assert_eq!(compare_f32(&ref_data, &data), None);
    let bytes = std::fs::read(&out).expect("read");
    let file = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let sizes = file.tensor("image_sizes").expect("image_sizes");
    assert_eq!(sizes.dtype(), safetensors::Dtype::I64);
    let sizes: Vec<i64> = sizes
        .data()
        .chunks_exact(8)
        .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect();
    assert_eq!(sizes, [300, 451]);
    assert!(file.tensor("batch_num_images").is_ok());
}

/// `--backend auto` without CUDA falls back to the CPU and says so in the log.
#[test]
fn auto_backend_logs_its_choice() {
    if twinproc::backend::cuda::unavailable_reason().is_none() {
        return; // a CUDA machine picks CUDA; the GPU check covers it
    }
    let config = config_dir("clip_vit_b32");
    let image = image_path("chelsea.png");
    let out = out_path("auto");
    let output = Command::new(env!("CARGO_BIN_EXE_twinproc"))
        .env("RUST_LOG", "info")
        .args([
            "preprocess",
            "--config",
            config.to_str().expect("utf-8"),
            "--backend",
            "auto",
            "--out",
            out.to_str().expect("utf-8"),
            image.to_str().expect("utf-8"),
        ])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(log.contains("falling back to the CPU twin"), "{log}");
    assert!(log.contains("libcuda"), "{log}");
    assert!(!log.contains('\x1b'), "no colour codes on a pipe: {log:?}");
}

#[test]
fn inspect_lists_model_kwargs() {
    let config = config_dir("llava_onevision_qwen2_0.5b_ov");
    let output = twinproc(&["inspect", "--config", config.to_str().expect("utf-8")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("image_grid_pinpoints"))
        .unwrap_or_else(|| panic!("no image_grid_pinpoints in:\n{text}"));
    assert!(line.ends_with("file (model kwarg)"), "{line}");
}

#[test]
fn bench_gpu_inputs_need_cuda() {
    let config = config_dir("clip_vit_b32");
    let image = image_path("chelsea.png");
    for input in ["host", "pinned", "device"] {
        for backend in ["cpu", "cuda"] {
            let output = twinproc(&[
                "bench",
                "--config",
                config.to_str().expect("utf-8"),
                "--backend",
                backend,
                "--input",
                input,
                image.to_str().expect("utf-8"),
            ]);
            if backend == "cuda" && twinproc::backend::cuda::unavailable_reason().is_none() {
                continue; // a CUDA machine runs it
            }
            assert!(!output.status.success());
            let err = stderr(&output);
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
            assert!(
                err.contains("cuda") || err.contains("CUDA"),
                "{input} {backend}: {err}"
            );
        }
    }
}

/// `-` reads one encoded image from standard input: the same output bytes as its file; given
/// twice it is refused in one line.
#[test]
fn an_image_on_standard_input() {
    use std::io::Write;
    let config = config_dir("clip_vit_b32");
    let image = image_path("rocket.jpg");
    let run = |out: &Path, args: &[&str], stdin: Option<&[u8]>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_twinproc"))
            .args(["preprocess", "--config", config.to_str().expect("utf-8")])
            .args(["--out", out.to_str().expect("utf-8")])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run");
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(bytes) = stdin {
            // A refused call exits without reading: the pipe may be closed.
            let _ = pipe.write_all(bytes);
        }
        drop(pipe);
        child.wait_with_output().expect("wait")
    };
    let (from_file, from_stdin) = (out_path("stdin-file"), out_path("stdin-pipe"));
    let file = run(&from_file, &[image.to_str().expect("utf-8")], None);
    assert!(file.status.success(), "{}", stderr(&file));
    let bytes = std::fs::read(&image).expect("image");
    let piped = run(&from_stdin, &["-"], Some(&bytes));
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert_eq!(
        std::fs::read(&from_file).expect("out"),
        std::fs::read(&from_stdin).expect("out")
    );
    let twice = run(&out_path("stdin-twice"), &["-", "-"], Some(&bytes));
    assert!(!twice.status.success());
    assert_eq!(stderr(&twice).lines().count(), 1, "{}", stderr(&twice));
    let garbage = run(&out_path("stdin-garbage"), &["-"], Some(b"not an image"));
    assert!(stderr(&garbage).contains("<stdin>"), "{}", stderr(&garbage));
}

/// Every configuration of the model zoo through the command line (`--config`: the registry finds
/// each family by the type its file names), both numerics, on one image: every output
/// transformers' own (name, dtype, shape and SHA-256 in `tests/fixtures/zoo/goldens.json`), and a
/// failure where transformers raises.
#[test]
fn every_zoo_configuration_through_the_command_line() {
    let goldens = zoo_goldens();
    let image = image_path("chelsea.png");
    let mut checked = 0;
    for (config, backends) in goldens["configs"].as_object().expect("configs") {
        let dir = fixtures().join("zoo/configs").join(config);
        for (backend, cases) in backends.as_object().expect("backends") {
            let place = format!("{config} {backend}");
            let out = out_path(&format!("zoo-{config}-{backend}"));
            let output = twinproc(&[
                "preprocess",
                "--config",
                dir.to_str().expect("path"),
                "--numerics",
                backend,
                "--out",
                out.to_str().expect("path"),
                image.to_str().expect("path"),
            ]);
            let Some(expected) = cases["chelsea.png"]["outputs"].as_object() else {
                assert!(
                    !output.status.success(),
                    "{place}: an output where transformers raised"
                );
                continue;
            };
            assert!(output.status.success(), "{place}: {}", stderr(&output));
            let bytes = std::fs::read(&out).expect("read output");
            std::fs::remove_file(&out).ok();
            let file = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
            let mut names = file.names();
            names.sort();
            assert_eq!(names, expected.keys().collect::<Vec<_>>(), "{place}");
            for (name, golden) in expected {
                let view = file.tensor(name).expect("tensor");
                let dtype = match view.dtype() {
                    safetensors::Dtype::F32 => "float32",
                    safetensors::Dtype::I64 => "int64",
                    safetensors::Dtype::I32 => "int32",
                    safetensors::Dtype::U8 => "uint8",
                    other => panic!("{place} {name}: {other:?}"),
                };
                let shape: Vec<u64> = view.shape().iter().map(|&d| d as u64).collect();
                let golden_shape: Vec<u64> = (golden["shape"].as_array().expect("shape").iter())
                    .filter_map(serde_json::Value::as_u64)
                    .collect();
                assert_eq!(
                    (dtype, shape),
                    (golden["dtype"].as_str().expect("dtype"), golden_shape),
                    "{place} {name}"
                );
                assert_eq!(sha256_hex(view.data()), golden["sha256"], "{place} {name}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} configurations answered");
}
