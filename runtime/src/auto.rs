//! `AutoImageProcessor`: the processor a configuration names, found by type name.

use crate::backend::{BackendChoice, select};
use crate::config::{ProcessorConfig, canonical_type_name, read_config_object};
use crate::error::{Error, Result};
use crate::processor::Processor;
use crate::spec::ModelSpec;
use std::path::Path;

/// Finds the processor registered under `type_name` or one of transformers' aliases
/// (`…Fast`, `…Pil`, `…FeatureExtractor`), among every `#[image_processor]` of this binary and the
/// crates it links.
pub fn lookup(type_name: &str) -> Option<&'static ModelSpec> {
    let canonical = canonical_type_name(type_name);
    crate::twin::registered().find(|spec| spec.type_name == canonical)
}

/// Loads whichever processor a saved configuration declares.
pub struct AutoImageProcessor;

impl AutoImageProcessor {
    /// Reads `preprocessor_config.json` (a directory or the file) and builds the processor its
    /// `image_processor_type` names, on the configuration's `device` if it names one (`cuda`
    /// without a usable device is then an error, as in transformers), else on CUDA when a usable
    /// device is present, else on the CPU (the choice and its reason are logged at `info`).
    pub fn from_pretrained(path: impl AsRef<Path>) -> Result<Processor> {
        Self::from_pretrained_on(path, BackendChoice::Auto)
    }

    /// [`from_pretrained`](Self::from_pretrained) on the backend `choice` names.
    pub fn from_pretrained_on(path: impl AsRef<Path>, choice: BackendChoice) -> Result<Processor> {
        let (file, map) = read_config_object(path.as_ref())?;
        let declared = ProcessorConfig::declared_type(&map).ok_or_else(|| {
            Error::config(
                "image_processor_type",
                format!("{} declares no image_processor_type", file.display()),
            )
        })?;
        let model = lookup(&declared).ok_or(Error::UnknownProcessor(declared))?;
        let config = model.read_config(map)?;
        // A configuration's `device` decides where `Auto` runs, as it decides in transformers.
        let choice = match (choice, &config.kwargs.device) {
            (BackendChoice::Auto, Some(device)) => BackendChoice::for_device(device)?,
            (choice, _) => choice,
        };
        Ok(Processor::from_config(model, config)?.with_backend(select(choice)?))
    }
}
