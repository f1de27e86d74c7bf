//! Reading the reference fixtures (`tests/fixtures/`, made by `scripts/make_fixtures.py` from
//! transformers 5.23.0's own outputs): tensors are restored to their exact reference bytes.

pub mod fuzzing;

use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The fixtures folder: `TWINPROC_FIXTURES` when set (a test binary run on another machine, as
/// `scripts/gpu-check.sh` does), else `tests/fixtures` of this checkout.
pub fn fixtures() -> PathBuf {
    match std::env::var_os("TWINPROC_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
    }
}

/// The CUDA twin where this machine runs it. The GPU check sets `TWINPROC_REQUIRE_CUDA`: there, a
/// missing CUDA twin must fail the tests, not let them pass quietly.
pub fn cuda_twin() -> Option<twinproc::backend::CudaBackend> {
    match twinproc::backend::CudaBackend::new() {
        Ok(cuda) => Some(cuda),
        Err(e) if std::env::var_os("TWINPROC_REQUIRE_CUDA").is_some() => {
            panic!("TWINPROC_REQUIRE_CUDA is set but CUDA cannot be used: {e}")
        }
        Err(_) => None,
    }
}

/// The rows of a generated kwargs table (`KWARGS_DOC`): each kwarg's name and its default, as
/// written.
pub fn doc_rows(doc: &str) -> Vec<(String, String)> {
    doc.lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            Some((
                cells.get(1)?.trim_matches('`').to_owned(),
                cells.get(3)?.trim_matches('`').to_owned(),
            ))
        })
        .collect()
}

/// A bundled reference image.
/// The SHA-256 of `bytes` in hex, as the zoo's goldens keep each output.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

/// The zoo's goldens (`scripts/make_zoo_goldens.py`).
pub fn zoo_goldens() -> Value {
    let path = fixtures().join("zoo/goldens.json");
    let text = std::fs::read_to_string(&path).expect("zoo goldens");
    serde_json::from_str(&text).expect("zoo goldens: JSON")
}

pub fn image_path(name: &str) -> PathBuf {
    fixtures().join("images").join(name)
}

/// A bundled reference configuration directory.
pub fn config_dir(name: &str) -> PathBuf {
    fixtures().join("configs").join(name)
}

struct Pack {
    manifest: Value,
    blob: Vec<u8>,
}

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| {
        let manifest: Value = serde_json::from_slice(
            &std::fs::read(fixtures().join("reference.json")).expect("read reference.json"),
        )
        .expect("parse reference.json");
        let packed =
            std::fs::read(fixtures().join("reference.bin.xz")).expect("read reference.bin.xz");
        let mut blob = Vec::new();
        lzma_rs::xz_decompress(&mut packed.as_slice(), &mut blob)
            .expect("decompress reference.bin.xz");
        Pack { manifest, blob }
    })
}

/// A reference tensor, restored exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum RefTensor {
    F32 { shape: Vec<usize>, data: Vec<f32> },
    U8 { shape: Vec<usize>, data: Vec<u8> },
    I64 { shape: Vec<usize>, data: Vec<i64> },
    F64 { shape: Vec<usize>, data: Vec<f64> },
}

fn shape_of(entry: &Value) -> Vec<usize> {
    entry["shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|v| v.as_u64().expect("dim") as usize)
        .collect()
}

/// The tensor stored under `name` (`golden/<config>/<stem>/<key>` or `decoded/<image>/rgb`), if any.
pub fn tensor(name: &str) -> Option<RefTensor> {
    let pack = pack();
    let entry = pack.manifest["tensors"].get(name)?;
    let shape = shape_of(entry);
    let offset = entry["offset"].as_u64()? as usize;
    let nbytes = entry["nbytes"].as_u64()? as usize;
    let bytes = &pack.blob[offset..offset + nbytes];
    let dtype = entry["dtype"].as_str()?;
    Some(match entry["encoding"].as_str()? {
        "lut" => {
            let axis = entry["lut_axis"].as_u64()? as usize;
            let luts: Vec<Vec<f32>> = entry["lut"]
                .as_array()?
                .iter()
                .map(|lut| {
                    lut.as_array()
                        .expect("lut")
                        .iter()
                        .map(|b| f32::from_bits(b.as_u64().expect("bits") as u32))
                        .collect()
                })
                .collect();
            let index: Vec<usize> = match entry["index_dtype"].as_str()? {
                "uint8" => bytes.iter().map(|&b| b as usize).collect(),
                _ => bytes
                    .chunks_exact(2)
                    .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
                    .collect(),
            };
            // Indices are stored channel-major: [C, outer..., inner...] with the channel axis moved first.
            let outer: usize = shape[..axis].iter().product();
            let channels = shape[axis];
            let inner: usize = shape[axis + 1..].iter().product();
            let mut data = vec![0.0f32; index.len()];
            for c in 0..channels {
                for o in 0..outer {
                    for i in 0..inner {
                        let stored = (c * outer + o) * inner + i;
                        data[(o * channels + c) * inner + i] = luts[c][index[stored]];
                    }
                }
            }
            RefTensor::F32 { shape, data }
        }
        _ => match dtype {
            "uint8" => RefTensor::U8 {
                shape,
                data: bytes.to_vec(),
            },
            "int64" => RefTensor::I64 {
                shape,
                data: bytes
                    .chunks_exact(8)
                    .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect(),
            },
            "float64" => RefTensor::F64 {
                shape,
                data: bytes
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect(),
            },
            "float32" => RefTensor::F32 {
                shape,
                data: bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                    .collect(),
            },
            other => panic!("unexpected dtype {other}"),
        },
    })
}

/// The reference output files of a configuration: `(stem, metadata, keys)`.
pub fn golden_files(config: &str) -> Vec<(String, Value, Vec<String>)> {
    let prefix = format!("golden/{config}/");
    pack().manifest["files"]
        .as_object()
        .expect("files")
        .iter()
        .filter_map(|(name, file)| {
            let stem = name.strip_prefix(&prefix)?;
            let keys = file["keys"]
                .as_array()?
                .iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect();
            Some((stem.to_owned(), file["metadata"].clone(), keys))
        })
        .collect()
}

/// The uint8 HWC RGB array transformers made of `image` (stored for inputs other than plain RGB PNGs).
pub fn decoded_rgb(image: &str) -> Option<(usize, usize, Vec<u8>)> {
    match tensor(&format!("decoded/{image}/rgb"))? {
        RefTensor::U8 { shape, data } => Some((shape[0], shape[1], data)),
        other => panic!("decoded/{image}/rgb is not uint8: {other:?}"),
    }
}

/// Compares two f32 slices bit for bit; returns a description of the difference, if any.
pub fn compare_f32(expected: &[f32], actual: &[f32]) -> Option<String> {
    if expected.len() != actual.len() {
        return Some(format!(
            "{} elements expected, {} produced",
            expected.len(),
            actual.len()
        ));
    }
    let mut mismatches = 0usize;
    let mut max_abs = 0.0f32;
    let mut first = None;
    for (i, (e, a)) in expected.iter().zip(actual).enumerate() {
        if e.to_bits() != a.to_bits() {
            mismatches += 1;
            max_abs = max_abs.max((e - a).abs());
            first.get_or_insert((i, *e, *a));
        }
    }
    first.map(|(i, e, a)| {
        format!(
            "{mismatches} of {} elements differ (max abs {max_abs}); first at {i}: expected {e}, got {a}",
            expected.len()
        )
    })
}
