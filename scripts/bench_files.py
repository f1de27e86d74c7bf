#!/usr/bin/env python3
"""End to end from image files: the twinproc CLI as a process against transformers in a long-lived
Python process, timed by the same clock, runs interleaved, each after half a second of quiet.

Usage: bench_files.py --twinproc BIN --config DIR [--numerics pil|torchvision] [--threads N] [--runs R] IMAGE...
twinproc: `BIN preprocess --config DIR --numerics N [--threads N] --out OUT IMAGE...` (start, decode,
preprocess, write safetensors). transformers: `Image.open` + `load` of every file, then
`processor(images, return_tensors="pt")` and `safetensors.torch.save_file` (the process, its imports
and the processor already loaded: what a long-lived server pays). Threads: both sides' defaults
unless --threads. Prints one JSON line per side: each run's seconds, and the median.
Needs transformers==5.23.0 torch==2.15.0 torchvision==0.29.2 pillow==13.0.0 (scripts/bench.sh installs them).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import torch
from PIL import Image
from safetensors.torch import save_file
from transformers import AutoImageProcessor


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--twinproc", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--numerics", choices=["pil", "torchvision"], default="torchvision")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    processor = AutoImageProcessor.from_pretrained(args.config, backend=args.numerics)
    out = tempfile.mkdtemp()
    command = [args.twinproc, "preprocess", "--config", args.config, "--numerics", args.numerics,
               "--out", os.path.join(out, "twinproc.safetensors")]
    if args.threads:
        command += ["--threads", str(args.threads)]
    command += args.images

    def twinproc():
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def transformers():
        images = []
        for path in args.images:
            image = Image.open(path)
            image.load()
            images.append(image)
        batch = processor(images, return_tensors="pt")
        save_file({"pixel_values": batch["pixel_values"].contiguous()}, os.path.join(out, "hf.safetensors"))

    runs = {"twinproc": [], "transformers": []}
    for side in (twinproc, transformers):
        side()  # warm-up: the files in the page cache, both sides' first-call costs paid
    for _ in range(max(args.runs, 1)):
        for name, side in (("twinproc", twinproc), ("transformers", transformers)):
            # Torch's OpenMP workers spin for a while after a call (GOMP_SPINCOUNT): let them
            # sleep first, so that neither side runs against the other's leftovers.
            time.sleep(0.5)
            start = time.perf_counter()
            side()
            runs[name].append(time.perf_counter() - start)
    for name, seconds in runs.items():
        print(json.dumps({
            "tool": name, "config": args.config, "numerics": args.numerics,
            "threads": args.threads or "default", "files": len(args.images),
            "seconds": [round(s, 4) for s in seconds], "median_s": statistics.median(seconds),
        }))


if __name__ == "__main__":
    main()
