//! One call of a processor: its images, and everything a preprocess function needs besides them.

use crate::error::{Error, Result};
use crate::image::Image;
use crate::kwargs::{ChannelDimension, ImagesKwargs};
use crate::model_kwargs::{ModelKwargs, ModelValues};
use crate::numeric::crop::CropWindow;
use crate::numeric::normalize::LevelMap;
use crate::numeric::resample::ResizePlan;
use crate::numeric::{Numerics, Size};
use crate::placement::Stacking;
use crate::plan::{ImagePlan, Input};
use crate::resolve::{Resolved, check_pixels, resize_plan};
use std::sync::Arc;

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

/// Everything a preprocess function needs besides the images and the backend.
#[derive(Debug, Clone)]
pub struct Call {
    /// The call's kwargs, resolved and validated.
    pub resolved: Resolved,
    /// The instance's kwargs (configuration over class defaults), before call overrides.
    pub instance: ImagesKwargs,
    /// The model's own kwargs (call overrides over configuration over class defaults).
    pub model_kwargs: ModelValues,
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
                        self.numerics,
                    )
                    .map(|(pixels, convert)| Input { pixels, convert })
            })
            .collect::<Result<Vec<_>>>()?;
        if pixels.is_empty() {
            return Err(Error::InvalidImage("no images given".into()));
        }
        Ok(pixels)
    }

    /// The default pipeline's plan for `input`: its resize, crop and level map as the call's kwargs
    /// and numerics say (change its windows with [`ImagePlan::split_window`]).
    pub fn plan(&self, input: &Input) -> Result<ImagePlan> {
        self.resolved
            .plan(self.numerics, input, self.level_map(input.channels())?)
    }

    /// The plan of `input` resized to `to` with the call's filter (kept as it is when `to` is
    /// `None`), read whole into `layout`: the plan of models that decide each image's size
    /// themselves.
    pub fn plan_whole(
        &self,
        input: &Input,
        to: Option<Size>,
        layout: ChannelDimension,
    ) -> Result<ImagePlan> {
        let (resize, size) = match to {
            Some(to) => {
                check_pixels(to)?;
                let resample = self.resolved.resample;
                (resize_plan(self.numerics, input.size(), to, resample)?, to)
            }
            None => (Arc::new(ResizePlan::Copy), input.size()),
        };
        Ok(ImagePlan::new(
            input.convert,
            resize,
            vec![CropWindow::full(size)],
            self.level_map(input.channels())?,
            layout,
        ))
    }

    /// The model's own kwargs, as its kwargs type `K`.
    pub fn model<K: ModelKwargs>(&self) -> Result<&K> {
        self.model_kwargs.get::<K>()
    }

    /// The level map (rescale and normalize) for images of `channels` channels.
    pub fn level_map(&self, channels: usize) -> Result<Arc<LevelMap>> {
        self.resolved
            .level_map(self.numerics, channels)
            .map(Arc::new)
    }
}
