//! How a call's outputs become its features, laid out before anything runs: grouping (LLaVA's
//! patches), padding (`Canvas`), stacking or listing, and every output's place in one zero-filled
//! buffer — every size checked, and the buffer held to the output budget.

use crate::error::{Error, Result};
use crate::kwargs::ChannelDimension;
use crate::numeric::Size;
use crate::plan::ImagePlan;
use crate::tensor::{Tensor, TensorData};
use std::sync::atomic::{AtomicU64, Ordering};

/// The default output budget: the most bytes one call's outputs of one feature may take (16 GiB,
/// some 110,000 CLIP images in float32).
pub const DEFAULT_MAX_OUTPUT_BYTES: u64 = 16 << 30;

/// The budget in force; `u64::MAX`: none.
static MAX_OUTPUT_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_OUTPUT_BYTES);

/// Sets the most bytes one feature of a call may take, for the whole process (`None`: no budget
/// but the machine's). A call over it is [`Error::TooLarge`] before anything is allocated.
pub fn set_max_output_bytes(budget: Option<u64>) {
    MAX_OUTPUT_BYTES.store(budget.unwrap_or(u64::MAX), Ordering::Relaxed);
}

/// The output budget in force (`None`: none).
pub fn max_output_bytes() -> Option<u64> {
    Some(MAX_OUTPUT_BYTES.load(Ordering::Relaxed)).filter(|&b| b != u64::MAX)
}

/// The elements of a host tensor of `shape` a model builds itself (patch rows, padding), of
/// `element_bytes` each: an error when they overflow or pass the output budget, before anything
/// is allocated.
pub fn budgeted_elements(key: &str, shape: &[usize], element_bytes: usize) -> Result<usize> {
    let n = elements(key, shape)?;
    let bytes = (n as u64).saturating_mul(element_bytes as u64);
    match max_output_bytes().filter(|&budget| bytes > budget) {
        Some(budget) => Err(Error::TooLarge(format!(
            "{key}: {shape:?} is {bytes} bytes, over the output budget of {budget} \
             (`twinproc::placement::set_max_output_bytes`)"
        ))),
        None => Ok(n),
    }
}

/// The elements of `shape`, or the error of a shape whose size overflows.
fn elements(key: &str, shape: &[usize]) -> Result<usize> {
    (shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)))
        .ok_or_else(|| Error::TooLarge(format!("{key}: an output of shape {shape:?}")))
}

/// The spatial size every output is padded to (zeros at the bottom and right, after rescale and
/// normalize: transformers' `pad`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Canvas {
    /// No padding: each output keeps its size.
    #[default]
    Own,
    /// The largest height and width in the batch.
    Largest,
    /// This size; an output that does not fit is an error.
    Fixed(Size),
}

/// How a call's outputs (one per window, in plan order) form one feature: optionally grouped
/// (one tensor of several outputs per image, as LLaVA-OneVision's patches), padded, and stacked or
/// listed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Assembly {
    /// Outputs per group, consecutive; `None`: each output stands alone (no group axis).
    pub groups: Option<Vec<usize>>,
    /// Zero-pad every group to the largest group's count (`_pad_for_batching`).
    pub pad_groups: bool,
    /// Spatial padding of each output.
    pub canvas: Canvas,
    pub stacking: Stacking,
}

impl Assembly {
    /// Each image's outputs stacked as one group (`[windows, C, H, W]` per image), the groups
    /// stacked as `stacking` says.
    pub fn per_image(plans: &[ImagePlan], stacking: Stacking) -> Assembly {
        Assembly {
            groups: Some(plans.iter().map(|p| p.windows().count()).collect()),
            stacking,
            ..Assembly::default()
        }
    }
}

/// How a call treats outputs of different shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stacking {
    /// Stack into one tensor; different shapes are an error (`return_tensors="pt"`).
    #[default]
    Stack,
    /// Return a list of tensors (`return_tensors=None`).
    List,
}

/// Where one output goes: the element offset of its canvas, and the canvas it is written into at
/// the top left (zeros elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub offset: usize,
    pub canvas: Size,
    /// `[H, W, C]` (else `[C, H, W]`).
    pub channels_last: bool,
}

