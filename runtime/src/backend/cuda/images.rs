//! Where a call's images come from, and the reused buffers that take them to the device.

use super::batch::{ImageShape, KernelBatch};
use super::error::cuda_error;
use crate::error::{Error, Result};
use crate::numeric::Pixels;
use cudarc::driver::{CudaEvent, CudaSlice, CudaStream, DevicePtrMut, PinnedHostSlice};
use std::sync::Arc;

/// Images uploaded once and kept on the device (one buffer, back to back).
pub struct DeviceImages {
    pub(super) buffer: CudaSlice<u8>,
    pub(super) shapes: Vec<ImageShape>,
}

impl DeviceImages {
    /// The images' shapes, in order.
    pub fn shapes(&self) -> &[ImageShape] {
        &self.shapes
    }
}

/// Images copied once into page-locked host memory (back to back): each call then copies to the
/// device the part of each its outputs read, at the pinned rate, with no copy on the host.
pub struct PinnedImages {
    pub(super) host: PinnedHostSlice<u8>,
    pub(super) shapes: Vec<ImageShape>,
    pub(super) offsets: Vec<usize>,
    /// Recorded after the last copy out of `host`: freeing waits for it.
    pub(super) used: CudaEvent,
}

impl PinnedImages {
    /// The images' shapes, in order.
    pub fn shapes(&self) -> &[ImageShape] {
        &self.shapes
    }

    /// Queues, on `copy`, the copy of the part of each image `batch` holds to its place in
    /// `device` (from byte `at` on): one 2D copy an image.
    pub(super) fn upload_held(
        &self,
        copy: &Arc<CudaStream>,
        batch: &KernelBatch,
        device: &mut CudaSlice<u8>,
        at: usize,
    ) -> Result<()> {
        use cudarc::driver::sys;
        let copying = cuda_error("uploading pinned images");
        let outside = || Error::InvalidArgument("the pinned images do not match the plans".into());
        let device_len = device.len();
        let host = self.host.as_ptr().map_err(&copying)?;
        let host_len = self.host.len();
        let (dst, _record_write) = device.device_ptr_mut(copy);
        for (i, shape) in self.shapes.iter().enumerate() {
            let (Some(held), Some(&from), Some(&to)) = (
                batch.held.get(i),
                self.offsets.get(i),
                batch.image_offsets.get(i),
            ) else {
                return Err(outside());
            };
            let (c, to) = (shape.channels, at + to);
            let (row, rows) = (held.width() * c, held.height());
            let fits = batch.shapes.get(i) == Some(shape)
                && from + shape.bytes() <= host_len
                && held.x1 <= shape.width
                && held.y1 <= shape.height
                && to + row * rows <= device_len;
            if !fits {
                return Err(outside());
            }
            if row == 0 || rows == 0 {
                continue;
            }
            let rect = sys::CUDA_MEMCPY2D {
                srcXInBytes: held.x0 * c,
                srcY: held.y0,
                srcMemoryType: sys::CUmemorytype::CU_MEMORYTYPE_HOST,
                // SAFETY: `from` is inside the page-locked buffer (checked above).
                srcHost: unsafe { host.add(from) }.cast(),
                srcDevice: 0,
                srcArray: std::ptr::null_mut(),
                srcPitch: shape.width * c,
                dstXInBytes: 0,
                dstY: 0,
                dstMemoryType: sys::CUmemorytype::CU_MEMORYTYPE_DEVICE,
                dstHost: std::ptr::null_mut(),
                dstDevice: dst + to as u64,
                dstArray: std::ptr::null_mut(),
                dstPitch: row,
                WidthInBytes: row,
                Height: rows,
            };
            // SAFETY: both rectangles lie inside their buffers (checked above); `self` outlives
            // the copy (dropping it waits for `used`), and the device buffer is the slot's.
            unsafe { sys::cuMemcpy2DAsync_v2(&rect, copy.cu_stream()) }
                .result()
                .map_err(&copying)?;
        }
        self.used.record(copy).map_err(&copying)
    }
}

impl Drop for PinnedImages {
    fn drop(&mut self) {
        // The page-locked memory is freed after the copies out of it (an error here means the
        // context is gone, and the copies with it).
        let _ = self.used.synchronize();
    }
}

/// Where a call's images are.
#[derive(Clone, Copy)]
pub(super) enum Images<'a> {
    /// In ordinary host memory: copied (in parallel) into the call's page-locked upload buffer.
    Host(&'a [Pixels<'a>]),
    /// In page-locked memory: copied straight to the device.
    Pinned(&'a PinnedImages),
    /// Already on the device.
    Resident(&'a DeviceImages),
}

impl Images<'_> {
    pub(super) fn shapes(&self) -> Vec<ImageShape> {
        match self {
            Images::Host(pixels) => pixels.iter().map(ImageShape::of).collect(),
            Images::Pinned(images) => images.shapes.clone(),
            Images::Resident(images) => images.shapes.clone(),
        }
    }
}

/// Queues the copy of `bytes` of the page-locked buffer to the same bytes of the device buffer.
pub(super) fn upload(
    copy: &Arc<CudaStream>,
    pinned: &PinnedHostSlice<u8>,
    device: &mut CudaSlice<u8>,
    bytes: std::ops::Range<usize>,
) -> Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    let copying = cuda_error("uploading");
    let host = pinned.as_slice().map_err(&copying)?;
    let outside = || Error::Internal("an upload outside its buffers".into());
    let mut device = device.try_slice_mut(bytes.clone()).ok_or_else(outside)?;
    let host = host.get(bytes).ok_or_else(outside)?;
    copy.memcpy_htod(host, &mut device).map_err(copying)
}
