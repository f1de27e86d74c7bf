//! Writing outputs to a safetensors file: the same bytes for the same outputs (tensors and metadata
//! in one fixed order), written beside the target and renamed over it, so a reader never sees half
//! a file, with the permissions the umask gives a new file. A symbolic link is followed (the link
//! stays); a target that is not a regular file (`/dev/null`, a FIFO) is written through.

use crate::error::{Error, Result};
use crate::tensor::{Tensor, TensorData};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// safetensors' name of an element type, and its size in bytes.
fn dtype(data: &TensorData) -> (&'static str, usize) {
    match data {
        TensorData::F32(_) => ("F32", 4),
        TensorData::U8(_) => ("U8", 1),
        TensorData::I32(_) => ("I32", 4),
        TensorData::I64(_) => ("I64", 8),
    }
}

/// What a safetensors header says of one tensor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub name: String,
    pub dtype: &'static str,
    pub shape: Vec<usize>,
    /// Its data's length in bytes.
    pub len: usize,
    width: usize,
}

impl Entry {
    /// The entry of `tensor` written as `name`.
    pub fn of(name: &str, tensor: &Tensor) -> Entry {
        let (dtype, width) = dtype(&tensor.data);
        Entry {
            name: name.to_owned(),
            dtype,
            shape: tensor.shape.clone(),
            len: tensor.data.le_bytes().len(),
            width,
        }
    }
}

/// The file's bytes before the tensors: the header's length (u64, little-endian) and the header,
/// JSON padded with spaces to a multiple of 8 bytes; and the order (indices into `entries`) their
/// data follows in.
///
/// Tensors go widest element first, then by name, so each starts aligned to its element size (as
/// the `safetensors` crate lays them out); JSON objects are written with sorted keys.
pub(crate) fn header(
    entries: &[Entry],
    metadata: &BTreeMap<String, String>,
) -> (Vec<u8>, Vec<usize>) {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&entries[a], &entries[b]);
        b.width.cmp(&a.width).then_with(|| a.name.cmp(&b.name))
    });
    let mut map = Map::new();
    if !metadata.is_empty() {
        map.insert("__metadata__".into(), json!(metadata));
    }
    let mut offset = 0usize;
    for entry in order.iter().map(|&i| &entries[i]) {
        let end = offset + entry.len;
        map.insert(
            entry.name.clone(),
            json!({ "dtype": entry.dtype, "shape": entry.shape, "data_offsets": [offset, end] }),
        );
        offset = end;
    }
    let mut text = Value::Object(map).to_string().into_bytes();
    text.resize(text.len().next_multiple_of(8), b' ');
    let mut bytes = (text.len() as u64).to_le_bytes().to_vec();
    bytes.extend(text);
    (bytes, order)
}

/// Writes `tensors` (name, tensor) and `metadata` as a safetensors file at `path`.
pub(crate) fn write_safetensors(
    path: &Path,
    tensors: &[(String, &Tensor)],
    metadata: &BTreeMap<String, String>,
) -> Result<()> {
    let entries: Vec<Entry> = tensors.iter().map(|(n, t)| Entry::of(n, t)).collect();
    let (header, order) = header(&entries, metadata);
    write_file(path, |out| {
        out.write_all(&header)?;
        for i in order {
            out.write_all(&tensors[i].1.data.le_bytes())?;
        }
        Ok(())
    })
}

/// Where a write to `path` goes: a regular file (new or replaced) by a rename, anything else
/// (a device, a FIFO) directly.
enum Target {
    Replace(PathBuf),
    Through(PathBuf),
}

fn target(path: &Path) -> io::Result<Target> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        )),
        // Through a symbolic link to where it points: the link stays a link.
        Ok(meta) if meta.is_file() => Ok(Target::Replace(std::fs::canonicalize(path)?)),
        Ok(_) => Ok(Target::Through(path.to_path_buf())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Target::Replace(path.to_path_buf())),
        Err(e) => Err(e),
    }
}

fn write_error(path: &Path, source: io::Error) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        message: String::new(),
        source: Some(source.into()),
    }
}

