//! The CUDA backend: the kernels of `kernels.cuh`, compiled once per process with NVRTC for the
//! device's own architecture, run over a [`KernelBatch`] built on the host from the same plans the
//! CPU backend runs. cudarc loads `libcuda` and `libnvrtc` at run time; both are probed first, so a
//! machine without them gets [`Error::BackendUnavailable`], never a panic.

pub mod host;
mod images;
mod outputs;

pub use images::{DeviceImages, PinnedImages};
use images::{Images, Slot, upload};
pub use outputs::{DeviceOutputs, DeviceTensor};

use super::Backend;
use super::kernel_batch::{
    ImageShape, KernelBatch, OutputPass, StagePass, UPLOAD_RUN_BYTES, UploadLayout,
};
use crate::error::{Error, Result};
use crate::numeric::Pixels;
use crate::plan::{ImagePlan, Placement};
use crate::tensor::{Feature, Tensor};
use cudarc::driver::{
    CudaContext, CudaFunction, CudaSlice, CudaStream, CudaView, DeviceRepr, LaunchConfig,
    PushKernelArg, ValidAsZeroBits,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The kernels' source: one header, also built for the host by `host.c`.
const KERNELS: &str = include_str!("kernels.cuh");
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

/// A failed CUDA call as an error: out of device memory on its own (a caller can retry with a
/// smaller batch or on the CPU), anything else as [`Error::Cuda`].
pub(super) fn cuda_error(what: &str) -> impl Fn(cudarc::driver::DriverError) -> Error + '_ {
    use cudarc::driver::sys::CUresult;
    move |e| match e.0 {
        CUresult::CUDA_ERROR_OUT_OF_MEMORY => Error::CudaOutOfMemory(what.to_owned()),
        _ => Error::Cuda(format!("{what}: {e}")),
    }
}

/// Why CUDA cannot be used here, if it cannot: the libraries are probed before cudarc touches them
/// (cudarc panics on a missing library).
pub fn unavailable_reason() -> Option<String> {
    // SAFETY: the probes only try to dlopen the libraries.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return Some(
            "CUDA is not available: libcuda was not found (no NVIDIA driver on this machine)"
                .into(),
        );
    }
    // SAFETY: as above.
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Some(
            "CUDA is not available: libnvrtc was not found (put the CUDA toolkit's lib folder on LD_LIBRARY_PATH)"
                .into(),
        );
    }
    None
}

/// A device with the kernels loaded: made once per device and process.
struct Device {
    ctx: Arc<CudaContext>,
    /// The kernels run here.
    compute: Arc<CudaStream>,
    /// Uploads run here, so a call's upload overlaps the kernels of the call before it.
    copy: Arc<CudaStream>,
    /// Upload buffers, taken in turn: one is read by kernels while the next call fills another.
    slots: [Mutex<Slot>; SLOTS],
    next_slot: AtomicUsize,
    stage: CudaFunction,
    output_f32: CudaFunction,
    output_u8: CudaFunction,
    name: String,
}

/// Upload buffers per device: double buffering.
const SLOTS: usize = 2;

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The device's compute capability.
fn compute_capability(ctx: &Arc<CudaContext>) -> Result<(i32, i32)> {
    ctx.compute_capability()
        .map_err(cuda_error("compute capability"))
}

/// The device's virtual architecture, for NVRTC's PTX (`compute_90` on an H100).
fn virtual_architecture((major, minor): (i32, i32)) -> Result<&'static str> {
    static NAMES: OnceLock<Mutex<HashMap<(i32, i32), &'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| Error::Cuda("architecture cache poisoned".into()))?;
    // One small string per distinct device architecture, kept for the process (NVRTC wants 'static).
    Ok(*names
        .entry((major, minor))
        .or_insert_with(|| Box::leak(format!("compute_{major}{minor}").into_boxed_str())))
}

/// Compiles the kernels with NVRTC for `arch` (e.g. `compute_90`), returning the PTX.
pub fn compile_kernels(arch: &'static str) -> Result<String> {
    // SAFETY: the probe only tries to dlopen the library.
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Err(Error::BackendUnavailable("libnvrtc was not found".into()));
    }
    let options = cudarc::nvrtc::CompileOptions {
        arch: Some(arch),
        // Integer kernels: nothing to contract, but keep float ops exact if any are added.
        fmad: Some(false),
        ..Default::default()
    };
    cudarc::nvrtc::compile_ptx_with_opts(KERNELS, options)
        .map(|ptx| ptx.to_src())
        .map_err(|e| Error::Cuda(format!("compiling the kernels with NVRTC: {e}")))
}

