//! The CPU backend: the plan's passes in vector instructions ([`Kernels`]), images in parallel,
//! each output written straight to its place.

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod block;
mod buffers;
mod execute;
pub mod kernels;
mod output;
#[doc(hidden)]
pub mod passes;
mod window;
#[cfg(target_arch = "x86_64")]
mod x86;

use super::interface::Backend;
use crate::error::{Error, Result};
use crate::feature::Feature;
use crate::numeric::Pixels;
use crate::numeric::crop::CropWindow;
use crate::placement::Placement;
use crate::plan::ImagePlan;
use crate::tensor::{Tensor, TensorData};
use buffers::{Buffer, Element, Spares};
use execute::run_image;
pub use kernels::Kernels;
use output::{Dest, Output};
use rayon::prelude::*;
use std::sync::Arc;

/// Runs plans on the CPU, images in parallel on rayon's global pool or a pool of its own.
#[derive(Debug, Clone)]
pub struct CpuBackend {
    pool: Option<Arc<rayon::ThreadPool>>,
    kernels: Kernels,
    spares: Arc<Spares>,
}

impl Default for CpuBackend {
    fn default() -> Self {
        CpuBackend {
            pool: None,
            kernels: Kernels::best(),
            spares: Arc::default(),
        }
    }
}

impl CpuBackend {
    /// A backend on rayon's global pool, with the fastest kernels this processor runs.
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
            ..CpuBackend::default()
        })
    }

    /// The same backend running `kernels` (every set gives the same bytes; tests and benchmarks
    /// force each in turn). An error when this processor cannot run them.
    pub fn with_kernels(self, kernels: Kernels) -> Result<Self> {
        Ok(CpuBackend {
            kernels: kernels.checked()?,
            ..self
        })
    }

    /// The kernels this backend runs.
    pub fn kernels(&self) -> Kernels {
        self.kernels
    }

    fn install<T: Send>(&self, run: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(pool) => pool.install(run),
            None => run(),
        }
    }
}

fn check_plans(inputs: &[Pixels], plans: &[ImagePlan]) -> Result<()> {
    if inputs.len() != plans.len() {
        return Err(Error::InvalidArgument(format!(
            "{} images for {} plans",
            inputs.len(),
            plans.len()
        )));
    }
    for (input, plan) in inputs.iter().zip(plans) {
        plan.sizes(input.size())?;
    }
    Ok(())
}

/// Splits `buffer` into the canvases of `placement`'s outputs, grouped by image. The kernels write
/// each output's window; a `dirty` buffer (a previous call's values) has everything else zeroed
/// here: the gaps between outputs, and the canvases larger than their windows.
fn canvases<'a, T: Element>(
    Buffer {
        values: buffer,
        dirty,
    }: &'a mut Buffer<T>,
    placement: &Placement,
    plans: &[ImagePlan],
    dest: impl Fn(&'a mut [T]) -> Dest<'a>,
) -> Result<Vec<Vec<Output<'a>>>> {
    let dirty = *dirty;
    let mut buffer = buffer.as_mut_slice();
    let mut consumed = 0;
    let mut placed = placement.outputs.iter();
    let mut per_image = Vec::with_capacity(plans.len());
    let mismatch = || Error::InvalidArgument("the outputs do not match their placement".into());
    for plan in plans {
        let mut outputs = Vec::new();
        for window in plan.windows() {
            let place = placed.next().ok_or_else(mismatch)?;
            let channels = plan.levels.channels;
            let len = channels * place.canvas.height * place.canvas.width;
            // Outputs lie in the buffer in order, apart.
            let skip = place.offset.checked_sub(consumed).ok_or_else(mismatch)?;
            if skip + len > buffer.len() {
                return Err(mismatch());
            }
            let (gap, rest) = std::mem::take(&mut buffer).split_at_mut(skip);
            let (values, rest) = rest.split_at_mut(len);
            buffer = rest;
            consumed = place.offset + len;
            if dirty {
                gap.fill(T::default());
                if place.canvas != window.size() {
                    values.fill(T::default());
                }
            }
            outputs.push(Output::new(
                dest(values),
                channels,
                place.canvas,
                place.channels_last,
            ));
        }
        per_image.push(outputs);
    }
    if dirty {
        buffer.fill(T::default());
    }
    Ok(per_image)
}

/// One unit of parallel work: a plan for an image (or for a band of rows of its one window) and
/// where its outputs go.
struct Task<'p, 'o> {
    input: &'p Pixels<'p>,
    plan: std::borrow::Cow<'p, ImagePlan>,
    outputs: Vec<Output<'o>>,
}

/// Rows per band at the least: below that, the rows a band's first pass shares with its
/// neighbours cost more than the thread gains.
const MIN_BAND_ROWS: usize = 16;

