//! A model's own kwargs: the trait `#[images_kwargs]` implements, and how a processor keeps them
//! typed without naming their type (a processor built from a configuration does not know it).

use crate::error::{Error, Result};
use crate::kwargs::{ImagesKwargs, KwargDoc};
use serde_json::{Map, Value};
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A kwargs type: every standard `ImagesKwargs` field plus a model's own, each optional.
///
/// Declare one with [`images_kwargs`](crate::images_kwargs); [`ImagesKwargs`] itself is the kwargs
/// type of processors without model kwargs.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an ImagesKwargs type",
    label = "declare it with `#[twinproc::images_kwargs]`, or use `twinproc::ImagesKwargs`",
    note = "the `kwargs` of `#[image_processor]` must carry every standard kwarg"
)]
pub trait ModelKwargs: Clone + Default + PartialEq + fmt::Debug + Send + Sync + 'static {
    /// The model's own kwargs: name, type, meaning (from the field's doc comment).
    const MODEL_KWARGS: &'static [KwargDoc];
    /// For each model kwarg, the compile error of a declaration that gives it no default.
    const MISSING_DEFAULT: &'static [&'static str];
    /// The standard kwargs.
    fn standard(&self) -> &ImagesKwargs;
    /// The standard kwargs, to change.
    fn standard_mut(&mut self) -> &mut ImagesKwargs;
    /// The model kwargs set in `self`, each else `base`'s (the standard kwargs left unset).
    fn model_or(&self, base: &Self) -> Self;
    /// The model kwargs that are set, as transformers' JSON.
    fn model_to_json(&self) -> Result<Map<String, Value>>;
    /// The model kwargs found in a configuration's JSON (standard kwargs left unset).
    fn model_from_json(map: &Map<String, Value>) -> Result<Self>;
}

impl ModelKwargs for ImagesKwargs {
    const MODEL_KWARGS: &'static [KwargDoc] = &[];
    const MISSING_DEFAULT: &'static [&'static str] = &[];
    fn standard(&self) -> &ImagesKwargs {
        self
    }
    fn standard_mut(&mut self) -> &mut ImagesKwargs {
        self
    }
    fn model_or(&self, _: &Self) -> Self {
        ImagesKwargs::default()
    }
    fn model_to_json(&self) -> Result<Map<String, Value>> {
        Ok(Map::new())
    }
    fn model_from_json(_: &Map<String, Value>) -> Result<Self> {
        Ok(ImagesKwargs::default())
    }
}

/// What [`ModelValues`] holds: a kwargs value of some [`ModelKwargs`] type.
trait Erased: Any + fmt::Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn type_name(&self) -> &'static str;
}

impl<K: ModelKwargs> Erased for K {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn type_name(&self) -> &'static str {
        std::any::type_name::<K>()
    }
}

/// A model's own kwargs (its standard kwargs unset), typed, with the type erased: what a processor
/// keeps and a call carries, read back with [`get`](Self::get) (or
/// [`Call::model`](crate::extend::Call::model) in a preprocess function). Cloning shares them.
#[derive(Clone)]
pub struct ModelValues(Arc<dyn Erased>);

impl ModelValues {
    /// The model kwargs of `kwargs` (its standard kwargs are dropped).
    pub fn new<K: ModelKwargs>(mut kwargs: K) -> Self {
        *kwargs.standard_mut() = ImagesKwargs::default();
        ModelValues(Arc::new(kwargs))
    }

    /// The kwargs, as the type `K` they were made of.
    pub fn get<K: ModelKwargs>(&self) -> Result<&K> {
        self.0.as_any().downcast_ref::<K>().ok_or_else(|| {
            Error::Unsupported(format!(
                "model kwargs of type `{}` read as `{}`",
                self.0.type_name(),
                std::any::type_name::<K>()
            ))
        })
    }
}

impl fmt::Debug for ModelValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The class defaults of a declaration's model kwargs, set on the unset kwargs (what
/// `#[image_processor]` writes from `name = value`). No bound on `K`: a declaration naming a type
/// that is no kwargs type gets one error, where the spec asks for [`ModelKwargs`].
pub trait ClassDefaults<K> {
    fn set(kwargs: &mut K);
}

/// How a model's kwargs are read, merged and written without naming their type: the part of a
/// [`ModelSpec`](crate::spec::ModelSpec) that `#[image_processor]` fills in for its kwargs type.
pub struct ModelKwargsSpec {
    /// The model's own kwargs: name, type, meaning.
    pub docs: &'static [KwargDoc],
    /// The class defaults.
    pub defaults: fn() -> ModelValues,
    unset: fn() -> ModelValues,
    from_json: fn(&Map<String, Value>) -> Result<ModelValues>,
    to_json: fn(&ModelValues) -> Result<Map<String, Value>>,
    or: fn(&ModelValues, &ModelValues) -> Result<ModelValues>,
}

impl fmt::Debug for ModelKwargsSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelKwargsSpec")
            .field("docs", &self.docs)
            .finish_non_exhaustive()
    }
}

impl ModelKwargsSpec {
    /// The spec of kwargs type `K`, whose class defaults `D` sets.
    pub const fn of<K: ModelKwargs, D: ClassDefaults<K>>() -> Self {
        ModelKwargsSpec {
            docs: K::MODEL_KWARGS,
            defaults: || {
                let mut kwargs = K::default();
                D::set(&mut kwargs);
                ModelValues::new(kwargs)
            },
            unset: || ModelValues::new(K::default()),
            from_json: |map| K::model_from_json(map).map(ModelValues::new),
            to_json: |values| values.get::<K>()?.model_to_json(),
            or: |set, base| Ok(ModelValues::new(set.get::<K>()?.model_or(base.get::<K>()?))),
        }
    }

    /// No model kwarg set.
    pub fn unset(&self) -> ModelValues {
        (self.unset)()
    }

    /// Whether `key` is one of the model's kwargs.
    pub fn has(&self, key: &str) -> bool {
        self.docs.iter().any(|doc| doc.name == key)
    }

    /// The model kwargs a configuration's JSON sets (its other keys are ignored).
    pub fn from_json(&self, map: &Map<String, Value>) -> Result<ModelValues> {
        (self.from_json)(map)
    }

    /// The set model kwargs of `values`, as transformers' JSON.
    pub fn to_json(&self, values: &ModelValues) -> Result<Map<String, Value>> {
        (self.to_json)(values)
    }

    /// The kwargs set in `set`, each else `base`'s.
    pub fn or(&self, set: &ModelValues, base: &ModelValues) -> Result<ModelValues> {
        (self.or)(set, base)
    }
}
