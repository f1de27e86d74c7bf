//! A batch laid out for the kernels: every image's resize as one or two passes over staged buffers,
//! every output window as a map over the final pass, all tables concatenated. Built on the host from
//! the same [`ImagePlan`]s the CPU backend runs; executed by the CUDA backend on the device and by
//! [`KernelHostBackend`](super::KernelHostBackend) on the host. `#[repr(C)]` mirrors `kernels.cuh`.

use crate::error::{Error, Result};
use crate::kwargs::ChannelDimension;
use crate::numeric::Pixels;
use crate::numeric::resample::ResizePlan;
use crate::numeric::taps::FixedAxis;
use crate::plan::ImagePlan;
use crate::tensor::{Tensor, TensorData};

/// `TP_HORIZONTAL`, `TP_VERTICAL`, `TP_NEAREST`.
const HORIZONTAL: i32 = 0;
const VERTICAL: i32 = 1;
const NEAREST: i32 = 2;
/// `TP_FROM_INPUT`, `TP_FROM_STAGE1`, `TP_FROM_STAGE2`.
const FROM_INPUT: i32 = 0;

/// `tp_resample_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ResamplePass {
    pub src: i64,
    pub dst: i64,
    pub source: i32,
    pub kind: i32,
    pub in_w: i32,
    pub in_h: i32,
    pub out_w: i32,
    pub out_h: i32,
    pub channels: i32,
    pub taps: i32,
    pub aux: i32,
    pub weights: i32,
    pub ksize: i32,
    pub precision: i32,
}

/// `tp_map_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MapPass {
    pub src: i64,
    pub dst: i64,
    pub source: i32,
    pub src_w: i32,
    pub src_h: i32,
    pub channels: i32,
    pub top: i32,
    pub left: i32,
    pub out_h: i32,
    pub out_w: i32,
    pub lut: i32,
    pub channels_last: i32,
}

/// The whole batch, ready to upload.
#[derive(Debug, Clone, Default)]
pub struct KernelBatch {
    /// Every input image, back to back.
    pub input: Vec<u8>,
    /// The first and second resample stages (one launch each).
    pub stages: [Vec<ResamplePass>; 2],
    /// Bytes each stage writes.
    pub stage_bytes: [usize; 2],
    /// Per output position: first input index (or nearest source, -1 outside).
    pub starts: Vec<i32>,
    /// Per output position: number of taps.
    pub lens: Vec<i32>,
    /// Fixed-point weights, `ksize` per output position.
    pub weights: Vec<i32>,
    /// One map per output tensor.
    pub maps: Vec<MapPass>,
    /// Level tables, `channels * 256` per distinct map.
    pub luts: Vec<f32>,
    /// Whether outputs are float32 (else uint8).
    pub float_output: bool,
    /// Elements of all outputs together.
    pub output_elements: usize,
    /// Each output tensor's shape and element offset.
    pub outputs: Vec<(Vec<usize>, usize)>,
}

fn int(value: usize, what: &str) -> Result<i32> {
    i32::try_from(value).map_err(|_| {
        Error::TooLarge(format!(
            "{what} of {value} exceeds the kernels' 32-bit indices"
        ))
    })
}

struct Image<'a> {
    pixels: &'a Pixels,
    src: i64,
}

impl KernelBatch {
    fn push_axis(&mut self, axis: &FixedAxis) -> Result<(i32, i32)> {
        let taps = int(self.starts.len(), "table size")?;
        let weights = int(self.weights.len(), "table size")?;
        self.starts
            .extend(axis.taps.starts.iter().map(|&s| s as i32));
        self.lens.extend(axis.taps.lens.iter().map(|&l| l as i32));
        self.weights.extend_from_slice(&axis.taps.weights);
        Ok((taps, weights))
    }

    fn push_sources(&mut self, sources: &[u32]) -> Result<i32> {
        let at = int(self.starts.len(), "table size")?;
        // OUTSIDE (u32::MAX) becomes -1.
        self.starts.extend(sources.iter().map(|&s| s as i32));
        self.lens.extend(std::iter::repeat_n(0, sources.len()));
        Ok(at)
    }

    /// Appends a pass writing `(out_w, out_h)` into the next stage; returns where its output lives.
    fn push_pass(&mut self, stage: usize, mut pass: ResamplePass) -> Result<(i32, i64)> {
        let bytes = pass.out_w as usize * pass.out_h as usize * pass.channels as usize;
        pass.dst = self.stage_bytes[stage] as i64;
        self.stage_bytes[stage] += bytes;
        self.stages[stage].push(pass);
        Ok((int(stage + 1, "stage")?, pass.dst))
    }

