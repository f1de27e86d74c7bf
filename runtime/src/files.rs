//! Opening what a user names: only regular files (a FIFO would block forever, a device or a
//! directory is no image), and text files with a cap on their size.

use crate::error::{Error, Result};
use std::io::{self, Read};
use std::path::Path;

/// The most a configuration file may hold (transformers' are a few KiB; a processor's with a chat
/// template some hundred).
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

fn io_error(path: &Path, source: io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Fails unless `path` is a regular file (through symbolic links); returns its length.
pub fn regular_file(path: &Path) -> Result<u64> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    if meta.is_file() {
        return Ok(meta.len());
    }
    let what = if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    };
    Err(io_error(
        path,
        io::Error::new(io::ErrorKind::InvalidInput, what),
    ))
}

/// The text of the regular file `path`, refused above `cap` bytes.
pub fn read_text(path: &Path, cap: u64) -> Result<String> {
    let len = regular_file(path)?;
    let too_large = || {
        Error::TooLarge(format!(
            "{}: {len} bytes, more than the {cap} a configuration may have",
            path.display()
        ))
    };
    if len > cap {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut text = String::new();
    // The file may have grown since: never read more than the cap.
    file.take(cap + 1)
        .read_to_string(&mut text)
        .map_err(|e| io_error(path, e))?;
    if text.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_cap() {
        let dir = std::env::temp_dir().join(format!("twinproc-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.json");
        std::fs::write(&file, "{}").unwrap();
        assert_eq!(read_text(&file, 2).unwrap(), "{}");
        assert!(matches!(read_text(&file, 1), Err(Error::TooLarge(_))));
        let err = regular_file(&dir).unwrap_err().to_string();
        assert!(err.ends_with("a directory"), "{err}");
        #[cfg(unix)]
        {
            let err = regular_file(Path::new("/dev/null"))
                .unwrap_err()
                .to_string();
            assert!(err.ends_with("not a regular file"), "{err}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
