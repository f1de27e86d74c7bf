//! The standard image-processing kwargs of transformers (`ImagesKwargs`), every one optional:
//! `None` means "use the processor's default", in a configuration and at call time alike.

use crate::error::{Error, Result};
use crate::size::SizeDict;
use serde_json::{Map, Value};

/// PIL's resampling filters, with PIL's integer codes (as `resample` appears in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Resample {
    Nearest = 0,
    Lanczos = 1,
    Bilinear = 2,
    Bicubic = 3,
    Box = 4,
    Hamming = 5,
}

impl Resample {
    /// Every filter, by code.
    pub const ALL: [Resample; 6] = [
        Resample::Nearest,
        Resample::Lanczos,
        Resample::Bilinear,
        Resample::Bicubic,
        Resample::Box,
        Resample::Hamming,
    ];

    /// PIL's name: `NEAREST`, `LANCZOS`, ...
    pub fn pil_name(self) -> &'static str {
        match self {
            Resample::Nearest => "NEAREST",
            Resample::Lanczos => "LANCZOS",
            Resample::Bilinear => "BILINEAR",
            Resample::Bicubic => "BICUBIC",
            Resample::Box => "BOX",
            Resample::Hamming => "HAMMING",
        }
    }

    /// The filter with PIL code `code`.
    pub fn from_code(code: u64) -> Option<Self> {
        Resample::ALL.into_iter().find(|r| *r as u64 == code)
    }

    fn from_json(value: &Value) -> Result<Self> {
        value.as_u64().and_then(Resample::from_code).ok_or_else(|| {
            Error::config(
                "resample",
                format!("expected a PIL resampling code 0-5, got {value}"),
            )
        })
    }
}

/// Where the channel axis is: `channels_first` (CHW) or `channels_last` (HWC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelDimension {
    First,
    Last,
}

impl ChannelDimension {
    /// transformers' string for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelDimension::First => "channels_first",
            ChannelDimension::Last => "channels_last",
        }
    }

    fn from_json(key: &str, value: &Value) -> Result<Self> {
        match value.as_str() {
            Some("channels_first") => Ok(ChannelDimension::First),
            Some("channels_last") => Ok(ChannelDimension::Last),
            _ => Err(Error::config(
                key,
                format!("expected \"channels_first\" or \"channels_last\", got {value}"),
            )),
        }
    }
}

/// A per-channel constant (`image_mean`, `image_std`): one value for every channel, or one per channel.
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelValues {
    Scalar(f64),
    PerChannel(Vec<f64>),
}

impl ChannelValues {
    /// The value of each of `channels` channels, as float32 (transformers makes float32 arrays of them).
    pub fn per_channel_f32(&self, key: &str, channels: usize) -> Result<Vec<f32>> {
        Ok(self
            .per_channel(key, channels)?
            .into_iter()
            .map(|v| v as f32)
            .collect())
    }

    /// The value of each of `channels` channels.
    pub fn per_channel(&self, key: &str, channels: usize) -> Result<Vec<f64>> {
        Ok(match self {
            ChannelValues::Scalar(v) => vec![*v; channels],
            ChannelValues::PerChannel(v) if v.len() == channels => v.clone(),
            ChannelValues::PerChannel(v) => {
                return Err(Error::config(
                    key,
                    format!("has {} values for an image of {channels} channels", v.len()),
                ));
            }
        })
    }

    fn values(&self) -> &[f64] {
        match self {
            ChannelValues::Scalar(v) => std::slice::from_ref(v),
            ChannelValues::PerChannel(v) => v,
        }
    }

    fn from_json(key: &str, value: &Value) -> Result<Self> {
        let number = |v: &Value| {
            v.as_f64()
                .ok_or_else(|| Error::config(key, format!("expected numbers, got {value}")))
        };
        let parsed = match value {
            Value::Array(items) => {
                ChannelValues::PerChannel(items.iter().map(number).collect::<Result<_>>()?)
            }
            other => ChannelValues::Scalar(number(other)?),
        };
        if parsed.values().is_empty() {
            return Err(Error::config(key, "is empty"));
        }
        Ok(parsed)
    }

    fn to_json(&self) -> Value {
        match self {
            ChannelValues::Scalar(v) => Value::from(*v),
            ChannelValues::PerChannel(v) => Value::from(v.clone()),
        }
    }
}

impl From<[f64; 3]> for ChannelValues {
    fn from(v: [f64; 3]) -> Self {
        ChannelValues::PerChannel(v.to_vec())
    }
}

