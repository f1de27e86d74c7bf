//! The CUDA backend itself: a call's plans laid out as a [`KernelBatch`], uploaded in one copy on
//! its own stream, run as two launches (first passes, then fused output passes), outputs left on
//! the device.

use super::abi::{OutputPass, Pass, StagePass};
use super::batch::{ImageShape, KernelBatch};
use super::device::{Device, device};
use super::error::cuda_error;
use super::images::{DeviceImages, Images, PinnedImages};
use super::outputs::{DeviceOutputs, OutputBuffer};
use super::slot::{Slot, staged_bytes};
use super::timing::{CallEvents, Phase};
use super::upload::UploadLayout;
use crate::backend::interface::Backend;
use crate::error::{Error, Result};
use crate::feature::Feature;
use crate::numeric::Pixels;
use crate::placement::Placement;
use crate::plan::ImagePlan;
use crate::tensor::Tensor;
use cudarc::driver::{
    CudaSlice, CudaStream, CudaView, DeviceRepr, LaunchConfig, PushKernelArg, ValidAsZeroBits,
};
use std::sync::Arc;

/// Threads per block; each thread strides over its pass's elements.
const BLOCK: u32 = 256;
/// Blocks along x per pass (enough to fill an H100; the grid-stride loop covers the rest).
const MAX_BLOCKS_X: u32 = 1024;
/// The CUDA limit on `gridDim.y`: passes per launch.
const MAX_PASSES_PER_LAUNCH: usize = 65_535;

// SAFETY: `#[repr(C)]` structs of plain integers, laid out as `kernels.cuh` declares them.
unsafe impl DeviceRepr for StagePass {}
// SAFETY: as above.
unsafe impl DeviceRepr for OutputPass {}

/// Runs plans on a CUDA device.
///
/// Calls return as soon as their work is queued: the next call's host work and upload overlap
/// this call's kernels. Outputs stay on the device ([`DeviceOutputs`]) until copied with
/// [`DeviceOutputs::to_host`].
#[derive(Debug, Clone)]
pub struct CudaBackend {
    device: Arc<Device>,
    ordinal: usize,
    /// Whether calls record timing events ([`DeviceOutputs::gpu_times`]).
    timing: bool,
}

/// A typed view of `len` elements at byte `at` of an upload buffer.
fn table<'a, T>(upload: &CudaView<'a, u8>, at: usize, len: usize) -> Result<CudaView<'a, T>> {
    let bytes = upload
        .try_slice(at..)
        .ok_or_else(|| Error::Internal("a table lies outside the upload buffer".into()))?;
    // SAFETY: the table was written there as `len` values of `T` (`KernelBatch::write_tables`),
    // at an offset aligned for `T`.
    unsafe { bytes.transmute::<T>(len) }
        .ok_or_else(|| Error::Internal("a table overruns the upload buffer".into()))
}

impl CudaBackend {
    /// Opens CUDA device 0.
    pub fn new() -> Result<Self> {
        Self::with_device(0)
    }

    /// Opens CUDA device `ordinal` (compiling the kernels the first time in this process).
    pub fn with_device(ordinal: usize) -> Result<Self> {
        Ok(CudaBackend {
            device: device(ordinal)?,
            ordinal,
            timing: false,
        })
    }

    /// Calls record CUDA events around their upload and launches, read back with
    /// [`DeviceOutputs::gpu_times`] (for profiling: each event costs a little host time).
    pub fn with_timing(self) -> Self {
        CudaBackend {
            timing: true,
            ..self
        }
    }

    /// A call's result, the device given up if its failure broke the context.
    fn checked<T>(&self, result: Result<T>) -> Result<T> {
        if result.is_err() {
            self.device.check_after_failure();
        }
        result
    }

    /// Waits until every call queued on this device has finished.
    pub fn synchronize(&self) -> Result<()> {
        self.device
            .compute
            .synchronize()
            .map_err(cuda_error("synchronizing"))
    }

    fn launch_config(len: usize, passes: usize) -> LaunchConfig {
        let blocks = len.div_ceil(BLOCK as usize).clamp(1, MAX_BLOCKS_X as usize) as u32;
        LaunchConfig {
            grid_dim: (blocks, passes as u32, 1),
            block_dim: (BLOCK, 1, 1),
            shared_mem_bytes: 0,
        }
    }

