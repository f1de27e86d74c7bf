//! The plan of a batch: everything that decides an output number, built once on the host.
//!
//! A backend receives the 8-bit inputs and these plans and only executes them; it never decides a
//! size, a weight or a formula. That is what makes the CPU and GPU twins give the same bits.

use crate::error::{Error, Result};
use crate::kwargs::ChannelDimension;
use crate::numeric::convert::ToRgb;
use crate::numeric::crop::CropWindow;
use crate::numeric::normalize::LevelMap;
use crate::numeric::region::Region;
use crate::numeric::resample::ResizePlan;
use crate::numeric::{Pixels, Size};
use std::sync::Arc;

/// What to do to one input image: resize it (usually once; LLaVA-OneVision twice; Idefics3 a
/// resize of a resize of a resize), then read one or more windows of each result (a center crop;
/// LLaVA-OneVision's patches), each mapped to output values. One output tensor per window, resize
/// after resize.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePlan {
    /// Convert the image's own channels to RGB first (or keep them).
    pub convert: ToRgb,
    /// The resizes of the converted image, each read through its windows.
    pub resizes: Vec<Resized>,
    /// Then map each 8-bit level to its output value (rescale and normalize).
    pub levels: Arc<LevelMap>,
    /// In this layout.
    pub layout: ChannelDimension,
}

/// One resize of an image, and the windows of the result that are outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Resized {
    /// The image it resizes: the converted input (`None`), or the whole 8-bit result of an earlier
    /// resize of the plan (its index), as both references resize a resized uint8 image.
    pub of: Option<usize>,
    /// Only this part of that earlier result, zeros outside it (LLaVA's patches cut from a padded
    /// image, each resized on its own); `None`: all of it.
    pub part: Option<CropWindow>,
    /// Resize (or copy) the 8-bit image (shared by plans of images of one size).
    pub resize: Arc<ResizePlan>,
    /// Resize it premultiplied by its last channel, as Pillow resizes `RGBA` and `LA` images
    /// (`RGBa`, `La`): the other channels multiplied by it before, divided by it after.
    pub premultiplied: bool,
    /// Then read these windows of the result (zero outside), each an output.
    pub windows: Vec<CropWindow>,
}

impl ImagePlan {
    /// A plan of one resize.
    pub fn new(
        convert: ToRgb,
        resize: Arc<ResizePlan>,
        windows: Vec<CropWindow>,
        levels: Arc<LevelMap>,
        layout: ChannelDimension,
    ) -> Self {
        ImagePlan {
            convert,
            resizes: vec![Resized {
                of: None,
                part: None,
                premultiplied: false,
                resize,
                windows,
            }],
            levels,
            layout,
        }
    }

    /// The plan with its one window (the default pipeline's: the crop, or the whole resized image)
    /// replaced by the windows `split` makes of it, each an output. An error for a plan of several
    /// resizes or windows.
    pub fn split_window(
        mut self,
        split: impl FnOnce(CropWindow) -> Vec<CropWindow>,
    ) -> Result<Self> {
        match self.resizes.as_mut_slice() {
            [only] if only.windows.len() == 1 => {
                only.windows = split(only.windows[0]);
                Ok(self)
            }
            _ => Err(Error::InvalidArgument(
                "split_window needs a plan of one resize and one window".into(),
            )),
        }
    }

    /// Every output window, resize by resize.
    pub fn windows(&self) -> impl Iterator<Item = &CropWindow> {
        self.resizes.iter().flat_map(|r| r.windows.iter())
    }

    /// The size of each resize's result for an input of `input`, resize by resize: an error when
    /// a resize reads one that does not come before it, or a part of the input.
    pub fn sizes(&self, input: Size) -> Result<Vec<Size>> {
        let mut sizes: Vec<Size> = Vec::with_capacity(self.resizes.len());
        for i in 0..self.resizes.len() {
            let source = self.source_size(i, input, &sizes)?;
            sizes.push(self.resizes[i].resize.output_size(source));
        }
        Ok(sizes)
    }

    /// The size of the image resize `i` reads, given the sizes of the resizes before it.
    pub fn source_size(&self, i: usize, input: Size, sizes: &[Size]) -> Result<Size> {
        let resized = &self.resizes[i];
        let earlier = match resized.of {
            None => None,
            Some(of) => Some(sizes.get(of).copied().filter(|_| of < i).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "resize {i} of a plan reads resize {of}, which does not come before it"
                ))
            })?),
        };
        match (earlier, resized.part) {
            (None, None) => Ok(input),
            (Some(size), None) => Ok(size),
            (Some(_), Some(part)) if part.height > 0 && part.width > 0 => {
                Ok(Size::new(part.height, part.width))
            }
            _ => Err(Error::InvalidArgument(format!(
                "resize {i} of a plan reads an empty part, or a part of the input"
            ))),
        }
    }

    /// Whether each resize's result is read by a later resize (and so computed whole).
    pub fn read_again(&self) -> Vec<bool> {
        let mut read = vec![false; self.resizes.len()];
        for of in self.resizes.iter().filter_map(|r| r.of) {
            if let Some(flag) = read.get_mut(of) {
                *flag = true;
            }
        }
        read
    }

    /// The part of each resize's result that is computed, given [`sizes`](Self::sizes): what its
    /// windows read, or all of it when a later resize reads it.
    pub fn computed(&self, sizes: &[Size]) -> Vec<Region> {
        (self.resizes.iter().zip(sizes).zip(self.read_again()))
            .map(|((resized, &size), whole)| match whole {
                true => Region::full(size.width, size.height),
                false => Region::read_by(&resized.windows, size),
            })
            .collect()
    }

    /// The shape of the output tensor of `window`: `[C, H, W]` or `[H, W, C]`.
    pub fn output_shape(&self, window: &CropWindow) -> Vec<usize> {
        let (h, w, c) = (window.height, window.width, self.levels.channels);
        match self.layout {
            ChannelDimension::First => vec![c, h, w],
            ChannelDimension::Last => vec![h, w, c],
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

    /// Its height and width.
    pub fn size(&self) -> Size {
        self.pixels.size()
    }
}
