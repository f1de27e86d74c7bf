//! The buffers a call's stacked outputs are written into: memory a caller gave back
//! ([`Backend::recycle`](crate::backend::Backend::recycle)) when some fits, else fresh memory.
//!
//! Fresh memory is zeroed page by page by the kernel as it is first written: on one core a fifth of
//! a CLIP batch's time. A given-back buffer's pages are already mapped, so a loop that recycles
//! each batch skips that work; its old values are overwritten or zeroed by the call.

use crate::tensor::TensorData;
use std::sync::{Mutex, MutexGuard};

/// Buffers kept at most: a caller double-buffering gives one back while the next is in use.
const KEPT: usize = 2;

/// The element types of stacked outputs.
pub(super) trait Element: Copy + Default + Send + Sync {
    fn of(data: &TensorData) -> Option<&Vec<Self>>;
    fn into_vec(data: TensorData) -> Option<Vec<Self>>;
}

/// `Element` for the type held by one variant of [`TensorData`].
macro_rules! element {
    ($t:ty, $variant:ident) => {
        impl Element for $t {
            fn of(data: &TensorData) -> Option<&Vec<$t>> {
                match data {
                    TensorData::$variant(v) => Some(v),
                    _ => None,
                }
            }

            fn into_vec(data: TensorData) -> Option<Vec<$t>> {
                match data {
                    TensorData::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}

element!(f32, F32);
element!(u8, U8);

/// Buffers given back, newest last.
#[derive(Debug, Default)]
pub(super) struct Spares(Mutex<Vec<TensorData>>);

/// A call's output buffer.
pub(super) struct Buffer<T> {
    pub(super) values: Vec<T>,
    /// Whether it holds a previous call's values (fresh memory is all zero).
    pub(super) dirty: bool,
}

impl Spares {
    fn kept(&self) -> MutexGuard<'_, Vec<TensorData>> {
        // A panic elsewhere leaves the list itself whole.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps `data` for a later call, dropping the oldest beyond [`KEPT`].
    pub(super) fn put(&self, data: TensorData) {
        if f32::of(&data).is_none() && u8::of(&data).is_none() {
            return;
        }
        let mut kept = self.kept();
        kept.push(data);
        if kept.len() > KEPT {
            kept.remove(0);
        }
    }

    /// A buffer of `len` elements: the smallest kept one with room for them, else fresh.
    pub(super) fn take<T: Element>(&self, len: usize) -> Buffer<T> {
        let spare = {
            let mut kept = self.kept();
            let room = |data: &TensorData| T::of(data).map(Vec::capacity).filter(|&c| c >= len);
            let best = (0..kept.len())
                .filter_map(|i| Some((room(&kept[i])?, i)))
                .min()
                .map(|(_, i)| i);
            best.map(|i| kept.remove(i))
        };
        match spare.and_then(T::into_vec) {
            Some(mut values) => {
                // Within capacity: no reallocation; only growth is written here.
                values.resize(len, T::default());
                Buffer {
                    values,
                    dirty: true,
                }
            }
            None => Buffer {
                values: zeroed(len),
                dirty: false,
            },
        }
    }
}

/// A zero-filled buffer. A large one is asked to live on huge pages: faulting it in 4 KiB at a
/// time costs several times more than in 2 MiB pages.
fn zeroed<T: Clone + Default>(len: usize) -> Vec<T> {
    let buffer = vec![T::default(); len];
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = len * std::mem::size_of::<T>();
        if bytes >= 2 * HUGE {
            let page = 4096;
            let start = (buffer.as_ptr() as usize).next_multiple_of(page);
            let end = (buffer.as_ptr() as usize + bytes) / page * page;
            // SAFETY: advice on whole pages inside the buffer's own allocation; it changes no
            // contents (the pages are zero either way) and a refusal is harmless.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    buffer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_smallest_spare_that_fits_and_keeps_two() {
        let spares = Spares::default();
        spares.put(TensorData::F32(vec![1.0; 10]));
        spares.put(TensorData::U8(vec![1; 100]));
        spares.put(TensorData::F32(vec![2.0; 50]));
        // The oldest (10 floats) was dropped: 8 floats come from the 50.
        let b = spares.take::<f32>(8);
        assert!(b.dirty);
        assert_eq!(b.values, vec![2.0; 8]);
        // No float buffer left: fresh zeros.
        let b = spares.take::<f32>(4);
        assert!(!b.dirty);
        assert_eq!(b.values, vec![0.0; 4]);
        // Too small a spare is not used; growth within capacity is zero.
        assert!(!spares.take::<u8>(101).dirty);
        spares.put(TensorData::U8(Vec::with_capacity(64)));
        let b = spares.take::<u8>(64);
        assert!(b.dirty);
        assert_eq!(b.values, vec![0; 64]);
        spares.put(TensorData::I64(vec![1; 4]));
        assert_eq!(spares.kept().len(), 1, "only the 100 bytes are left");
    }
}
