//! The default pipeline of transformers' image processors, generic over the compute backend:
//! convert to RGB → resize → center crop → rescale and normalize → pad, over a batch.

use crate::backend::{Backend, CpuBackend};
use crate::config::{self, ProcessorConfig};
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::image::Image;
use crate::kwargs::{ChannelDimension, ChannelValues, ImagesKwargs, Resample};
use crate::numeric::convert::ToRgb;
use crate::numeric::crop::{CropWindow, center_crop};
use crate::numeric::normalize::{LevelMap, MeanStd};
use crate::numeric::resample::ResizePlan;
use crate::numeric::{Numerics, Pixels, pil, torchvision};
pub use crate::plan::Stacking;
use crate::plan::{Assembly, Canvas, ImagePlan, Placement};
use crate::size::SizeDict;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// The class defaults of the model's own kwargs, as JSON (saved with the configuration).
    pub model_defaults: fn() -> Map<String, Value>,
    /// The model's own kwargs: name, type, meaning.
    pub model_kwargs: &'static [crate::kwargs::KwargDoc],
    /// The model's preprocessing; `None`: the default pipeline.
    pub preprocess: Option<CustomPreprocess>,
}

/// No model kwargs.
pub fn no_model_kwargs() -> Map<String, Value> {
    Map::new()
}

/// The images of one call: a flat list (one sample per image) or samples of several images.
#[derive(Debug, Clone, Copy)]
pub enum Batch<'a> {
    Flat(&'a [Image]),
    Nested(&'a [Vec<Image>]),
}

impl<'a> Batch<'a> {
    /// Every image, sample after sample.
    pub fn images(&self) -> Vec<&'a Image> {
        match self {
            Batch::Flat(images) => images.iter().collect(),
            Batch::Nested(samples) => samples.iter().flatten().collect(),
        }
    }
}

/// An image as a backend takes it: its own 8-bit channels, and the conversion to apply first.
#[derive(Debug, Clone, PartialEq)]
pub struct Input<'a> {
    pub pixels: Pixels<'a>,
    pub convert: ToRgb,
}

impl Input<'_> {
    /// Channels after the conversion.
    pub fn channels(&self) -> usize {
        self.convert.output_channels(self.pixels.channels)
    }

    /// `(height, width)`.
    pub fn size(&self) -> (usize, usize) {
        (self.pixels.height, self.pixels.width)
    }
}

/// Everything a preprocess function needs besides the images and the backend.
#[derive(Debug, Clone)]
pub struct Call {
    /// The call's kwargs, resolved and validated.
    pub resolved: Resolved,
    /// The instance's kwargs (configuration over class defaults), before call overrides.
    pub instance: ImagesKwargs,
    /// The model's own kwargs (call overrides over configuration over class defaults), as JSON.
    pub model_kwargs: Map<String, Value>,
    pub numerics: Numerics,
    pub stacking: Stacking,
}

impl Call {
    /// The 8-bit pixels of every image of `batch`, each with the conversion to RGB the call asks.
    pub fn pixels<'a>(&self, batch: Batch<'a>) -> Result<Vec<Input<'a>>> {
        let pixels = batch
            .images()
            .into_iter()
            .map(|image| {
                image
                    .to_pixels(
                        self.resolved.do_convert_rgb,
                        self.resolved.input_data_format,
                    )
                    .map(|(pixels, convert)| Input { pixels, convert })
            })
            .collect::<Result<Vec<_>>>()?;
        if pixels.is_empty() {
            return Err(Error::InvalidImage("no images given".into()));
        }
        Ok(pixels)
    }

    /// The model's own kwargs, typed.
    pub fn model<K: crate::kwargs::ModelKwargs>(&self) -> Result<K> {
        K::model_from_json(&self.model_kwargs)
    }

    /// The level map (rescale and normalize) for images of `channels` channels.
    pub fn level_map(&self, channels: usize) -> Result<Arc<LevelMap>> {
        self.resolved
            .level_map(self.numerics, channels)
            .map(Arc::new)
    }
}

/// The default pipeline as a preprocess function: nested samples are flattened.
pub fn default_preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let inputs = call.pixels(batch)?;
    let (pixels, plans) = plan_default_pipeline(&call.resolved, call.numerics, inputs)?;
    let canvas = match call.resolved.pad {
        None => Canvas::Own,
        Some(Some(SizeDict {
            height: Some(h),
            width: Some(w),
            ..
        })) => Canvas::Fixed(h as usize, w as usize),
        Some(_) => Canvas::Largest,
    };
    let assembly = Assembly {
        canvas,
        stacking: call.stacking,
        ..Assembly::default()
    };
    pixel_values(backend, &pixels, &plans, &assembly)
}

