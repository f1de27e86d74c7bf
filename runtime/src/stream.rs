//! Many images preprocessed into one safetensors file an image at a time: each image decoded and
//! preprocessed by one of rayon's threads (the decoded pixels still in that core's cache) into
//! the memory of an output already written, and written at its place in the file by a writer
//! thread. A one-shot run over fresh memory pays a page fault per 4 KiB of every decoded image
//! and every output (about as much as the preprocessing itself); image by image the memory is a
//! few images', reused, and no thread waits for a batch's slowest image. The file is the one the
//! whole batch would give: [`BatchFeature::save_safetensors`] of [`Processor::run`] on every
//! image at once.

use crate::backend::Backend;
use crate::call::Batch;
use crate::error::Result;
use crate::feature::{BatchFeature, Feature};
use crate::image::Image;
use crate::kwargs::ImagesKwargs;
use crate::placement::Stacking;
use crate::processor::Processor;
use crate::save::{Entry, Replacement, header};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

/// One tensor of a written file: its name, shape and safetensors element type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: &'static str,
}

/// Preprocesses the `count` images `open` gives (by index, called from rayon's threads) as one
/// batch on `backend` and writes the outputs and `metadata` to a safetensors file at `path`,
/// returning its stacked tensors. The bytes are those of [`BatchFeature::save_safetensors`] on
/// [`Processor::run`] of the whole batch; an error is the whole batch's too.
///
/// Models of the default pipeline, whose outputs for an image do not depend on the others, go an
/// image at a time into a regular file; the rest (and writes to a device or a FIFO) go as one
/// batch, as does a batch whose images turn out not to stack alike.
///
/// ```
/// # use twinproc::{AutoImageProcessor, Image};
/// # use std::collections::BTreeMap;
/// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/configs/clip_vit_b32");
/// let processor = AutoImageProcessor::from_pretrained(dir)?;
/// let out = std::env::temp_dir().join(format!("twinproc-doc-{}.safetensors", std::process::id()));
/// let open = |i: usize| Ok(Image::from_hwc(vec![i as u8; 32 * 48 * 3], 32, 48, 3));
/// let written = twinproc::stream::preprocess_to_safetensors(
///     &processor, processor.backend(), 40, &open, &out, BTreeMap::new())?;
/// assert_eq!(written[0].name, "pixel_values");
/// assert_eq!(written[0].shape, [40, 3, 224, 224]);
/// # std::fs::remove_file(&out).ok();
/// # Ok::<(), twinproc::Error>(())
/// ```
pub fn preprocess_to_safetensors(
    processor: &Processor,
    backend: &dyn Backend,
    count: usize,
    open: &(dyn Fn(usize) -> Result<Image> + Sync),
    path: &Path,
    metadata: BTreeMap<String, String>,
) -> Result<Vec<Written>> {
    let run = Run {
        processor,
        backend,
        open,
    };
    #[cfg(unix)]
    if processor.model().preprocess.is_none()
        && count > 1
        && let Some(file) = Replacement::of(path)?
        && let Some(written) = run.by_image(count, &file, &metadata)?
    {
        file.commit()?;
        return Ok(written);
    }
    let batch = run.preprocess(&run.decode(0..count)?)?;
    batch.save_safetensors(path, metadata)?;
    Ok(batch
        .data
        .iter()
        .filter_map(|(name, feature)| match feature {
            Feature::Tensor(t) => Some(Entry::of(name, t).into()),
            _ => None,
        })
        .collect())
}

impl From<Entry> for Written {
    fn from(entry: Entry) -> Written {
        Written {
            name: entry.name,
            shape: entry.shape,
            dtype: entry.dtype,
        }
    }
}

struct Run<'a> {
    processor: &'a Processor,
    backend: &'a dyn Backend,
    open: &'a (dyn Fn(usize) -> Result<Image> + Sync),
}

