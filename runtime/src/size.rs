//! Size dictionaries (`SizeDict`) and transformers' rules for the output size of a resize.

use crate::error::{Error, Result};
use crate::numeric::Size;
use serde_json::{Map, Value};

/// A size as transformers stores it: one of the valid key sets
/// `{height, width}`, `{shortest_edge}`, `{shortest_edge, longest_edge}`, `{longest_edge}`,
/// `{max_height, max_width}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SizeDict {
    pub height: Option<u32>,
    pub width: Option<u32>,
    pub shortest_edge: Option<u32>,
    pub longest_edge: Option<u32>,
    pub max_height: Option<u32>,
    pub max_width: Option<u32>,
}

// `KEYS` (the key names, in transformers' order) and `VALID_KEY_SETS` (`VALID_SIZE_DICT_KEYS`),
// from the one table the macros check declarations against.
twinproc_macros::__size_keys!();

impl SizeDict {
    /// No key set (a base for struct updates in constants).
    pub const EMPTY: SizeDict = SizeDict {
        height: None,
        width: None,
        shortest_edge: None,
        longest_edge: None,
        max_height: None,
        max_width: None,
    };

    /// `{height, width}`.
    pub const fn height_width(height: u32, width: u32) -> Self {
        SizeDict {
            height: Some(height),
            width: Some(width),
            shortest_edge: None,
            longest_edge: None,
            max_height: None,
            max_width: None,
        }
    }

    /// `{shortest_edge}`.
    pub const fn shortest_edge(edge: u32) -> Self {
        SizeDict {
            height: None,
            width: None,
            shortest_edge: Some(edge),
            longest_edge: None,
            max_height: None,
            max_width: None,
        }
    }

    fn slots(&self) -> [Option<u32>; 6] {
        [
            self.height,
            self.width,
            self.shortest_edge,
            self.longest_edge,
            self.max_height,
            self.max_width,
        ]
    }

    fn slot_mut(&mut self, key: &str) -> Option<&mut Option<u32>> {
        Some(match key {
            "height" => &mut self.height,
            "width" => &mut self.width,
            "shortest_edge" => &mut self.shortest_edge,
            "longest_edge" => &mut self.longest_edge,
            "max_height" => &mut self.max_height,
            "max_width" => &mut self.max_width,
            _ => return None,
        })
    }

    /// The keys that are set, in transformers' order.
    pub fn keys(&self) -> Vec<&'static str> {
        KEYS.iter()
            .zip(self.slots())
            .filter_map(|(k, v)| v.map(|_| *k))
            .collect()
    }

    /// `is_valid_size_dict`: the set keys form one of the valid key sets.
    pub fn is_valid(&self) -> bool {
        let keys = self.keys();
        VALID_KEY_SETS.contains(&keys.as_slice())
    }

    fn validated(self, param: &str) -> Result<Self> {
        if self.is_valid() {
            Ok(self)
        } else {
            Err(Error::config(
                param,
                format!(
                    "must have one of the key sets {{height, width}}, {{shortest_edge}}, \
                     {{shortest_edge, longest_edge}}, {{longest_edge}}, {{max_height, max_width}}; got {{{}}}",
                    self.keys().join(", ")
                ),
            ))
        }
    }

    /// `get_size_dict(size, max_size, height_width_order=True, default_to_square, param_name)` on a JSON
    /// value: a dict is checked, an int or a `[height, width]` list is converted as transformers does.
    pub fn from_json(
        param: &str,
        value: &Value,
        default_to_square: bool,
        max_size: Option<u32>,
    ) -> Result<Self> {
        let size = match value {
            Value::Object(map) => {
                let mut size = SizeDict::default();
                for (key, v) in map {
                    if v.is_null() {
                        continue;
                    }
                    let slot = size.slot_mut(key).ok_or_else(|| {
                        Error::config(
                            param,
                            format!("unknown key {key:?} (valid keys: {})", KEYS.join(", ")),
                        )
                    })?;
                    *slot = Some(positive_int(&format!("{param}.{key}"), v)?);
                }
                size
            }
            Value::Number(_) => {
                let edge = positive_int(param, value)?;
                match (default_to_square, max_size) {
                    (true, Some(_)) => {
                        return Err(Error::config(
                            param,
                            "cannot specify both size as an int, with default_to_square=True and max_size",
                        ));
                    }
                    (true, None) => SizeDict::height_width(edge, edge),
                    (false, max) => SizeDict {
                        longest_edge: max,
                        ..SizeDict::shortest_edge(edge)
                    },
                }
            }
            Value::Array(items) if items.len() == 2 => SizeDict::height_width(
                positive_int(&format!("{param}[0]"), &items[0])?,
                positive_int(&format!("{param}[1]"), &items[1])?,
            ),
            Value::Null => match max_size {
                Some(_) if default_to_square => {
                    return Err(Error::config(
                        param,
                        "cannot specify both default_to_square=True and max_size",
                    ));
                }
                Some(max) => SizeDict {
                    longest_edge: Some(max),
                    ..SizeDict::default()
                },
                None => {
                    return Err(Error::config(
                        param,
                        "could not convert null to a size dict",
                    ));
                }
            },
            other => {
                return Err(Error::config(
                    param,
                    format!("could not convert {other} to a size dict"),
                ));
            }
        };
        size.validated(param)
    }

    /// The dict form transformers saves.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (key, value) in KEYS.iter().zip(self.slots()) {
            if let Some(v) = value {
                map.insert((*key).to_owned(), Value::from(v));
            }
        }
        Value::Object(map)
    }

    /// The size a resize to this size gives an image of `input` (the torchvision and PIL
    /// backends' `resize`).
    pub fn output_size(&self, input: Size) -> Result<Size> {
        let out = match *self {
            SizeDict {
                shortest_edge: Some(short),
                longest_edge: Some(long),
                ..
            } => size_with_aspect_ratio(input, short, Some(long)),
            SizeDict {
                shortest_edge: Some(short),
                ..
            } => shortest_edge_size(input, short),
            SizeDict {
                max_height: Some(mh),
                max_width: Some(mw),
                ..
            } => size_for_max_height_width(input, mh, mw),
            SizeDict {
                height: Some(h),
                width: Some(w),
                ..
            } => Size::new(h as usize, w as usize),
            _ => {
                return Err(Error::config(
                    "size",
                    format!(
                        "size must contain 'height' and 'width' keys, or 'max_height' and 'max_width', \
                         or 'shortest_edge' key; got {{{}}}",
                        self.keys().join(", ")
                    ),
                ));
            }
        };
        if out.is_empty() {
            return Err(Error::InvalidImage(format!(
                "resizing a {input} (HxW) image to {self:?} gives an empty {out} image"
            )));
        }
        Ok(out)
    }
}

