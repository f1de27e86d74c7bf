//! A CUDA device opened once per process: its kernels compiled with NVRTC for its architecture,
//! its streams and upload buffers.

use super::error::cuda_error;
use super::slot::{Pool, Slot};
use crate::error::{Error, Result};
use cudarc::driver::{CudaContext, CudaFunction, CudaStream};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The kernels' source: one header, also built for the host by `host.c`.
const KERNELS: &str = include_str!("kernels.cuh");
/// Why CUDA cannot be used here, if it cannot: the libraries are probed before cudarc touches them
/// (cudarc panics on a missing library).
pub fn unavailable_reason() -> Option<String> {
    // SAFETY: the probes only try to dlopen the libraries.
    if !driver_soname_present() || !unsafe { cudarc::driver::sys::is_culib_present() } {
        return Some(
            "CUDA is not available: libcuda was not found (no NVIDIA driver on this machine)"
                .into(),
        );
    }
    nvrtc_unavailable().map(|reason| format!("CUDA is not available: {reason}"))
}

/// Whether the driver's library opens by the name every NVIDIA driver installs it under: cudarc
/// tries some forty names, each a search of the library path (1.3 ms of every command on a
/// machine without a GPU).
fn driver_soname_present() -> bool {
    #[cfg(target_os = "linux")]
    {
        [c"libcuda.so.1", c"libcuda.so"].iter().any(|name| {
            // SAFETY: dlopen of a library by name; closed again at once when it opened.
            unsafe {
                let handle = libc::dlopen(name.as_ptr(), libc::RTLD_LAZY | libc::RTLD_LOCAL);
                !handle.is_null() && libc::dlclose(handle) == 0
            }
        })
    }
    #[cfg(not(target_os = "linux"))]
    true
}

/// Why NVRTC cannot compile here, if it cannot: libnvrtc missing, or found without what it needs
/// (its libnvrtc-builtins, say: an empty kernel is compiled once per process to find out).
fn nvrtc_unavailable() -> Option<String> {
    // SAFETY: the probe only tries to dlopen the library.
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Some(
            "libnvrtc was not found (put the CUDA toolkit's lib folder on LD_LIBRARY_PATH)".into(),
        );
    }
    nvrtc_failure().map(|log| format!("NVRTC cannot compile ({log})"))
}

/// Why NVRTC cannot compile an empty kernel, if it cannot: probed once per process.
fn nvrtc_failure() -> Option<String> {
    static FAILURE: OnceLock<Option<String>> = OnceLock::new();
    FAILURE
        .get_or_init(|| {
            let probe = r#"extern "C" __global__ void tp_probe() {}"#;
            cudarc::nvrtc::compile_ptx(probe).err().map(|e| match e {
                cudarc::nvrtc::CompileError::CompileError { log, .. } => {
                    first_line(&log.to_string_lossy())
                }
                other => other.to_string(),
            })
        })
        .clone()
}

/// The first non-empty line of a compiler log.
fn first_line(log: &str) -> String {
    let line = log.lines().map(str::trim).find(|l| !l.is_empty());
    line.unwrap_or("no log")
        .trim_start_matches("nvrtc: ")
        .to_owned()
}

/// A device with the kernels loaded: made once per device and process.
pub(super) struct Device {
    pub(super) ctx: Arc<CudaContext>,
    /// The kernels run here.
    pub(super) compute: Arc<CudaStream>,
    /// Uploads run here, so a call's upload overlaps the kernels of the call before it.
    pub(super) copy: Arc<CudaStream>,
    /// Upload buffers, longest idle first: one is read by kernels while the next call fills
    /// another; concurrent calls make more.
    pub(super) slots: Pool<Slot>,
    pub(super) stage: CudaFunction,
    pub(super) output_f32: CudaFunction,
    pub(super) output_u8: CudaFunction,
    pub(super) name: String,
    /// Set once a call failed and the context reports an error: a sticky one (an illegal
    /// address, a failed launch) leaves the context unusable for the rest of the process.
    broken: std::sync::atomic::AtomicBool,
}

impl Device {
    /// Whether a sticky error has broken this device's context.
    pub(super) fn is_broken(&self) -> bool {
        self.broken.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn broken_reason(&self) -> String {
        format!(
            "CUDA device {} is unusable after an earlier error in this process",
            self.name
        )
    }

    /// After a failed call: whether the context itself is broken (it then fails every call, and
    /// the device is given up). Waits for the device.
    pub(super) fn check_after_failure(&self) -> bool {
        if self.ctx.synchronize().is_err() || self.ctx.check_err().is_err() {
            self.broken
                .store(true, std::sync::atomic::Ordering::Relaxed);
            tracing::warn!("{}", self.broken_reason());
        }
        self.is_broken()
    }
}

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
        .map_err(|_| Error::Internal("architecture cache poisoned".into()))?;
    // One small string per distinct device architecture, kept for the process (NVRTC wants 'static).
    Ok(*names
        .entry((major, minor))
        .or_insert_with(|| Box::leak(format!("compute_{major}{minor}").into_boxed_str())))
}

