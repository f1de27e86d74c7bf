#!/usr/bin/env python3
"""Small TIFF, BMP, WebP, PPM/PGM/PBM/PFM, TGA, ICO and QOI files written by Pillow 13, and what Pillow 13
decodes from each: the fixtures for our non-JPEG, non-PNG decoders.

Writes tests/fixtures/formats/<nn>_<format>_<mode>_<w>x<h>_<variant>.<ext>, plus:
  MANIFEST.json  a list, one entry per file, in the order the files are numbered:
                 {"file", "format": img.format, "mode": img.mode (first frame), "size": [w, h],
                  "info_transparency": "transparency" in img.info, "raw_offset", "raw_len", "raw_dtype",
                  "raw_shape", "rgb_offset"}
  decoded.xz     one lzma stream; per file, in manifest order:
                 raw  the bytes of np.asarray(Image.open(f)) in the opened mode, C order, little-endian
                      (raw_dtype is the numpy dtype of those bytes, so the one big-endian mode, TIFF
                      "I;16B", is stored byteswapped as "<u2"; mode "1" is "|b1", one byte a pixel:
                      0, or 255 as Pillow stores a set bit; mode "P" is palette indices, the
                      palette itself only shows in rgb);
                 rgb  the H x W x 3 uint8 bytes of transformers' convert_to_rgb(img, return_numpy=True)
                      (alpha, or info["transparency"], composited on white; otherwise img.convert("RGB")).
Pictures are synthetic and seeded (gradients, hard edges, noise, alpha from 0 to 255), so reruns give
byte-identical files; WebP (libwebp, single-threaded) included.

Pillow 13 cannot write, so skipped:
  - 16-bit-per-channel RGB TIFF: Pillow has no 16-bit RGB image mode to save from (the TIFF writer takes
    1, L, LA, P, PA, I, I;16, I;16L, I;16B, F, RGB, RGBX, RGBA, CMYK, YCbCr, LAB only).
    (16-bit RGB does appear once, as a hand-written binary P6 with maxval 65535; Pillow reads it as RGB.)
  - 4-bit palette BMP: Pillow's BMP writer only makes 1-, 8-, 24- and 32-bit files.
  - a palette file that keeps a transparency index: of these formats, only Pillow's PNG/GIF readers set
    info["transparency"]; the TIFF/BMP/TGA writers drop it. So no file here has info_transparency true.
    Nearest thing: a TGA whose palette has 32-bit BGRA entries (opens as "P" with an RGBA palette, no
    "A" band, no info["transparency"], so convert_to_rgb drops the palette alpha).
  - RLE TGA in mode "1" (Pillow refuses: "cannot write mode 1 as TGA with run-length encoding").
Hand-written here (Pillow reads but does not write them): plain P1/P2/P3, a P2 and a P5 with maxval
1000, a P3 with maxval 4095, a binary P6 with maxval 65535.

Usage: /tmp/hfref/bin/python scripts/make_format_fixture.py
       (needs Pillow==13.0.0, numpy and transformers for convert_to_rgb)
"""
import io
import json
import lzma
import pathlib

import numpy as np
import PIL
from PIL import Image
from transformers.image_transforms import convert_to_rgb

assert PIL.__version__.startswith("13."), PIL.__version__
root = pathlib.Path(__file__).resolve().parent.parent
out = root / "tests" / "fixtures" / "formats"
out.mkdir(parents=True, exist_ok=True)
for old in out.iterdir():
    if old.is_file():
        old.unlink()


