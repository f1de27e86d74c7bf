//! What a call leaves on the device: one buffer of outputs, and the tensors of its feature.

use super::error::cuda_error;
use super::timing::{CallEvents, GpuTimes};
use crate::error::{Error, Result};
use crate::placement::Placement;
use crate::tensor::{Tensor, TensorData};
use cudarc::driver::{CudaEvent, CudaSlice, CudaStream, CudaView, DevicePtr};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The device buffer of a call's outputs, in their element type.
pub enum OutputBuffer {
    /// float32 outputs: the levels mapped through the rescale and normalize tables.
    F32(CudaSlice<f32>),
    /// uint8 outputs: the levels themselves.
    U8(CudaSlice<u8>),
}

/// Outputs left on the device: one buffer, each output written where its placement says.
pub struct DeviceOutputs {
    pub(super) buffer: OutputBuffer,
    pub(super) placement: Placement,
    pub(super) stream: Arc<CudaStream>,
    /// The call's timing events, when its backend records them.
    pub(super) events: Option<CallEvents>,
    /// Per stream of another binding that reads the buffer ([`DeviceTensor::record_use`]): the
    /// event after its last recorded read. The buffer is freed after all of them.
    pub(super) uses: Mutex<HashMap<u64, CudaEvent>>,
}

impl Drop for DeviceOutputs {
    fn drop(&mut self) {
        // The buffer is freed on `stream` (asynchronously, as it drops after this): ordered after
        // every recorded use on other streams. An error here means the context is gone, and the
        // buffer with it.
        let uses = std::mem::take(self.uses.get_mut().unwrap_or_else(PoisonError::into_inner));
        for event in uses.values() {
            let _ = self.stream.wait(event);
        }
    }
}

impl DeviceOutputs {
    /// The feature's tensors: shape and element offset in the buffer.
    pub fn layout(&self) -> &[(Vec<usize>, usize)] {
        &self.placement.tensors
    }

    /// The buffer every output lies in.
    pub fn buffer(&self) -> &OutputBuffer {
        &self.buffer
    }

    /// The stream the kernels writing the outputs run on: work queued on it after them sees them.
    pub fn stream(&self) -> &Arc<CudaStream> {
        &self.stream
    }

    /// Waits until the kernels that write the outputs have finished.
    pub fn synchronize(&self) -> Result<()> {
        self.stream
            .synchronize()
            .map_err(cuda_error("synchronizing"))
    }

    /// What the GPU spent on the call (waits for it), if its backend was made
    /// [`with_timing`](super::CudaBackend::with_timing).
    pub fn gpu_times(&self) -> Result<Option<GpuTimes>> {
        self.events.as_ref().map(CallEvents::times).transpose()
    }

    /// Copies the outputs to host tensors: one per window for the plain `execute_*` calls.
    pub fn to_host(&self) -> Result<Vec<Tensor>> {
        Ok(self.placement.split(self.download()?))
    }

    /// The whole buffer, copied to the host.
    fn download(&self) -> Result<TensorData> {
        let copying = cuda_error("copying outputs");
        Ok(match &self.buffer {
            OutputBuffer::F32(buffer) => {
                TensorData::F32(self.stream.clone_dtoh(buffer).map_err(copying)?)
            }
            OutputBuffer::U8(buffer) => {
                TensorData::U8(self.stream.clone_dtoh(buffer).map_err(copying)?)
            }
        })
    }

    /// Whether the outputs are one stacked tensor, and their tensors, left on the device (see
    /// [`Feature::on_device`](crate::feature::Feature::on_device)).
    pub fn into_tensors(self) -> (bool, Vec<DeviceTensor>) {
        let stacked = self.placement.stacked;
        let tensors = self.placement.tensors.clone();
        let outputs = Arc::new(self);
        let tensors = tensors.into_iter().map(|(shape, offset)| DeviceTensor {
            outputs: outputs.clone(),
            shape,
            offset,
        });
        (stacked, tensors.collect())
    }
}

/// A tensor on a CUDA device: part of the buffer a call's kernels wrote, shared by the call's
/// tensors and freed with the last of them.
///
/// ```no_run
/// use twinproc::models::clip::ClipImageProcessorCuda;
/// use twinproc::{Image, ImageProcessor, ImagesKwargs};
///
/// let processor = ClipImageProcessorCuda::new(ImagesKwargs::default())?; // an error without CUDA
/// let batch = processor.preprocess(&[Image::open("cat.png")?], &Default::default())?;
/// let pixels = batch.device_tensor("pixel_values").expect("left on the GPU");
/// assert_eq!(pixels.shape(), [1, 3, 224, 224]);
/// let view = pixels.f32().expect("float32"); // a cudarc view, for a model on the same GPU
/// let address = pixels.device_ptr(); // or the raw address, for another CUDA binding
/// # let _ = (view, address);
/// # Ok::<(), twinproc::Error>(())
/// ```
#[derive(Clone)]
pub struct DeviceTensor {
    outputs: Arc<DeviceOutputs>,
    shape: Vec<usize>,
    offset: usize,
}