/// Writes a file through `write`: into a new file beside `path`, renamed over it when complete
/// (removed on failure), or straight into a target that is not a regular file.
pub(crate) fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let failed = |source: io::Error| write_error(path, source);
    match target(path).map_err(failed)? {
        Target::Through(through) => {
            let file = std::fs::OpenOptions::new().write(true).open(&through);
            let mut out = io::BufWriter::new(file.map_err(failed)?);
            write(&mut out).and_then(|()| out.flush()).map_err(failed)
        }
        Target::Replace(regular) => {
            let replacement = Replacement::create(path, regular)?;
            let mut out = io::BufWriter::with_capacity(1 << 20, replacement.file());
            write(&mut out).and_then(|()| out.flush()).map_err(failed)?;
            drop(out);
            replacement.commit()
        }
    }
}

/// A new file beside a regular file (or where one will be), renamed over it by
/// [`commit`](Self::commit); dropped uncommitted, it is removed.
pub(crate) struct Replacement {
    file: std::fs::File,
    temp: PathBuf,
    /// The file it replaces (a link's target), and the path the user named, for errors.
    regular: PathBuf,
    named: PathBuf,
    committed: bool,
}

impl Replacement {
    /// The replacement of `path`, or `None` when `path` is not a regular file (a device, a FIFO:
    /// written through, where nothing can be written at an offset).
    pub fn of(path: &Path) -> Result<Option<Replacement>> {
        match target(path).map_err(|e| write_error(path, e))? {
            Target::Replace(regular) => Replacement::create(path, regular).map(Some),
            Target::Through(_) => Ok(None),
        }
    }

    fn create(named: &Path, regular: PathBuf) -> Result<Replacement> {
        let temp = temp_beside(&regular);
        // A new file: the permissions are 0o666 less the umask, as any new file's.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| write_error(named, e))?;
        Ok(Replacement {
            file,
            temp,
            regular,
            named: named.to_path_buf(),
            committed: false,
        })
    }

    pub fn file(&self) -> &std::fs::File {
        &self.file
    }

    /// The error of a failed write to it.
    pub fn error(&self, source: io::Error) -> Error {
        write_error(&self.named, source)
    }

    /// Renames the new file over the old.
    pub fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.temp, &self.regular).map_err(|e| self.error(e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Replacement {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A name for the file written beside `path` before it is renamed over it.
fn temp_beside(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let unique = format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    path.with_file_name(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensors() -> Vec<(String, Tensor)> {
        vec![
            (
                "pixel_values".into(),
                Tensor {
                    shape: vec![1, 2, 3],
                    data: TensorData::F32(vec![0.5, -1.0, 2.0, 3.25, f32::MIN, 7.0]),
                },
            ),
            (
                "image_sizes".into(),
                Tensor {
                    shape: vec![1, 2],
                    data: TensorData::I64(vec![480, 640]),
                },
            ),
            (
                "levels".into(),
                Tensor {
                    shape: vec![3],
                    data: TensorData::U8(vec![1, 2, 255]),
                },
            ),
        ]
    }

    /// What the `safetensors` crate reads back is what was written, and the header is 8-aligned.
    #[test]
    fn the_safetensors_crate_reads_it_back() {
        let owned = tensors();
        let named: Vec<(String, &Tensor)> = owned.iter().map(|(n, t)| (n.clone(), t)).collect();
        let metadata = BTreeMap::from([("numerics".to_owned(), "pil".to_owned())]);
        let dir = std::env::temp_dir().join(format!("twinproc-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.safetensors");
        write_safetensors(&path, &named, &metadata).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!(n % 8, 0);
        let (_, read_metadata) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(
            read_metadata.metadata().as_ref().unwrap()["numerics"],
            "pil"
        );
        let read = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        for (name, tensor) in &owned {
            let view = read.tensor(name).unwrap();
            assert_eq!(view.shape(), tensor.shape.as_slice(), "{name}");
            assert_eq!(view.data(), tensor.data.le_bytes().as_ref(), "{name}");
        }
        // The same outputs give the same bytes, whatever order they come in.
        let reversed: Vec<_> = named.iter().rev().cloned().collect();
        write_safetensors(&path, &reversed, &metadata).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        // Nothing is left beside it.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).ok();
    }
}
