#!/usr/bin/env bash
# twinproc bench and transformers 5.23 in the same run, on this machine: CLIP on 64 images of
# 640x480 and 16 of 1920x1080, SigLIP-384 and LLaVA-OneVision on 64 of 640x480; 1 and 2 threads.
# Usage: [ROUNDS=N] scripts/bench.sh [REPEAT] [CASE...]   (CASE: clip, clip-1080p, siglip, llava;
# default all). twinproc runs twice: giving each call's output memory back for the next (a
# `preprocess_into` loop), and into fresh memory (`--fresh`). Each measurement, both sides, runs
# ROUNDS times (default 1) as separate processes, interleaved; the table takes each one's median
# round (a shared machine's slow spells last seconds).
# Installs the pinned transformers stack into $VENV (default /tmp/hfref). Prints JSON lines, then a
# table (scripts/bench_table.py).
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-10}
shift || true
cases=${*:-clip clip-1080p siglip llava}
venv=${VENV:-/tmp/hfref}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q transformers==5.23.0 torch==2.15.0 torchvision==0.29.2 pillow==13.0.0 numpy==2.4.6 safetensors==0.8.0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" scripts/make_bench_images.py "$work/vga" 64 640 480 >&2
"$venv/bin/python" scripts/make_bench_images.py "$work/hd" 16 1920 1080 >&2
cargo build --release -q --bin twinproc
log=$work/log
echo "# $(uname -m), $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%dT%H:%MZ)" >"$log"
fixtures=tests/fixtures/configs
for case in $cases; do
  case $case in
    clip) config=$fixtures/clip_vit_b32 images=$work/vga ;;
    clip-1080p) config=$fixtures/clip_vit_b32 images=$work/hd ;;
    siglip) config=$fixtures/siglip_so400m_384 images=$work/vga ;;
    llava) config=$fixtures/llava_onevision_qwen2_0.5b_ov images=$work/vga ;;
    *) echo "unknown case $case" >&2; exit 2 ;;
  esac
  for round in $(seq "${ROUNDS:-1}"); do
  for threads in 1 2; do
    for numerics in pil torchvision; do
      # Each call's outputs given back for the next (a `preprocess_into` loop), then fresh memory.
      for fresh in "" --fresh; do
        ./target/release/twinproc bench --config "$config" --numerics "$numerics" --threads "$threads" --repeat "$repeat" $fresh "$images"/*.png |
          sed "s/^{/{\"case\":\"$case\",/" | tee -a "$log"
      done
      "$venv/bin/python" scripts/bench_transformers.py --config "$config" --backend "$numerics" --threads "$threads" --repeat "$repeat" "$images"/*.png |
        sed "s/^{/{\"case\":\"$case\",/" | tee -a "$log"
    done
    "$venv/bin/python" scripts/bench_transformers.py --config "$config" --backend torchvision --input tensor --threads "$threads" --repeat "$repeat" "$images"/*.png |
      sed "s/^{/{\"case\":\"$case\",/" | tee -a "$log"
  done
  done
done
python3 scripts/bench_table.py < "$log"