/// An [`Assembly`] laid out over a call's plans before anything runs: every output's place in one
/// zero-filled buffer, and the tensors of the feature in it. Padding, grouping and stacking then
/// cost nothing: each backend writes each output straight to its place (the CUDA twin on the
/// device), and shape errors come before any pixel is computed.
///
/// ```
/// use twinproc::placement::{Assembly, Canvas, Placement};
/// use twinproc::{AutoImageProcessor, Image, ImagesKwargs, Stacking};
/// # let dir = std::env::temp_dir().join("twinproc-doc-placement");
/// # std::fs::create_dir_all(&dir)?;
/// # std::fs::write(dir.join("preprocessor_config.json"), r#"{"image_processor_type":
/// #     "CLIPImageProcessor", "size": {"shortest_edge": 32}, "do_center_crop": false}"#)?;
/// let processor = AutoImageProcessor::from_pretrained(&dir)?;
/// let images = [
///     Image::from_hwc(vec![0; 32 * 64 * 3], 32, 64, 3),
///     Image::from_hwc(vec![0; 48 * 32 * 3], 48, 32, 3),
/// ];
/// let (_, plans) = processor.plans(&images, &ImagesKwargs::default())?;
/// // Outputs of 32x64 and 48x32, padded to the largest (48x64) and stacked:
/// let padded = Assembly { canvas: Canvas::Largest, stacking: Stacking::Stack, ..Default::default() };
/// let placement = Placement::new("pixel_values", &plans, &padded)?;
/// assert_eq!(placement.tensors, [(vec![2, 3, 48, 64], 0)]);
/// // The second output starts after the first one's whole canvas.
/// assert_eq!(placement.outputs[1].offset, 3 * 48 * 64);
/// // Unpadded they cannot be stacked, as in transformers (an error before any pixel is computed):
/// assert!(Placement::new("pixel_values", &plans, &Assembly::default()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Placement {
    /// Per output, in plan order.
    pub outputs: Vec<Placed>,
    /// Elements of the buffer.
    pub elements: usize,
    /// The feature's tensors, shape and element offset: one when stacked, else a list.
    pub tensors: Vec<(Vec<usize>, usize)>,
    /// Whether `tensors` holds the one stacked tensor (else it is a list).
    pub stacked: bool,
}

