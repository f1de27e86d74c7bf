//! Compile-fail and pass cases of `#[image_processor]` and `#[images_kwargs]`, run by trybuild
//! (`tests/ui.rs`). Each case in `fail/` has a reviewed `.stderr`: the message names the key and
//! points at it.
