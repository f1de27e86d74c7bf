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

    /// The copies of the part of each image `batch` holds to its place among the images (a
    /// rectangle an image): all checked here, before any is queued.
    pub(super) fn copies(&self, batch: &KernelBatch) -> Result<Vec<PinnedCopy>> {
        let outside = || Error::InvalidArgument("the pinned images do not match the plans".into());
        if batch.shapes.len() != self.shapes.len() {
            return Err(outside());
        }
        let mut copies = Vec::with_capacity(self.shapes.len());
        for (i, shape) in self.shapes.iter().enumerate() {
            let (Some(held), Some(&from), Some(&to)) = (
                batch.held.get(i),
                self.offsets.get(i),
                batch.image_offsets.get(i),
            ) else {
                return Err(outside());
            };
            let c = shape.channels;
            let (row, rows) = (held.width() * c, held.height());
            let fits = batch.shapes.get(i) == Some(shape)
                && from + shape.bytes() <= self.host.len()
                && held.x1 <= shape.width
                && held.y1 <= shape.height
                && to + row * rows <= batch.input_bytes;
            if !fits {
                return Err(outside());
            }
            if row > 0 && rows > 0 {
                copies.push(PinnedCopy {
                    from: from + (held.y0 * shape.width + held.x0) * c,
                    pitch: shape.width * c,
                    to,
                    row,
                    rows,
                });
            }
        }
        Ok(copies)
    }

    /// Queues `copies` (from [`copies`](Self::copies)) on `copy` into `device` from byte `at` on,
    /// then records the event that dropping these images waits for (also when a copy fails:
    /// those queued before it still read this memory).
    pub(super) fn upload_held(
        &self,
        copy: &Arc<CudaStream>,
        copies: &[PinnedCopy],
        device: &mut CudaSlice<u8>,
        at: usize,
    ) -> Result<()> {
        use cudarc::driver::sys;
        let copying = cuda_error("uploading pinned images");
        let device_len = device.len();
        let host = self.host.as_ptr().map_err(&copying)?;
        let (dst, _record_write) = device.device_ptr_mut(copy);
        let queued = copies.iter().try_for_each(|c| {
            if at + c.to + c.row * c.rows > device_len {
                return Err(Error::Internal(
                    "pinned images outside the upload buffer".into(),
                ));
            }
            let rect = sys::CUDA_MEMCPY2D {
                srcXInBytes: 0,
                srcY: 0,
                srcMemoryType: sys::CUmemorytype::CU_MEMORYTYPE_HOST,
                // SAFETY: `from` and the rectangle after it lie inside the page-locked buffer
                // (checked by `copies`).
                srcHost: unsafe { host.add(c.from) }.cast(),
                srcDevice: 0,
                srcArray: std::ptr::null_mut(),
                srcPitch: c.pitch,
                dstXInBytes: 0,
                dstY: 0,
                dstMemoryType: sys::CUmemorytype::CU_MEMORYTYPE_DEVICE,
                dstHost: std::ptr::null_mut(),
                dstDevice: dst + (at + c.to) as u64,
                dstArray: std::ptr::null_mut(),
                dstPitch: c.row,
                WidthInBytes: c.row,
                Height: c.rows,
            };
            // SAFETY: both rectangles lie inside their buffers (checked); `self` outlives the
            // copy (dropping it waits for `used`), and the device buffer is the slot's.
            unsafe { sys::cuMemcpy2DAsync_v2(&rect, copy.cu_stream()) }
                .result()
                .map_err(&copying)
        });
        let recorded = self.used.record(copy).map_err(&copying);
        queued.and(recorded)
    }
}

/// One pinned image's held rectangle: `rows` rows of `row` bytes from byte `from` of the
/// page-locked images (rows `pitch` apart) to byte `to` among the batch's images.
pub(super) struct PinnedCopy {
    from: usize,
    pitch: usize,
    to: usize,
    row: usize,
    rows: usize,
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

/// Queues the copy of bytes `from` of the page-locked buffer to the device buffer from byte `to` on.
pub(super) fn upload(
    copy: &Arc<CudaStream>,
    pinned: &PinnedHostSlice<u8>,
    from: std::ops::Range<usize>,
    device: &mut CudaSlice<u8>,
    to: usize,
) -> Result<()> {
    if from.is_empty() {
        return Ok(());
    }
    let copying = cuda_error("uploading");
    let host = pinned.as_slice().map_err(&copying)?;
    let outside = || Error::Internal("an upload outside its buffers".into());
    let mut device = device
        .try_slice_mut(to..to + from.len())
        .ok_or_else(outside)?;
    let host = host.get(from).ok_or_else(outside)?;
    copy.memcpy_htod(host, &mut device).map_err(copying)
}
