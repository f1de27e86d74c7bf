//! Fuzz target `config_json`: see `twinproc_golden_tests::fuzzing::config_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twinproc_golden_tests::fuzzing::config_json(data));