    /// Runs plans on images in host memory and leaves the outputs on the device.
    pub fn execute_on_device(
        &self,
        inputs: &[Pixels],
        plans: &[ImagePlan],
    ) -> Result<DeviceOutputs> {
        self.run(Images::Host(inputs), plans, &Placement::each(plans)?)
    }

    /// Copies images once into page-locked host memory, for
    /// [`execute_pinned`](Self::execute_pinned).
    pub fn pin(&self, inputs: &[Pixels]) -> Result<PinnedImages> {
        let shapes: Vec<ImageShape> = inputs.iter().map(ImageShape::of).collect();
        let bytes: usize = inputs.iter().map(|p| p.data.len()).sum();
        // SAFETY: every byte is written below before it is copied anywhere.
        let host = unsafe { self.device.ctx.alloc_pinned::<u8>(bytes.max(1)) };
        let mut host = host.map_err(cuda_error("allocating page-locked memory"))?;
        let slice = host
            .as_mut_slice()
            .map_err(cuda_error("writing page-locked memory"))?;
        let mut offsets = Vec::with_capacity(inputs.len());
        let mut at = 0;
        for pixels in inputs {
            let place = slice
                .get_mut(at..at + pixels.data.len())
                .ok_or_else(|| Error::Internal("page-locked memory too small".into()))?;
            place.copy_from_slice(&pixels.data);
            offsets.push(at);
            at += pixels.data.len();
        }
        let used = self
            .device
            .ctx
            .new_event(None)
            .map_err(cuda_error("creating an event"))?;
        Ok(PinnedImages {
            host,
            shapes,
            offsets,
            used,
        })
    }

    /// Runs plans on images in page-locked memory, leaving the outputs on the device.
    pub fn execute_pinned(
        &self,
        images: &PinnedImages,
        plans: &[ImagePlan],
    ) -> Result<DeviceOutputs> {
        self.run(Images::Pinned(images), plans, &Placement::each(plans)?)
    }

    /// Uploads images once; [`execute_resident`](Self::execute_resident) then runs plans on them
    /// without copying them again.
    pub fn upload(&self, inputs: &[Pixels]) -> Result<DeviceImages> {
        let bytes: Vec<u8> = inputs.iter().flat_map(|p| p.data.iter().copied()).collect();
        let copy = &self.device.copy;
        let buffer = copy
            .clone_htod(&nonempty(&bytes))
            .map_err(cuda_error("uploading images"))?;
        Ok(DeviceImages {
            buffer,
            shapes: inputs.iter().map(ImageShape::of).collect(),
        })
    }

    /// Runs plans on images already on the device, leaving the outputs there too.
    pub fn execute_resident(
        &self,
        images: &DeviceImages,
        plans: &[ImagePlan],
    ) -> Result<DeviceOutputs> {
        self.run(Images::Resident(images), plans, &Placement::each(plans)?)
    }

