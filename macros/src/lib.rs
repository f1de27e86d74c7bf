//! Procedural macros of twinproc.
//!
//! The `#[image_processor]` attribute that emits a processor's CPU and GPU twins from one declaration
//! lands with the macro work; this crate holds its place in the workspace until then.