fn positive_int(param: &str, value: &Value) -> Result<u32> {
    value
        .as_u64()
        .filter(|&v| v > 0)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| Error::config(param, format!("expected a positive integer, got {value}")))
}

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
    use serde_json::json;

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

    #[test]
    fn output_size_rejects_empty_results() {
        let size = SizeDict {
            max_height: Some(384),
            max_width: Some(384),
            ..SizeDict::default()
        };
        assert!(matches!(
            size.output_size(Size::new(1, 1000)),
            Err(Error::InvalidImage(_))
        ));
    }

    #[test]
    fn legacy_size_forms_convert_as_get_size_dict() {
        let int = json!(224);
        assert_eq!(
            SizeDict::from_json("size", &int, false, None).unwrap(),
            SizeDict::shortest_edge(224)
        );
        assert_eq!(
            SizeDict::from_json("size", &int, true, None).unwrap(),
            SizeDict::height_width(224, 224)
        );
        assert_eq!(
            SizeDict::from_json("size", &int, false, Some(1333)).unwrap(),
            SizeDict {
                longest_edge: Some(1333),
                ..SizeDict::shortest_edge(224)
            }
        );
        assert!(SizeDict::from_json("size", &int, true, Some(1333)).is_err());
        assert_eq!(
            SizeDict::from_json("size", &json!([384, 512]), true, None).unwrap(),
            SizeDict::height_width(384, 512)
        );
        assert_eq!(
            SizeDict::from_json("size", &Value::Null, false, Some(800)).unwrap(),
            SizeDict {
                longest_edge: Some(800),
                ..SizeDict::default()
            }
        );
    }

    #[test]
    fn only_valid_key_sets_are_accepted() {
        for valid in [
            json!({"height": 1, "width": 2}),
            json!({"shortest_edge": 1}),
            json!({"shortest_edge": 1, "longest_edge": 2}),
            json!({"longest_edge": 1}),
            json!({"max_height": 1, "max_width": 2}),
        ] {
            assert!(
                SizeDict::from_json("size", &valid, true, None).is_ok(),
                "{valid}"
            );
        }
        for invalid in [
            json!({"height": 1}),
            json!({"width": 1, "shortest_edge": 2}),
            json!({"max_height": 1}),
            json!({}),
            json!({"heigth": 1, "width": 2}),
            json!({"height": -1, "width": 2}),
            json!({"height": 0, "width": 2}),
            json!({"height": 1.5, "width": 2}),
            json!("224"),
        ] {
            assert!(
                matches!(
                    SizeDict::from_json("size", &invalid, true, None),
                    Err(Error::InvalidConfig { .. })
                ),
                "{invalid}"
            );
        }
    }
}
