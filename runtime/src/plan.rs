//! The plan of a batch: everything that decides an output number, built once on the host.
//!
//! A backend receives the 8-bit inputs and these plans and only executes them; it never decides a
//! size, a weight or a formula. That is what makes the CPU and GPU twins give the same bits.

use crate::kwargs::ChannelDimension;
use crate::numeric::convert::ToRgb;
use crate::numeric::crop::CropWindow;
use crate::numeric::normalize::LevelMap;
use crate::numeric::resample::ResizePlan;
use std::sync::Arc;

/// What to do to one input image: resize it once, then read one or more windows of the result
/// (a center crop; LLaVA-OneVision's patches), each mapped to output values. One output tensor per window.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePlan {
    /// Convert the image's own channels to RGB first (or keep them).
    pub convert: ToRgb,
    /// Resize (or copy) the 8-bit image (shared by plans of images of one size).
    pub resize: Arc<ResizePlan>,
    /// Then read these windows of the result (zero outside), each an output.
    pub windows: Vec<CropWindow>,
    /// Then map each 8-bit level to its output value (rescale and normalize).
    pub levels: Arc<LevelMap>,
    /// In this layout.
    pub layout: ChannelDimension,
}

impl ImagePlan {
    /// The shape of the output tensor of `window`: `[C, H, W]` or `[H, W, C]`.
    pub fn output_shape(&self, window: &CropWindow) -> Vec<usize> {
        let (h, w, c) = (window.height, window.width, self.levels.channels);
        match self.layout {
            ChannelDimension::First => vec![c, h, w],
            ChannelDimension::Last => vec![h, w, c],
        }
    }
}
