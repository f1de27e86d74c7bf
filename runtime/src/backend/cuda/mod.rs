//! The CUDA backend: the kernels of `kernels.cuh`, compiled once per process with NVRTC for the
//! device's own architecture, run over a [`KernelBatch`] built on the host from the same plans the
//! CPU backend runs. cudarc loads `libcuda` and `libnvrtc` at run time; both are probed first, so a
//! machine without them gets [`Error::BackendUnavailable`], never a panic.

pub mod host;

use super::Backend;
use super::kernel_batch::{ImageShape, KernelBatch, OutputPass, StagePass};
use crate::error::{Error, Result};
use crate::numeric::Pixels;
use crate::plan::ImagePlan;
use crate::tensor::Tensor;
use cudarc::driver::{
    CudaContext, CudaFunction, CudaSlice, CudaStream, DeviceRepr, LaunchConfig, PinnedHostSlice,
    PushKernelArg,
};
use std::collections::HashMap;
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

fn cuda_error(what: &str) -> impl Fn(cudarc::driver::DriverError) -> Error + '_ {
    move |e| Error::Cuda(format!("{what}: {e}"))
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
    stream: Arc<CudaStream>,
    staging: Mutex<Staging>,
    stage: CudaFunction,
    output_f32: CudaFunction,
    output_u8: CudaFunction,
    name: String,
}

