//! An image processor: a model's class defaults, the values its configuration sets, the numerics
//! mode and the backend it runs on.

use crate::backend::{Backend, CpuBackend};
use crate::call::{Batch, Call};
use crate::config::{self, ProcessorConfig, read_config_object};
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::image::Image;
use crate::kwargs::ImagesKwargs;
use crate::model_kwargs::{ModelKwargs, ModelValues};
use crate::numeric::{Numerics, Pixels};
use crate::pipeline::{default_preprocess, plan_default_pipeline, plan_inputs};
use crate::placement::Stacking;
use crate::plan::{ImagePlan, Input};
use crate::resolve::Resolved;
use crate::spec::ModelSpec;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An image processor: a model's class defaults, the values its configuration sets, the numerics mode.
#[derive(Debug, Clone)]
pub struct Processor {
    model: &'static ModelSpec,
    /// Values set by the configuration or the constructor (over the class defaults).
    set: ImagesKwargs,
    /// The model kwargs the configuration or the constructor set.
    model_set: ModelValues,
    /// The model kwargs: `model_set` over the class defaults.
    model_kwargs: ModelValues,
    /// Configuration keys that are neither standard nor model kwargs, kept for saving.
    unknown: Map<String, Value>,
    numerics: Numerics,
    /// Where `preprocess` computes.
    backend: Arc<dyn Backend>,
}

/// Where a resolved kwarg's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The configuration file (or the constructor's kwargs).
    Config,
    /// The processor's class default.
    Default,
    /// Neither: the kwarg is unset.
    Unset,
}

impl Processor {
    /// A processor of `model` with `kwargs` over its class defaults, validated.
    pub fn new(model: &'static ModelSpec, kwargs: ImagesKwargs) -> Result<Self> {
        let defaults = (model.model_kwargs.defaults)();
        let processor = Processor {
            model,
            set: kwargs,
            model_set: model.model_kwargs.unset(),
            model_kwargs: defaults,
            unknown: Map::new(),
            numerics: Numerics::default(),
            backend: Arc::new(CpuBackend::new()),
        };
        Resolved::for_model(&processor.kwargs(), model.sizes_itself())?;
        Ok(processor)
    }

    /// A processor of `model` from a parsed configuration.
    pub fn from_config(model: &'static ModelSpec, config: ProcessorConfig) -> Result<Self> {
        let spec = &model.model_kwargs;
        let set = spec.from_json(&config.extra)?;
        let mut processor = Processor::new(model, config.kwargs)?.with_model_kwargs(set)?;
        processor.unknown = (config.extra.into_iter())
            .filter(|(key, _)| !spec.has(key))
            .collect();
        Ok(processor)
    }

    /// A processor of `model` from `preprocessor_config.json` (a directory or the file).
    pub fn from_pretrained(model: &'static ModelSpec, path: impl AsRef<Path>) -> Result<Self> {
        let (_, map) = read_config_object(path.as_ref())?;
        Self::from_config(model, model.read_config(map)?)
    }

    /// The same processor with another numerics mode.
    pub fn with_numerics(mut self, numerics: Numerics) -> Self {
        self.numerics = numerics;
        self
    }

    /// The same processor computing on `backend`.
    pub fn with_backend(mut self, backend: Arc<dyn Backend>) -> Self {
        self.backend = backend;
        self
    }