impl Placement {
    /// Lays out the outputs of `plans` as `assembly` asks; `key` names the feature in errors.
    pub fn new(key: &str, plans: &[ImagePlan], assembly: &Assembly) -> Result<Self> {
        let stack_error = |message: String| Error::Stack {
            key: key.into(),
            message,
        };
        // torch.stack's message, as transformers raises it.
        let unequal = |first: &[usize], other: &[usize], i: usize| {
            stack_error(format!(
                "stack expects each tensor to be equal size, but got {first:?} at entry 0 and {other:?} at entry {i}"
            ))
        };
        // (channels, size) of every output, and its layout.
        let outputs: Vec<(usize, Size, ChannelDimension)> = plans
            .iter()
            .flat_map(|plan| {
                plan.windows()
                    .map(|w| (plan.levels.channels, w.size(), plan.layout))
            })
            .collect();
        let largest_output = outputs.iter().fold(Size::default(), |a, o| {
            Size::new(a.height.max(o.1.height), a.width.max(o.1.width))
        });
        let canvas = |size: Size| -> Result<Size> {
            match assembly.canvas {
                Canvas::Own => Ok(size),
                Canvas::Largest => Ok(largest_output),
                Canvas::Fixed(to) if size.height <= to.height && size.width <= to.width => Ok(to),
                Canvas::Fixed(to) => Err(Error::config(
                    "pad_size",
                    format!("an output of {size} does not fit in {to}"),
                )),
            }
        };
        let mut shapes = Vec::with_capacity(outputs.len());
        let mut canvases = Vec::with_capacity(outputs.len());
        for &(c, size, layout) in &outputs {
            let canvas = canvas(size)?;
            canvases.push(canvas);
            let Size { height, width } = canvas;
            shapes.push(match layout {
                ChannelDimension::First => vec![c, height, width],
                ChannelDimension::Last => vec![height, width, c],
            });
        }
        // Items: the feature's entries before stacking, each a run of outputs.
        let counts = match &assembly.groups {
            Some(counts) => {
                if counts.iter().sum::<usize>() != shapes.len() {
                    return Err(Error::InvalidArgument(format!(
                        "groups of {} outputs for {} outputs",
                        counts.iter().sum::<usize>(),
                        shapes.len()
                    )));
                }
                counts.clone()
            }
            None => vec![1; shapes.len()],
        };
        let largest = counts.iter().copied().max().unwrap_or(0);
        let mut items: Vec<(Vec<usize>, std::ops::Range<usize>)> = Vec::new();
        let mut first = 0;
        for &count in &counts {
            let run = first..first + count;
            first += count;
            // An empty group takes its shape from the others (it is all padding).
            let Some(shape) = shapes.get(run.start).or(shapes.last()) else {
                return Err(stack_error("no tensors to stack".into()));
            };
            if let Some(i) = run.clone().find(|&i| shapes[i] != *shape) {
                return Err(unequal(shape, &shapes[i], i - run.start));
            }
            let item_shape = match &assembly.groups {
                Some(_) => {
                    let slots = if assembly.pad_groups { largest } else { count };
                    std::iter::once(slots)
                        .chain(shape.iter().copied())
                        .collect()
                }
                None => shape.clone(),
            };
            items.push((item_shape, run));
        }
        if assembly.stacking == Stacking::Stack {
            let Some((shape, _)) = items.first() else {
                return Err(stack_error("no tensors to stack".into()));
            };
            if let Some(i) = items.iter().position(|(s, _)| s != shape) {
                return Err(unequal(shape, &items[i].0, i));
            }
        }
        // Every size checked before any offset is taken: the item sizes bound the outputs'.
        let sizes = (items.iter())
            .map(|(shape, _)| elements(key, shape))
            .collect::<Result<Vec<_>>>()?;
        let total = (sizes.iter().try_fold(0usize, |n, &s| n.checked_add(s)))
            .ok_or_else(|| Error::TooLarge(format!("{key}: {} outputs", shapes.len())))?;
        let float = plans.first().is_some_and(|p| p.levels.table.is_some());
        let bytes = total as u64 * if float { 4 } else { 1 };
        if let Some(budget) = max_output_bytes().filter(|&budget| bytes > budget) {
            let shape = (items.first()).map_or_else(String::new, |(s, _)| format!(" x {s:?}"));
            let dtype = if float { "float32" } else { "uint8" };
            return Err(Error::TooLarge(format!(
                "{key}: {}{shape} {dtype} is {bytes} bytes, over the output budget of {budget} \
                 (`twinproc::placement::set_max_output_bytes`)",
                items.len()
            )));
        }
        let mut placed = Vec::with_capacity(shapes.len());
        let mut tensors = Vec::with_capacity(items.len());
        let mut at = 0;
        for ((shape, run), size) in items.iter().zip(sizes) {
            tensors.push((shape.clone(), at));
            for i in run.clone() {
                let each = elements(key, &shapes[i])?;
                placed.push(Placed {
                    offset: at + (i - run.start) * each,
                    canvas: canvases[i],
                    channels_last: outputs[i].2 == ChannelDimension::Last,
                });
            }
            at += size;
        }
        let stacked = assembly.stacking == Stacking::Stack;
        if stacked {
            let mut shape = vec![items.len()];
            shape.extend(items.first().map(|(s, _)| s.clone()).unwrap_or_default());
            tensors = vec![(shape, 0)];
        }
        Ok(Placement {
            outputs: placed,
            elements: at,
            tensors,
            stacked,
        })
    }

    /// Each output as a tensor of its own, back to back (no padding, a list).
    pub fn each(plans: &[ImagePlan]) -> Result<Self> {
        Self::new(
            "outputs",
            plans,
            &Assembly {
                stacking: Stacking::List,
                ..Assembly::default()
            },
        )
    }