/// Image buffers reused across calls, grown as needed: the images go through page-locked host
/// memory (copied at the pinned rate, without a pageable bounce) into one device buffer.
#[derive(Default)]
struct Staging {
    pinned: Option<PinnedHostSlice<u8>>,
    device: Option<CudaSlice<u8>>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The device's virtual architecture, for NVRTC (`compute_90` on an H100).
fn architecture(ctx: &Arc<CudaContext>) -> Result<&'static str> {
    let (major, minor) = ctx
        .compute_capability()
        .map_err(cuda_error("compute capability"))?;
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

fn open_device(ordinal: usize) -> Result<Device> {
    if let Some(reason) = unavailable_reason() {
        return Err(Error::BackendUnavailable(reason));
    }
    let ctx = CudaContext::new(ordinal)
        .map_err(|e| Error::BackendUnavailable(format!("no usable CUDA device {ordinal}: {e}")))?;
    let name = ctx.name().unwrap_or_else(|_| format!("cuda:{ordinal}"));
    let options = cudarc::nvrtc::CompileOptions {
        arch: Some(architecture(&ctx)?),
        // Integer kernels: nothing to contract, but keep float ops exact if any are added.
        fmad: Some(false),
        ..Default::default()
    };
    let ptx = cudarc::nvrtc::compile_ptx_with_opts(KERNELS, options)
        .map_err(|e| Error::Cuda(format!("compiling the kernels with NVRTC: {e}")))?;
    let module = ctx
        .load_module(ptx)
        .map_err(cuda_error("loading the kernels"))?;
    let function = |name: &str| {
        module
            .load_function(name)
            .map_err(cuda_error("loading a kernel"))
    };
    Ok(Device {
        stream: ctx.default_stream(),
        staging: Mutex::new(Staging::default()),
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
#[derive(Debug, Clone)]
pub struct CudaBackend {
    device: Arc<Device>,
    ordinal: usize,
}

/// Images uploaded once and kept on the device (one buffer, back to back).
pub struct DeviceImages {
    buffer: CudaSlice<u8>,
    shapes: Vec<ImageShape>,
}

impl DeviceImages {
    /// The images' shapes, in order.
    pub fn shapes(&self) -> &[ImageShape] {
        &self.shapes
    }
}

/// Outputs left on the device: one buffer, and each output's shape and offset in it.
pub struct DeviceOutputs {
    /// float32 outputs (`None` when the outputs are uint8).
    pub f32: Option<CudaSlice<f32>>,
    /// uint8 outputs (`None` when the outputs are float32).
    pub u8: Option<CudaSlice<u8>>,
    batch: KernelBatch,
    stream: Arc<CudaStream>,
}

impl DeviceOutputs {
    /// Each output's shape and element offset in the device buffer.
    pub fn layout(&self) -> &[(Vec<usize>, usize)] {
        &self.batch.outputs
    }

    /// Waits until the kernels that write the outputs have finished.
    pub fn synchronize(&self) -> Result<()> {
        self.stream
            .synchronize()
            .map_err(cuda_error("synchronizing"))
    }

    /// Copies the outputs to host tensors.
    pub fn to_host(&self) -> Result<Vec<Tensor>> {
        match (&self.f32, &self.u8) {
            (Some(buffer), _) => {
                let data = self
                    .stream
                    .clone_dtoh(buffer)
                    .map_err(cuda_error("copying outputs"))?;
                Ok(self.batch.split_f32(&data))
            }
            (None, Some(buffer)) => {
                let data = self
                    .stream
                    .clone_dtoh(buffer)
                    .map_err(cuda_error("copying outputs"))?;
                Ok(self.batch.split_u8(&data))
            }
            (None, None) => Ok(Vec::new()),
        }
    }
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

    fn launch_config(len: usize, passes: usize) -> LaunchConfig {
        let blocks = len.div_ceil(BLOCK as usize).clamp(1, MAX_BLOCKS_X as usize) as u32;
        LaunchConfig {
            grid_dim: (blocks, passes as u32, 1),
            block_dim: (BLOCK, 1, 1),
            shared_mem_bytes: 0,
        }
    }

    /// Runs plans and leaves the outputs on the device: one launch for the first passes of
    /// two-pass resizes, one for every output (last pass, crop, rescale and normalize fused).
    pub fn execute_on_device(
        &self,
        inputs: &[Pixels],
        plans: &[ImagePlan],
    ) -> Result<DeviceOutputs> {
        let batch = KernelBatch::build(inputs, plans)?;
        let stream = &self.device.stream;
        let upload = |what: &'static str| cuda_error(what);
        let mut staging = self
            .device
            .staging
            .lock()
            .map_err(|_| Error::Cuda("staging buffers poisoned".into()))?;
        let needed = batch.input.len().max(1);
        if staging.pinned.as_ref().is_none_or(|p| p.len() < needed) {
            // SAFETY: the page-locked memory is written below before anything reads it.
            let pinned = unsafe { self.device.ctx.alloc_pinned::<u8>(needed) };
            staging.pinned = Some(pinned.map_err(upload("allocating page-locked memory"))?);
            staging.device = Some(
                stream
                    .alloc_zeros::<u8>(needed)
                    .map_err(upload("allocating"))?,
            );
        }
        let Staging {
            pinned: Some(pinned),
            device: Some(input),
        } = &mut *staging
        else {
            return Err(Error::Cuda("staging buffers missing".into()));
        };
        let host = pinned
            .as_mut_slice()
            .map_err(upload("writing page-locked memory"))?;
        host[..batch.input.len()].copy_from_slice(&batch.input);
        let host = pinned
            .as_slice()
            .map_err(upload("reading page-locked memory"))?;
        stream
            .memcpy_htod(&host[..needed.min(host.len())], input)
            .map_err(upload("uploading images"))?;
        self.launch(batch, input)
    }

    /// Uploads images once; [`execute_resident`](Self::execute_resident) then runs plans on them
    /// without copying them again.
    pub fn upload(&self, inputs: &[Pixels]) -> Result<DeviceImages> {
        let bytes: Vec<u8> = inputs.iter().flat_map(|p| p.data.iter().copied()).collect();
        let buffer = self
            .device
            .stream
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
        let batch = KernelBatch::layout(&images.shapes, plans)?;
        self.launch(batch, &images.buffer)
    }

    /// The launches of a laid-out batch over its images in `input`.
    fn launch(&self, batch: KernelBatch, input: &CudaSlice<u8>) -> Result<DeviceOutputs> {
        if input.len() < batch.input_bytes {
            return Err(Error::Cuda(
                "the device images are smaller than the batch's layout".into(),
            ));
        }
        let stream = &self.device.stream;
        let upload = |what: &'static str| cuda_error(what);
        let starts = stream
            .clone_htod(&nonempty(&batch.starts))
            .map_err(upload("uploading tables"))?;
        let lens = stream
            .clone_htod(&nonempty(&batch.lens))
            .map_err(upload("uploading tables"))?;
        let weights = stream
            .clone_htod(&nonempty(&batch.weights))
            .map_err(upload("uploading tables"))?;
        let luts = stream
            .clone_htod(&nonempty(&batch.luts))
            .map_err(upload("uploading tables"))?;
        let mut stage = stream
            .alloc_zeros::<u8>(batch.stage_bytes.max(1))
            .map_err(upload("allocating"))?;
        for chunk in batch.stage.chunks(MAX_PASSES_PER_LAUNCH) {
            let descriptors = stream
                .clone_htod(chunk)
                .map_err(upload("uploading passes"))?;
            let longest = chunk.iter().map(|s| pass_len(&s.pass)).max().unwrap_or(0);
            let mut launch = stream.launch_builder(&self.device.stage);
            launch
                .arg(input)
                .arg(&mut stage)
                .arg(&descriptors)
                .arg(&starts)
                .arg(&lens)
                .arg(&weights);
            // SAFETY: the descriptors' offsets and lengths were computed by `KernelBatch::build` for
            // exactly these buffers.
            unsafe { launch.launch(Self::launch_config(longest, chunk.len())) }
                .map_err(cuda_error("launching the first-pass kernel"))?;
        }
        let elements = batch.output_elements.max(1);
        let mut outputs = DeviceOutputs {
            f32: None,
            u8: None,
            batch: KernelBatch::default(),
            stream: stream.clone(),
        };
        if batch.float_output {
            outputs.f32 = Some(
                stream
                    .alloc_zeros::<f32>(elements)
                    .map_err(upload("allocating"))?,
            );
        } else {
            outputs.u8 = Some(
                stream
                    .alloc_zeros::<u8>(elements)
                    .map_err(upload("allocating"))?,
            );
        }
        for chunk in batch.output_passes.chunks(MAX_PASSES_PER_LAUNCH) {
            let descriptors = stream
                .clone_htod(chunk)
                .map_err(upload("uploading outputs"))?;
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
        outputs.batch = batch;
        Ok(outputs)
    }
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
}
