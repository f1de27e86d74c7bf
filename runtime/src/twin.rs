//! What `#[image_processor]` and `#[images_kwargs]` expand to: the kwargs trait, the trait both twins
//! implement, and the registry `AutoImageProcessor` searches.

use crate::backend::Backend;
use crate::call::Batch;
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::image::Image;
use crate::kwargs::KwargDoc;
pub use crate::model_kwargs::ModelKwargs;
use crate::model_kwargs::{ClassDefaults, ModelKwargsSpec, ModelValues};
use crate::numeric::Numerics;
use crate::placement::Stacking;
use crate::processor::Processor;
use crate::spec::ModelSpec;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The trait both twins of a declaration implement: identical constructors, defaults, calls and
/// configuration I/O; they differ only in the backend they run on.
pub trait ImageProcessor: Sized {
    /// The kwargs type of the model.
    type Kwargs: ModelKwargs;

    /// The model's specification (type name, class defaults, preprocess function).
    fn spec() -> &'static ModelSpec;
    /// Wraps a validated processor; fails when the twin's backend cannot run here.
    fn from_processor(processor: Processor) -> Result<Self>;
    /// The processor this twin runs.
    fn processor(&self) -> &Processor;
    /// The processor this twin runs, to change.
    fn processor_mut(&mut self) -> &mut Processor;
    /// Where this twin computes.
    fn backend(&self) -> &dyn Backend;

    /// A processor with `kwargs` over the class defaults.
    fn new(kwargs: Self::Kwargs) -> Result<Self> {
        let processor = Processor::new(Self::spec(), kwargs.standard().clone())?
            .with_model_kwargs(ModelValues::new(kwargs))?;
        Self::from_processor(processor)
    }

    /// A processor from `preprocessor_config.json` (a directory or the file).
    fn from_pretrained(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_processor(Processor::from_pretrained(Self::spec(), path)?)
    }

    /// The class defaults, standard and model kwargs.
    fn defaults() -> Self::Kwargs {
        let spec = Self::spec();
        // The spec is made for `Self::Kwargs` by the same declaration: the type always matches.
        let mut kwargs = ((spec.model_kwargs.defaults)().get::<Self::Kwargs>())
            .cloned()
            .unwrap_or_default();
        *kwargs.standard_mut() = (spec.defaults)();
        kwargs
    }

    /// The instance's kwargs: configured values over class defaults.
    fn kwargs(&self) -> Result<Self::Kwargs> {
        let mut kwargs = (self.processor().model_kwargs().get::<Self::Kwargs>()?).clone();
        *kwargs.standard_mut() = self.processor().kwargs();
        Ok(kwargs)
    }

    /// The same processor with another numerics mode.
    fn with_numerics(mut self, numerics: Numerics) -> Self {
        let processor = self.processor().clone().with_numerics(numerics);
        *self.processor_mut() = processor;
        self
    }

    /// Preprocesses a batch; set fields of `overrides` replace the instance's values for this call.
    fn preprocess(&self, images: &[Image], overrides: &Self::Kwargs) -> Result<BatchFeature> {
        self.processor().run_with_model_kwargs(
            self.backend(),
            Batch::Flat(images),
            overrides,
            Stacking::Stack,
        )
    }

    /// [`preprocess`](Self::preprocess) into the memory of `out` (the previous call's batch, say),
    /// which it replaces; on an error `out` is left empty (see [`Processor::preprocess_into`]).
    fn preprocess_into(
        &self,
        images: &[Image],
        overrides: &Self::Kwargs,
        out: &mut BatchFeature,
    ) -> Result<()> {
        self.recycle(std::mem::take(out));
        *out = self.preprocess(images, overrides)?;
        Ok(())
    }

    /// Gives a batch of this processor's back to its backend once you are done with it, for later
    /// calls to write into (see [`Backend::recycle`]).
    fn recycle(&self, batch: BatchFeature) {
        batch
            .data
            .into_values()
            .for_each(|feature| self.backend().recycle(feature));
    }

    /// Preprocesses samples of several images each (transformers' nested lists).
    fn preprocess_samples(
        &self,
        samples: &[Vec<Image>],
        overrides: &Self::Kwargs,
    ) -> Result<BatchFeature> {
        self.processor().run_with_model_kwargs(
            self.backend(),
            Batch::Nested(samples),
            overrides,
            Stacking::Stack,
        )
    }