impl Run<'_> {
    /// The images of `range`, decoded in parallel.
    fn decode(&self, range: Range<usize>) -> Result<Vec<Image>> {
        let images = range.clone().into_par_iter().map(self.open).collect();
        tracing::debug!(?range, "decoded");
        images
    }

    /// `images` preprocessed as one batch, in host memory.
    fn preprocess(&self, images: &[Image]) -> Result<BatchFeature> {
        self.processor
            .run(
                self.backend,
                Batch::Flat(images),
                &ImagesKwargs::default(),
                Stacking::Stack,
            )?
            .into_host()
            .inspect(|_| tracing::debug!(images = images.len(), "preprocessed"))
    }

    /// Writes the batch image by image into `file`, each output given back to the backend once
    /// written; `None` (the file left incomplete) when the images do not stack alike, or one
    /// fails where only the whole batch can say how. The layout is the first finished image's:
    /// every other must fit it.
    #[cfg(unix)]
    fn by_image(
        &self,
        count: usize,
        file: &Replacement,
        metadata: &BTreeMap<String, String>,
    ) -> Result<Option<Vec<Written>>> {
        use std::os::unix::fs::FileExt;
        use std::sync::{OnceLock, mpsc};
        /// Why the images stopped before the last.
        enum Stop {
            Failed(crate::Error),
            Unstacked,
            WriterGone,
        }
        let out = file.file();
        let layout = OnceLock::<Option<Layout>>::new();
        let stopped = std::thread::scope(|scope| {
            // Outputs wait for the writer a few at a time: memory stays a few images'.
            let (to_writer, written) =
                mpsc::sync_channel::<(usize, BatchFeature)>(2 * rayon::current_num_threads());
            let (backend, layout) = (self.backend, &layout);
            let writer = scope.spawn(move || -> std::io::Result<()> {
                for (start, batch) in written {
                    // Set before the image was sent.
                    if let Some(Some(layout)) = layout.get() {
                        layout.write(out, start, &batch)?;
                    }
                    batch.data.into_values().for_each(|f| backend.recycle(f));
                }
                Ok(())
            });
            let stopped = (0..count).into_par_iter().try_for_each(|i| {
                let image = (self.open)(i).map_err(Stop::Failed)?;
                let batch = self
                    .preprocess(std::slice::from_ref(&image))
                    .map_err(|_| Stop::Unstacked)?;
                match layout.get_or_init(|| Layout::of(&batch, count, metadata)) {
                    Some(layout) if layout.fits(&batch, 1) => {
                        to_writer.send((i, batch)).map_err(|_| Stop::WriterGone)
                    }
                    _ => Err(Stop::Unstacked),
                }
            });
            drop(to_writer);
            let wrote = writer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            wrote.map_err(|e| file.error(e))?;
            Ok::<_, crate::Error>(stopped)
        })?;
        match (stopped, layout.get()) {
            (Ok(()), Some(Some(layout))) => {
                out.write_all_at(&layout.header, 0)
                    .map_err(|e| file.error(e))?;
                Ok(Some(
                    layout.entries.iter().cloned().map(Written::from).collect(),
                ))
            }
            (Ok(()), _) | (Err(Stop::Unstacked), _) => Ok(None),
            (Err(Stop::Failed(e)), _) => Err(e),
            (Err(Stop::WriterGone), _) => Err(crate::Error::Internal(
                "the writer stopped without an error".into(),
            )),
        }
    }
}

/// Where each output of a batch goes in the file, learnt from its first image's.
struct Layout {
    /// The file's first bytes.
    header: Vec<u8>,
    /// The whole batch's tensors, in the batch's order.
    entries: Vec<Entry>,
    /// Per entry: where its data starts in the file, and its bytes per image.
    places: Vec<(u64, usize)>,
}

impl Layout {
    /// The layout of `count` images whose first alone gave `first`: `None` unless every output
    /// is a tensor stacked along a first axis of one entry per image.
    fn of(
        first: &BatchFeature,
        count: usize,
        metadata: &BTreeMap<String, String>,
    ) -> Option<Layout> {
        let mut entries = Vec::new();
        for (name, feature) in &first.data {
            let Feature::Tensor(tensor) = feature else {
                return None;
            };
            if tensor.shape.first() != Some(&1) {
                return None;
            }
            let mut entry = Entry::of(name, tensor);
            entry.shape[0] = count;
            entry.len *= count;
            entries.push(entry);
        }
        let (header, order) = header(&entries, metadata);
        let mut places = vec![(0, 0); entries.len()];
        let mut offset = header.len() as u64;
        for i in order {
            places[i] = (offset, entries[i].len / count);
            offset += entries[i].len as u64;
        }
        Some(Layout {
            header,
            entries,
            places,
        })
    }

    /// Whether `batch`, of `images` images, has the outputs of this layout, shaped alike.
    fn fits(&self, batch: &BatchFeature, images: usize) -> bool {
        batch.data.len() == self.entries.len()
            && self
                .entries
                .iter()
                .all(|entry| match batch.data.get(&entry.name) {
                    Some(Feature::Tensor(tensor)) => {
                        let written = Entry::of(&entry.name, tensor);
                        written.dtype == entry.dtype
                            && written.shape.split_first() == Some((&images, &entry.shape[1..]))
                    }
                    _ => false,
                })
    }

    /// Writes `batch`, the images from `start` on, at its place in `file`.
    #[cfg(unix)]
    fn write(
        &self,
        file: &std::fs::File,
        start: usize,
        batch: &BatchFeature,
    ) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        for (entry, &(offset, per_image)) in self.entries.iter().zip(&self.places) {
            if let Some(Feature::Tensor(tensor)) = batch.data.get(&entry.name) {
                let at = offset + (start * per_image) as u64;
                let bytes = tensor.data.le_bytes();
                file.write_all_at(&bytes, at)?;
                start_writeback(file, at, bytes.len());
            }
        }
        Ok(())
    }
}

/// Starts writing `len` bytes at `at` of `file` to its disk now, while later images are still
/// being preprocessed: a file renamed over an existing one is otherwise flushed whole by the
/// rename itself on ext4 (its `auto_da_alloc`), which then takes a third of a run's time.
#[cfg(unix)]
fn start_writeback(file: &std::fs::File, at: u64, len: usize) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a hint on an open descriptor; its failure (say, on a pipe) changes nothing.
        unsafe {
            libc::sync_file_range(
                file.as_raw_fd(),
                at as libc::off64_t,
                len as libc::off64_t,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
    }
    // Elsewhere the rename does not flush the file (or nothing offers the hint).
    #[cfg(not(target_os = "linux"))]
    let _ = (file, at, len);
}
