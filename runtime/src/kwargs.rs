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

/// The standard kwargs of every image processor (transformers 5.23 `ImagesKwargs`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImagesKwargs {
    /// Convert every image to 3-channel RGB (alpha composited onto white).
    pub do_convert_rgb: Option<bool>,
    /// Resize the image to `size`.
    pub do_resize: Option<bool>,
    /// The target size of the resize.
    pub size: Option<SizeDict>,
    /// How an int `size` is read: a square (`true`) or the shortest edge (`false`).
    pub default_to_square: Option<bool>,
    /// The size of the center crop.
    pub crop_size: Option<SizeDict>,
    /// The resampling filter of the resize.
    pub resample: Option<Resample>,
    /// Multiply by `rescale_factor`.
    pub do_rescale: Option<bool>,
    /// The rescale factor, usually `1/255`.
    pub rescale_factor: Option<f64>,
    /// Subtract `image_mean` and divide by `image_std`, per channel.
    pub do_normalize: Option<bool>,
    /// The per-channel mean of normalize.
    pub image_mean: Option<ChannelValues>,
    /// The per-channel standard deviation of normalize.
    pub image_std: Option<ChannelValues>,
    /// Pad the outputs with zeros at the bottom and right, to `pad_size` or to the largest in the batch.
    pub do_pad: Option<bool>,
    /// The size to pad to.
    pub pad_size: Option<SizeDict>,
    /// Center-crop the resized image to `crop_size`.
    pub do_center_crop: Option<bool>,
    /// The layout of the output: `channels_first` (CHW) or `channels_last` (HWC).
    pub data_format: Option<ChannelDimension>,
    /// The layout of array inputs; inferred when unset.
    pub input_data_format: Option<ChannelDimension>,
    /// The device to process on (`"cpu"`, `"cuda"`, `"cuda:0"`).
    pub device: Option<String>,
}

/// One row of the kwargs documentation: name, type, meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KwargDoc {
    pub name: &'static str,
    pub ty: &'static str,
    pub meaning: &'static str,
}

/// Every standard kwarg, its type and meaning, written once (used by `inspect` and the generated docs).
pub const STANDARD_KWARGS: [KwargDoc; 17] = twinproc_macros::__standard_kwarg_docs!();

fn bool_of(key: &str, value: &Value) -> Result<bool> {
    value
        .as_bool()
        .ok_or_else(|| Error::config(key, format!("expected true or false, got {value}")))
}

impl ImagesKwargs {
    /// Every value of `self` that is set, else the one in `base`.
    pub fn or(&self, base: &ImagesKwargs) -> ImagesKwargs {
        ImagesKwargs {
            do_convert_rgb: self.do_convert_rgb.or(base.do_convert_rgb),
            do_resize: self.do_resize.or(base.do_resize),
            size: self.size.or(base.size),
            default_to_square: self.default_to_square.or(base.default_to_square),
            crop_size: self.crop_size.or(base.crop_size),
            resample: self.resample.or(base.resample),
            do_rescale: self.do_rescale.or(base.do_rescale),
            rescale_factor: self.rescale_factor.or(base.rescale_factor),
            do_normalize: self.do_normalize.or(base.do_normalize),
            image_mean: self.image_mean.clone().or_else(|| base.image_mean.clone()),
            image_std: self.image_std.clone().or_else(|| base.image_std.clone()),
            do_pad: self.do_pad.or(base.do_pad),
            pad_size: self.pad_size.or(base.pad_size),
            do_center_crop: self.do_center_crop.or(base.do_center_crop),
            data_format: self.data_format.or(base.data_format),
            input_data_format: self.input_data_format.or(base.input_data_format),
            device: self.device.clone().or_else(|| base.device.clone()),
        }
    }