    /// Places host outputs (one per window, in plan order) into the feature's tensors (see
    /// [`split`](Self::split)).
    pub fn assemble(&self, outputs: Vec<Tensor>) -> Result<Vec<Tensor>> {
        if outputs.len() != self.outputs.len() {
            return Err(Error::InvalidArgument(format!(
                "{} outputs for a placement of {}",
                outputs.len(),
                self.outputs.len()
            )));
        }
        // A list of unpadded outputs is the outputs themselves: no copy.
        let alone = self.tensors.len() == outputs.len()
            && self
                .tensors
                .iter()
                .zip(&outputs)
                .all(|((shape, _), output)| *shape == output.shape);
        if !self.stacked && alone {
            return Ok(outputs);
        }
        let buffer = match outputs.first().map(|t| &t.data) {
            Some(TensorData::U8(_)) => TensorData::U8(self.place(&outputs, |t| match &t.data {
                TensorData::U8(v) => Some(v.as_slice()),
                _ => None,
            })?),
            _ => TensorData::F32(self.place(&outputs, |t| t.as_f32())?),
        };
        Ok(self.split(buffer))
    }

    /// The feature's tensors in a buffer where every output was written to its place: the one
    /// stacked tensor (the buffer itself), or the list's tensors.
    pub fn split(&self, buffer: TensorData) -> Vec<Tensor> {
        if self.stacked {
            let shape = self
                .tensors
                .first()
                .map(|t| t.0.clone())
                .unwrap_or_default();
            return vec![Tensor {
                shape,
                data: buffer,
            }];
        }
        fn part<T: Copy>(v: &[T], at: usize, len: usize) -> Vec<T> {
            v.get(at..at + len).map(<[T]>::to_vec).unwrap_or_default()
        }
        let tensors = self.tensors.iter().map(|(shape, at)| {
            let len: usize = shape.iter().product();
            let data = match &buffer {
                TensorData::F32(v) => TensorData::F32(part(v, *at, len)),
                TensorData::U8(v) => TensorData::U8(part(v, *at, len)),
                TensorData::I32(v) => TensorData::I32(part(v, *at, len)),
                TensorData::I64(v) => TensorData::I64(part(v, *at, len)),
            };
            Tensor {
                shape: shape.clone(),
                data,
            }
        });
        tensors.collect()
    }

    /// One zero-filled buffer with every output copied row by row into its canvas.
    fn place<'a, T: Copy + Default + 'a>(
        &self,
        outputs: &'a [Tensor],
        elements: impl Fn(&'a Tensor) -> Option<&'a [T]>,
    ) -> Result<Vec<T>> {
        let mut buffer = vec![T::default(); self.elements];
        for (tensor, placed) in outputs.iter().zip(&self.outputs) {
            let values = elements(tensor).ok_or_else(|| {
                Error::InvalidArgument("the outputs of a call have different dtypes".into())
            })?;
            let &[a, b, c] = tensor.shape.as_slice() else {
                return Err(Error::InvalidArgument(
                    "an output is not 3-dimensional".into(),
                ));
            };
            let (canvas_h, canvas_w) = (placed.canvas.height, placed.canvas.width);
            // (planes, rows, row length), and the canvas's row and plane lengths.
            let ((planes, rows, row), (canvas_row, canvas_plane)) = if placed.channels_last {
                ((1, a, b * c), (canvas_w * c, 0))
            } else {
                ((a, b, c), (canvas_w, canvas_h * canvas_w))
            };
            let mismatch =
                || Error::InvalidArgument("an output does not match its placement".into());
            if rows > canvas_h || row > canvas_row || values.len() != planes * rows * row {
                return Err(mismatch());
            }
            for plane in 0..planes {
                for y in 0..rows {
                    let to = placed.offset + plane * canvas_plane + y * canvas_row;
                    let from = (plane * rows + y) * row;
                    buffer
                        .get_mut(to..to + row)
                        .ok_or_else(mismatch)?
                        .copy_from_slice(&values[from..from + row]);
                }
            }
        }
        Ok(buffer)
    }
}
