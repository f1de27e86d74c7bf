//! A call's kwargs resolved (call overrides over instance values over class defaults) and checked.

use crate::error::{Error, Result};
use crate::kwargs::{ChannelDimension, ChannelValues, ImagesKwargs, Resample};
use crate::numeric::crop::{CropWindow, center_crop};
use crate::numeric::normalize::{LevelMap, MeanStd};
use crate::numeric::resample::ResizePlan;
use crate::numeric::{Numerics, Size, pil, torchvision};
use crate::plan::ImagePlan;
use crate::plan::Input;
use crate::size::SizeDict;
use std::sync::Arc;

/// Every kwarg with a value: call overrides over instance values over class defaults, checked as
/// transformers' `validate_preprocess_arguments` checks them (and for values that would give NaN).
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub do_convert_rgb: bool,
    /// Target size and filter, when resizing.
    pub resize: Option<(SizeDict, Resample)>,
    /// The call's filter, also for the resizes a model makes whatever `do_resize` says
    /// (Idefics3's tiles): bilinear when unset, as both backends' `resize` take it.
    pub resample: Resample,
    /// The call's size whatever `do_resize` says (Gemma 3's pan and scan resizes regardless).
    pub size: Option<SizeDict>,
    /// Crop size (height and width), when center-cropping.
    pub center_crop: Option<Size>,
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
        Self::for_model(kwargs, false)
    }

    /// [`new`](Self::new) for a model that `sizes_itself` (its own logic decides every size, as
    /// SigLIP2's patch budget does): `do_resize` then needs no `size` (the resize's size is
    /// empty), as that class's `_validate_preprocess_kwargs` has it.
    pub fn for_model(kwargs: &ImagesKwargs, sizes_itself: bool) -> Result<Self> {
        let resize = if kwargs.do_resize.unwrap_or(false) {
            // transformers' `validate_preprocess_arguments`, in both backends.
            let missing = |key: &str| {
                Error::config(
                    key,
                    "`size` and `resample` must be specified if `do_resize` is `True`",
                )
            };
            let size = match kwargs.size {
                None if sizes_itself => SizeDict::EMPTY,
                size => size.ok_or_else(|| missing("size"))?,
            };
            Some((size, kwargs.resample.ok_or_else(|| missing("resample"))?))
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
                (Some(h), Some(w)) => Some(Size::new(h as usize, w as usize)),
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
            resample: kwargs.resample.unwrap_or(Resample::Bilinear),
            size: kwargs.size,
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

    /// The resize of an image of `input`, and the size it gives.
    pub fn resize_for(&self, numerics: Numerics, input: Size) -> Result<(Arc<ResizePlan>, Size)> {
        Ok(match self.resize {
            Some((size, resample)) => {
                let out = size.output_size(input)?;
                check_pixels(out)?;
                (resize_plan(numerics, input, out, resample)?, out)
            }
            None => (Arc::new(ResizePlan::Copy), input),
        })
    }

    /// The plan of `input` given its resize.
    pub(crate) fn plan_resized(
        &self,
        input: &Input,
        levels: Arc<LevelMap>,
        (resize, resized): (Arc<ResizePlan>, Size),
        numerics: Numerics,
    ) -> Result<ImagePlan> {
        let crop = match self.center_crop {
            Some(crop) => center_crop(resized, crop, numerics),
            None => CropWindow::full(resized),
        };
        check_pixels(crop.size())?;
        Ok(ImagePlan::new(
            input.convert,
            resize,
            vec![crop],
            levels,
            self.data_format,
        ))
    }
}

/// The resize of an image of `from` to `to` with `resample`, in `numerics`' arithmetic.
pub fn resize_plan(
    numerics: Numerics,
    from: Size,
    to: Size,
    resample: Resample,
) -> Result<Arc<ResizePlan>> {
    Ok(Arc::new(match numerics {
        Numerics::Pil => pil::resize_plan(from, to, resample),
        Numerics::Torchvision => torchvision::resize_plan(from, to, resample)?,
    }))
}

/// Rejects sizes whose f32 output could not be allocated or indexed.
pub(crate) fn check_pixels(size: Size) -> Result<()> {
    const MAX_ELEMENTS: usize = 1 << 31;
    match size.checked_area().and_then(|n| n.checked_mul(4)) {
        Some(n) if n <= MAX_ELEMENTS => Ok(()),
        _ => Err(Error::TooLarge(format!(
            "an output of {size} pixels exceeds {MAX_ELEMENTS} elements"
        ))),
    }
}
