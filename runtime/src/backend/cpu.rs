//! The CPU backend: the numeric core's reference loops, one image per rayon task.

use super::Backend;
use crate::error::{Error, Result};
use crate::numeric::Pixels;
use crate::numeric::crop::CropWindow;
use crate::numeric::normalize::{LevelMap, crop_map};
use crate::numeric::resample::Region;
use crate::plan::{ImagePlan, Resized};
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

    /// Runs one plan on one image: one tensor per window. Only the part of each resized image
    /// that its windows read is computed (a center crop discards the rest).
    pub fn execute_one(input: &Pixels, plan: &ImagePlan) -> Vec<Tensor> {
        let input = plan.convert.apply(input);
        let mut outputs = Vec::new();
        for Resized { resize, windows } in &plan.resizes {
            let (w, h) = resize.output_size((input.width, input.height));
            let region = Region::read_by(windows, (w, h));
            let resized = resize.run_region(&input, region);
            outputs.extend(windows.iter().map(|window| {
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
            }));
        }
        outputs
    }
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
