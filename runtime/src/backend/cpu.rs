//! The CPU backend: the numeric core's reference loops, one image per rayon task.

use super::Backend;
use crate::error::{Error, Result};
use crate::numeric::Pixels;
use crate::numeric::crop::CropWindow;
use crate::numeric::normalize::{LevelMap, crop_map};
use crate::numeric::resample::Region;
use crate::plan::ImagePlan;
use crate::tensor::{Tensor, TensorData};
use rayon::prelude::*;
use std::sync::Arc;

/// Runs plans on the CPU, images in parallel on rayon's global pool or a pool of its own.
#[derive(Debug, Clone, Default)]
pub struct CpuBackend {
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl CpuBackend {
    /// A backend on rayon's global pool.
    pub fn new() -> Self {
        CpuBackend::default()
    }

    /// A backend with its own pool of `threads` threads.
    pub fn with_threads(threads: usize) -> Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::InvalidArgument(format!("cannot start {threads} threads: {e}")))?;
        Ok(CpuBackend {
            pool: Some(Arc::new(pool)),
        })
    }

    /// Runs one plan on one image: one tensor per window. Only the part of the resized image that
    /// the windows read is computed (a center crop discards the rest).
    pub fn execute_one(input: &Pixels, plan: &ImagePlan) -> Vec<Tensor> {
        let input = plan.convert.apply(input);
        let (w, h) = plan.resize.output_size((input.width, input.height));
        let region = windows_region(&plan.windows, (w, h));
        let resized = plan.resize.run_region(&input, region);
        plan.windows
            .iter()
            .map(|window| {
                // The window in the computed part's coordinates.
                let window = &CropWindow {
                    top: window.top - region.y0 as i64,
                    left: window.left - region.x0 as i64,
                    ..*window
                };
                let shape = plan.output_shape(window);
                let len = shape.iter().product();
                let data = match &plan.levels.table {
                    Some(table) => {
                        let mut out = vec![0.0f32; len];
                        crop_map(&resized, window, plan.layout, &mut out, |c, level| {
                            LevelMap::value(table, c, level)
                        });
                        TensorData::F32(out)
                    }
                    None => {
                        let mut out = vec![0u8; len];
                        crop_map(&resized, window, plan.layout, &mut out, |_, level| level);
                        TensorData::U8(out)
                    }
                };
                Tensor { shape, data }
            })
            .collect()
    }
}

/// The part of a `(width, height)` image that `windows` read: their bounding box, clipped.
fn windows_region(windows: &[CropWindow], (width, height): (usize, usize)) -> Region {
    let clip = |v: i64, len: usize| v.clamp(0, len as i64) as usize;
    let mut region = Region {
        x0: width,
        x1: 0,
        y0: height,
        y1: 0,
    };
    for window in windows {
        region.x0 = region.x0.min(clip(window.left, width));
        region.x1 = region
            .x1
            .max(clip(window.left + window.width as i64, width));
        region.y0 = region.y0.min(clip(window.top, height));
        region.y1 = region
            .y1
            .max(clip(window.top + window.height as i64, height));
    }
    if region.x0 >= region.x1 || region.y0 >= region.y1 {
        // Nothing of the image is read (windows wholly in the padding): compute nothing.
        return Region {
            x0: 0,
            x1: 0,
            y0: 0,
            y1: 0,
        };
    }
    region
}

impl Backend for CpuBackend {
    fn name(&self) -> String {
        "cpu".into()
    }

    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>> {
        if inputs.len() != plans.len() {
            return Err(Error::InvalidArgument(format!(
                "{} images for {} plans",
                inputs.len(),
                plans.len()
            )));
        }
        let run = || {
            let per_image: Vec<Vec<Tensor>> = inputs
                .par_iter()
                .zip(plans)
                .map(|(input, plan)| Self::execute_one(input, plan))
                .collect();
            per_image.into_iter().flatten().collect()
        };
        Ok(match &self.pool {
            Some(pool) => pool.install(run),
            None => run(),
        })
    }
}
