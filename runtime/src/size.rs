//! Size dictionaries (`SizeDict`): transformers' forms, checks and JSON, and the size a resize to one gives.

use crate::error::{Error, Result};
use crate::numeric::Size;
use crate::numeric::output_size::{
    shortest_edge_size, size_for_max_height_width, size_with_aspect_ratio,
};
use serde_json::{Map, Value};

/// A size as transformers stores it: one of the valid key sets
/// `{height, width}`, `{shortest_edge}`, `{shortest_edge, longest_edge}`, `{longest_edge}`,
/// `{max_height, max_width}`, `{min_pixels, max_pixels}` (a pixel budget: Qwen2-VL's legacy form,
/// which no resize reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SizeDict {
    pub height: Option<u32>,
    pub width: Option<u32>,
    pub shortest_edge: Option<u32>,
    pub longest_edge: Option<u32>,
    pub max_height: Option<u32>,
    pub max_width: Option<u32>,
    pub min_pixels: Option<u32>,
    pub max_pixels: Option<u32>,
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
        min_pixels: None,
        max_pixels: None,
    };

    /// `{height, width}`.
    pub const fn height_width(height: u32, width: u32) -> Self {
        SizeDict {
            height: Some(height),
            width: Some(width),
            ..SizeDict::EMPTY
        }
    }

    /// `{shortest_edge}`.
    pub const fn shortest_edge(edge: u32) -> Self {
        SizeDict {
            shortest_edge: Some(edge),
            ..SizeDict::EMPTY
        }
    }

    fn slots(&self) -> [Option<u32>; 8] {
        [
            self.height,
            self.width,
            self.shortest_edge,
            self.longest_edge,
            self.max_height,
            self.max_width,
            self.min_pixels,
            self.max_pixels,
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
            "min_pixels" => &mut self.min_pixels,
            "max_pixels" => &mut self.max_pixels,
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
                     {{shortest_edge, longest_edge}}, {{longest_edge}}, {{max_height, max_width}}, \
                     {{min_pixels, max_pixels}}; got {{{}}}",
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