    /// Reads the standard keys of a JSON object, removing them from `map`; other keys stay there.
    ///
    /// `default_to_square` is the processor's default, used (unless the JSON sets it) to read int sizes,
    /// as the processor's constructor does.
    pub fn take_from_json(map: &mut Map<String, Value>, default_to_square: bool) -> Result<Self> {
        let mut take = |key: &str| map.remove(key).filter(|v| !v.is_null());
        let mut kwargs = ImagesKwargs::default();
        let bool_key = |key: &str, v: Option<Value>| v.map(|v| bool_of(key, &v)).transpose();
        kwargs.do_convert_rgb = bool_key("do_convert_rgb", take("do_convert_rgb"))?;
        kwargs.do_resize = bool_key("do_resize", take("do_resize"))?;
        kwargs.default_to_square = bool_key("default_to_square", take("default_to_square"))?;
        kwargs.do_rescale = bool_key("do_rescale", take("do_rescale"))?;
        kwargs.do_normalize = bool_key("do_normalize", take("do_normalize"))?;
        kwargs.do_pad = bool_key("do_pad", take("do_pad"))?;
        kwargs.do_center_crop = bool_key("do_center_crop", take("do_center_crop"))?;
        let square = kwargs.default_to_square.unwrap_or(default_to_square);
        let max_size = take("max_size")
            .map(|v| {
                v.as_u64()
                    .and_then(|v| u32::try_from(v).ok())
                    .filter(|&v| v > 0)
                    .ok_or_else(|| {
                        Error::config("max_size", format!("expected a positive integer, got {v}"))
                    })
            })
            .transpose()?;
        let size = take("size");
        kwargs.size = match (&size, max_size) {
            (None, None) => None,
            (v, max) => Some(SizeDict::from_json(
                "size",
                v.as_ref().unwrap_or(&Value::Null),
                square,
                max,
            )?),
        };
        kwargs.crop_size = take("crop_size")
            .map(|v| SizeDict::from_json("crop_size", &v, true, None))
            .transpose()?;
        kwargs.pad_size = take("pad_size")
            .map(|v| SizeDict::from_json("pad_size", &v, true, None))
            .transpose()?;
        kwargs.resample = take("resample")
            .map(|v| Resample::from_json(&v))
            .transpose()?;
        kwargs.rescale_factor = take("rescale_factor")
            .map(|v| {
                v.as_f64().ok_or_else(|| {
                    Error::config("rescale_factor", format!("expected a number, got {v}"))
                })
            })
            .transpose()?;
        kwargs.image_mean = take("image_mean")
            .map(|v| ChannelValues::from_json("image_mean", &v))
            .transpose()?;
        kwargs.image_std = take("image_std")
            .map(|v| ChannelValues::from_json("image_std", &v))
            .transpose()?;
        kwargs.data_format = take("data_format")
            .map(|v| ChannelDimension::from_json("data_format", &v))
            .transpose()?;
        kwargs.input_data_format = take("input_data_format")
            .map(|v| ChannelDimension::from_json("input_data_format", &v))
            .transpose()?;
        kwargs.device = take("device")
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| Error::config("device", format!("expected a string, got {v}")))
            })
            .transpose()?;
        Ok(kwargs)
    }

    /// The JSON of every set value, as transformers writes it (sizes as dicts, resample as its code).
    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(v) = value {
                map.insert(key.to_owned(), v);
            }
        };
        put("do_convert_rgb", self.do_convert_rgb.map(Value::from));
        put("do_resize", self.do_resize.map(Value::from));
        put("size", self.size.map(|s| s.to_json()));
        put("default_to_square", self.default_to_square.map(Value::from));
        put("crop_size", self.crop_size.map(|s| s.to_json()));
        put("resample", self.resample.map(|r| Value::from(r as u8)));
        put("do_rescale", self.do_rescale.map(Value::from));
        put("rescale_factor", self.rescale_factor.map(Value::from));
        put("do_normalize", self.do_normalize.map(Value::from));
        put(
            "image_mean",
            self.image_mean.as_ref().map(ChannelValues::to_json),
        );
        put(
            "image_std",
            self.image_std.as_ref().map(ChannelValues::to_json),
        );
        put("do_pad", self.do_pad.map(Value::from));
        put("pad_size", self.pad_size.map(|s| s.to_json()));
        put("do_center_crop", self.do_center_crop.map(Value::from));
        put(
            "data_format",
            self.data_format.map(|d| Value::from(d.as_str())),
        );
        put(
            "input_data_format",
            self.input_data_format.map(|d| Value::from(d.as_str())),
        );
        put("device", self.device.clone().map(Value::from));
        map
    }
}

/// A kwargs type: every standard `ImagesKwargs` field plus a model's own, each optional.
///
/// Declare one with [`images_kwargs`](crate::images_kwargs); [`ImagesKwargs`] itself is the kwargs
/// type of processors without model kwargs.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an ImagesKwargs type",
    label = "declare it with `#[twinproc::images_kwargs]`, or use `twinproc::ImagesKwargs`",
    note = "the `kwargs` of `#[image_processor]` must carry every standard kwarg"
)]
pub trait ModelKwargs: Clone + Default + std::fmt::Debug + Send + Sync + 'static {
    /// The model's own kwargs: name, type, meaning (from the field's doc comment).
    const MODEL_KWARGS: &'static [KwargDoc];
    /// For each model kwarg, the compile error of a declaration that gives it no default.
    const MISSING_DEFAULT: &'static [&'static str];
    /// The standard kwargs.
    fn standard(&self) -> &ImagesKwargs;
    /// The standard kwargs, to change.
    fn standard_mut(&mut self) -> &mut ImagesKwargs;
    /// The model kwargs that are set, as transformers' JSON.
    fn model_to_json(&self) -> Result<Map<String, Value>>;
    /// The model kwargs found in a configuration's JSON (standard kwargs left unset).
    fn model_from_json(map: &Map<String, Value>) -> Result<Self>;
}

impl ModelKwargs for ImagesKwargs {
    const MODEL_KWARGS: &'static [KwargDoc] = &[];
    const MISSING_DEFAULT: &'static [&'static str] = &[];
    fn standard(&self) -> &ImagesKwargs {
        self
    }
    fn standard_mut(&mut self) -> &mut ImagesKwargs {
        self
    }
    fn model_to_json(&self) -> Result<Map<String, Value>> {
        Ok(Map::new())
    }
    fn model_from_json(_: &Map<String, Value>) -> Result<Self> {
        Ok(ImagesKwargs::default())
    }
}
