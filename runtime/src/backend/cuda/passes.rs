//! A resize's passes as the kernels take them: which pass reads what, through which conversion,
//! with which of the batch's tables, computing what part of its output.

use super::abi::{COPY, GRAY, GRAY_ALPHA, HORIZONTAL, KEEP, NEAREST, Pass, RGBA, VERTICAL};
use crate::error::{Error, Result};
use crate::numeric::Size;
use crate::numeric::convert::ToRgb;
use crate::numeric::fixed::FixedAxis;
use crate::numeric::region::Region;
use crate::numeric::resample::{Reads, ResizePlan};

/// The kernels' code of a conversion to RGB.
pub(super) fn convert_code(convert: ToRgb) -> i32 {
    match convert {
        ToRgb::Keep | ToRgb::Bits => KEEP,
        ToRgb::Gray => GRAY,
        ToRgb::GrayAlpha => GRAY_ALPHA,
        ToRgb::Rgba => RGBA,
    }
}

/// Where a resize plan's tables are in the batch's: (taps, weights) per axis (for nearest, the
/// x and y sources in `.0`).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TablesAt {
    pub horizontal: (i32, i32),
    pub vertical: (i32, i32),
}

pub(super) fn offset_error() -> Error {
    Error::TooLarge("crop offset".into())
}

pub(super) fn int(value: usize, what: &str) -> Result<i32> {
    i32::try_from(value).map_err(|_| {
        Error::TooLarge(format!(
            "{what} of {value} exceeds the kernels' 32-bit indices"
        ))
    })
}

/// The passes of a resize of an image of `size` with `native` channels (`channels` after the
/// conversion), in order (at most two), computing what `reads` says the outputs need from the
/// input pixels `held` in the image's buffer. The first reads the input through the
/// conversion; a second reads the stage, already converted.
pub(super) fn resize_passes(
    resize: &ResizePlan,
    tables: TablesAt,
    size: Size,
    (native, channels): (i32, i32),
    convert: ToRgb,
    (reads, held): (Reads, Region),
) -> Result<Vec<Pass>> {
    let convert = convert_code(convert);
    // A pass reading `input` (the pixels its buffer holds), computing `out` from `origin` on.
    let sized = |kind, input: Region, out: Size, origin: (usize, usize)| -> Result<Pass> {
        Ok(Pass {
            kind,
            convert,
            in_channels: native,
            in_w: int(input.width(), "width")?,
            in_h: int(input.height(), "height")?,
            in_x0: int(input.x0, "column")?,
            in_y0: int(input.y0, "row")?,
            out_w: int(out.width, "width")?,
            out_h: int(out.height, "height")?,
            out_x0: int(origin.0, "column")?,
            out_y0: int(origin.1, "row")?,
            channels,
            ..Pass::default()
        })
    };
    let out = resize.output_size(size);
    Ok(match resize {
        ResizePlan::Nearest { .. } => vec![Pass {
            taps: tables.horizontal.0,
            aux: tables.vertical.0,
            ..sized(NEAREST, held, out, (0, 0))?
        }],
        ResizePlan::Fixed {
            horizontal,
            vertical,
            vertical_first,
        } if horizontal.is_some() || vertical.is_some() => {
            let axis_pass = |kind, axis: &FixedAxis, (taps, weights): (i32, i32), pass: Pass| {
                Ok::<_, Error>(Pass {
                    kind,
                    taps,
                    weights,
                    ksize: int(axis.taps.ksize, "ksize")?,
                    precision: axis.precision_bits as i32,
                    ..pass
                })
            };
            let order = if *vertical_first {
                [
                    (vertical, VERTICAL, tables.vertical),
                    (horizontal, HORIZONTAL, tables.horizontal),
                ]
            } else {
                [
                    (horizontal, HORIZONTAL, tables.horizontal),
                    (vertical, VERTICAL, tables.vertical),
                ]
            };
            let mut axes = order
                .into_iter()
                .filter_map(|(axis, kind, at)| axis.as_ref().map(|axis| (axis, kind, at)));
            let (first, second) = (axes.next(), axes.next());
            match (first, second, reads.stage) {
                (Some((axis, kind, at)), Some((axis2, kind2, at2)), Some(stage)) => {
                    let stage_size = Size::new(stage.height(), stage.width());
                    let first = sized(kind, held, stage_size, (stage.x0, stage.y0))?;
                    // The second pass reads the stage: RGB already.
                    let second = Pass {
                        convert: KEEP,
                        in_channels: channels,
                        ..sized(kind2, stage, out, (0, 0))?
                    };
                    vec![
                        axis_pass(kind, axis, at, first)?,
                        axis_pass(kind2, axis2, at2, second)?,
                    ]
                }
                (Some((axis, kind, at)), None, _) => {
                    vec![axis_pass(kind, axis, at, sized(kind, held, out, (0, 0))?)?]
                }
                _ => {
                    return Err(Error::InvalidArgument(
                        "a two-pass resize without its stage".into(),
                    ));
                }
            }
        }
        _ => vec![sized(COPY, held, out, (0, 0))?],
    })
}
