#!/usr/bin/env bash
# The GPU check, in two steps:
#   scripts/gpu-check.sh build   here: builds the GPU and golden test binaries and the CLI into
#                                target/gpu-check/
#   scripts/gpu-check.sh run     on the GPU machine (the device tool, carrying target/gpu-check):
#                                the ignored GPU tests, the golden and zoo tests (with the CUDA twin), then
#                                twinproc and transformers' torchvision backend on the same GPU in the
#                                same run; one table at the end.
# The GPU machine has no Rust toolchain: everything is built here (see ../shared/GPU.md).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/gpu-check

build() {
  mkdir -p "$out"
  cargo build --release -q --bin twinproc
  cp target/release/twinproc "$out/twinproc"
  # The GPU tests, and the golden and zoo tests (which add the CUDA twin to their computes where
  # CUDA runs: its outputs against transformers' bytes, case by case).
  for test in gpu golden zoo; do
    bin=$(cargo test --release -q -p twinproc-golden-tests --test "$test" --no-run --message-format=json-render-diagnostics |
      python3 -c 'import json,sys; t=sys.argv[1]; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable") and m["target"]["name"] == t][-1])' "$test")
    cp "$bin" "$out/$test-tests"
  done
  strip "$out/twinproc" "$out/gpu-tests" "$out/golden-tests" "$out/zoo-tests"
  du -sh "$out"
}

run() {
  export LD_LIBRARY_PATH="/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"
  export TWINPROC_FIXTURES="$PWD/tests/fixtures" RUST_LOG=info
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
  # A failing test must not hide the speed table: remember it, exit with it at the end.
  status=0
  "$out/gpu-tests" --ignored --nocapture || status=$?
  TWINPROC_REQUIRE_CUDA=1 "$out/golden-tests" --nocapture || status=$?
  TWINPROC_REQUIRE_CUDA=1 "$out/zoo-tests" --nocapture || status=$?
  table=$(mktemp)
  for size in 640x480 1920x1080; do
    w=${size%x*}; h=${size#*x}
    images=$(mktemp -d)
    python3 scripts/make_bench_images.py "$images" 64 "$w" "$h" >&2
    config=tests/fixtures/configs/clip_vit_b32
    bench() { echo "$size $("$out/twinproc" bench --config "$config" --backend cuda --repeat 20 "$@" "$images"/*.png)" >>"$table"; }
    for input in host pinned device; do bench --input "$input" --profile; done
    bench --input host --numerics pil
    bench --input images
    for input in tensor pinned device; do
      echo "$size $(python3 scripts/bench_transformers.py --config "$config" --backend torchvision --device cuda --input "$input" --repeat 20 "$images"/*.png)" >>"$table"
    done
    rm -rf "$images"
  done
  echo
  echo "| input size | what | img/s (each call waited for) | median ms | img/s (10 calls queued, one wait) |"
  echo "|---|---|---|---|---|"
  python3 - "$table" <<'PY'
import json, sys
profiles = []
for line in open(sys.argv[1]):
    size, _, payload = line.partition(" ")
    try:
        row = json.loads(payload)
    except ValueError:
        print(f"| {size} | (no result: see the error above) | | | |")
        continue
    what = row.get("tool") or f"twinproc {row['numerics']} numerics on {row['backend']}"
    streamed = row.get("streamed_images_per_s")
    streamed = f"{streamed:.0f}" if streamed else "-"
    print(f"| {size} | {what} | {row['images_per_s']:.0f} | {row['median_s'] * 1e3:.2f} | {streamed} |")
    if "profile" in row:
        profiles.append((size, row["backend"], row["profile"]))
if profiles:
    names = list(profiles[0][2])
    print()
    print("Where a call's time goes (medians of calls waited for one by one, ms):")
    print()
    print("| input size | call | " + " | ".join(n.removesuffix("_ms") for n in names) + " |")
    print("|---|---|" + "---|" * len(names))
    for size, call, profile in profiles:
        print(f"| {size} | {call} | " + " | ".join(f"{profile[n]:.3f}" for n in names) + " |")
PY
  [ "$status" -eq 0 ] || echo "GPU tests FAILED (exit $status)"
  return "$status"
}

case "${1:-}" in
  build) build ;;
  run) run ;;
  *) echo "usage: scripts/gpu-check.sh build|run" >&2; exit 2 ;;
esac
