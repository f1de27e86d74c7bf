#!/usr/bin/env bash
# End to end from files, on this machine: the CLI as a process against transformers 5.23
# (`Image.open` + processor + save) on 64 images of 640x480, as PNG and as JPEG q90, CLIP,
# torchvision numerics, both sides at their default threads (scripts/bench_files.py).
# Usage: [RUNS=N] scripts/bench_files.sh   (installs the pinned transformers stack into $VENV,
# default /tmp/hfref, as scripts/bench.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-/tmp/hfref}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q transformers==5.23.0 torch==2.15.0 torchvision==0.29.2 pillow==13.0.0 numpy==2.4.6 safetensors==0.8.0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release -q --bin twinproc
echo "# $(uname -m), $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%dT%H:%MZ)"
for kind in jpg png; do
  "$venv/bin/python" scripts/make_bench_images.py "$work/$kind" 64 640 480 "$kind" >&2
  "$venv/bin/python" scripts/bench_files.py --twinproc target/release/twinproc \
    --config tests/fixtures/configs/clip_vit_b32 --runs "${RUNS:-9}" "$work/$kind"/*."$kind" |
    sed "s/^{/{\"format\":\"$kind\",/"
done
