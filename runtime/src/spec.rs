//! What defines a model's processor: its type name, class defaults and own preprocessing.

use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::config::ProcessorConfig;
use crate::error::Result;
use crate::feature::BatchFeature;
use crate::kwargs::ImagesKwargs;
use crate::model_kwargs::ModelKwargsSpec;

/// A model's own preprocessing, written once for every backend (both twins run it).
pub type CustomPreprocess = fn(&dyn Backend, &Call, Batch<'_>) -> Result<BatchFeature>;

/// Rewrites the legacy keys of a configuration into the ones it is read by, as the class's
/// `__init__` does (Qwen2-VL's `min_pixels` into `size`).
pub type LegacyKeys = fn(&mut serde_json::Map<String, serde_json::Value>) -> Result<()>;

/// What defines a model's processor: its type name, its class defaults, and its own logic if any.
#[derive(Debug)]
pub struct ModelSpec {
    /// The transformers class name of the torchvision twin, e.g. `CLIPImageProcessor`.
    pub type_name: &'static str,
    /// One line on the model.
    pub description: &'static str,
    /// How an int `size` is read when the configuration does not say (`default_to_square`).
    pub default_to_square: bool,
    /// The class defaults of every standard kwarg.
    pub defaults: fn() -> ImagesKwargs,
    /// The model's own kwargs: their docs, class defaults and JSON form.
    pub model_kwargs: ModelKwargsSpec,
    /// The model's preprocessing; `None`: the default pipeline.
    pub preprocess: Option<CustomPreprocess>,
    /// The rewrite of a configuration's legacy keys, if the class has one.
    pub legacy_keys: Option<LegacyKeys>,
}

impl ModelSpec {
    /// Whether the model decides every size itself: it has its own preprocessing and no `size`
    /// among its class defaults (SigLIP2). Its `do_resize` needs no `size`.
    pub fn sizes_itself(&self) -> bool {
        self.preprocess.is_some() && (self.defaults)().size.is_none()
    }

    /// A configuration of this model from its JSON object: the legacy keys rewritten first.
    pub fn read_config(
        &self,
        mut map: serde_json::Map<String, serde_json::Value>,
    ) -> Result<ProcessorConfig> {
        if let Some(rewrite) = self.legacy_keys {
            rewrite(&mut map)?;
        }
        ProcessorConfig::from_object(map, self.default_to_square)
    }
}
