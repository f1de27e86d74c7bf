#!/usr/bin/env python3
"""Time transformers' own image processor on the images twinproc's bench uses, the same way.

Usage: bench_transformers.py --config DIR --backend pil|torchvision [--threads N] [--repeat R] IMAGE...
Images are decoded once (PIL.Image.open + load); then one warm-up call and R timed calls of
`processor(images, return_tensors="pt")`; prints one JSON line like `twinproc bench`.
Needs transformers==5.23.0 torch==2.15.0 torchvision==0.29.2 pillow==13.0.0 (scripts/bench.sh installs them).
"""
import argparse
import json
import statistics
import time

import torch
import transformers
from PIL import Image
from transformers import AutoImageProcessor


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--backend", choices=["pil", "torchvision"], required=True)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--input", choices=["pil", "tensor", "pinned", "device"], default="pil",
                        help="PIL images, uint8 CHW tensors (pageable), pinned tensors, or tensors on the GPU")
    parser.add_argument("--device", default="cpu", help="where the torchvision backend computes (cpu, cuda)")
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    processor = AutoImageProcessor.from_pretrained(args.config, backend=args.backend)
    images = []
    for path in args.images:
        image = Image.open(path)
        image.load()
        images.append(image)
    if args.input != "pil":
        from torchvision.transforms.functional import pil_to_tensor

        images = [pil_to_tensor(image.convert("RGB")) for image in images]
        if args.input == "pinned":
            images = [t.pin_memory() for t in images]
        elif args.input == "device":
            images = [t.to(args.device) for t in images]
    kwargs = {"return_tensors": "pt"}
    if args.device != "cpu":
        kwargs["device"] = args.device

    def sync():
        if args.device != "cpu":
            torch.cuda.synchronize()

    processor(images, **kwargs)  # warm-up
    sync()
    seconds = []
    for _ in range(max(args.repeat, 1)):
        start = time.perf_counter()
        processor(images, **kwargs)
        sync()
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(json.dumps({
        "tool": f"transformers {transformers.__version__} ({type(processor).__name__} on {args.device}, {args.input} input)",
        "threads": torch.get_num_threads(),
        "images": len(images),
        "repeat": len(seconds),
        "median_s": median,
        "images_per_s": len(images) / median,
    }))


if __name__ == "__main__":
    main()