    /// One call: the tables (and host images) through an upload slot on the copy stream, then the
    /// kernels on the compute stream once the upload is in.
    fn run(
        &self,
        images: Images<'_>,
        plans: &[ImagePlan],
        placement: &Placement,
    ) -> Result<DeviceOutputs> {
        // Images crossing the bus (all but resident ones) are cropped to what their outputs read,
        // and go up with the tables.
        let crop_uploads = !matches!(images, Images::Resident(_));
        let batch = KernelBatch::layout(&images.shapes(), plans, placement, crop_uploads)?;
        let device = &*self.device;
        let layout = batch.upload_layout(crop_uploads);
        // Everything that can be checked is, before anything is queued.
        let (inputs, pinned_copies) = match images {
            Images::Host(inputs) => (Some(batch.check_images(inputs).map(|()| inputs)?), None),
            Images::Pinned(pinned) => (None, Some((pinned, pinned.copies(&batch)?))),
            Images::Resident(resident) if resident.buffer.len() < batch.input_bytes => {
                return Err(Error::InvalidArgument(
                    "the device images do not match the plans".into(),
                ));
            }
            Images::Resident(_) => (None, None),
        };
        // Page-locked bytes: the tables, and host images through the staging ring.
        let staged = staged_bytes(layout.images, inputs.map_or(0, |_| batch.input_bytes));
        let mut slot = device.slots.take(|| Slot::new(&device.ctx))?;
        // The last copies out of this slot's page-locked memory must be done before it is
        // rewritten.
        slot.uploaded
            .synchronize()
            .map_err(cuda_error("waiting for an upload"))?;
        slot.reserve(&device.ctx, &device.copy, staged, layout.len)?;
        let copy = &device.copy;
        let copying = cuda_error("uploading");
        // The kernels of the last call that used this slot must have read it.
        copy.wait(&slot.consumed).map_err(&copying)?;
        let events = match self.timing {
            true => Some(CallEvents::new(&device.ctx)?),
            false => None,
        };
        let mark = |phase, stream: &CudaStream| match &events {
            Some(events) => events.record(phase, stream),
            None => Ok(()),
        };
        mark(Phase::UploadStart, copy)?;
        let mut queued = slot.upload(copy, &batch, &layout, inputs);
        if let (Ok(()), Some((pinned, copies))) = (&queued, pinned_copies) {
            let buffer = slot.device.as_mut();
            let buffer = buffer.ok_or_else(|| Error::Internal("upload buffer missing".into()));
            queued = buffer.and_then(|b| pinned.upload_held(copy, &copies, b, layout.images));
        }
        // What was queued reads the slot's memory, whether or not the rest was: recorded always.
        let recorded = slot.uploaded.record(copy).map_err(&copying);
        queued.and(recorded)?;
        mark(Phase::UploadEnd, copy)?;
        device.compute.wait(&slot.uploaded).map_err(&copying)?;
        mark(Phase::KernelsStart, &device.compute)?;
        let Some(buffer) = slot.device.as_ref() else {
            return Err(Error::Internal("upload buffer missing".into()));
        };
        let upload = buffer.try_slice(..layout.len).ok_or_else(|| {
            Error::Internal("the upload buffer is smaller than its layout".into())
        })?;
        let input = match images {
            Images::Resident(images) => images.buffer.slice(..),
            _ => upload.try_slice(layout.images..).ok_or_else(|| {
                Error::Internal("the images lie outside the upload buffer".into())
            })?,
        };
        let launched = self.launch(batch, &layout, &upload, &input, &mark);
        // Launched or not, the next user of the slot orders itself after what was queued.
        let recorded = slot
            .consumed
            .record(&device.compute)
            .map_err(cuda_error("recording an event"));
        let mut outputs = launched.and_then(|outputs| recorded.map(|()| outputs))?;
        slot.trim(copy)?;
        outputs.events = events;
        Ok(outputs)
    }