/// The last step of a preprocess function: runs `plans[i]` on `pixels[i]` and forms
/// `pixel_values` as `assembly` says (where `backend` keeps its outputs).
pub fn pixel_values<B: Backend + ?Sized>(
    backend: &B,
    pixels: &[Pixels],
    plans: &[ImagePlan],
    assembly: &Assembly,
) -> Result<BatchFeature> {
    let placement = Placement::new("pixel_values", plans, assembly)?;
    let mut features = BatchFeature::default();
    features.data.insert(
        "pixel_values".into(),
        backend.execute_placed(pixels, plans, &placement)?,
    );
    Ok(features)
}

/// Every kwarg with a value: call overrides over instance values over class defaults, checked as
/// transformers' `validate_preprocess_arguments` checks them (and for values that would give NaN).
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub do_convert_rgb: bool,
    /// Target size and filter, when resizing.
    pub resize: Option<(SizeDict, Resample)>,
    /// Crop size (height and width), when center-cropping.
    pub center_crop: Option<(usize, usize)>,
    pub rescale_factor: Option<f64>,
    pub normalize: Option<(ChannelValues, ChannelValues)>,
    /// Pad target (`None`: the largest output of the batch), when padding.
    pub pad: Option<Option<SizeDict>>,
    pub data_format: ChannelDimension,
    pub input_data_format: Option<ChannelDimension>,
}

fn check_channel_values(key: &str, values: &ChannelValues, nonzero: bool) -> Result<()> {
    let list = match values {
        ChannelValues::Scalar(v) => std::slice::from_ref(v),
        ChannelValues::PerChannel(v) => v.as_slice(),
    };
    for &v in list {
        if !v.is_finite() {
            return Err(Error::config(key, format!("{v} is not a finite number")));
        }
        if nonzero && v as f32 == 0.0 {
            return Err(Error::config(
                key,
                "a standard deviation of 0 would divide by zero",
            ));
        }
    }
    Ok(())
}

impl Resolved {
    /// Resolves and validates `kwargs` (every value already merged).
    pub fn new(kwargs: &ImagesKwargs) -> Result<Self> {
        let resize = if kwargs.do_resize.unwrap_or(false) {
            let size = kwargs.size.ok_or_else(|| {
                Error::config(
                    "size",
                    "`size` and `resample` must be specified if `do_resize` is `True`",
                )
            })?;
            Some((size, kwargs.resample.unwrap_or(Resample::Bilinear)))
        } else {
            None
        };
        let center_crop = if kwargs.do_center_crop.unwrap_or(false) {
            let crop = kwargs.crop_size.ok_or_else(|| {
                Error::config(
                    "crop_size",
                    "`crop_size` must be specified if `do_center_crop` is `True`",
                )
            })?;
            match (crop.height, crop.width) {
                (Some(h), Some(w)) => Some((h as usize, w as usize)),
                _ => {
                    return Err(Error::config(
                        "crop_size",
                        format!(
                            "must have keys 'height' and 'width', got {{{}}}",
                            crop.keys().join(", ")
                        ),
                    ));
                }
            }
        } else {
            None
        };
        let rescale_factor = if kwargs.do_rescale.unwrap_or(false) {
            let factor = kwargs.rescale_factor.ok_or_else(|| {
                Error::config(
                    "rescale_factor",
                    "`rescale_factor` must be specified if `do_rescale` is `True`",
                )
            })?;
            if !factor.is_finite() || factor <= 0.0 {
                return Err(Error::config(
                    "rescale_factor",
                    format!("must be a finite positive number, got {factor}"),
                ));
            }
            Some(factor)
        } else {
            None
        };
        let normalize = if kwargs.do_normalize.unwrap_or(false) {
            match (&kwargs.image_mean, &kwargs.image_std) {
                (Some(mean), Some(std)) => {
                    check_channel_values("image_mean", mean, false)?;
                    check_channel_values("image_std", std, true)?;
                    Some((mean.clone(), std.clone()))
                }
                _ => {
                    return Err(Error::config(
                        if kwargs.image_mean.is_none() {
                            "image_mean"
                        } else {
                            "image_std"
                        },
                        "`image_mean` and `image_std` must both be specified if `do_normalize` is `True`",
                    ));
                }
            }
        } else {
            None
        };
        let pad = kwargs.do_pad.unwrap_or(false).then_some(kwargs.pad_size);
        if let Some(Some(size)) = pad
            && (size.height.is_none() || size.width.is_none())
        {
            return Err(Error::config(
                "pad_size",
                format!(
                    "must have keys 'height' and 'width', got {{{}}}",
                    size.keys().join(", ")
                ),
            ));
        }
        Ok(Resolved {
            do_convert_rgb: kwargs.do_convert_rgb.unwrap_or(false),
            resize,
            center_crop,
            rescale_factor,
            normalize,
            pad,
            data_format: kwargs.data_format.unwrap_or(ChannelDimension::First),
            input_data_format: kwargs.input_data_format,
        })
    }

