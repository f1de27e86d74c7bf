//! # twinproc
//!
//! Vision-model image preprocessing whose pixels are exactly what Hugging Face transformers 5.23
//! produces: each numerics mode ([`Numerics::Pil`], [`Numerics::Torchvision`]) is bit-identical to the
//! transformers backend it reproduces.
//!
//! ```
//! use twinproc::{AutoImageProcessor, Image, ImagesKwargs, Numerics};
//! # let dir = std::env::temp_dir().join("twinproc-doc-lib");
//! # std::fs::create_dir_all(&dir)?;
//! # std::fs::write(dir.join("preprocessor_config.json"),
//! #     r#"{"image_processor_type": "CLIPImageProcessor", "size": 224, "crop_size": 224}"#)?;
//! let processor = AutoImageProcessor::from_pretrained(&dir)?.with_numerics(Numerics::Pil);
//! let image = Image::from_hwc(vec![200; 32 * 48 * 3], 32, 48, 3);
//! // On a machine with CUDA, Auto picks the GPU twin and the outputs stay on the GPU: `to_host`
//! // copies them (and is free on the CPU).
//! let batch = processor.preprocess(&[image], &ImagesKwargs::default())?.to_host()?;
//! assert_eq!(batch.tensor("pixel_values").unwrap().shape, [1, 3, 224, 224]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// The documented API: the processors (`auto`, `processor`, `models`, the root re-exports), their
// kwargs and configuration, images and outputs, the backends, errors, and `extend` for model
// authors. The modules below marked hidden hold the machinery those re-export or the macros
// expand to; tests reach into them, users need not.
pub mod auto;
pub mod backend;
#[doc(hidden)]
pub mod call;
pub mod config;
mod decode;
pub mod error;
pub mod extend;
pub mod feature;
mod files;
pub mod image;
pub mod kwargs;
pub mod model_kwargs;
pub mod models;
#[doc(hidden)]
pub mod numeric;
#[doc(hidden)]
pub mod pipeline;
#[doc(hidden)]
pub mod placement;
#[doc(hidden)]
pub mod plan;
pub mod processor;
#[doc(hidden)]
pub mod resolve;
mod save;
pub mod size;
#[doc(hidden)]
pub mod spec;
pub mod stream;
pub mod tensor;
#[doc(hidden)]
pub mod twin;

// Lets the macros' `::twinproc::…` paths resolve inside this crate too.
extern crate self as twinproc;

pub use auto::AutoImageProcessor;
pub use error::{Error, Result};
pub use feature::{BatchFeature, Feature};
pub use image::Image;
pub use kwargs::{ChannelDimension, ChannelValues, ImagesKwargs, Resample};
pub use model_kwargs::{ModelKwargs, ModelValues};
pub use numeric::{Numerics, Size};
pub use placement::Stacking;
pub use processor::Processor;
pub use size::SizeDict;
pub use spec::ModelSpec;
pub use tensor::{Tensor, TensorData};
pub use twin::ImageProcessor;
pub use twinproc_macros::{image_processor, images_kwargs};

/// What the macros' expansions name; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use serde_json::{Map, Value};
}