/// The work of a call: a task per image, and when the batch has fewer images than twice the
/// threads, an image's one window cut into row bands so that every thread has work (every output
/// row depends on its own taps alone, so a band computes exactly its rows of the whole).
fn tasks<'p, 'o>(
    inputs: &'p [Pixels<'p>],
    plans: &'p [ImagePlan],
    per_image: Vec<Vec<Output<'o>>>,
    threads: usize,
) -> Vec<Task<'p, 'o>> {
    let bands = (2 * threads).div_ceil(inputs.len().max(1));
    let mut tasks = Vec::with_capacity(inputs.len() * bands);
    for ((input, plan), mut outputs) in inputs.iter().zip(plans).zip(per_image) {
        let window = match plan.resizes.as_slice() {
            [only] if only.windows.len() == 1 && outputs.len() == 1 => only.windows[0],
            _ => {
                tasks.push(Task {
                    input,
                    plan: std::borrow::Cow::Borrowed(plan),
                    outputs,
                });
                continue;
            }
        };
        let rows = window.height.div_ceil(bands).max(MIN_BAND_ROWS);
        let cuts: Vec<usize> = (0..window.height)
            .step_by(rows)
            .map(|y| rows.min(window.height - y))
            .collect();
        // The match above saw exactly one output.
        let output = outputs.pop().expect("one output");
        let mut top = window.top;
        for (band, &height) in output
            .bands(&cuts, plan.levels.channels)
            .into_iter()
            .zip(&cuts)
        {
            let mut banded = plan.clone();
            banded.resizes[0].windows[0] = CropWindow {
                top,
                height,
                ..window
            };
            top += height as i64;
            tasks.push(Task {
                input,
                plan: std::borrow::Cow::Owned(banded),
                outputs: vec![band],
            });
        }
    }
    tasks
}

/// Runs the tasks on the current pool.
fn run_tasks(kernels: Kernels, tasks: Vec<Task<'_, '_>>) {
    tasks
        .into_par_iter()
        .for_each(|mut task| run_image(kernels, task.input, &task.plan, &mut task.outputs));
}

impl Backend for CpuBackend {
    fn name(&self) -> String {
        "cpu".into()
    }

    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>> {
        check_plans(inputs, plans)?;
        let mut data: Vec<Vec<TensorData>> = plans
            .iter()
            .map(|plan| {
                plan.windows()
                    .map(|w| {
                        let len = plan.levels.channels * w.height * w.width;
                        match plan.levels.table {
                            Some(_) => TensorData::F32(vec![0.0; len]),
                            None => TensorData::U8(vec![0; len]),
                        }
                    })
                    .collect()
            })
            .collect();
        let per_image = data
            .iter_mut()
            .zip(plans)
            .map(|(data, plan)| {
                data.iter_mut()
                    .zip(plan.windows())
                    .map(|(data, w)| {
                        let dest = match data {
                            TensorData::F32(v) => Dest::F32(v),
                            TensorData::U8(v) => Dest::U8(v),
                            TensorData::I32(_) | TensorData::I64(_) => {
                                unreachable!("outputs are f32 or u8")
                            }
                        };
                        let channels_last = plan.layout == crate::kwargs::ChannelDimension::Last;
                        Output::new(dest, plan.levels.channels, w.size(), channels_last)
                    })
                    .collect()
            })
            .collect();
        let kernels = self.kernels;
        self.install(|| {
            let tasks = tasks(inputs, plans, per_image, rayon::current_num_threads());
            run_tasks(kernels, tasks)
        });
        Ok(data
            .into_iter()
            .zip(plans)
            .flat_map(|(data, plan)| {
                data.into_iter()
                    .zip(plan.windows())
                    .map(|(data, w)| Tensor {
                        shape: plan.output_shape(w),
                        data,
                    })
                    .collect::<Vec<_>>()
            })
            .collect())
    }

    /// Writes every output straight into the stacked tensor: no copy after the outputs are
    /// computed.
    fn execute_placed(
        &self,
        inputs: &[Pixels],
        plans: &[ImagePlan],
        placement: &Placement,
    ) -> Result<Feature> {
        if !placement.stacked {
            // A list: each output in a tensor of its own (padded where the placement says).
            let tensors = placement.assemble(self.execute(inputs, plans)?)?;
            return Ok(Feature::placed(placement, tensors));
        }
        check_plans(inputs, plans)?;
        let floats = plans.first().is_none_or(|p| p.levels.table.is_some());
        if plans.iter().any(|p| p.levels.table.is_some() != floats) {
            return Err(Error::InvalidArgument(
                "the outputs of a call have different dtypes".into(),
            ));
        }
        let kernels = self.kernels;
        let run_all = |per_image: Vec<Vec<Output<'_>>>| {
            self.install(|| {
                let tasks = tasks(inputs, plans, per_image, rayon::current_num_threads());
                run_tasks(kernels, tasks)
            })
        };
        let buffer = if floats {
            let mut buffer = self.spares.take::<f32>(placement.elements);
            run_all(canvases(&mut buffer, placement, plans, Dest::F32)?);
            TensorData::F32(buffer.values)
        } else {
            let mut buffer = self.spares.take::<u8>(placement.elements);
            run_all(canvases(&mut buffer, placement, plans, Dest::U8)?);
            TensorData::U8(buffer.values)
        };
        Ok(Feature::placed(placement, placement.split(buffer)))
    }

    /// Keeps a stacked host tensor's memory (up to two) for the next calls' outputs.
    fn recycle(&self, feature: Feature) {
        if let Feature::Tensor(tensor) = feature {
            self.spares.put(tensor.data);
        }
    }
}