impl DeviceTensor {
    /// The shape, row-major.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether it has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the elements are float32 (else uint8).
    pub fn is_f32(&self) -> bool {
        matches!(self.outputs.buffer, OutputBuffer::F32(_))
    }

    /// The float32 elements, as a cudarc view (`None` for uint8 outputs).
    pub fn f32(&self) -> Option<CudaView<'_, f32>> {
        match &self.outputs.buffer {
            OutputBuffer::F32(buffer) => buffer.try_slice(self.offset..self.offset + self.len()),
            OutputBuffer::U8(_) => None,
        }
    }

    /// The uint8 elements, as a cudarc view (`None` for float32 outputs).
    pub fn u8(&self) -> Option<CudaView<'_, u8>> {
        match &self.outputs.buffer {
            OutputBuffer::U8(buffer) => buffer.try_slice(self.offset..self.offset + self.len()),
            OutputBuffer::F32(_) => None,
        }
    }

    /// The device address of the first element, for frameworks on another CUDA binding: valid
    /// while this tensor lives; the elements are written by work queued on
    /// [`stream`](Self::stream) (order the reads after it). If reads queued on another stream may
    /// still run when the tensor drops, [`record_use`](Self::record_use) them.
    pub fn device_ptr(&self) -> u64 {
        let stream = &self.outputs.stream;
        match &self.outputs.buffer {
            OutputBuffer::F32(buffer) => buffer.device_ptr(stream).0 + (self.offset * 4) as u64,
            OutputBuffer::U8(buffer) => buffer.device_ptr(stream).0 + self.offset as u64,
        }
    }

    /// Orders the release of the elements' memory after the work queued so far on `stream`, a
    /// stream of another CUDA binding that reads them through [`device_ptr`](Self::device_ptr)
    /// (torch's `torch.cuda.current_stream().cuda_stream`, say): call it after queuing that work,
    /// and the memory is freed only once it is done, even if this tensor drops first. Views
    /// ([`f32`](Self::f32), [`u8`](Self::u8)) used through cudarc need no call: cudarc orders them.
    ///
    /// # Safety
    ///
    /// `stream` must be a live CUDA stream (a `CUstream`) of this device's primary context.
    pub unsafe fn record_use(&self, stream: u64) -> Result<()> {
        let recording = cuda_error("recording a use");
        let outputs = &self.outputs;
        outputs
            .stream
            .context()
            .bind_to_thread()
            .map_err(&recording)?;
        let mut uses = outputs.uses.lock().unwrap_or_else(PoisonError::into_inner);
        let event = match uses.entry(stream) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let ctx = outputs.stream.context();
                e.insert(ctx.new_event(None).map_err(&recording)?)
            }
        };
        // SAFETY: the caller's promise: a live stream of this context; the event is ours.
        unsafe {
            cudarc::driver::result::event::record(event.cu_event(), stream as _).map_err(recording)
        }
    }

    /// The stream whose queued kernels write the elements.
    pub fn stream(&self) -> &Arc<CudaStream> {
        &self.outputs.stream
    }

    /// Waits until the kernels writing the elements have finished.
    pub fn synchronize(&self) -> Result<()> {
        self.outputs.synchronize()
    }

    /// Copies the tensor to the host.
    pub fn to_host(&self) -> Result<Tensor> {
        let stream = &self.outputs.stream;
        let copying = cuda_error("copying outputs");
        let data = if let Some(view) = self.f32() {
            TensorData::F32(stream.clone_dtoh(&view).map_err(copying)?)
        } else if let Some(view) = self.u8() {
            TensorData::U8(stream.clone_dtoh(&view).map_err(copying)?)
        } else {
            return Err(Error::Internal("a device tensor outside its buffer".into()));
        };
        Ok(Tensor {
            shape: self.shape.clone(),
            data,
        })
    }
}

impl std::fmt::Debug for DeviceTensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceTensor")
            .field("shape", &self.shape)
            .field("dtype", &if self.is_f32() { "f32" } else { "u8" })
            .finish_non_exhaustive()
    }
}

/// The same tensor: the same elements of the same buffer.
impl PartialEq for DeviceTensor {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.outputs, &other.outputs)
            && self.offset == other.offset
            && self.shape == other.shape
    }
}
