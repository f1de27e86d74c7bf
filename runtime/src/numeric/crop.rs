//! Center crop with zero padding, in the two conventions the backends use.
//!
//! A crop is an offset into the source: output pixel `(y, x)` is source pixel `(y + top, x + left)`, or
//! black where that lies outside. The conventions differ only in the offset when the size difference
//! is odd.

use super::Numerics;
use super::shape::Size;

/// The window a center crop reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropWindow {
    /// Source row of output row 0 (negative: zero rows on top).
    pub top: i64,
    /// Source column of output column 0 (negative: zero columns on the left).
    pub left: i64,
    pub height: usize,
    pub width: usize,
}

/// The offset of a centered window of `crop` samples in `size` samples.
///
/// - `pil` (`image_transforms.center_crop`, NumPy): `(size - crop) // 2`, floor division, so an odd
///   padding puts the extra zero row on top;
/// - `torchvision` (`int((size - crop) / 2)`, then `tvF.crop`): truncation toward zero, so an odd
///   padding puts it at the bottom.
pub fn center_offset(size: usize, crop: usize, numerics: Numerics) -> i64 {
    let diff = size as i64 - crop as i64;
    match numerics {
        Numerics::Pil => diff.div_euclid(2),
        Numerics::Torchvision => diff / 2,
    }
}

/// The center-crop window of an image of `size` to `crop`.
pub fn center_crop(size: Size, crop: Size, numerics: Numerics) -> CropWindow {
    CropWindow {
        top: center_offset(size.height, crop.height, numerics),
        left: center_offset(size.width, crop.width, numerics),
        height: crop.height,
        width: crop.width,
    }
}

impl CropWindow {
    /// The whole `tile`×`tile` windows inside this one, row-major, from its top left corner (a
    /// remainder narrower than a tile is left out).
    ///
    /// ```
    /// # use twinproc::numeric::crop::CropWindow;
    /// let resized = CropWindow { top: 0, left: 0, height: 448, width: 500 };
    /// let tiles = resized.tiles(224);
    /// assert_eq!(tiles.len(), 4);
    /// assert_eq!(tiles[1], CropWindow { top: 0, left: 224, height: 224, width: 224 });
    /// ```
    pub fn tiles(&self, tile: usize) -> Vec<CropWindow> {
        if tile == 0 {
            return Vec::new();
        }
        let (rows, cols) = (self.height / tile, self.width / tile);
        (0..rows)
            .flat_map(|i| (0..cols).map(move |j| (i, j)))
            .map(|(i, j)| CropWindow {
                top: self.top + (i * tile) as i64,
                left: self.left + (j * tile) as i64,
                height: tile,
                width: tile,
            })
            .collect()
    }

    /// Its height and width.
    pub fn size(&self) -> Size {
        Size::new(self.height, self.width)
    }

    /// The whole image, unchanged.
    pub fn full(size: Size) -> Self {
        CropWindow {
            top: 0,
            left: 0,
            height: size.height,
            width: size.width,
        }
    }

    /// For output index `i` along an axis of `len` source samples starting at `offset`: the source index.
    #[inline]
    pub fn source(offset: i64, i: usize, len: usize) -> Option<usize> {
        let s = offset + i as i64;
        (s >= 0 && (s as usize) < len).then_some(s as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_padding_goes_top_for_pil_and_bottom_for_torchvision() {
        // 5 rows into 8: 3 zero rows.
        assert_eq!(center_offset(5, 8, Numerics::Pil), -2);
        assert_eq!(center_offset(5, 8, Numerics::Torchvision), -1);
        // Cropping 9 to 6 reads from row 1 in both.
        assert_eq!(center_offset(9, 6, Numerics::Pil), 1);
        assert_eq!(center_offset(9, 6, Numerics::Torchvision), 1);
        assert_eq!(center_offset(336, 224, Numerics::Pil), 56);
    }
}