/// Compiles the kernels with NVRTC to a CUBIN for a real architecture (e.g. `sm_90`): no JIT when
/// the module loads.
pub fn compile_kernels_cubin(arch: &str) -> Result<Vec<u8>> {
    use cudarc::nvrtc::{result, sys};
    // SAFETY: the probe only tries to dlopen the library.
    if !unsafe { sys::is_culib_present() } {
        return Err(Error::BackendUnavailable("libnvrtc was not found".into()));
    }
    let failed = |what: &str, e: result::NvrtcError| Error::Cuda(format!("NVRTC {what}: {e:?}"));
    let source = std::ffi::CString::new(KERNELS)
        .map_err(|_| Error::Cuda("the kernels' source holds a NUL byte".into()))?;
    let program = result::create_program(&source, None).map_err(|e| failed("create", e))?;
    let options = [
        format!("--gpu-architecture={arch}"),
        "--fmad=false".to_owned(),
    ];
    // SAFETY: `program` was just created and is destroyed once, below.
    let compiled = unsafe { result::compile_program(program, &options) };
    let cubin = compiled.map_err(|e| failed("compile", e)).and_then(|()| {
        let mut size = 0usize;
        // SAFETY: `program` compiled; NVRTC writes `size` bytes into a buffer of that size.
        unsafe { sys::nvrtcGetCUBINSize(program, &mut size).result() }
            .map_err(|e| failed("CUBIN size", e))?;
        let mut cubin = vec![0u8; size];
        // SAFETY: as above: the buffer holds the `size` bytes NVRTC reported.
        unsafe { sys::nvrtcGetCUBIN(program, cubin.as_mut_ptr().cast()).result() }
            .map_err(|e| failed("CUBIN", e))?;
        Ok(cubin)
    });
    // SAFETY: created above, not destroyed before.
    let _ = unsafe { result::destroy_program(program) };
    cubin
}

/// The kernels as a module for `ctx`'s device: a CUBIN for its own architecture (no JIT when it
/// loads), else PTX for its virtual architecture, which the driver compiles.
fn load_kernels(ctx: &Arc<CudaContext>) -> Result<Arc<cudarc::driver::CudaModule>> {
    let capability = compute_capability(ctx)?;
    let cubin =
        compile_kernels_cubin(&format!("sm_{}{}", capability.0, capability.1)).and_then(|cubin| {
            ctx.load_module(cudarc::nvrtc::Ptx::from_binary(cubin))
                .map_err(cuda_error("loading the CUBIN"))
        });
    match cubin {
        Ok(module) => Ok(module),
        Err(reason) => {
            tracing::warn!("CUDA: no CUBIN for this device ({reason}); loading PTX instead");
            let ptx = compile_kernels(virtual_architecture(capability)?)?;
            ctx.load_module(cudarc::nvrtc::Ptx::from_src(ptx))
                .map_err(cuda_error("loading the kernels"))
        }
    }
}

fn open_device(ordinal: usize) -> Result<Device> {
    if let Some(reason) = unavailable_reason() {
        return Err(Error::BackendUnavailable(reason));
    }
    let ctx = CudaContext::new(ordinal)
        .map_err(|e| Error::BackendUnavailable(format!("no usable CUDA device {ordinal}: {e}")))?;
    let name = ctx.name().unwrap_or_else(|_| format!("cuda:{ordinal}"));
    // Both streams exist before any buffer: cudarc then orders every buffer's uses across them.
    let compute = ctx.new_stream().map_err(cuda_error("creating a stream"))?;
    let copy = ctx.new_stream().map_err(cuda_error("creating a stream"))?;
    let module = load_kernels(&ctx)?;
    let function = |name: &str| {
        module
            .load_function(name)
            .map_err(cuda_error("loading a kernel"))
    };
    Ok(Device {
        compute,
        copy,
        slots: [Mutex::new(Slot::new(&ctx)?), Mutex::new(Slot::new(&ctx)?)],
        next_slot: AtomicUsize::new(0),
        stage: function("tp_stage")?,
        output_f32: function("tp_output_f32")?,
        output_u8: function("tp_output_u8")?,
        name,
        ctx,
    })
}

