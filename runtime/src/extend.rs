//! What a model's own preprocessing uses, in one place: the function `preprocess = …` names in
//! `#[image_processor]` gets the backend, the [`Call`] and the [`Batch`], plans its images and
//! hands the plans to [`pixel_values`]. Written once, generic over the backend, so both twins run
//! it.
//!
//! ```
//! use twinproc::extend::{Assembly, Backend, Batch, Call, pixel_values};
//! use twinproc::BatchFeature;
//!
//! /// Cuts each resized image into 224×224 tiles, stacked per image.
//! fn tiles<B: Backend + ?Sized>(backend: &B, call: &Call, batch: Batch<'_>) -> twinproc::Result<BatchFeature> {
//!     let inputs = call.pixels(batch)?;
//!     let plans = inputs
//!         .iter()
//!         .map(|input| call.plan(input)?.split_window(|resized| resized.tiles(224)))
//!         .collect::<twinproc::Result<Vec<_>>>()?;
//!     let pixels: Vec<_> = inputs.into_iter().map(|input| input.pixels).collect();
//!     pixel_values(backend, call.numerics, &pixels, &plans, &Assembly::per_image(&plans, call.stacking))
//! }
//! ```

pub use crate::backend::Backend;
pub use crate::call::{Batch, Call};
pub use crate::numeric::crop::CropWindow;
pub use crate::pipeline::{default_preprocess, pixel_values};
pub use crate::placement::{Assembly, Canvas, Stacking};
pub use crate::plan::{ImagePlan, Input};
pub use crate::spec::{CustomPreprocess, ModelSpec};