    /// The level map for images of `channels` channels.
    pub fn level_map(&self, numerics: Numerics, channels: usize) -> Result<LevelMap> {
        let mean_std = match &self.normalize {
            Some((mean, std)) => Some(MeanStd {
                mean: mean.per_channel_f32("image_mean", channels)?,
                std: std.per_channel_f32("image_std", channels)?,
            }),
            None => None,
        };
        Ok(LevelMap::new(
            numerics,
            channels,
            self.rescale_factor,
            mean_std.as_ref(),
        ))
    }

    /// Plans the default pipeline for one input.
    pub fn plan(
        &self,
        numerics: Numerics,
        input: &Input,
        levels: Arc<LevelMap>,
    ) -> Result<ImagePlan> {
        let resize = self.resize_for(numerics, input.size())?;
        self.plan_resized(input, levels, resize, numerics)
    }

    /// The resize of an image of `(height, width)`, and the `(height, width)` it gives.
    pub fn resize_for(
        &self,
        numerics: Numerics,
        (height, width): (usize, usize),
    ) -> Result<(Arc<ResizePlan>, (usize, usize))> {
        Ok(match self.resize {
            Some((size, resample)) => {
                let out = size.output_size((height, width))?;
                check_pixels(out)?;
                let (src, dst) = ((width, height), (out.1, out.0));
                let plan = match numerics {
                    Numerics::Pil => pil::resize_plan(src, dst, resample),
                    Numerics::Torchvision => torchvision::resize_plan(src, dst, resample)?,
                };
                (Arc::new(plan), out)
            }
            None => (Arc::new(ResizePlan::Copy), (height, width)),
        })
    }

    /// The plan of `input` given its resize.
    fn plan_resized(
        &self,
        input: &Input,
        levels: Arc<LevelMap>,
        (resize, (out_h, out_w)): (Arc<ResizePlan>, (usize, usize)),
        numerics: Numerics,
    ) -> Result<ImagePlan> {
        let crop = match self.center_crop {
            Some(crop) => center_crop((out_h, out_w), crop, numerics),
            None => CropWindow::full((out_h, out_w)),
        };
        check_pixels((crop.height, crop.width))?;
        Ok(ImagePlan::new(
            input.convert,
            resize,
            vec![crop],
            levels,
            self.data_format,
        ))
    }
}

/// Rejects sizes whose f32 output could not be allocated or indexed.
fn check_pixels((h, w): (usize, usize)) -> Result<()> {
    const MAX_ELEMENTS: usize = 1 << 31;
    match h.checked_mul(w).and_then(|n| n.checked_mul(4)) {
        Some(n) if n <= MAX_ELEMENTS => Ok(()),
        _ => Err(Error::TooLarge(format!(
            "an output of {h}x{w} pixels exceeds {MAX_ELEMENTS} elements"
        ))),
    }
}

