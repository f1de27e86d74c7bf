//! transformers' rules for the size a resize gives (`image_transforms.py`, `image_utils.py`):
//! pure functions of the input size and the size dict's numbers, with Python's arithmetic.

use super::shape::Size;

/// `get_resize_output_image_size(image, size=short, default_to_square=False)`: the short side becomes
/// `short`, the long side `int(short * long / short_side)` (truncated).
pub fn shortest_edge_size(input: Size, short: u32) -> Size {
    let Size { height, width } = input;
    let (short_side, long_side) = if width <= height {
        (width, height)
    } else {
        (height, width)
    };
    let new_short = short as usize;
    // Python: int(short * long / short_side), an integer product then true (double) division.
    let new_long = ((short as u64 * long_side as u64) as f64 / short_side as f64) as usize;
    if width <= height {
        Size::new(new_long, new_short)
    } else {
        Size::new(new_short, new_long)
    }
}

/// `get_size_with_aspect_ratio(image_size, size, max_size)` for `{shortest_edge, longest_edge}`.
pub fn size_with_aspect_ratio(input: Size, size: u32, max_size: Option<u32>) -> Size {
    let Size { height, width } = input;
    let mut size = f64::from(size);
    let mut raw_size = None;
    if let Some(max_size) = max_size {
        let max_size = f64::from(max_size);
        let min_original = height.min(width) as f64;
        let max_original = height.max(width) as f64;
        if max_original / min_original * size > max_size {
            let raw = max_size * min_original / max_original;
            raw_size = Some(raw);
            // Python's round(): half to even.
            size = raw.round_ties_even();
        }
    }
    let size_int = size as usize;
    if (height <= width && height == size_int) || (width <= height && width == size_int) {
        return input;
    }
    let scaled = |num: usize, den: usize| match raw_size {
        Some(raw) => (raw * num as f64 / den as f64) as usize,
        None => ((size_int * num) as f64 / den as f64) as usize,
    };
    if width < height {
        Size::new(scaled(height, width), size_int)
    } else {
        Size::new(size_int, scaled(width, height))
    }
}

/// `get_image_size_for_max_height_width`: the largest size within the box that keeps the aspect ratio.
pub fn size_for_max_height_width(input: Size, max_height: u32, max_width: u32) -> Size {
    let Size { height, width } = input;
    let height_scale = f64::from(max_height) / height as f64;
    let width_scale = f64::from(max_width) / width as f64;
    let scale = height_scale.min(width_scale);
    Size::new(
        (height as f64 * scale) as usize,
        (width as f64 * scale) as usize,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_edge_truncates_the_long_side() {
        // int(224 * 451 / 300) = int(336.74...) = 336
        assert_eq!(
            shortest_edge_size(Size::new(300, 451), 224),
            Size::new(224, 336)
        );
        // 1x1: both sides become the short edge.
        assert_eq!(
            shortest_edge_size(Size::new(1, 1), 224),
            Size::new(224, 224)
        );
        // 3 wide, 1000 tall: int(224 * 1000 / 3) = int(74666.67) = 74666.
        assert_eq!(
            shortest_edge_size(Size::new(1000, 3), 224),
            Size::new(74666, 224)
        );
        // 1000 wide, 3 tall.
        assert_eq!(
            shortest_edge_size(Size::new(3, 1000), 224),
            Size::new(224, 74666)
        );
        // Already at size: unchanged.
        assert_eq!(
            shortest_edge_size(Size::new(224, 300), 224),
            Size::new(224, 300)
        );
    }

    #[test]
    fn longest_edge_rounds_half_to_even() {
        // 100x400 to {shortest 100, longest 250}: 400/100*100 > 250, raw = 250*100/400 = 62.5 -> 62
        // (half to even), long side int(62.5 * 400 / 100) = 250.
        assert_eq!(
            size_with_aspect_ratio(Size::new(100, 400), 100, Some(250)),
            Size::new(62, 250)
        );
        // Within the limit: plain shortest edge.
        assert_eq!(
            size_with_aspect_ratio(Size::new(200, 300), 100, Some(1000)),
            Size::new(100, 150)
        );
        // Exact size is kept.
        assert_eq!(
            size_with_aspect_ratio(Size::new(100, 300), 100, Some(1000)),
            Size::new(100, 300)
        );
    }

    #[test]
    fn max_height_width_keeps_the_aspect_ratio() {
        // min(100/200, 100/50) = 0.5 -> 100x25
        assert_eq!(
            size_for_max_height_width(Size::new(200, 50), 100, 100),
            Size::new(100, 25)
        );
        assert_eq!(
            size_for_max_height_width(Size::new(3, 1000), 384, 384),
            Size::new(1, 384)
        );
    }
}