    /// Lays out `plans[i]` over `inputs[i]`.
    pub fn build(inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Self> {
        let mut batch = KernelBatch {
            float_output: plans.first().is_some_and(|p| p.levels.table.is_some()),
            ..KernelBatch::default()
        };
        let mut images = Vec::with_capacity(inputs.len());
        for pixels in inputs {
            images.push(Image {
                pixels,
                src: batch.input.len() as i64,
            });
            batch.input.extend_from_slice(&pixels.data);
        }
        let mut last_lut: Option<(*const f32, i32)> = None;
        for (image, plan) in images.iter().zip(plans) {
            let p = image.pixels;
            let channels = int(p.channels, "channels")?;
            let (mut source, mut src, mut w, mut h) = (FROM_INPUT, image.src, p.width, p.height);
            let base = ResamplePass {
                channels,
                ..ResamplePass::default()
            };
            match &plan.resize {
                ResizePlan::Copy => {}
                ResizePlan::Nearest { x_src, y_src } => {
                    let taps = batch.push_sources(x_src)?;
                    let aux = batch.push_sources(y_src)?;
                    let pass = ResamplePass {
                        src,
                        source,
                        kind: NEAREST,
                        in_w: int(w, "width")?,
                        in_h: int(h, "height")?,
                        out_w: int(x_src.len(), "width")?,
                        out_h: int(y_src.len(), "height")?,
                        taps,
                        aux,
                        ..base
                    };
                    (source, src) = batch.push_pass(0, pass)?;
                    (w, h) = (x_src.len(), y_src.len());
                }
                ResizePlan::Fixed {
                    horizontal,
                    vertical,
                    vertical_first,
                } => {
                    let order = if *vertical_first {
                        [(vertical, VERTICAL), (horizontal, HORIZONTAL)]
                    } else {
                        [(horizontal, HORIZONTAL), (vertical, VERTICAL)]
                    };
                    let mut stage = 0;
                    for (axis, kind) in order {
                        let Some(axis) = axis else { continue };
                        let (taps, weights) = batch.push_axis(axis)?;
                        let (out_w, out_h) = if kind == HORIZONTAL {
                            (axis.taps.out_size(), h)
                        } else {
                            (w, axis.taps.out_size())
                        };
                        let pass = ResamplePass {
                            src,
                            source,
                            kind,
                            in_w: int(w, "width")?,
                            in_h: int(h, "height")?,
                            out_w: int(out_w, "width")?,
                            out_h: int(out_h, "height")?,
                            taps,
                            weights,
                            ksize: int(axis.taps.ksize, "ksize")?,
                            precision: axis.precision_bits as i32,
                            ..base
                        };
                        (source, src) = batch.push_pass(stage, pass)?;
                        (w, h) = (out_w, out_h);
                        stage += 1;
                    }
                }
            }
            let lut = match &plan.levels.table {
                Some(table) => match last_lut {
                    Some((ptr, at)) if ptr == table.as_ptr() => at,
                    _ => {
                        let at = int(batch.luts.len(), "table size")?;
                        batch.luts.extend_from_slice(table);
                        last_lut = Some((table.as_ptr(), at));
                        at
                    }
                },
                None => 0,
            };
            if plan.levels.table.is_some() != batch.float_output {
                return Err(Error::InvalidArgument(
                    "a batch mixes float and uint8 outputs".into(),
                ));
            }
            for window in &plan.windows {
                let shape = plan.output_shape(window);
                let len: usize = shape.iter().product();
                batch.maps.push(MapPass {
                    src,
                    dst: batch.output_elements as i64,
                    source,
                    src_w: int(w, "width")?,
                    src_h: int(h, "height")?,
                    channels,
                    top: i32::try_from(window.top)
                        .map_err(|_| Error::TooLarge("crop offset".into()))?,
                    left: i32::try_from(window.left)
                        .map_err(|_| Error::TooLarge("crop offset".into()))?,
                    out_h: int(window.height, "height")?,
                    out_w: int(window.width, "width")?,
                    lut,
                    channels_last: i32::from(plan.layout == ChannelDimension::Last),
                });
                batch.outputs.push((shape, batch.output_elements));
                batch.output_elements += len;
            }
        }
        Ok(batch)
    }

    /// Splits the kernels' output buffer into one tensor per window.
    pub fn split_f32(&self, data: &[f32]) -> Vec<Tensor> {
        self.split(data, TensorData::F32)
    }

    /// [`split_f32`](Self::split_f32) for uint8 outputs.
    pub fn split_u8(&self, data: &[u8]) -> Vec<Tensor> {
        self.split(data, TensorData::U8)
    }

    fn split<T: Copy>(&self, data: &[T], wrap: fn(Vec<T>) -> TensorData) -> Vec<Tensor> {
        self.outputs
            .iter()
            .map(|(shape, at)| {
                let len = shape.iter().product::<usize>();
                Tensor {
                    shape: shape.clone(),
                    data: wrap(data[*at..*at + len].to_vec()),
                }
            })
            .collect()
    }
}
