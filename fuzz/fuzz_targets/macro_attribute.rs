//! Fuzz target `macro_attribute`: see `twinproc_golden_tests::fuzzing::macro_attribute`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twinproc_golden_tests::fuzzing::macro_attribute(data));