// `ImagesKwargs`: its fields, their docs, `or`, `to_json` and `take_standard`, from the one table
// of standard kwargs (`twinproc-macros`' `tables.rs`).
twinproc_macros::__images_kwargs!();

/// One row of the kwargs documentation: name, type, meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KwargDoc {
    pub name: &'static str,
    pub ty: &'static str,
    pub meaning: &'static str,
}

/// Every standard kwarg, its type and meaning, written once (used by `inspect` and the generated docs).
pub const STANDARD_KWARGS: &[KwargDoc] = &twinproc_macros::__standard_kwarg_docs!();

fn bool_of(key: &str, value: &Value) -> Result<bool> {
    value
        .as_bool()
        .ok_or_else(|| Error::config(key, format!("expected true or false, got {value}")))
}

/// How JSON values become standard kwargs' values: `size` is read as the processor's
/// `default_to_square` says and with `max_size`; crop and pad sizes are always square.
pub struct JsonContext {
    /// Whether an int `size` is a square (else the shortest edge).
    pub square: bool,
    /// transformers' legacy `max_size` (the longest edge of an int `size`).
    pub max_size: Option<u32>,
}

/// A standard kwarg's value type: read from and written to transformers' JSON.
pub trait StandardValue: Sized {
    /// The value of `key` in a configuration.
    fn from_json(key: &str, value: &Value, context: &JsonContext) -> Result<Self>;
    /// The value as transformers writes it.
    fn to_json(&self) -> Value;
}

impl StandardValue for bool {
    fn from_json(key: &str, value: &Value, _: &JsonContext) -> Result<Self> {
        bool_of(key, value)
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl StandardValue for f64 {
    fn from_json(key: &str, value: &Value, _: &JsonContext) -> Result<Self> {
        value
            .as_f64()
            .ok_or_else(|| Error::config(key, format!("expected a number, got {value}")))
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl StandardValue for String {
    fn from_json(key: &str, value: &Value, _: &JsonContext) -> Result<Self> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::config(key, format!("expected a string, got {value}")))
    }
    fn to_json(&self) -> Value {
        Value::from(self.as_str())
    }
}

impl StandardValue for SizeDict {
    fn from_json(key: &str, value: &Value, context: &JsonContext) -> Result<Self> {
        match key {
            "size" => SizeDict::from_json(key, value, context.square, context.max_size),
            _ => SizeDict::from_json(key, value, true, None),
        }
    }
    fn to_json(&self) -> Value {
        SizeDict::to_json(self)
    }
}

impl StandardValue for Resample {
    fn from_json(_: &str, value: &Value, _: &JsonContext) -> Result<Self> {
        Resample::from_json(value)
    }
    fn to_json(&self) -> Value {
        Value::from(*self as u8)
    }
}

impl StandardValue for ChannelValues {
    fn from_json(key: &str, value: &Value, _: &JsonContext) -> Result<Self> {
        ChannelValues::from_json(key, value)
    }
    fn to_json(&self) -> Value {
        ChannelValues::to_json(self)
    }
}

impl StandardValue for ChannelDimension {
    fn from_json(key: &str, value: &Value, _: &JsonContext) -> Result<Self> {
        ChannelDimension::from_json(key, value)
    }
    fn to_json(&self) -> Value {
        Value::from(self.as_str())
    }
}

impl ImagesKwargs {
    /// Reads the standard keys of a JSON object, removing them from `map`; other keys stay there.
    ///
    /// `default_to_square` is the processor's default, used (unless the JSON sets it) to read int sizes,
    /// as the processor's constructor does.
    pub fn take_from_json(map: &mut Map<String, Value>, default_to_square: bool) -> Result<Self> {
        let square = match map.get("default_to_square").filter(|v| !v.is_null()) {
            Some(value) => bool_of("default_to_square", value)?,
            None => default_to_square,
        };
        let max_size = map
            .remove("max_size")
            .filter(|v| !v.is_null())
            .map(|v| {
                v.as_u64()
                    .and_then(|v| u32::try_from(v).ok())
                    .filter(|&v| v > 0)
                    .ok_or_else(|| {
                        Error::config("max_size", format!("expected a positive integer, got {v}"))
                    })
            })
            .transpose()?;
        let mut kwargs = Self::take_standard(map, &JsonContext { square, max_size })?;
        if let (None, Some(max)) = (kwargs.size, max_size) {
            // `max_size` alone: the size it implies.
            kwargs.size = Some(SizeDict::from_json(
                "size",
                &Value::Null,
                square,
                Some(max),
            )?);
        }
        Ok(kwargs)
    }
}