/// The devices opened so far, each compiled once per process.
fn device(ordinal: usize) -> Result<Arc<Device>> {
    static DEVICES: OnceLock<Mutex<HashMap<usize, Arc<Device>>>> = OnceLock::new();
    let mut devices = DEVICES
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| Error::Cuda("device cache poisoned".into()))?;
    if let Some(device) = devices.get(&ordinal) {
        return Ok(device.clone());
    }
    let device = Arc::new(open_device(ordinal)?);
    devices.insert(ordinal, device.clone());
    Ok(device)
}

/// Runs plans on a CUDA device.
///
/// Calls return as soon as their work is queued: the next call's host work and upload overlap
/// this call's kernels. Outputs stay on the device ([`DeviceOutputs`]) until copied with
/// [`DeviceOutputs::to_host`].
#[derive(Debug, Clone)]
pub struct CudaBackend {
    device: Arc<Device>,
    ordinal: usize,
}

/// A typed view of `len` elements at byte `at` of an upload buffer.
fn table<'a, T>(upload: &CudaView<'a, u8>, at: usize, len: usize) -> Result<CudaView<'a, T>> {
    let bytes = upload
        .try_slice(at..)
        .ok_or_else(|| Error::Cuda("a table lies outside the upload buffer".into()))?;
    // SAFETY: the table was written there as `len` values of `T` (`KernelBatch::write_tables`),
    // at an offset aligned for `T`.
    unsafe { bytes.transmute::<T>(len) }
        .ok_or_else(|| Error::Cuda("a table overruns the upload buffer".into()))
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
        })
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
                .ok_or_else(|| Error::Cuda("page-locked memory too small".into()))?;
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
        // Bytes that go through the slot's page-locked memory: the tables, and host images.
        let staged = match images {
            Images::Host(_) => layout.len,
            _ => layout.images,
        };
        let index = device.next_slot.fetch_add(1, Ordering::Relaxed) % SLOTS;
        let mut slot = device.slots[index]
            .lock()
            .map_err(|_| Error::Cuda("upload buffers poisoned".into()))?;
        // The last copy out of this slot's page-locked memory must be done before it is rewritten.
        slot.uploaded
            .synchronize()
            .map_err(cuda_error("waiting for an upload"))?;
        slot.reserve(device, staged, layout.len)?;
        let Slot {
            pinned: Some(pinned),
            device: Some(buffer),
            uploaded,
            consumed,
        } = &mut *slot
        else {
            return Err(Error::Cuda("upload buffers missing".into()));
        };
        let copy = &device.copy;
        let copying = cuda_error("uploading");
        // The kernels of the last call that used this slot must have read it.
        copy.wait(consumed).map_err(&copying)?;
        let writing = cuda_error("writing page-locked memory");
        batch.write_tables(&layout, pinned.as_mut_slice().map_err(&writing)?)?;
        upload(copy, pinned, buffer, 0..layout.images)?;
        if let Images::Host(inputs) = images {
            // Run by run: the copy engine uploads one run while the host writes the next.
            for run in batch.image_runs(UPLOAD_RUN_BYTES) {
                let host = pinned.as_mut_slice().map_err(&writing)?;
                let region = host.get_mut(layout.images..).unwrap_or_default();
                let written = batch.write_images(inputs, run, region)?;
                let bytes = layout.images + written.start..layout.images + written.end;
                upload(copy, pinned, buffer, bytes)?;
            }
        }
        if let Images::Pinned(pinned) = images {
            pinned.upload_held(copy, &batch, buffer, layout.images)?;
        }
        uploaded.record(copy).map_err(&copying)?;
        device.compute.wait(uploaded).map_err(&copying)?;
        let upload = buffer
            .try_slice(..layout.len)
            .ok_or_else(|| Error::Cuda("the upload buffer is smaller than its layout".into()))?;
        let input = match images {
            Images::Resident(images) => images.buffer.slice(..),
            _ => upload
                .try_slice(layout.images..)
                .ok_or_else(|| Error::Cuda("the images lie outside the upload buffer".into()))?,
        };
        let outputs = self.launch(batch, &layout, &upload, &input)?;
        consumed
            .record(&device.compute)
            .map_err(cuda_error("recording an event"))?;
        Ok(outputs)
    }

    /// The launches of a laid-out batch: its tables in `upload`, its images in `input`.
    fn launch(
        &self,
        batch: KernelBatch,
        layout: &UploadLayout,
        upload: &CudaView<'_, u8>,
        input: &CudaView<'_, u8>,
    ) -> Result<DeviceOutputs> {
        if input.len() < batch.input_bytes {
            return Err(Error::Cuda(
                "the device images are smaller than the batch's layout".into(),
            ));
        }
        let stream = &self.device.compute;
        let starts = table::<i32>(upload, layout.starts, batch.starts.len())?;
        let lens = table::<i32>(upload, layout.lens, batch.lens.len())?;
        let weights = table::<i32>(upload, layout.weights, batch.weights.len())?;
        let luts = table::<f32>(upload, layout.luts, batch.luts.len())?;
        let allocating = cuda_error("allocating");
        // SAFETY: the first passes write every stage byte (their regions tile the buffer) before
        // the output kernel reads any.
        let mut stage =
            unsafe { stream.alloc::<u8>(batch.stage_bytes.max(1)) }.map_err(&allocating)?;
        let stage_size = std::mem::size_of::<StagePass>();
        for (i, chunk) in batch.stage.chunks(MAX_PASSES_PER_LAUNCH).enumerate() {
            let at = layout.stage_passes + i * MAX_PASSES_PER_LAUNCH * stage_size;
            let descriptors = table::<StagePass>(upload, at, chunk.len())?;
            let longest = chunk.iter().map(|s| pass_len(&s.pass)).max().unwrap_or(0);
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
        let elements = batch.placement.elements.max(1);
        // What no output writes is padding: zeroed first, unless the outputs cover the buffer.
        let covered = batch.output_passes.iter().map(output_len).sum::<usize>() == elements;
        let mut outputs = DeviceOutputs {
            f32: None,
            u8: None,
            placement: Placement::default(),
            stream: stream.clone(),
        };
        if batch.float_output {
            outputs.f32 = Some(output_buffer(stream, elements, covered)?);
        } else {
            outputs.u8 = Some(output_buffer(stream, elements, covered)?);
        }
        let output_size = std::mem::size_of::<OutputPass>();
        for (i, chunk) in batch
            .output_passes
            .chunks(MAX_PASSES_PER_LAUNCH)
            .enumerate()
        {
            let at = layout.output_passes + i * MAX_PASSES_PER_LAUNCH * output_size;
            let descriptors = table::<OutputPass>(upload, at, chunk.len())?;
            let longest = chunk.iter().map(output_len).max().unwrap_or(0);
            let function = if batch.float_output {
                &self.device.output_f32
            } else {
                &self.device.output_u8
            };
            let mut launch = stream.launch_builder(function);
            launch.arg(input).arg(&stage);
            match (&mut outputs.f32, &mut outputs.u8) {
                (Some(out), _) => {
                    launch
                        .arg(out)
                        .arg(&descriptors)
                        .arg(&starts)
                        .arg(&lens)
                        .arg(&weights)
                        .arg(&luts);
                }
                (None, Some(out)) => {
                    launch
                        .arg(out)
                        .arg(&descriptors)
                        .arg(&starts)
                        .arg(&lens)
                        .arg(&weights);
                }
                (None, None) => {}
            }
            // SAFETY: as above; the output buffer holds every output's `dst` range.
            unsafe { launch.launch(Self::launch_config(longest, chunk.len())) }
                .map_err(cuda_error("launching the output kernel"))?;
        }
        outputs.placement = batch.placement;
        Ok(outputs)
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

fn pass_len(p: &super::kernel_batch::Pass) -> usize {
    p.out_w as usize * p.out_h as usize * p.channels as usize
}

fn output_len(o: &OutputPass) -> usize {
    o.win_w as usize * o.win_h as usize * o.pass.channels as usize
}

impl Backend for CudaBackend {
    fn name(&self) -> String {
        format!("cuda:{} ({})", self.ordinal, self.device.name)
    }

    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>> {
        self.execute_on_device(inputs, plans)?.to_host()
    }

    /// The feature stays on the device: the processor's outputs for a model on the same GPU.
    fn execute_placed(
        &self,
        inputs: &[Pixels],
        plans: &[ImagePlan],
        placement: &Placement,
    ) -> Result<Feature> {
        Ok(self
            .run(Images::Host(inputs), plans, placement)?
            .into_feature())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cudarc::driver::{DriverError, sys::CUresult};

    /// Running out of memory is an error of its own (the error's text needs no CUDA library).
    #[test]
    fn out_of_memory_is_its_own_error() {
        let error = cuda_error("allocating")(DriverError(CUresult::CUDA_ERROR_OUT_OF_MEMORY));
        assert!(
            matches!(error, Error::CudaOutOfMemory(ref what) if what == "allocating"),
            "{error:?}"
        );
    }
}
