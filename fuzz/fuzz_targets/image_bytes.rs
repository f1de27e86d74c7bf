//! Fuzz target `image_bytes`: see `twinproc_golden_tests::fuzzing::image_bytes`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twinproc_golden_tests::fuzzing::image_bytes(data));