    /// The same processor on the CPU twin with a pool of `threads` threads (images, and the
    /// rows of large images, run in parallel on it).
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join("twinproc-doc-threads");
    /// # std::fs::create_dir_all(&dir)?;
    /// # std::fs::write(dir.join("preprocessor_config.json"),
    /// #     r#"{"image_processor_type": "CLIPImageProcessor", "size": 32, "crop_size": 32}"#)?;
    /// let processor = twinproc::AutoImageProcessor::from_pretrained(&dir)?.with_cpu_threads(1)?;
    /// assert_eq!(processor.backend().name(), "cpu");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_cpu_threads(self, threads: usize) -> Result<Self> {
        Ok(self.with_backend(Arc::new(CpuBackend::with_threads(threads)?)))
    }

    /// Where `preprocess` computes.
    pub fn backend(&self) -> &dyn Backend {
        &*self.backend
    }

    /// The numerics mode.
    pub fn numerics(&self) -> Numerics {
        self.numerics
    }

    /// The model this processor belongs to.
    pub fn model(&self) -> &'static ModelSpec {
        self.model
    }

    /// The model's class defaults.
    pub fn defaults(&self) -> ImagesKwargs {
        (self.model.defaults)()
    }

    /// The instance's kwargs: configured values over class defaults.
    pub fn kwargs(&self) -> ImagesKwargs {
        self.set.or(&self.defaults())
    }

    /// The same processor with the model kwargs `set` (over the class defaults), which must be of
    /// the model's kwargs type.
    pub fn with_model_kwargs(mut self, set: ModelValues) -> Result<Self> {
        let spec = &self.model.model_kwargs;
        self.model_kwargs = spec.or(&set, &(spec.defaults)())?;
        self.model_set = set;
        Ok(self)
    }

    /// The model kwargs: configured values over class defaults.
    pub fn model_kwargs(&self) -> &ModelValues {
        &self.model_kwargs
    }

    /// Configuration keys that are not standard kwargs: the model kwargs and the unknown keys
    /// kept for saving, as JSON.
    pub fn extra(&self) -> Result<Map<String, Value>> {
        let mut map = self.model.model_kwargs.to_json(&self.model_kwargs)?;
        map.extend(self.unknown.clone());
        Ok(map)
    }

    /// Every non-standard key with its value, where it comes from, and whether it is one of the
    /// model's kwargs (else a key the processor keeps but does not use).
    pub fn extra_origins(&self) -> Result<Vec<(String, Value, Origin, bool)>> {
        let spec = &self.model.model_kwargs;
        let set = spec.to_json(&self.model_set)?;
        let model = spec
            .to_json(&self.model_kwargs)?
            .into_iter()
            .map(|(key, value)| {
                let origin = if set.contains_key(&key) {
                    Origin::Config
                } else {
                    Origin::Default
                };
                (key, value, origin, true)
            });
        let unknown =
            (self.unknown.iter()).map(|(k, v)| (k.clone(), v.clone(), Origin::Config, false));
        Ok(model.chain(unknown).collect())
    }

    /// Every standard kwarg with its resolved JSON value and where it comes from.
    pub fn kwarg_origins(&self) -> Vec<(&'static str, Value, Origin)> {
        let set = self.set.to_json();
        let defaults = self.defaults().to_json();
        crate::kwargs::STANDARD_KWARGS
            .iter()
            .map(|doc| match (set.get(doc.name), defaults.get(doc.name)) {
                (Some(v), _) => (doc.name, v.clone(), Origin::Config),
                (None, Some(v)) => (doc.name, v.clone(), Origin::Default),
                (None, None) => (doc.name, Value::Null, Origin::Unset),
            })
            .collect()
    }

    /// The JSON `save_pretrained` writes.
    pub fn to_json_string(&self) -> Result<String> {
        let mut extra = self.extra()?;
        // A class attribute transformers writes only when the configuration or constructor set it.
        if let Some(square) = self.set.default_to_square {
            extra.insert("default_to_square".into(), Value::from(square));
        }
        Ok(config::to_json_string(
            self.model.type_name,
            &self.kwargs(),
            &extra,
        ))
    }

    /// Writes `preprocessor_config.json` into `dir` (created if missing); returns the file's path.
    pub fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<PathBuf> {
        let dir = dir.as_ref();
        let io = |source| Error::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let path = dir.join(config::CONFIG_NAME);
        std::fs::write(&path, self.to_json_string()?).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }

    /// Preprocesses a batch on the processor's backend, stacking the outputs.
    pub fn preprocess(&self, images: &[Image], overrides: &ImagesKwargs) -> Result<BatchFeature> {
        self.run(
            &*self.backend,
            Batch::Flat(images),
            overrides,
            Stacking::Stack,
        )
    }

    /// [`preprocess`](Self::preprocess) into the memory of `out` (the previous call's batch, say),
    /// which it replaces; on an error `out` is left empty. In a loop this skips the kernel's
    /// zeroing of fresh memory (see [`Backend::recycle`]); the values are the same.
    ///
    /// ```
    /// # use twinproc::{AutoImageProcessor, BatchFeature, Image, ImagesKwargs};
    /// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/configs/clip_vit_b32");
    /// let processor = AutoImageProcessor::from_pretrained(dir)?;
    /// let mut batch = BatchFeature::default();
    /// for shade in [0u8, 128, 255] {
    ///     let image = Image::from_hwc(vec![shade; 32 * 48 * 3], 32, 48, 3);
    ///     processor.preprocess_into(&[image], &ImagesKwargs::default(), &mut batch)?;
    ///     assert_eq!(batch.tensor("pixel_values").unwrap().shape, [1, 3, 224, 224]);
    /// }
    /// # Ok::<(), twinproc::Error>(())
    /// ```
    pub fn preprocess_into(
        &self,
        images: &[Image],
        overrides: &ImagesKwargs,
        out: &mut BatchFeature,
    ) -> Result<()> {
        self.recycle(std::mem::take(out));
        *out = self.preprocess(images, overrides)?;
        Ok(())
    }

    /// Gives a batch of this processor's back to its backend once you are done with it, for later
    /// calls to write into (see [`Backend::recycle`]).
    pub fn recycle(&self, batch: BatchFeature) {
        batch
            .data
            .into_values()
            .for_each(|feature| self.backend.recycle(feature));
    }

    /// Preprocesses a batch on `backend`.
    pub fn preprocess_with<B: Backend>(
        &self,
        backend: &B,
        images: &[Image],
        overrides: &ImagesKwargs,
        stacking: Stacking,
    ) -> Result<BatchFeature> {
        self.run(backend, Batch::Flat(images), overrides, stacking)
    }

    /// Preprocesses samples of several images each (transformers' nested lists) on the
    /// processor's backend.
    pub fn preprocess_samples(
        &self,
        samples: &[Vec<Image>],
        overrides: &ImagesKwargs,
    ) -> Result<BatchFeature> {
        self.run(
            &*self.backend,
            Batch::Nested(samples),
            overrides,
            Stacking::Stack,
        )
    }

    /// The host-built plans of a default-pipeline call, for running them yourself (e.g. with
    /// [`CudaBackend::execute_resident`](crate::backend::CudaBackend::execute_resident) on images
    /// kept on the GPU). Models with their own preprocess function have no single plan list.
    pub fn plans<'a>(
        &self,
        images: &'a [Image],
        overrides: &ImagesKwargs,
    ) -> Result<(Vec<Pixels<'a>>, Vec<ImagePlan>)> {
        let call = self.default_pipeline_call(overrides)?;
        plan_default_pipeline(
            &call.resolved,
            call.numerics,
            call.pixels(Batch::Flat(images))?,
        )
    }

    /// The images as a backend takes them (their own 8-bit channels and the conversion to RGB the
    /// call asks), to plan again and again with [`plan_inputs`](Self::plan_inputs).
    pub fn inputs<'a>(
        &self,
        images: &'a [Image],
        overrides: &ImagesKwargs,
    ) -> Result<Vec<Input<'a>>> {
        self.default_pipeline_call(overrides)?
            .pixels(Batch::Flat(images))
    }

    /// The plans of a default-pipeline call over `inputs`, which stay where they are.
    pub fn plan_inputs(
        &self,
        inputs: &[Input],
        overrides: &ImagesKwargs,
    ) -> Result<Vec<ImagePlan>> {
        let call = self.default_pipeline_call(overrides)?;
        plan_inputs(&call.resolved, call.numerics, inputs)
    }

    fn default_pipeline_call(&self, overrides: &ImagesKwargs) -> Result<Call> {
        if self.model.preprocess.is_some() {
            return Err(Error::Unsupported(format!(
                "{} has its own preprocess function; run it with `run`",
                self.model.type_name
            )));
        }
        let instance = self.kwargs();
        Ok(Call {
            resolved: Resolved::for_model(&overrides.or(&instance), self.model.sizes_itself())?,
            instance,
            model_kwargs: self.model_kwargs.clone(),
            numerics: self.numerics,
            stacking: Stacking::Stack,
        })
    }

    /// Runs the model's preprocess function (or the default pipeline) on `backend`.
    pub fn run(
        &self,
        backend: &dyn Backend,
        batch: Batch<'_>,
        overrides: &ImagesKwargs,
        stacking: Stacking,
    ) -> Result<BatchFeature> {
        self.run_call(
            backend,
            batch,
            overrides,
            self.model_kwargs.clone(),
            stacking,
        )
    }

    /// [`run`](Self::run) with model kwargs overridden too: the set fields of `overrides`, which
    /// must be of the model's kwargs type, replace the instance's values for this call.
    pub fn run_with_model_kwargs<K: ModelKwargs>(
        &self,
        backend: &dyn Backend,
        batch: Batch<'_>,
        overrides: &K,
        stacking: Stacking,
    ) -> Result<BatchFeature> {
        let model_kwargs = ModelValues::new(overrides.model_or(self.model_kwargs.get::<K>()?));
        self.run_call(backend, batch, overrides.standard(), model_kwargs, stacking)
    }

    fn run_call(
        &self,
        backend: &dyn Backend,
        batch: Batch<'_>,
        overrides: &ImagesKwargs,
        model_kwargs: ModelValues,
        stacking: Stacking,
    ) -> Result<BatchFeature> {
        let instance = self.kwargs();
        let call = Call {
            resolved: Resolved::for_model(&overrides.or(&instance), self.model.sizes_itself())?,
            instance,
            model_kwargs,
            numerics: self.numerics,
            stacking,
        };
        match self.model.preprocess {
            Some(preprocess) => preprocess(backend, &call, batch),
            None => default_preprocess(backend, &call, batch),
        }
    }
}