    /// Writes `preprocessor_config.json` into `dir`.
    fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<PathBuf> {
        self.processor().save_pretrained(dir)
    }

    /// Every kwarg, standard then model: name, type, meaning.
    fn kwarg_docs() -> Vec<KwargDoc> {
        crate::kwargs::STANDARD_KWARGS
            .iter()
            .chain(Self::Kwargs::MODEL_KWARGS)
            .copied()
            .collect()
    }
}

/// The model-kwargs spec of twin `T` (`#[image_processor]` calls it): the kwargs type named through
/// the twin, so a type that is not a kwargs type is reported once, on the twin's impl.
#[doc(hidden)]
pub const fn model_kwargs_spec<T: ImageProcessor, D: ClassDefaults<T::Kwargs>>() -> ModelKwargsSpec
{
    ModelKwargsSpec::of::<T::Kwargs, D>()
}

/// Kwargs of twin `T` with nothing set (its `Default` passes them to `new`): named through the
/// twin, as above.
#[doc(hidden)]
pub fn unset_kwargs<T: ImageProcessor>() -> T::Kwargs {
    Default::default()
}

/// Holds a twin declared on its own to its other twin's model kwarg defaults, by value (what the
/// macro could not compare at compile time: expressions other than numbers); called when either
/// twin is made.
pub fn same_model_defaults<A: ImageProcessor, B: ImageProcessor>() -> Result<()> {
    let (a, b) = (
        A::defaults().model_to_json()?,
        B::defaults().model_to_json()?,
    );
    let differing = a.iter().find(|(key, value)| b.get(*key) != Some(value));
    match differing {
        None => Ok(()),
        Some((key, value)) => Err(Error::InvalidArgument(format!(
            "the twins differ in model kwarg `{key}`: `{}` declares {value}, its twin `{}` {}; twins declare the same defaults",
            short_name::<A>(),
            short_name::<B>(),
            b.get(key)
                .map_or_else(|| "none".to_owned(), Value::to_string),
        ))),
    }
}

/// A type's name without its module path.
fn short_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// A processor registered for `AutoImageProcessor` (the macro submits one per declaration).
pub struct Registration(pub &'static ModelSpec);

inventory::collect!(Registration);

/// Every registered processor, in this binary and the crates it links.
pub fn registered() -> impl Iterator<Item = &'static ModelSpec> {
    inventory::iter::<Registration>.into_iter().map(|r| r.0)
}

/// Reads one model kwarg from JSON (used by `#[images_kwargs]`).
pub fn model_kwarg_from_json<T: serde::de::DeserializeOwned>(
    map: &Map<String, Value>,
    key: &str,
) -> Result<Option<T>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| Error::config(key, e.to_string())),
    }
}

