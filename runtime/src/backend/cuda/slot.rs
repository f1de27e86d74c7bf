//! The upload buffers of a device, reused across calls: a pool of slots, each used by one call at
//! a time and given back once the call is queued. No lock is held while a call works, so a call
//! made from inside a rayon task (which may run another call while it waits) never waits on itself.

use super::batch::KernelBatch;
use super::error::cuda_error;
use super::images::upload;
use super::upload::{STAGING_SEGMENT_BYTES, STAGING_SEGMENTS, UploadLayout};
use crate::error::{Error, Result};
use crate::numeric::Pixels;
use cudarc::driver::{CudaContext, CudaEvent, CudaSlice, CudaStream, PinnedHostSlice};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

/// Device memory a slot keeps between calls; a larger buffer is released after its call.
pub(super) const KEEP_DEVICE_BYTES: usize = 1 << 30;

/// Bytes to allocate for `needed`: an eighth more, so batches of slowly growing sizes do not
/// reallocate at every call (a power of two could double a huge request).
pub(super) fn capacity(needed: usize) -> usize {
    needed.max(1).saturating_add(needed / 8)
}

/// Page-locked bytes a call uses: its tables, then its images from host memory through the
/// staging ring (bounded, whatever the batch), or as many bytes as the images when fewer.
pub(super) fn staged_bytes(tables: usize, host_images: usize) -> usize {
    tables + host_images.min(STAGING_SEGMENTS * STAGING_SEGMENT_BYTES)
}

/// One upload buffer: page-locked host memory (copied at the pinned rate, no pageable bounce) and
/// the device buffer it is copied into, reused across calls, with the events that order reuse.
pub(super) struct Slot {
    /// The tables, then the staging ring's segments.
    pub(super) pinned: Option<PinnedHostSlice<u8>>,
    /// The tables, then the images.
    pub(super) device: Option<CudaSlice<u8>>,
    /// Recorded on the copy stream after a call's copies out of `pinned`: the next call waits for
    /// it before writing `pinned` again.
    pub(super) uploaded: CudaEvent,
    /// Recorded on the compute stream after the kernels that read `device`: the next copy into
    /// `device` waits for it.
    pub(super) consumed: CudaEvent,
    /// Recorded after the copy out of each staging segment: written again once it is done.
    segments: [CudaEvent; STAGING_SEGMENTS],
}

impl Slot {
    pub(super) fn new(ctx: &Arc<CudaContext>) -> Result<Self> {
        let event = || ctx.new_event(None).map_err(cuda_error("creating an event"));
        Ok(Slot {
            pinned: None,
            device: None,
            uploaded: event()?,
            consumed: event()?,
            segments: [event()?, event()?, event()?, event()?],
        })
    }

    /// Makes room for `pinned_bytes` of page-locked memory and `device_bytes` on the device.
    /// The caller has waited for `uploaded`, so the old page-locked memory is free to go.
    pub(super) fn reserve(
        &mut self,
        ctx: &Arc<CudaContext>,
        copy: &Arc<CudaStream>,
        pinned_bytes: usize,
        device_bytes: usize,
    ) -> Result<()> {
        if self.pinned.as_ref().is_none_or(|p| p.len() < pinned_bytes) {
            self.pinned = None;
            // SAFETY: the page-locked memory is written before any of it is copied.
            let pinned = unsafe { ctx.alloc_pinned::<u8>(capacity(pinned_bytes)) };
            self.pinned = Some(pinned.map_err(cuda_error("allocating page-locked memory"))?);
        }
        if self.device.as_ref().is_none_or(|d| d.len() < device_bytes) {
            self.release_device(copy)?;
            // SAFETY: every byte a kernel reads is copied in first (the layout says which).
            let buffer = unsafe { copy.alloc::<u8>(capacity(device_bytes)) };
            self.device = Some(buffer.map_err(cuda_error("allocating"))?);
        }
        Ok(())
    }

    /// Frees the device buffer on the copy stream, after the kernels that read it.
    fn release_device(&mut self, copy: &Arc<CudaStream>) -> Result<()> {
        if self.device.is_some() {
            copy.wait(&self.consumed)
                .map_err(cuda_error("ordering streams"))?;
            self.device = None;
        }
        Ok(())
    }

    /// After a call: a device buffer beyond [`KEEP_DEVICE_BYTES`] is released (a huge batch does
    /// not hold its memory for the calls after it).
    pub(super) fn trim(&mut self, copy: &Arc<CudaStream>) -> Result<()> {
        if self
            .device
            .as_ref()
            .is_some_and(|d| d.len() > KEEP_DEVICE_BYTES)
        {
            self.release_device(copy)?;
        }
        Ok(())
    }

