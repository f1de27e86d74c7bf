//! The plan of a batch: everything that decides an output number, built once on the host.
//!
//! A backend receives the 8-bit inputs and these plans and only executes them; it never decides a
//! size, a weight or a formula. That is what makes the CPU and GPU twins give the same bits.

use crate::kwargs::ChannelDimension;
use crate::numeric::crop::CropWindow;
use crate::numeric::normalize::LevelMap;
use crate::numeric::resample::ResizePlan;
use std::sync::Arc;

/// What to do to one image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePlan {
    /// Resize (or copy) the 8-bit image.
    pub resize: ResizePlan,
    /// Then read this window of the result (zero outside).
    pub crop: CropWindow,
    /// Then map each 8-bit level to its output value (rescale and normalize).
    pub levels: Arc<LevelMap>,
    /// In this layout.
    pub layout: ChannelDimension,
}

impl ImagePlan {
    /// The shape of the output tensor: `[C, H, W]` or `[H, W, C]`.
    pub fn output_shape(&self) -> Vec<usize> {
        let (h, w, c) = (self.crop.height, self.crop.width, self.levels.channels);
        match self.layout {
            ChannelDimension::First => vec![c, h, w],
            ChannelDimension::Last => vec![h, w, c],
        }
    }
}