/// Writes one model kwarg to JSON (used by `#[images_kwargs]`).
pub fn model_kwarg_to_json<T: serde::Serialize>(
    map: &mut Map<String, Value>,
    key: &str,
    value: &Option<T>,
) -> Result<()> {
    if let Some(value) = value {
        let json = serde_json::to_value(value).map_err(|e| Error::config(key, e.to_string()))?;
        map.insert(key.to_owned(), json);
    }
    Ok(())
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Fails compilation when a model kwarg of twin `T`'s kwargs type has no default among `declared`
/// (evaluated in a `const` the macro emits; the type named through the twin, as above).
#[doc(hidden)]
pub const fn assert_twin_model_defaults<T: ImageProcessor>(declared: &[&str]) {
    use crate::model_kwargs::ModelKwargs;
    assert_model_defaults(
        <T::Kwargs as ModelKwargs>::MODEL_KWARGS,
        <T::Kwargs as ModelKwargs>::MISSING_DEFAULT,
        declared,
    );
}

/// Fails compilation when a model kwarg of `fields` has no default among `declared`, with the
/// matching message of `messages` (evaluated in a `const` the macro emits).
pub const fn assert_model_defaults(fields: &[KwargDoc], messages: &[&str], declared: &[&str]) {
    let mut i = 0;
    while i < fields.len() {
        let mut found = false;
        let mut j = 0;
        while j < declared.len() {
            if same(fields[i].name, declared[j]) {
                found = true;
            }
            j += 1;
        }
        if !found {
            panic!("{}", messages[i]);
        }
        i += 1;
    }
}

/// A per-channel value as a declaration gives it (a constant's path, a list or a scalar), in a form
/// a separately declared twin can compare at compile time.
#[derive(Debug, Clone, Copy)]
pub enum DeclaredChannels {
    PerChannel(&'static [f64]),
    Scalar(f64),
}

/// `a == b` for optional values, at compile time: the comparisons a twin's check runs on each
/// standard kwarg's declared value (floats by their bits: the values, not their spelling).
pub mod same {
    use crate::kwargs::{ChannelDimension, Resample};
    use crate::size::SizeDict;
    use crate::twin::DeclaredChannels;

    const fn f64s(a: &[f64], b: &[f64]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i].to_bits() != b[i].to_bits() {
                return false;
            }
            i += 1;
        }
        true
    }

    const fn u32s(a: Option<u32>, b: Option<u32>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a == b,
            (None, None) => true,
            _ => false,
        }
    }

    pub const fn bool(a: Option<bool>, b: Option<bool>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a == b,
            (None, None) => true,
            _ => false,
        }
    }

    pub const fn float(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a.to_bits() == b.to_bits(),
            (None, None) => true,
            _ => false,
        }
    }

    pub const fn size(a: Option<SizeDict>, b: Option<SizeDict>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => {
                u32s(a.height, b.height)
                    && u32s(a.width, b.width)
                    && u32s(a.shortest_edge, b.shortest_edge)
                    && u32s(a.longest_edge, b.longest_edge)
                    && u32s(a.max_height, b.max_height)
                    && u32s(a.max_width, b.max_width)
            }
            (None, None) => true,
            _ => false,
        }
    }

    pub const fn resample(a: Option<Resample>, b: Option<Resample>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a as u8 == b as u8,
            (None, None) => true,
            _ => false,
        }
    }

    pub const fn layout(a: Option<ChannelDimension>, b: Option<ChannelDimension>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a as u8 == b as u8,
            (None, None) => true,
            _ => false,
        }
    }

    pub const fn text(a: Option<&str>, b: Option<&str>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => crate::twin::same(a, b),
            (None, None) => true,
            _ => false,
        }
    }

    /// Whether the twin's model kwargs (`(name, number)`: the value when the declaration writes
    /// a number) hold `name` with `value`; other expressions are compared when a twin is made
    /// ([`same_model_defaults`](crate::twin::same_model_defaults)).
    pub const fn model_kwarg(
        declared: &[(&str, Option<&str>)],
        name: &str,
        value: Option<&str>,
    ) -> bool {
        let mut i = 0;
        while i < declared.len() {
            if crate::twin::same(declared[i].0, name) {
                return match (declared[i].1, value) {
                    (Some(a), Some(b)) => crate::twin::same(a, b),
                    _ => true,
                };
            }
            i += 1;
        }
        true
    }

    pub const fn channels(a: Option<DeclaredChannels>, b: Option<DeclaredChannels>) -> bool {
        match (a, b) {
            (Some(DeclaredChannels::PerChannel(a)), Some(DeclaredChannels::PerChannel(b))) => {
                f64s(a, b)
            }
            (Some(DeclaredChannels::Scalar(a)), Some(DeclaredChannels::Scalar(b))) => {
                a.to_bits() == b.to_bits()
            }
            (None, None) => true,
            _ => false,
        }
    }
}

/// Fails compilation with `message` unless every one of `values` (a per-channel constant a
/// declaration names by path) is finite, and non-zero where `nonzero` (a standard deviation).
pub const fn assert_channels(values: &[f64], nonzero: bool, message: &str) {
    let mut i = 0;
    while i < values.len() {
        if !values[i].is_finite() || (nonzero && values[i] == 0.0) {
            panic!("{}", message);
        }
        i += 1;
    }
}

/// Fails compilation with `message` unless the twins declare the same value (`same`, from a
/// function of [`same`](mod@same), evaluated in a `const` the macro emits).
pub const fn assert_same(same: bool, message: &str) {
    if !same {
        panic!("{}", message);
    }
}