/// An image processor: a model's class defaults, the values its configuration sets, the numerics mode.
#[derive(Debug, Clone)]
pub struct Processor {
    model: &'static ModelSpec,
    /// Values set by the configuration or the constructor (over the class defaults).
    set: ImagesKwargs,
    /// Configuration keys that are not standard kwargs, kept for saving.
    extra: Map<String, Value>,
    /// The keys of `extra` that the configuration or constructor set (the rest are class defaults).
    extra_set: std::collections::BTreeSet<String>,
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
        let processor = Processor {
            model,
            set: kwargs,
            extra: (model.model_defaults)(),
            extra_set: Default::default(),
            numerics: Numerics::default(),
            backend: Arc::new(CpuBackend::new()),
        };
        Resolved::new(&processor.kwargs())?;
        Ok(processor)
    }

    /// A processor of `model` from a parsed configuration.
    pub fn from_config(model: &'static ModelSpec, config: ProcessorConfig) -> Result<Self> {
        let mut processor = Processor::new(model, config.kwargs)?;
        processor.set_model_kwargs(config.extra);
        Ok(processor)
    }

    /// A processor of `model` from `preprocessor_config.json` (a directory or the file).
    pub fn from_pretrained(model: &'static ModelSpec, path: impl AsRef<Path>) -> Result<Self> {
        let config = ProcessorConfig::load(path.as_ref(), model.default_to_square)?;
        Self::from_config(model, config)
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

    /// Configuration keys that are not standard kwargs (model kwargs and unknown keys).
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// Sets model kwargs (over the class defaults).
    pub fn set_model_kwargs(&mut self, model_kwargs: Map<String, Value>) {
        self.extra_set.extend(model_kwargs.keys().cloned());
        self.extra.extend(model_kwargs);
    }

    /// Every non-standard key with its value, where it comes from, and whether it is one of the
    /// model's kwargs (else a key the processor keeps but does not use, like `processor_class`).
    pub fn extra_origins(&self) -> Vec<(&str, &Value, Origin, bool)> {
        self.extra
            .iter()
            .map(|(key, value)| {
                let origin = if self.extra_set.contains(key) {
                    Origin::Config
                } else {
                    Origin::Default
                };
                let model_kwarg = self.model.model_kwargs.iter().any(|doc| doc.name == key);
                (key.as_str(), value, origin, model_kwarg)
            })
            .collect()
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
    pub fn to_json_string(&self) -> String {
        config::to_json_string(self.model.type_name, &self.kwargs(), &self.extra)
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
        std::fs::write(&path, self.to_json_string()).map_err(|source| Error::Io {
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
            resolved: Resolved::new(&overrides.or(&instance))?,
            instance,
            model_kwargs: self.extra.clone(),
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
        self.run_with_model_kwargs(backend, batch, overrides, &Map::new(), stacking)
    }

    /// [`run`](Self::run) with model kwargs overridden too.
    pub fn run_with_model_kwargs(
        &self,
        backend: &dyn Backend,
        batch: Batch<'_>,
        overrides: &ImagesKwargs,
        model_overrides: &Map<String, Value>,
        stacking: Stacking,
    ) -> Result<BatchFeature> {
        let instance = self.kwargs();
        let mut model_kwargs = self.extra.clone();
        model_kwargs.extend(model_overrides.clone());
        let call = Call {
            resolved: Resolved::new(&overrides.or(&instance))?,
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

/// The host side of the default pipeline: each input's pixels and plan (before padding).
pub fn plan_default_pipeline<'a>(
    resolved: &Resolved,
    numerics: Numerics,
    inputs: Vec<Input<'a>>,
) -> Result<(Vec<Pixels<'a>>, Vec<ImagePlan>)> {
    let plans = plan_inputs(resolved, numerics, &inputs)?;
    let pixels: Vec<Pixels<'a>> = inputs.into_iter().map(|input| input.pixels).collect();
    Ok((pixels, plans))
}

/// Each input's plan for the default pipeline (before padding). Inputs of one size share one
/// resize plan, inputs of one channel count one level map: computed once, and the CUDA backend
/// uploads each table once.
pub fn plan_inputs(
    resolved: &Resolved,
    numerics: Numerics,
    inputs: &[Input],
) -> Result<Vec<ImagePlan>> {
    type Resize = (Arc<ResizePlan>, (usize, usize));
    let mut level_maps: HashMap<usize, Arc<LevelMap>> = HashMap::new();
    let mut resizes: HashMap<(usize, usize), Resize> = HashMap::new();
    inputs
        .iter()
        .map(|input| {
            let channels = input.channels();
            let levels = match level_maps.get(&channels) {
                Some(map) => map.clone(),
                None => {
                    let map = Arc::new(resolved.level_map(numerics, channels)?);
                    level_maps.insert(channels, map.clone());
                    map
                }
            };
            let resize = match resizes.get(&input.size()) {
                Some(resize) => resize.clone(),
                None => {
                    let resize = resolved.resize_for(numerics, input.size())?;
                    resizes.insert(input.size(), resize.clone());
                    resize
                }
            };
            resolved.plan_resized(input, levels, resize, numerics)
        })
        .collect()
}