    /// The launches of a laid-out batch: its tables in `upload`, its images in `input`.
    fn launch(
        &self,
        batch: KernelBatch,
        layout: &UploadLayout,
        upload: &CudaView<'_, u8>,
        input: &CudaView<'_, u8>,
        mark: &dyn Fn(Phase, &CudaStream) -> Result<()>,
    ) -> Result<DeviceOutputs> {
        if input.len() < batch.input_bytes {
            return Err(Error::InvalidArgument(
                "the device images do not match the plans".into(),
            ));
        }
        let stream = &self.device.compute;
        let starts = table::<i32>(upload, layout.starts, batch.starts.len())?;
        let lens = table::<i32>(upload, layout.lens, batch.lens.len())?;
        let weights = table::<i32>(upload, layout.weights, batch.weights.len())?;
        let luts = table::<f32>(upload, layout.luts, batch.luts.len())?;
        let allocating = cuda_error("allocating");
        // SAFETY: the stage passes write every stage byte (their regions tile the buffer) before
        // a later wave or the output kernel reads any.
        let mut stage =
            unsafe { stream.alloc::<u8>(batch.stage_bytes.max(1)) }.map_err(&allocating)?;
        let stage_size = std::mem::size_of::<StagePass>();
        // One launch per wave (and per `MAX_PASSES_PER_LAUNCH` passes of it), in order on the
        // stream: a wave reads what the waves before it wrote.
        let launches = batch.waves().into_iter().flat_map(|wave| {
            (wave.clone().step_by(MAX_PASSES_PER_LAUNCH))
                .map(move |start| start..(start + MAX_PASSES_PER_LAUNCH).min(wave.end))
        });
        for passes in launches {
            let chunk = &batch.stage[passes.clone()];
            let at = layout.stage_passes + passes.start * stage_size;
            let descriptors = table::<StagePass>(upload, at, chunk.len())?;
            let longest = chunk
                .iter()
                .map(|s| pass_pixels(&s.pass))
                .max()
                .unwrap_or(0);
            let mut launch = stream.launch_builder(&self.device.stage);
            launch
                .arg(input)
                .arg(&mut stage)
                .arg(&descriptors)
                .arg(&starts)
                .arg(&lens)
                .arg(&weights);
            // SAFETY: the descriptors' offsets and lengths were computed by `KernelBatch::layout`
            // for exactly these buffers, and checked against their sizes.
            unsafe { launch.launch(Self::launch_config(longest, chunk.len())) }
                .map_err(cuda_error("launching the first-pass kernel"))?;
        }
        mark(Phase::StageEnd, stream)?;
        let elements = batch.placement.elements.max(1);
        // What no output writes is padding: zeroed first, unless the outputs cover the buffer.
        let covered = batch.output_passes.iter().map(output_len).sum::<usize>() == elements;
        let mut buffer = if batch.float_output {
            OutputBuffer::F32(output_buffer(stream, elements, covered)?)
        } else {
            OutputBuffer::U8(output_buffer(stream, elements, covered)?)
        };
        let output_size = std::mem::size_of::<OutputPass>();
        for (i, chunk) in batch
            .output_passes
            .chunks(MAX_PASSES_PER_LAUNCH)
            .enumerate()
        {
            let at = layout.output_passes + i * MAX_PASSES_PER_LAUNCH * output_size;
            let descriptors = table::<OutputPass>(upload, at, chunk.len())?;
            let longest = chunk.iter().map(output_pixels).max().unwrap_or(0);
            let function = match buffer {
                OutputBuffer::F32(_) => &self.device.output_f32,
                OutputBuffer::U8(_) => &self.device.output_u8,
            };
            let mut launch = stream.launch_builder(function);
            launch.arg(input).arg(&stage);
            match &mut buffer {
                OutputBuffer::F32(out) => launch.arg(out),
                OutputBuffer::U8(out) => launch.arg(out),
            };
            launch
                .arg(&descriptors)
                .arg(&starts)
                .arg(&lens)
                .arg(&weights);
            if batch.float_output {
                // Only the float32 kernel maps levels through the tables.
                launch.arg(&luts);
            }
            // SAFETY: as above; the output buffer holds every output's `dst` range.
            unsafe { launch.launch(Self::launch_config(longest, chunk.len())) }
                .map_err(cuda_error("launching the output kernel"))?;
        }
        mark(Phase::OutputEnd, stream)?;
        Ok(DeviceOutputs {
            buffer,
            placement: batch.placement,
            stream: stream.clone(),
            events: None,
            uses: Default::default(),
        })
    }
}

/// An output buffer of `elements`, zeroed unless the outputs cover all of it.
fn output_buffer<T: DeviceRepr + ValidAsZeroBits>(
    stream: &Arc<CudaStream>,
    elements: usize,
    covered: bool,
) -> Result<CudaSlice<T>> {
    let allocating = cuda_error("allocating");
    // SAFETY: the buffer stays unset only when the output kernel writes every element.
    let mut buffer = unsafe { stream.alloc::<T>(elements) }.map_err(&allocating)?;
    if !covered {
        stream.memset_zeros(&mut buffer).map_err(&allocating)?;
    }
    Ok(buffer)
}

/// Device buffers may not be empty: an empty table becomes one zero.
fn nonempty<T: Copy + Default>(values: &[T]) -> Vec<T> {
    if values.is_empty() {
        vec![T::default()]
    } else {
        values.to_vec()
    }
}

/// The pixels a pass computes: one thread's work each.
fn pass_pixels(p: &Pass) -> usize {
    p.out_w as usize * p.out_h as usize
}

/// The pixels of an output's window: one thread's work each.
fn output_pixels(o: &OutputPass) -> usize {
    o.win_w as usize * o.win_h as usize
}

fn output_len(o: &OutputPass) -> usize {
    output_pixels(o) * o.pass.channels as usize
}

impl Backend for CudaBackend {
    fn name(&self) -> String {
        format!("cuda:{} ({})", self.ordinal, self.device.name)
    }

    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>> {
        let outputs = self.execute_on_device(inputs, plans);
        self.checked(outputs.and_then(|outputs| outputs.to_host()))
    }

    /// The feature stays on the device: the processor's outputs for a model on the same GPU.
    fn execute_placed(
        &self,
        inputs: &[Pixels],
        plans: &[ImagePlan],
        placement: &Placement,
    ) -> Result<Feature> {
        let outputs = self.run(Images::Host(inputs), plans, placement);
        self.checked(outputs).map(Feature::on_device)
    }

    fn is_usable(&self) -> bool {
        !self.device.is_broken()
    }
}
