//! The IMAGE arguments: files, or `-` for one encoded image on standard input, opened as a
//! `PIL.Image` (object semantics) or as transformers loads a path string (path semantics).

use clap::ValueEnum;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use twinproc::{Error, Image, Numerics};

/// Encoded bytes the command reads from standard input at most (an image there is held whole).
const MAX_STDIN_BYTES: u64 = 1 << 30;

/// How an IMAGE argument becomes images.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SemanticsArg {
    /// `processor(Image.open(path))`.
    Object,
    /// `processor(path)`.
    Path,
}

/// The images of the IMAGE arguments, by index.
pub struct Inputs<'a> {
    paths: &'a [PathBuf],
    stdin: Option<Vec<u8>>,
    /// Path semantics: every argument loaded up front (a GIF's frames may be many images).
    loaded: Option<Vec<Image>>,
}

impl<'a> Inputs<'a> {
    /// Reads standard input if an argument is `-`; with path semantics, loads every argument
    /// (in parallel) for `numerics`' backend.
    pub fn new(
        paths: &'a [PathBuf],
        semantics: SemanticsArg,
        numerics: Numerics,
    ) -> Result<Self, Error> {
        let stdin = match paths.iter().filter(|p| is_stdin(p)).count() {
            0 => None,
            1 => Some(read_stdin()?),
            _ => {
                return Err(Error::InvalidArgument(
                    "`-` (standard input) can be given once".into(),
                ));
            }
        };
        let mut inputs = Inputs {
            paths,
            stdin,
            loaded: None,
        };
        if semantics == SemanticsArg::Path {
            let loaded: Vec<Vec<Image>> = paths
                .par_iter()
                .map(|path| match (is_stdin(path), &inputs.stdin) {
                    (true, Some(bytes)) => Image::load_named(bytes, "<stdin>", numerics),
                    _ => Image::load(path, numerics),
                })
                .collect::<Result<_, _>>()?;
            inputs.loaded = Some(loaded.into_iter().flatten().collect());
        }
        Ok(inputs)
    }

    /// How many images there are.
    pub fn count(&self) -> usize {
        self.loaded.as_ref().map_or(self.paths.len(), Vec::len)
    }

    /// Image `i`.
    pub fn open(&self, i: usize) -> Result<Image, Error> {
        if let Some(loaded) = &self.loaded {
            return Ok(loaded[i].clone());
        }
        match (is_stdin(&self.paths[i]), &self.stdin) {
            (true, Some(bytes)) => Image::decode_named(bytes, "<stdin>"),
            _ => Image::open(&self.paths[i]),
        }
    }

    /// Every image, decoded in parallel.
    pub fn open_all(&self) -> Result<Vec<Image>, Error> {
        (0..self.count())
            .into_par_iter()
            .map(|i| self.open(i))
            .collect()
    }
}

/// Whether an IMAGE argument names standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

fn read_stdin() -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Io {
            path: "<stdin>".into(),
            source,
        })?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        return Err(Error::TooLarge(format!(
            "<stdin>: more than {MAX_STDIN_BYTES} bytes"
        )));
    }
    Ok(bytes)
}
