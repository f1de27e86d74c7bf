//! Where the CPU twin writes an output: its canvas as planes of rows (CHW) or one run of pixels
//! (HWC), cut into row bands when several threads share one image.

use crate::numeric::Size;

/// Where one output's values go: its canvas, whose parts outside the window are already zero.
pub enum Dest<'a> {
    F32(&'a mut [f32]),
    U8(&'a mut [u8]),
}

/// The rows of an output's canvas from the window's first row on: in CHW one slice per channel
/// plane, in HWC one slice of interleaved pixels (the others empty).
pub enum Planes<'a> {
    F32([&'a mut [f32]; 4]),
    U8([&'a mut [u8]; 4]),
}

/// An output's place: its planes, `width` pixels a canvas row, the layout.
pub struct Output<'a> {
    pub planes: Planes<'a>,
    pub width: usize,
    pub channels_last: bool,
}

/// `channels` planes of `plane` elements each (one interleaved plane when `channels_last`).
fn split_planes<'a, T>(
    mut values: &'a mut [T],
    plane: usize,
    channels: usize,
    channels_last: bool,
) -> [&'a mut [T]; 4] {
    let mut planes: [&'a mut [T]; 4] = Default::default();
    if channels_last {
        planes[0] = values;
        return planes;
    }
    for p in planes.iter_mut().take(channels) {
        let len = plane.min(values.len());
        let (head, rest) = std::mem::take(&mut values).split_at_mut(len);
        *p = head;
        values = rest;
    }
    planes
}

/// Each plane cut into the row bands `bands` (consecutive, from row 0), rows of `row` elements.
fn split_rows<'a, T>(
    planes: [&'a mut [T]; 4],
    row: usize,
    bands: &[usize],
) -> Vec<[&'a mut [T]; 4]> {
    let mut out: Vec<[&'a mut [T]; 4]> = bands.iter().map(|_| Default::default()).collect();
    for (p, mut rest) in planes.into_iter().enumerate() {
        if rest.is_empty() {
            continue;
        }
        for (band, &rows) in out.iter_mut().zip(bands) {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(rows * row);
            band[p] = head;
            rest = tail;
        }
    }
    out
}

impl<'a> Output<'a> {
    /// The place of an output of `channels` channels in `dest`, a whole canvas of `size`.
    pub fn new(dest: Dest<'a>, channels: usize, size: Size, channels_last: bool) -> Self {
        let Size { height, width } = size;
        let plane = height * width;
        let planes = match dest {
            Dest::F32(v) => Planes::F32(split_planes(v, plane, channels, channels_last)),
            Dest::U8(v) => Planes::U8(split_planes(v, plane, channels, channels_last)),
        };
        Output {
            planes,
            width,
            channels_last,
        }
    }

    /// The output cut into consecutive bands of `rows` rows each, from its first row.
    pub fn bands(self, rows: &[usize], channels: usize) -> Vec<Output<'a>> {
        let row = if self.channels_last {
            self.width * channels
        } else {
            self.width
        };
        let (width, channels_last) = (self.width, self.channels_last);
        let band = |planes| Output {
            planes,
            width,
            channels_last,
        };
        match self.planes {
            Planes::F32(p) => split_rows(p, row, rows)
                .into_iter()
                .map(|p| band(Planes::F32(p)))
                .collect(),
            Planes::U8(p) => split_rows(p, row, rows)
                .into_iter()
                .map(|p| band(Planes::U8(p)))
                .collect(),
        }
    }
}
