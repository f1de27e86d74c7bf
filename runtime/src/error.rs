//! The one error type of twinproc: every failure on input is a value of [`Error`], never a panic.

use std::path::PathBuf;

/// The underlying error a variant keeps as its [`source`](std::error::Error::source).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `": {message}"`, or nothing for an empty message (the source then says what happened).
fn detail(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

/// Everything that can go wrong, each variant naming what it concerns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An image file could not be decoded (corrupt, truncated, unknown format, over the size limit):
    /// the decoder's error as the source, or what is wrong in `message`.
    #[error("{}: cannot decode image{}", path.display(), detail(message))]
    Decode {
        path: PathBuf,
        message: String,
        #[source]
        source: Option<BoxError>,
    },
    /// An image that cannot be processed (zero-sized, wrong buffer length, unknown layout).
    #[error("invalid image: {0}")]
    InvalidImage(String),
    /// A configuration file is not valid JSON (the parser's error as the source) or not an object.
    #[error("{}: invalid JSON{}", path.display(), detail(message))]
    Json {
        path: PathBuf,
        message: String,
        #[source]
        source: Option<serde_json::Error>,
    },
    /// A configuration value is invalid; `key` names it as it appears in `preprocessor_config.json`.
    #[error("invalid value for `{key}`: {message}")]
    InvalidConfig { key: String, message: String },
    /// An argument outside the configuration (numerics mode, CLI option) is invalid.
    #[error("{0}")]
    InvalidArgument(String),
    /// The operation exists in transformers but raises there too (e.g. BOX resampling on tensors).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Outputs of different shapes were asked to be stacked into one tensor.
    #[error("unable to stack `{key}`: {message}")]
    Stack { key: String, message: String },
    /// A computed size is too large to allocate or index.
    #[error("size too large: {0}")]
    TooLarge(String),
    /// The requested compute backend cannot run here.
    #[error("backend unavailable: {0}")]
    BackendUnavailable(String),
    /// A CUDA call failed on a usable device (failed compile, copy or launch): doing `what`, the
    /// driver's or NVRTC's error as the source.
    #[error("CUDA: {what}")]
    Cuda {
        what: String,
        #[source]
        source: Option<BoxError>,
    },
    /// CUDA memory ran out, on the device or page-locked on the host (the string says doing
    /// what): a smaller batch may fit.
    #[error("out of CUDA memory ({0})")]
    CudaOutOfMemory(String),
    /// No processor is registered under the configuration's type name.
    #[error("unknown image processor type {0:?}")]
    UnknownProcessor(String),
    /// Writing an output file failed (the writer's error as the source).
    #[error("{}: cannot write{}", path.display(), detail(message))]
    Write {
        path: PathBuf,
        message: String,
        #[source]
        source: Option<BoxError>,
    },
    /// An invariant of twinproc's own failed: a bug, never the input's fault.
    #[error("internal error (a bug in twinproc; please report it): {0}")]
    Internal(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::InvalidConfig`] for `key`.
    pub fn config(key: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidConfig {
            key: key.into(),
            message: message.into(),
        }
    }
}
