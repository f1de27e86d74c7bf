//! [`Size`]: a height and a width, named, so no call site has to remember which of a pair comes
//! first (transformers says `(height, width)`, Pillow `(width, height)`).

use std::fmt;

/// A height and a width, in pixels.
///
/// ```
/// use twinproc::Size;
/// let size = Size::new(480, 640);
/// assert_eq!((size.height, size.width), (480, 640));
/// assert_eq!(size.to_string(), "480x640");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Size {
    pub height: usize,
    pub width: usize,
}

impl Size {
    /// `height` rows of `width` pixels.
    pub const fn new(height: usize, width: usize) -> Self {
        Size { height, width }
    }

    /// Pixels, or `None` when the product overflows.
    pub fn checked_area(self) -> Option<usize> {
        self.height.checked_mul(self.width)
    }

    /// Whether either side is zero.
    pub fn is_empty(self) -> bool {
        self.height == 0 || self.width == 0
    }
}

/// `HxW`, as transformers' messages write sizes.
impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.height, self.width)
    }
}
