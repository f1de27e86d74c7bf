#!/usr/bin/env python3
"""A JPEG corpus written by Pillow 13 (libjpeg-turbo) and what Pillow 13 decodes from each file:
chroma subsampling 4:4:4 / 4:2:2 / 4:2:0, baseline, optimized and progressive, restart intervals,
grayscale, CMYK (Adobe-inverted, as Pillow writes it), odd, tiny and larger sizes, quality 10 to
100, EXIF and ICC present; and
4:1:1 and 4:4:0, which Pillow cannot write, by libjpeg-turbo's encoder (`encode-jpeg`, built by cargo).
Writes tests/fixtures/jpeg/*.jpg, and jpeg/decoded.xz: for each file in MANIFEST.json order, the
bytes of `Image.open(f)` (L or RGB; CMYK as `.convert("RGB")`, what convert_to_rgb hands on).

Usage: python scripts/make_jpeg_fixture.py   (needs Pillow==13.0.0 and numpy)
"""
import io
import json
import lzma
import pathlib
import subprocess

import numpy as np
import PIL
from PIL import Image, ImageCms

assert PIL.__version__.startswith("13."), PIL.__version__
root = pathlib.Path(__file__).resolve().parent.parent
out = root / "tests" / "fixtures" / "jpeg"
out.mkdir(parents=True, exist_ok=True)
for old in out.glob("*.jpg"):
    old.unlink()


def picture(width, height, channels, seed):
    """Gradients, a hard edge and noise: every block type a decoder meets."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    planes = []
    for c in range(channels):
        smooth = (x * (37 + 11 * c) + y * (23 + 7 * c)) % 256
        edge = np.where((x + 2 * y + c) % 11 < 5, 40, 210)
        noise = rng.integers(0, 64, size=(height, width))
        planes.append((smooth * 0.6 + edge * 0.3 + noise * 0.5) % 256)
    return np.stack(planes, -1).astype(np.uint8)


cases = []
sizes = [(64, 48), (17, 13), (1, 1), (33, 7), (5, 40), (97, 61)]
for i, (w, h) in enumerate(sizes):
    for subsampling in (0, 1, 2):
        for quality in (10, 75, 100) if i < 2 else (90,):
            cases.append(("RGB", w, h, dict(quality=quality, subsampling=subsampling)))
for w, h in [(64, 48), (17, 13)]:
    cases.append(("RGB", w, h, dict(quality=85, progressive=True)))
    cases.append(("RGB", w, h, dict(quality=85, progressive=True, subsampling=0)))
    cases.append(("RGB", w, h, dict(quality=60, optimize=True)))
    cases.append(("RGB", w, h, dict(quality=90, restart_marker_blocks=1)))
    cases.append(("RGB", w, h, dict(quality=90, restart_marker_rows=1, subsampling=2)))
    cases.append(("RGB", w, h, dict(quality=90, restart_marker_blocks=3, progressive=True)))
    for quality in (20, 95):
        cases.append(("L", w, h, dict(quality=quality)))
        cases.append(("CMYK", w, h, dict(quality=quality)))
    cases.append(("L", w, h, dict(quality=80, progressive=True)))
    cases.append(("CMYK", w, h, dict(quality=80, progressive=True)))

# Luma sampling factors Pillow's encoder does not offer: 4:1:1 (4x1) and 4:4:0 (1x2).
for w, h in [(64, 48), (17, 13), (33, 7), (1, 1)]:
    for factors in ((4, 1), (1, 2)):
        for quality in (30, 95):
            cases.append(("RGB", w, h, dict(quality=quality, sampling=factors)))

# Metadata a decoder must step over (object semantics: Pillow neither turns nor converts here):
# EXIF with an orientation, an ICC profile (sRGB, by LittleCMS); and larger odd sizes, whose
# rows are longer than the vector paths' widths.
srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
exif = Image.Exif()
exif[0x0112] = 6
for subsampling in (0, 2):
    cases.append(("RGB", 64, 48, dict(quality=90, subsampling=subsampling, exif=exif.tobytes(), icc_profile=srgb)))
for subsampling in (1, 2):
    cases.append(("RGB", 163, 121, dict(quality=90, subsampling=subsampling)))

subprocess.run(["cargo", "build", "-q", "--release", "-p", "twinproc-golden-tests", "--bin", "encode-jpeg"],
               cwd=root, check=True)
encoder = root / "target" / "release" / "encode-jpeg"

manifest, decoded = [], bytearray()
for n, (mode, w, h, options) in enumerate(cases):
    channels = {"L": 1, "RGB": 3, "CMYK": 4}[mode]
    array = picture(w, h, channels, n)
    image = Image.fromarray(array[..., 0] if channels == 1 else array, mode)
    data = io.BytesIO()
    if "sampling" in options:
        (hf, vf), quality = options["sampling"], options["quality"]
        args = [encoder, str(w), str(h), str(hf), str(vf), str(quality)]
        data.write(subprocess.run(args, input=array.tobytes(), capture_output=True, check=True).stdout)
        options = dict(quality=quality, sampling=f"{hf}x{vf}")
    else:
        image.save(data, "JPEG", **options)
    named = {k: ("yes" if isinstance(v, bytes) else v) for k, v in options.items()}
    name = f"{n:02d}_{mode.lower()}_{w}x{h}_" + "_".join(f"{k}{v}" for k, v in sorted(named.items())) + ".jpg"
    (out / name).write_bytes(data.getvalue())
    opened = Image.open(out / name)
    opened.load()
    rgb = opened.convert("RGB") if opened.mode == "CMYK" else opened
    manifest.append({"file": name, "pillow_mode": opened.mode, "mode": rgb.mode, "width": w, "height": h,
                     "offset": len(decoded), "len": len(rgb.tobytes())})
    decoded += rgb.tobytes()
(out / "MANIFEST.json").write_text(json.dumps({"pillow": PIL.__version__, "files": manifest}, indent=1) + "\n")
(out / "decoded.xz").write_bytes(lzma.compress(bytes(decoded), preset=9))
print(len(manifest), "files;", len(decoded), "decoded bytes")