    /// Queues on `copy` the tables, and `inputs` (the images from host memory, already checked)
    /// piece by piece through the staging ring: the host writes a segment while the copy engine
    /// moves the one before, and waits only to reuse a segment whose copy is still queued.
    pub(super) fn upload(
        &mut self,
        copy: &Arc<CudaStream>,
        batch: &KernelBatch,
        layout: &UploadLayout,
        inputs: Option<&[Pixels]>,
    ) -> Result<()> {
        let (Some(pinned), Some(device)) = (self.pinned.as_mut(), self.device.as_mut()) else {
            return Err(Error::Internal("upload buffers missing".into()));
        };
        let writing = cuda_error("writing page-locked memory");
        batch.write_tables(layout, pinned.as_mut_slice().map_err(&writing)?)?;
        upload(copy, pinned, 0..layout.images, device, 0)?;
        let Some(inputs) = inputs else {
            return Ok(());
        };
        for (k, piece) in batch.image_pieces(STAGING_SEGMENT_BYTES).enumerate() {
            let segment = &self.segments[k % STAGING_SEGMENTS];
            if k >= STAGING_SEGMENTS {
                segment
                    .synchronize()
                    .map_err(cuda_error("waiting for an upload"))?;
            }
            let at = layout.images + (k % STAGING_SEGMENTS) * STAGING_SEGMENT_BYTES;
            let staged = at..at + piece.len();
            let host = pinned.as_mut_slice().map_err(&writing)?;
            let place = host
                .get_mut(staged.clone())
                .ok_or_else(|| Error::Internal("the staging ring is too small".into()))?;
            batch.write_image_bytes(inputs, piece.clone(), place)?;
            upload(copy, pinned, staged, device, layout.images + piece.start)?;
            segment
                .record(copy)
                .map_err(cuda_error("recording an event"))?;
        }
        Ok(())
    }
}

/// Items used by one caller at a time, longest idle first; never waits: with none free it makes
/// one.
pub(super) struct Pool<T> {
    free: Mutex<VecDeque<T>>,
}

/// An item taken from a [`Pool`], given back when dropped.
pub(super) struct Taken<'a, T> {
    item: Option<T>,
    pool: &'a Pool<T>,
}

impl<T> Pool<T> {
    pub(super) fn new(items: impl IntoIterator<Item = T>) -> Self {
        Pool {
            free: Mutex::new(items.into_iter().collect()),
        }
    }

    /// The longest-idle item, or `make`'s when all are in use. The lock is held only to pop.
    pub(super) fn take(&self, make: impl FnOnce() -> Result<T>) -> Result<Taken<'_, T>> {
        // The queue is never left half-changed: a poisoned lock still holds whole items.
        let idle = self
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        let item = match idle {
            Some(item) => item,
            None => make()?,
        };
        Ok(Taken {
            item: Some(item),
            pool: self,
        })
    }

    /// Items idle now.
    #[cfg(test)]
    fn idle(&self) -> usize {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl<T> std::ops::Deref for Taken<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.item
            .as_ref()
            .unwrap_or_else(|| unreachable!("taken until dropped"))
    }
}

impl<T> std::ops::DerefMut for Taken<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.item
            .as_mut()
            .unwrap_or_else(|| unreachable!("taken until dropped"))
    }
}

impl<T> Drop for Taken<'_, T> {
    fn drop(&mut self) {
        if let Some(item) = self.item.take() {
            self.pool
                .free
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push_back(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_hands_out_the_longest_idle_item() {
        let pool = Pool::new([0, 1]);
        let never = || -> Result<i32> { panic!("two are idle") };
        let taken = [0, 1, 0, 1].map(|_| *pool.take(never).unwrap());
        // Calls one after another alternate: one slot is read by kernels while the next fills.
        assert_eq!(taken, [0, 1, 0, 1]);
    }

    /// A caller that takes an item while it holds one (a call from a rayon task that waits on
    /// another call) gets a new one instead of waiting for itself; the pool keeps both after.
    #[test]
    fn taking_while_holding_makes_another_and_never_waits() {
        let pool = Pool::new([0]);
        let outer = pool.take(|| Ok(1)).unwrap();
        let inner = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| {
                let (a, b) = rayon::join(|| *pool.take(|| Ok(2)).unwrap(), || 3);
                (a, b)
            });
        assert_eq!((*outer, inner), (0, (2, 3)));
        drop(outer);
        assert_eq!(pool.idle(), 2);
    }

    /// Issue 13: 256 uncropped 8k images (25.5 GB) took two 32 GiB page-locked buffers and two
    /// 32 GiB device buffers (powers of two, never released); now the page-locked memory stays at
    /// the tables plus the ring, the device buffer an eighth over the need, released after.
    #[test]
    fn huge_batches_stage_through_bounded_memory() {
        let images = 256 * 7680 * 4320 * 3;
        let tables = 200 << 10;
        assert_eq!(staged_bytes(tables, images), tables + (32 << 20));
        assert_eq!(staged_bytes(tables, 1000), tables + 1000);
        assert_eq!(capacity(images), images + images / 8);
        assert!(capacity(images) > KEEP_DEVICE_BYTES);
        assert_eq!(capacity(0), 1);
        assert_eq!(capacity(usize::MAX), usize::MAX);
    }
}
