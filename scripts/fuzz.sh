#!/usr/bin/env bash
# Coverage-guided fuzzing on the stable toolchain: libFuzzer (built from C++ by libfuzzer-sys),
# the code instrumented by rustc's stable sancov options. Usage: scripts/fuzz.sh TARGET [SECONDS]
# [libFuzzer options...]; TARGET is image_bytes, config_json, plan or macro_attribute. Inputs that add coverage go to
# fuzz/corpus/TARGET (commit the small ones); a crash is written to fuzz/artifacts/TARGET: copy it
# to fuzz/regressions/TARGET, where `cargo test` replays it (tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh image_bytes|config_json|plan|macro_attribute [SECONDS] [libFuzzer options]}
seconds=${2:-60}
shift $(( $# < 2 ? $# : 2 ))
triple=$(rustc -vV | sed -n 's/^host: //p')
# Only the target's code is instrumented (--target keeps build scripts out of RUSTFLAGS).
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
cargo build --release --manifest-path fuzz/Cargo.toml --target "$triple" --bin "$target"
mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
exec "fuzz/target/$triple/release/$target" "fuzz/corpus/$target" \
  -artifact_prefix="fuzz/artifacts/$target/" -max_total_time="$seconds" -rss_limit_mb=2048 \
  -timeout=10 -print_final_stats=1 "$@"
