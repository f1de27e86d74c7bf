//! The numeric core: pure functions and host-built tables that decide every output number.
//!
//! Both twins consume what is built here: the CPU backend runs the reference loops in
//! [`resample`] and [`normalize`]; the CUDA backend uploads the same tables. Two numerics modes exist,
//! one per transformers backend:
//! - [`pil`]: `XImageProcessorPil` (Pillow's 8-bit resampler, NumPy crop, rescale in f64, normalize in f32);
//! - [`torchvision`]: `XImageProcessor` on CPU (ATen's uint8 antialiased resize, torchvision's crop,
//!   fused `(x - 255·mean) / (255·std)` in f32).

pub mod bits;
pub mod convert;
pub mod crop;
pub mod fixed;
pub mod normalize;
pub mod output_size;
pub mod packed;
pub mod pil;
pub mod region;
pub mod resample;
pub mod shape;
pub mod taps;
pub mod torchvision;

pub use shape::Size;

/// Which transformers backend's arithmetic to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Numerics {
    /// `XImageProcessorPil`: Pillow + NumPy.
    Pil,
    /// `XImageProcessor` (torchvision backend) on CPU; what `AutoImageProcessor` gives without a GPU.
    #[default]
    Torchvision,
}

impl Numerics {
    /// The name used on the command line and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Numerics::Pil => "pil",
            Numerics::Torchvision => "torchvision",
        }
    }
}

impl std::str::FromStr for Numerics {
    type Err = crate::error::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pil" => Ok(Numerics::Pil),
            "torchvision" => Ok(Numerics::Torchvision),
            other => Err(crate::error::Error::InvalidArgument(format!(
                "unknown numerics mode {other:?}: expected \"pil\" or \"torchvision\""
            ))),
        }
    }
}

/// An 8-bit image: `height` rows of `width` pixels of `channels` (1 to 4) interleaved samples,
/// borrowed from the caller's image where its samples are already laid out so (no copy per call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels<'a> {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub data: std::borrow::Cow<'a, [u8]>,
}

impl Pixels<'_> {
    /// Its height and width.
    pub fn size(&self) -> Size {
        Size::new(self.height, self.width)
    }

    /// A black image.
    pub fn zeroed(width: usize, height: usize, channels: usize) -> Pixels<'static> {
        Pixels::owned(width, height, channels, vec![0; width * height * channels])
    }

    /// An image owning its samples.
    pub fn owned(width: usize, height: usize, channels: usize, data: Vec<u8>) -> Pixels<'static> {
        Pixels {
            width,
            height,
            channels,
            data: std::borrow::Cow::Owned(data),
        }
    }

    /// The same image owning its samples.
    pub fn into_owned(self) -> Pixels<'static> {
        Pixels {
            data: std::borrow::Cow::Owned(self.data.into_owned()),
            ..self
        }
    }
}
