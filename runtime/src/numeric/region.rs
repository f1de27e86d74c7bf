//! Rectangles of an image: what a window reads, what a resize computes.

use super::crop::CropWindow;
use super::shape::Size;

/// A rectangle of an image, half-open: columns `x0..x1`, rows `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x0: usize,
    pub x1: usize,
    pub y0: usize,
    pub y1: usize,
}

impl Region {
    /// No pixel.
    pub const EMPTY: Region = Region {
        x0: 0,
        x1: 0,
        y0: 0,
        y1: 0,
    };

    /// Whether it holds no pixel.
    pub fn is_empty(&self) -> bool {
        self.x0 >= self.x1 || self.y0 >= self.y1
    }

    /// The smallest region holding both.
    pub fn union(&self, other: &Region) -> Region {
        match (self.is_empty(), other.is_empty()) {
            (true, _) => *other,
            (_, true) => *self,
            _ => Region {
                x0: self.x0.min(other.x0),
                x1: self.x1.max(other.x1),
                y0: self.y0.min(other.y0),
                y1: self.y1.max(other.y1),
            },
        }
    }

    /// The whole of a `width` × `height` image.
    pub fn full(width: usize, height: usize) -> Self {
        Region {
            x0: 0,
            x1: width,
            y0: 0,
            y1: height,
        }
    }

    /// Columns.
    pub fn width(&self) -> usize {
        self.x1 - self.x0
    }

    /// Rows.
    pub fn height(&self) -> usize {
        self.y1 - self.y0
    }

    /// The part of an image of `size` that `windows` read: their bounding box, clipped.
    pub fn read_by(windows: &[CropWindow], size: Size) -> Region {
        let Size { height, width } = size;
        let clip = |v: i64, len: usize| v.clamp(0, len as i64) as usize;
        let mut region = Region {
            x0: width,
            x1: 0,
            y0: height,
            y1: 0,
        };
        for window in windows {
            region.x0 = region.x0.min(clip(window.left, width));
            region.x1 = region
                .x1
                .max(clip(window.left + window.width as i64, width));
            region.y0 = region.y0.min(clip(window.top, height));
            region.y1 = region
                .y1
                .max(clip(window.top + window.height as i64, height));
        }
        if region.is_empty() {
            // Nothing of the image is read (windows wholly in the padding): compute nothing.
            return Region::EMPTY;
        }
        region
    }
}
