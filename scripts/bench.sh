#!/usr/bin/env bash
# CLIP on 64 images of 640x480: twinproc bench and transformers 5.23 in the same run, on this machine.
# Usage: scripts/bench.sh [REPEAT]   (installs the pinned transformers stack into $VENV, default /tmp/hfref)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-10}
venv=${VENV:-/tmp/hfref}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q transformers==5.23.0 torch==2.15.0 torchvision==0.29.2 pillow==13.0.0 numpy==2.4.6 safetensors==0.8.0
fi
images=$(mktemp -d)
"$venv/bin/python" scripts/make_bench_images.py "$images" 64 640 480 >&2
cargo build --release -q --bin twinproc
config=tests/fixtures/configs/clip_vit_b32
echo "# $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for threads in 1 2; do
  for numerics in pil torchvision; do
    ./target/release/twinproc bench --config "$config" --numerics "$numerics" --threads "$threads" --repeat "$repeat" "$images"/*.png
    "$venv/bin/python" scripts/bench_transformers.py --config "$config" --backend "$numerics" --threads "$threads" --repeat "$repeat" "$images"/*.png
  done
  "$venv/bin/python" scripts/bench_transformers.py --config "$config" --backend torchvision --input tensor --threads "$threads" --repeat "$repeat" "$images"/*.png
done
rm -rf "$images"
