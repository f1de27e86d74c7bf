//! What defines a model's processor: its type name, class defaults and own preprocessing.

use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::Result;
use crate::feature::BatchFeature;
use crate::kwargs::ImagesKwargs;
use crate::model_kwargs::ModelKwargsSpec;

/// A model's own preprocessing, written once for every backend (both twins run it).
pub type CustomPreprocess = fn(&dyn Backend, &Call, Batch<'_>) -> Result<BatchFeature>;

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
}
