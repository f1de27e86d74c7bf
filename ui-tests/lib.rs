//! Compile-fail and pass cases of `#[image_processor]` (trybuild) land with the macro.
