//! One window of a resized image written to its output: cropped (zeros outside the image), each
//! level mapped to its value by the plan's level map, in CHW planes or HWC rows.

use super::kernels::Kernels;
use super::output::{Output, Planes};
use super::passes::map_row;
use crate::numeric::crop::CropWindow;
use crate::numeric::normalize::LevelMap;
use crate::numeric::region::Region;

/// 8-bit samples of the rectangle `region` of a resized image: pixel `(x, y)` of the image at
/// `(y - region.y0) * stride + (x - region.x0) * bpp`, its output channel `c` at `channel[c]`.
pub(super) struct View<'a> {
    pub data: &'a [u8],
    pub stride: usize,
    pub bpp: usize,
    pub region: Region,
    pub channel: [usize; 4],
}

/// Writes `window` of the view to `output`: each sample's value from the level map, level 0
/// where the window lies outside the image.
pub(super) fn write_window(
    kernels: Kernels,
    view: &View<'_>,
    window: &CropWindow,
    levels: &LevelMap,
    output: &mut Output<'_>,
) {
    let channels = levels.channels;
    let (width, channels_last) = (output.width, output.channels_last);
    match (&mut output.planes, &levels.table) {
        (Planes::F32(planes), Some(table)) => {
            // No allocation per window: each channel's 256 values are found when its rows start.
            let levels = |c: usize| -> &[f32; 256] {
                // `c < channels` and the table holds `channels * 256` values: this cannot fail.
                table[c * 256..(c + 1) * 256]
                    .try_into()
                    .expect("256 levels")
            };
            let map = |c| {
                let table = levels(c);
                move |v: u8| table[usize::from(v)]
            };
            let lookup = |c, row: &[u8], ch, out: &mut [f32]| {
                kernels.lookup(row, view.bpp, ch, levels(c), out)
            };
            write_levels(
                view,
                window,
                planes,
                width,
                channels_last,
                channels,
                map,
                lookup,
            )
        }
        (Planes::U8(planes), None) => {
            let map = |_| |v| v;
            let copy = |_, row: &[u8], ch, out: &mut [u8]| map_row(row, view.bpp, ch, out, |v| v);
            write_levels(
                view,
                window,
                planes,
                width,
                channels_last,
                channels,
                map,
                copy,
            )
        }
        // The backend allocates each output's type from its plan's level map.
        _ => unreachable!("an output's type follows its level map"),
    }
}

/// The crop of the view by `window`, each sample of channel `c` through `map(c)`, into rows of
/// `width` pixels: CHW planes or HWC rows. `contiguous(c, row, ch, out)` maps a run of a CHW row
/// at once (the same values, by the kernels' lookups).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn write_levels<T: Copy, M: Fn(u8) -> T>(
    view: &View<'_>,
    window: &CropWindow,
    planes: &mut [&mut [T]; 4],
    width: usize,
    channels_last: bool,
    channels: usize,
    map: impl Fn(usize) -> M,
    contiguous: impl Fn(usize, &[u8], usize, &mut [T]),
) {
    let r = view.region;
    // Output columns `xa..xb` lie in the computed region; the others are outside the image.
    let clip = |v: i64| v.clamp(0, window.width as i64) as usize;
    let (xa, xb) = (
        clip(r.x0 as i64 - window.left),
        clip(r.x1 as i64 - window.left),
    );
    for y in 0..window.height {
        let sy = window.top + y as i64;
        let row = (xa < xb && sy >= r.y0 as i64 && sy < r.y1 as i64).then(|| {
            let at = (sy as usize - r.y0) * view.stride;
            // Column `xa` of the window is this byte of the row.
            let first = (window.left + xa as i64 - r.x0 as i64) as usize * view.bpp;
            &view.data[at + first..]
        });
        let (xa, xb) = if row.is_some() { (xa, xb) } else { (0, 0) };
        for c in 0..channels {
            let map = map(c);
            let pad = map(0);
            let (out, step): (&mut [T], usize) = if channels_last {
                (&mut planes[0][y * width * channels + c..], channels)
            } else {
                (&mut planes[c][y * width..], 1)
            };
            let mut put = |x: usize, v: T| out[x * step] = v;
            for x in (0..xa).chain(xb..window.width) {
                put(x, pad);
            }
            if let Some(row) = row {
                let ch = view.channel[c];
                if step == 1 {
                    contiguous(c, row, ch, &mut out[xa..xb]);
                } else {
                    for x in xa..xb {
                        out[x * step] = map(row[(x - xa) * view.bpp + ch]);
                    }
                }
            }
        }
    }
}
