//! Fuzz target `plan`: see `twinproc_golden_tests::fuzzing::plan`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twinproc_golden_tests::fuzzing::plan(data));