def planes(width, height, channels, seed):
    """Per channel: a diagonal gradient, a hard-edged stripe pattern and noise, 0..255 as int64."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    result = []
    for c in range(channels):
        ramp = (x * (41 + 9 * c) + y * (17 + 13 * c) + 31 * c) % 256
        stripes = np.where((3 * x + y + 2 * c) % 13 < 6, 30, 220)
        noise = rng.integers(0, 72, size=(height, width))
        result.append(((ramp * 0.55 + stripes * 0.35 + noise * 0.6) % 256).astype(np.int64))
    return np.stack(result, -1)


def alpha_plane(width, height, seed):
    """Alpha with fully transparent and fully opaque patches between a noisy ramp."""
    rng = np.random.default_rng(seed + 1000)
    y, x = np.mgrid[0:height, 0:width]
    ramp = (x * 255 // max(width - 1, 1) + rng.integers(-20, 21, size=(height, width))).clip(0, 255)
    zone = (x // 4 + y // 3) % 4
    return np.select([zone == 0, zone == 1], [0, 255], ramp).astype(np.uint8)


def picture(mode, width, height, seed, palette_mode="RGB"):
    """A PIL image of the given mode, made from planes()."""
    size = (width, height)
    if mode in ("RGB", "CMYK", "L"):
        channels = {"RGB": 3, "CMYK": 4, "L": 1}[mode]
        return Image.frombytes(mode, size, planes(width, height, channels, seed).astype(np.uint8).tobytes())
    if mode in ("RGBA", "LA"):
        colour = planes(width, height, 3 if mode == "RGBA" else 1, seed).astype(np.uint8)
        both = np.concatenate([colour, alpha_plane(width, height, seed)[..., None]], -1)
        return Image.frombytes(mode, size, both.tobytes())
    if mode == "P":
        index = planes(width, height, 1, seed)[..., 0].astype(np.uint8)
        image = Image.frombytes("P", size, index.tobytes())
        entries = 4 if palette_mode == "RGBA" else 3
        palette = np.random.default_rng(seed + 2000).integers(0, 256, size=256 * entries, dtype=np.uint8)
        if palette_mode == "RGBA":
            palette[3::4][::5] = 0  # a few fully transparent entries
            palette[3::4][1::5] = 255
        image.putpalette(palette.tobytes(), palette_mode)
        return image
    if mode == "1":
        level = planes(width, height, 1, seed)[..., 0]
        y, x = np.mgrid[0:height, 0:width]
        bits = (level > 128) ^ ((x // 5 + y // 2) % 3 == 0)
        return Image.frombytes("1", size, np.packbits(bits, axis=1).tobytes())
    if mode in ("I;16", "I;16B"):
        rng = np.random.default_rng(seed)
        y, x = np.mgrid[0:height, 0:width]
        ramp = (x * 2711 + y * 1409) % 65536
        stripes = np.where((x + 2 * y) % 9 < 4, 1000, 60000)
        wide = ((ramp * 0.6 + stripes * 0.3 + rng.integers(0, 9000, size=(height, width))) % 65536)
        wide[0, 0], wide[-1, -1] = 0, 65535
        dtype = "<u2" if mode == "I;16" else ">u2"
        return Image.frombytes(mode, size, wide.astype(dtype).tobytes())
    if mode == "F":
        rng = np.random.default_rng(seed)
        values = rng.uniform(-40.0, 300.0, size=(height, width)).astype(np.float32)
        ties = np.array([0.5, 1.5, 2.5, 127.5, 254.5, 254.7, 255.0, 255.5, -0.5, 0.49], np.float32)
        values.flat[: ties.size] = ties
        return Image.frombytes("F", size, values.astype("<f4").tobytes())
    raise ValueError(mode)


def plain_pnm(magic, width, height, maxval, samples, comment):
    """A plain (ASCII) PNM: comments, uneven spacing, lines under 70 characters."""
    lines = [magic, f"# {comment}", f"{width}  {height}"]
    if maxval is not None:
        lines.append(str(maxval))
    words = [str(int(v)) for v in samples.ravel()]
    row = []
    for word in words:
        if sum(len(w) + 1 for w in row) + len(word) > 66:
            lines.append(" ".join(row))
            row = []
        row.append(word)
    lines.append("  ".join(row))
    return ("\n".join(lines) + "\n").encode()


def binary_pnm(magic, width, height, maxval, samples):
    """A raw PNM with maxval other than what Pillow writes (big-endian 16-bit samples when > 255)."""
    dtype = ">u2" if maxval > 255 else "u1"
    return b"%s\n%d %d\n%d\n" % (magic, width, height, maxval) + samples.astype(dtype).tobytes()


cases = []  # (format tag, mode tag, width, height, variant, extension, bytes-producing function)


def pillow_case(tag, ext, fmt, mode, w, h, variant, palette_mode="RGB", **options):
    def make(seed):
        data = io.BytesIO()
        picture(mode, w, h, seed, palette_mode).save(data, fmt, **options)
        return data.getvalue()
    cases.append((tag, mode, w, h, variant, ext, make))


# TIFF: every compression with RGB and L; every mode at least once.
for compression in ("raw", "tiff_lzw", "tiff_adobe_deflate", "packbits"):
    for mode in ("RGB", "L"):
        pillow_case("tiff", "tif", "TIFF", mode, 23, 17, compression, compression=compression)
pillow_case("tiff", "tif", "TIFF", "RGB", 40, 30, "tiff_lzw", compression="tiff_lzw")
pillow_case("tiff", "tif", "TIFF", "RGB", 40, 30, "tiff_lzw_predictor2", compression="tiff_lzw",
            tiffinfo={317: 2})
pillow_case("tiff", "tif", "TIFF", "RGB", 1, 1, "raw", compression="raw")
pillow_case("tiff", "tif", "TIFF", "L", 5, 40, "tiff_adobe_deflate", compression="tiff_adobe_deflate")
for mode, compressions in (("RGBA", ("raw", "tiff_lzw")), ("CMYK", ("raw", "tiff_adobe_deflate")),
                           ("LA", ("raw", "packbits")), ("P", ("raw", "tiff_lzw")),
                           ("1", ("raw", "packbits")), ("I;16", ("raw", "tiff_adobe_deflate")),
                           ("I;16B", ("raw",))):
    for compression in compressions:
        pillow_case("tiff", "tif", "TIFF", mode, 23, 17, compression, compression=compression)
pillow_case("tiff", "tif", "TIFF", "P", 5, 40, "packbits", compression="packbits")
pillow_case("tiff", "tif", "TIFF", "1", 33, 7, "tiff_lzw", compression="tiff_lzw")

# BMP: 24-bit, 8-bit palette, gray (written as an 8-bit gray palette), 1-bit, 32-bit.
for mode in ("RGB", "P", "L", "1", "RGBA"):
    pillow_case("bmp", "bmp", "BMP", mode, 23, 17, "plain")
pillow_case("bmp", "bmp", "BMP", "RGB", 1, 1, "plain")
pillow_case("bmp", "bmp", "BMP", "1", 5, 40, "plain")
pillow_case("bmp", "bmp", "BMP", "P", 33, 7, "plain")

# WebP: lossy at three qualities, lossy with alpha, lossless, and a three-frame animation.
for quality in (10, 75, 100):
    pillow_case("webp", "webp", "WEBP", "RGB", 40, 30, f"lossy_q{quality}", quality=quality)
pillow_case("webp", "webp", "WEBP", "RGB", 33, 7, "lossy_q75", quality=75)
pillow_case("webp", "webp", "WEBP", "RGBA", 40, 30, "lossy_q75", quality=75)
pillow_case("webp", "webp", "WEBP", "RGB", 23, 17, "lossless", lossless=True)
pillow_case("webp", "webp", "WEBP", "RGBA", 23, 17, "lossless", lossless=True)
pillow_case("webp", "webp", "WEBP", "RGB", 1, 1, "lossy_q75", quality=75)


def animated_webp(seed):
    frames = [picture("RGB", 23, 17, seed + k) for k in range(3)]
    data = io.BytesIO()
    frames[0].save(data, "WEBP", save_all=True, append_images=frames[1:], duration=[80, 120, 100], loop=0,
                   quality=80)
    return data.getvalue()


cases.append(("webp", "RGB", 23, 17, "animated3_q80", "webp", animated_webp))

# PPM family as Pillow writes it: P6, P5 8-bit, P5 16-bit (from I;16), P4, and PFM from mode F.
pillow_case("ppm", "ppm", "PPM", "RGB", 23, 17, "p6")
pillow_case("pgm", "pgm", "PPM", "L", 23, 17, "p5")
pillow_case("pgm", "pgm", "PPM", "I;16", 23, 17, "p5_maxval65535")
pillow_case("pbm", "pbm", "PPM", "1", 23, 17, "p4")
pillow_case("pbm", "pbm", "PPM", "1", 1, 1, "p4")
pillow_case("pfm", "pfm", "PPM", "F", 23, 17, "pf")


def pnm_case(tag, mode, w, h, variant, ext, build):
    cases.append((tag, mode, w, h, variant, ext, build))


pnm_case("ppm", "RGB", 23, 17, "p3_plain", "ppm",
         lambda seed: plain_pnm("P3", 23, 17, 255, planes(23, 17, 3, seed), "plain RGB"))
pnm_case("pgm", "L", 23, 17, "p2_plain", "pgm",
         lambda seed: plain_pnm("P2", 23, 17, 255, planes(23, 17, 1, seed), "plain gray"))
pnm_case("pbm", "1", 23, 17, "p1_plain", "pbm",
         lambda seed: plain_pnm("P1", 23, 17, None, planes(23, 17, 1, seed) > 128, "plain bilevel"))
pnm_case("pgm", "I", 23, 17, "p2_plain_maxval1000", "pgm",
         lambda seed: plain_pnm("P2", 23, 17, 1000, planes(23, 17, 1, seed) * 1000 // 255, "maxval 1000"))
pnm_case("ppm", "RGB", 23, 17, "p3_plain_maxval4095", "ppm",
         lambda seed: plain_pnm("P3", 23, 17, 4095, planes(23, 17, 3, seed) * 16 + seed % 16, "12-bit"))
pnm_case("pgm", "I", 23, 17, "p5_maxval1000", "pgm",
         lambda seed: binary_pnm(b"P5", 23, 17, 1000, planes(23, 17, 1, seed) * 1000 // 255))
pnm_case("ppm", "RGB", 23, 17, "p6_maxval65535", "ppm",
         lambda seed: binary_pnm(b"P6", 23, 17, 65535, planes(23, 17, 3, seed) * 257 + (seed % 200)))

# TGA: RGB, RGBA, L, P uncompressed and RLE; LA both ways, 1 uncompressed, a BGRA palette, top-left origin.
for mode in ("RGB", "RGBA", "L", "P", "LA"):
    pillow_case("tga", "tga", "TGA", mode, 23, 17, "raw")
    pillow_case("tga", "tga", "TGA", mode, 23, 17, "rle", compression="tga_rle")
pillow_case("tga", "tga", "TGA", "1", 23, 17, "raw")
pillow_case("tga", "tga", "TGA", "P", 23, 17, "raw_bgra_palette", palette_mode="RGBA")
pillow_case("tga", "tga", "TGA", "P", 23, 17, "rle_bgra_palette", palette_mode="RGBA", compression="tga_rle")
pillow_case("tga", "tga", "TGA", "RGB", 33, 7, "raw_topleft", orientation=1)
pillow_case("tga", "tga", "TGA", "RGBA", 33, 7, "rle_topleft", compression="tga_rle", orientation=1)

# ICO: 16, 32 and 48 px from one 48x48 picture, PNG-embedded (Pillow's default) and BMP-embedded.
for mode in ("RGBA", "RGB"):
    pillow_case("ico", "ico", "ICO", mode, 48, 48, "png_16_32_48", sizes=[(16, 16), (32, 32), (48, 48)])
    pillow_case("ico", "ico", "ICO", mode, 48, 48, "bmp_16_32_48", sizes=[(16, 16), (32, 32), (48, 48)],
                bitmap_format="bmp")

# QOI (Pillow 13 writes it).
pillow_case("qoi", "qoi", "QOI", "RGB", 23, 17, "plain")
pillow_case("qoi", "qoi", "QOI", "RGBA", 23, 17, "plain")
pillow_case("qoi", "qoi", "QOI", "RGBA", 40, 30, "plain")

manifest, decoded = [], bytearray()
for n, (tag, mode, w, h, variant, ext, make) in enumerate(cases):
    name = f"{n:02d}_{tag}_{mode.lower().replace(';', '')}_{w}x{h}_{variant}.{ext}"
    (out / name).write_bytes(make(n))
    with Image.open(out / name) as opened:
        opened.load()
        raw = np.asarray(opened)
        if raw.dtype.byteorder == ">":
            raw = raw.astype(raw.dtype.newbyteorder("<"))
        raw = np.ascontiguousarray(raw)
        rgb = np.ascontiguousarray(convert_to_rgb(opened, return_numpy=True))
        assert rgb.dtype == np.uint8 and rgb.shape == (opened.height, opened.width, 3), (name, rgb.shape)
        entry = {"file": name, "format": opened.format, "mode": opened.mode, "size": list(opened.size),
                 "info_transparency": "transparency" in opened.info,
                 "raw_offset": len(decoded), "raw_len": raw.nbytes, "raw_dtype": raw.dtype.str,
                 "raw_shape": list(raw.shape)}
        decoded += raw.tobytes()
        entry["rgb_offset"] = len(decoded)
        decoded += rgb.tobytes()
    manifest.append(entry)
(out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")
(out / "decoded.xz").write_bytes(lzma.compress(bytes(decoded), preset=9))
print(len(manifest), "files;", len(decoded), "decoded bytes")
