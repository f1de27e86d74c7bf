#!/usr/bin/env python3
"""Write N deterministic RGB images of WxH (crops of the bundled photos, resized with Pillow) to DIR,
as PNG or as JPEG of quality 90 (Pillow's defaults otherwise: 4:2:0, baseline).

Usage: make_bench_images.py DIR [N] [W] [H] [png|jpg]
"""
import sys
from pathlib import Path

from PIL import Image

PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "camera.png", "coins.png"]


def main():
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 640
    height = int(sys.argv[4]) if len(sys.argv) > 4 else 480
    kind = sys.argv[5] if len(sys.argv) > 5 else "png"
    fixtures = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "images"
    out.mkdir(parents=True, exist_ok=True)
    photos = [Image.open(fixtures / name).convert("RGB") for name in PHOTOS]
    for i in range(n):
        photo = photos[i % len(photos)]
        # A different crop per image, so no two inputs are alike.
        dx, dy = (i * 7) % 40, (i * 11) % 40
        crop = photo.crop((dx, dy, photo.width - 40 + dx, photo.height - 40 + dy))
        image = crop.resize((width, height), Image.Resampling.BICUBIC)
        if kind == "jpg":
            image.save(out / f"bench_{i:03d}.jpg", quality=90)
        else:
            image.save(out / f"bench_{i:03d}.png")
    print(f"{n} images of {width}x{height} in {out}")


if __name__ == "__main__":
    main()