/// Compiles the kernels with NVRTC for `arch` (e.g. `compute_90`), returning the PTX.
pub fn compile_kernels(arch: &'static str) -> Result<String> {
    if let Some(reason) = nvrtc_unavailable() {
        return Err(Error::BackendUnavailable(reason));
    }
    let options = cudarc::nvrtc::CompileOptions {
        arch: Some(arch),
        // Integer kernels: nothing to contract, but keep float ops exact if any are added.
        fmad: Some(false),
        ..Default::default()
    };
    cudarc::nvrtc::compile_ptx_with_opts(KERNELS, options)
        .map(|ptx| ptx.to_src())
        .map_err(|e| Error::Cuda {
            what: "compiling the kernels with NVRTC".into(),
            source: Some(e.into()),
        })
}

/// Compiles the kernels with NVRTC to a CUBIN for a real architecture (e.g. `sm_90`): no JIT when
/// the module loads.
pub fn compile_kernels_cubin(arch: &str) -> Result<Vec<u8>> {
    use cudarc::nvrtc::{result, sys};
    if let Some(reason) = nvrtc_unavailable() {
        return Err(Error::BackendUnavailable(reason));
    }
    let failed = |what: &str, e: result::NvrtcError| Error::Cuda {
        what: format!("NVRTC {what}"),
        source: Some(e.into()),
    };
    // The compiler's own log says why (a missing builtins library, a syntax error): kept.
    let log = |program| {
        // SAFETY: `program` is live; the log is a NUL-terminated C string.
        let log = unsafe { result::get_program_log(program) }.unwrap_or_default();
        let bytes: Vec<u8> = log
            .iter()
            .map(|&c| c as u8)
            .take_while(|&b| b != 0)
            .collect();
        first_line(&String::from_utf8_lossy(&bytes))
    };
    let source = std::ffi::CString::new(KERNELS)
        .map_err(|_| Error::Internal("the kernels' source holds a NUL byte".into()))?;
    let program = result::create_program(&source, None).map_err(|e| failed("create", e))?;
    let options = [
        format!("--gpu-architecture={arch}"),
        "--fmad=false".to_owned(),
    ];
    // SAFETY: `program` was just created and is destroyed once, below.
    let compiled = unsafe { result::compile_program(program, &options) };
    let compiled = compiled.map_err(|e| Error::Cuda {
        what: format!("NVRTC compile for {arch}: {}", log(program)),
        source: Some(e.into()),
    });
    let cubin = compiled.and_then(|()| {
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

/// Memory the device's default pool keeps for reuse after a synchronization: without it the pool
/// returns everything at each wait, and every call maps its stage and output buffers again.
pub const POOL_RELEASE_THRESHOLD: u64 = 2 << 30;

/// Sets the default pool's release threshold (the stage and output buffers come from that pool).
fn keep_pool_memory(ctx: &Arc<CudaContext>) -> Result<()> {
    use cudarc::driver::{result::device::get_default_mem_pool, result::mem_pool, sys};
    if !ctx.has_async_alloc() {
        return Ok(());
    }
    let setting = cuda_error("setting the memory pool's release threshold");
    ctx.bind_to_thread().map_err(&setting)?;
    let mut threshold = POOL_RELEASE_THRESHOLD;
    // SAFETY: the device comes from a live context; the attribute takes a u64, passed by pointer.
    unsafe {
        let pool = get_default_mem_pool(ctx.cu_device()).map_err(&setting)?;
        mem_pool::set_attribute(
            pool,
            sys::CUmemPool_attribute::CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
            (&raw mut threshold).cast(),
        )
        .map_err(&setting)
    }
}

fn open_device(ordinal: usize) -> Result<Device> {
    if let Some(reason) = unavailable_reason() {
        return Err(Error::BackendUnavailable(reason));
    }
    let ctx = CudaContext::new(ordinal)
        .map_err(|e| Error::BackendUnavailable(format!("no usable CUDA device {ordinal}: {e}")))?;
    let name = ctx.name().unwrap_or_else(|_| format!("cuda:{ordinal}"));
    keep_pool_memory(&ctx)?;
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
        // Two to begin with: double buffering.
        slots: Pool::new([Slot::new(&ctx)?, Slot::new(&ctx)?]),
        stage: function("tp_stage")?,
        output_f32: function("tp_output_f32")?,
        output_u8: function("tp_output_u8")?,
        name,
        broken: Default::default(),
        ctx,
    })
}

/// The devices opened so far, each compiled once per process; a device that could not be opened,
/// or that a sticky error has broken, answers with why, without trying again.
pub(super) fn device(ordinal: usize) -> Result<Arc<Device>> {
    let mut devices = devices()?;
    match devices.get(&ordinal) {
        Some(Ok(device)) if !device.is_broken() => return Ok(device.clone()),
        Some(Ok(device)) => return Err(Error::BackendUnavailable(device.broken_reason())),
        Some(Err(reason)) => return Err(Error::BackendUnavailable(reason.clone())),
        None => {}
    }
    match open_device(ordinal) {
        Ok(device) => {
            let device = Arc::new(device);
            devices.insert(ordinal, Ok(device.clone()));
            Ok(device)
        }
        Err(e) => {
            let reason = match e {
                Error::BackendUnavailable(reason) => reason,
                other => format!("CUDA device {ordinal} could not be opened: {other}"),
            };
            devices.insert(ordinal, Err(reason.clone()));
            Err(Error::BackendUnavailable(reason))
        }
    }
}

type Devices = HashMap<usize, std::result::Result<Arc<Device>, String>>;

fn devices() -> Result<std::sync::MutexGuard<'static, Devices>> {
    static DEVICES: OnceLock<Mutex<Devices>> = OnceLock::new();
    DEVICES
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| Error::Internal("device cache poisoned".into()))
}
