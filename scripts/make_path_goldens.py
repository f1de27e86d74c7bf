#!/usr/bin/env python3
"""Path-string semantics of transformers 5.23 image processors: what `processor("x.jpg")` gives, next to
`processor(Image.open("x.jpg"))`, on both backends, for small synthetic files of every format a path can
name (JPEG with EXIF orientation 1..8, gray, CMYK, progressive; PNG RGB/RGBA/LA/L/P/P+tRNS/16-bit/eXIf;
GIF single and animated; WebP lossy and lossless+alpha; BMP; TIFF).

Writes, under tests/fixtures/path/:
  images/*                         the input files (written here with Pillow, 16-bit RGB PNG by hand)
  configs/<name>/preprocessor_config.json   two tiny CLIP configs, written by `save_pretrained`
  goldens.safetensors              pixel_values (float32, as produced) and loader-level arrays
  MANIFEST.json                    every key, its input, backend, form, shape, dtype; errors; comparisons

Keys in goldens.safetensors:
  <config>/<file>/<pil|torchvision>/<path|object>   pixel_values of `proc(x, return_tensors="pt")`, x = the
      path string (relative to the repository root, the script runs there) or `Image.open(path)`. If the
      outputs cannot be stacked the call is retried with return_tensors=None and the items are stored as
      `<key>.000`, `<key>.001`, ... A call that raises has no key; MANIFEST.json records the exception.
  decoded/<file>/pil            np.asarray(transformers.image_utils.load_image(path))   H x W x 3 uint8
  decoded/<file>/torchvision    torchvision.io.decode_image(path, ImageReadMode.RGB, apply_exif_orientation=True)
                                as returned: C x H x W, uint8 (uint16 for 16-bit PNG), N x C x H x W for an
                                animated GIF (transformers turns the 4-D tensor into N images)
  decoded/<file>/pil_frame.NNN  animated GIF only: every frame as Pillow composes it, `.convert("RGB")`
                                (what load_image would give if it seeked; it does not, it takes frame 0)

Where a path string is loaded (read from the installed sources; `check_sources()` asserts these lines):

  Both backends: BaseImageProcessor.__call__ -> preprocess -> _preprocess_image_like_inputs ->
  _prepare_image_like_inputs -> _prepare_images_structure, which calls `self.fetch_images(images)`
  (transformers/image_processing_utils.py:257) and then `make_flat_list_of_images`; a 4-D tensor (animated
  GIF) becomes `list(images)`, one image per frame (transformers/image_utils.py:239).

  PIL backend (PilBackend does not override fetch_images):
    ImageProcessingMixin.fetch_images           transformers/image_processing_base.py:489
      str -> load_image(image_url_or_urls)      transformers/image_processing_base.py:499
    load_image                                  transformers/image_utils.py:474
      os.path.isfile(image) -> PIL.Image.open(image)          image_utils.py:496-497
      PIL.ImageOps.exif_transpose(image)                      image_utils.py:514
      image.convert("RGB")                                    image_utils.py:515
    The RGB PIL image then goes through PilBackend.convert_to_rgb -> image_transforms.convert_to_rgb
    (backends.py:505; image_transforms.py:779-783): it composites on white only when the image has an
    alpha band or info["transparency"], which after convert("RGB") is only a palette tRNS colour key.

  torchvision backend:
    TorchvisionBackend.fetch_images             transformers/image_processing_backends.py:100
      str -> load_image_as_tensor(...)          transformers/image_processing_backends.py:110
    load_image_as_tensor                        transformers/image_utils.py:520
      torchcodec only if >= 0.16 and usable (image_utils.py:539); it is not installed, so
      `from torchvision.io import ImageReadMode, decode_image` (image_utils.py:543) and
      `decode_image = partial(decode_image, apply_exif_orientation=True)` (image_utils.py:547)
      os.path.isfile(image) -> decode_image(image, mode=ImageReadMode.RGB)   image_utils.py:560-561
    torchvision/io/image.py:416 decode_image(input, mode, apply_exif_orientation):
      input = read_file(str(input))                                      image.py:469
      torch.ops.image.decode_image(input, mode.value, apply_exif_orientation)   image.py:472
      (C++: sniffs JPEG / PNG / GIF / AVIF / HEIC / WebP magic; anything else raises)
    The tensor skips the PIL conversion: TorchvisionBackend.process_image only repeats a 1-channel image or
    composites 4 channels (backends.py:148-149); its dtype (uint16 for 16-bit PNG) is kept.
  The PIL-object form (Image.open) is never EXIF-transposed and goes through convert_to_rgb on both backends
  (backends.py:131 for torchvision).

  ("backends.py" = transformers/image_processing_backends.py.)

What the run shows (MANIFEST.json: decoded, orientation_check, path_vs_object, pil_path_vs_torchvision_path):
  - Both loaders give the same uint8 pixels for every JPEG (4:2:0, gray, Adobe CMYK, progressive), 8-bit PNG,
    GIF and WebP here (max abs 0); EXIF orientation 1..8 of JPEG and the PNG eXIf chunk is applied by both and
    equals Pillow's transpose of the stored pixels.
  - Alpha is dropped on the path route of both backends (RGBA, LA, WebP RGBA, palette tRNS with alpha bytes),
    while the PIL-object route composites on white. Exception: a single palette tRNS index survives
    load_image's convert("RGB") as an RGB colour key, so the PIL backend composites every pixel of that colour
    (also other, opaque palette entries of the same colour); torchvision's libpng route never composites.
  - 16-bit PNG: load_image gives 8 bits (gray I;16 clipped to 255, RGB 16 the high byte); decode_image gives
    uint16 that the torchvision backend rescales by 1/255 anyway (pixel_values in the hundreds).
  - Animated GIF: the PIL route takes frame 0; decode_image returns all frames (composited like Pillow's
    seek) and the torchvision backend processes each as an image.
  - BMP and TIFF: decode_image raises RuntimeError ("Unsupported image file ..."); the PIL route loads them.
  - safetensors 0.8.0's numpy writer stores a non-contiguous array's raw buffer (decode_image returns a
    permuted view): every array is made contiguous and the file is read back and compared.

Usage: /tmp/hfref/bin/python scripts/make_path_goldens.py
Needs exactly transformers 5.23.0, torch 2.15.0, torchvision 0.29.2, Pillow 13.0.0, numpy 2.4.6,
safetensors 0.8.0, and torchcodec NOT installed. Deterministic: a second run writes identical bytes.
"""
import importlib.util
import json
import os
import pathlib
import shutil
import struct
import sys
import warnings
import zlib

REQUIRED = {"transformers": "5.23.0", "torch": "2.15.0", "torchvision": "0.29.2", "PIL": "13.0.0",
            "numpy": "2.4.6", "safetensors": "0.8.0"}


def check_versions():
    found, bad = {}, []
    for name, want in REQUIRED.items():
        try:
            module = __import__(name)
        except ImportError:
            bad.append(f"{name} is not installed (need {want})")
            continue
        have = module.__version__.split("+")[0]
        found[name] = module.__version__
        if have != want:
            bad.append(f"{name}=={have} (need {want})")
    if importlib.util.find_spec("torchcodec") is not None:
        bad.append("torchcodec is installed (it must not be: transformers would decode paths with it)")
    if bad:
        sys.exit("make_path_goldens.py: wrong environment: " + "; ".join(bad)
                 + "\nUse /tmp/hfref/bin/python (transformers 5.23.0, torch 2.15.0, torchvision 0.29.2, "
                   "Pillow 13.0.0, numpy 2.4.6, safetensors 0.8.0, no torchcodec).")
    return found


VERSIONS = check_versions()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
import transformers  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.numpy import load_file, save_file  # noqa: E402
from torchvision.io import ImageReadMode, decode_image  # noqa: E402
from transformers import AutoImageProcessor  # noqa: E402
from transformers.image_utils import load_image  # noqa: E402

warnings.filterwarnings("ignore")
transformers.logging.set_verbosity_error()
torch.set_num_threads(1)

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "tests" / "fixtures" / "path"
images_dir = out / "images"
configs_dir = out / "configs"
os.chdir(root)  # path strings are passed relative to the repository root


def check_sources():
    """The file:line citations of the docstring, checked against the installed packages."""
    tf = pathlib.Path(transformers.__file__).parent
    tv = pathlib.Path(torchvision.__file__).parent
    cites = [
        (tf / "image_processing_utils.py", 257, "images = self.fetch_images(images)"),
        (tf / "image_utils.py", 239, "return list(images)"),
        (tf / "image_processing_base.py", 489, "def fetch_images("),
        (tf / "image_processing_base.py", 499, "return load_image(image_url_or_urls)"),
        (tf / "image_utils.py", 474, "def load_image("),
        (tf / "image_utils.py", 496, "elif os.path.isfile(image):"),
        (tf / "image_utils.py", 497, "image = PIL.Image.open(image)"),
        (tf / "image_utils.py", 514, "image = PIL.ImageOps.exif_transpose(image)"),
        (tf / "image_utils.py", 515, 'image = image.convert("RGB")'),
        (tf / "image_processing_backends.py", 100, "def fetch_images("),
        (tf / "image_processing_backends.py", 110, "return load_image_as_tensor(image_url_or_urls)"),
        (tf / "image_processing_backends.py", 131, "convert_to_rgb_pil(image, return_numpy=True)"),
        (tf / "image_processing_backends.py", 149, "image = self.convert_to_rgb(image"),
        (tf / "image_processing_backends.py", 505, "return convert_to_rgb_pil(image"),
        (tf / "image_transforms.py", 779, 'has_alpha = "A" in image.getbands()'),
        (tf / "image_transforms.py", 783, "PIL.Image.alpha_composite(background, image)"),
        (tf / "image_utils.py", 520, "def load_image_as_tensor("),
        (tf / "image_utils.py", 539, 'is_torchcodec_greater_or_equal("0.16.0")'),
        (tf / "image_utils.py", 543, "from torchvision.io import ImageReadMode, decode_image"),
        (tf / "image_utils.py", 547, "decode_image = partial(decode_image, apply_exif_orientation=True)"),
        (tf / "image_utils.py", 560, "elif os.path.isfile(image):"),
        (tf / "image_utils.py", 561, "return decode_image(image, mode=ImageReadMode.RGB)"),
        (tv / "io" / "image.py", 416, "def decode_image("),
        (tv / "io" / "image.py", 469, "input = read_file(str(input))"),
        (tv / "io" / "image.py", 472, "torch.ops.image.decode_image(input, mode.value, apply_exif_orientation)"),
    ]
    for file, line, text in cites:
        got = file.read_text().splitlines()[line - 1]
        assert text in got, f"{file}:{line} is {got.strip()!r}, expected {text!r}: update the docstring"


# ---------------------------------------------------------------------------------------------- inputs

W, H = 37, 23  # non-square, odd: transposes change the shape, centre-crop offsets are not halves


def picture(seed, width=W, height=H):
    """RGB uint8: red grows to the right, green downwards, blue a diagonal stripe, a little noise, and a
    red-ish marker in the top-left corner, so every one of the 8 orientations gives a different array."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    r = 20 + x * 230 // max(width - 1, 1)
    g = 30 + y * 200 // max(height - 1, 1)
    b = ((x * 3 + y * 7) % 50) * 4 + 20
    rgb = np.stack([r, g, b], -1) + rng.integers(-6, 7, size=(height, width, 3))
    rgb[0:3, 0:5] = (250, 12, 40)
    rgb[height - 2:, width - 3:] = (10, 10, 90)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def palette_indices(shift=0):
    y, x = np.mgrid[0:H, 0:W]
    idx = ((x // 5) + (y // 4) * 8 + shift) % 32
    idx[0:3, 0:5] = 31
    return idx.astype(np.uint8)


def palette_colours():
    k = np.arange(256)
    pal = np.stack([(k * 53) % 256, (k * 97 + 40) % 256, (k * 31 + 200) % 256], -1).astype(np.uint8)
    return pal.reshape(-1).tolist()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16_rgb(path, array):
    """A true 16-bit-per-channel RGB PNG (Pillow cannot write one): IHDR depth 16, colour type 2."""
    height, width, _ = array.shape
    rows = b"".join(b"\x00" + array[i].astype(">u2").tobytes() for i in range(height))
    data = b"\x89PNG\r\n\x1a\n"
    data += png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0))
    data += png_chunk(b"IDAT", zlib.compress(rows, 9))
    data += png_chunk(b"IEND", b"")
    path.write_bytes(data)


def png_ihdr(path):
    data = path.read_bytes()
    assert data[12:16] == b"IHDR"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    return {"width": width, "height": height, "bit_depth": depth, "colour_type": colour}


def exif_orientation(n):
    exif = Image.Exif()
    exif[0x0112] = n
    return exif


def write_inputs():
    """Returns [(file name, note)] in a fixed order."""
    files = []
    base = picture(1)
    rgb = Image.fromarray(base, "RGB")

    def add(name, note, save):
        save(images_dir / name)
        files.append((name, note))

    for n in range(1, 9):
        add(f"jpeg_orient{n}.jpg", f"RGB JPEG q90, EXIF Orientation {n}; same pixels as jpeg_noexif.jpg",
            lambda p, n=n: rgb.save(p, "JPEG", quality=90, exif=exif_orientation(n)))
    add("jpeg_noexif.jpg", "RGB JPEG q90 4:2:0, no EXIF", lambda p: rgb.save(p, "JPEG", quality=90))
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>')
    add("jpeg_xmp_orient6.jpg", "RGB JPEG q90, no EXIF, XMP tiff:Orientation=\"6\" (Pillow's getexif reads it; "
        "torchvision does not)", lambda p: rgb.save(p, "JPEG", quality=90, xmp=xmp))
    from PIL import PngImagePlugin
    xmp_info = PngImagePlugin.PngInfo()
    xmp_info.add_itxt("XML:com.adobe.xmp", xmp.decode().replace('Orientation="6"', "Orientation>8<"), zip=True)
    add("png_xmp_orient8.png", "RGB PNG, no eXIf, compressed iTXt XMP with <tiff:Orientation>8<",
        lambda p: Image.fromarray(picture(7), "RGB").save(p, "PNG", pnginfo=xmp_info))
    add("jpeg_gray.jpg", "L JPEG q90", lambda p: Image.fromarray(base[..., 1], "L").save(p, "JPEG", quality=90))
    cmyk = np.concatenate([255 - base, ((base[..., :1].astype(int) + base[..., 2:3]) // 3).astype(np.uint8)], -1)
    add("jpeg_cmyk.jpg", "CMYK JPEG q90 (Pillow writes Adobe-inverted CMYK)",
        lambda p: Image.fromarray(cmyk, "CMYK").save(p, "JPEG", quality=90))
    add("jpeg_progressive.jpg", "RGB progressive JPEG q90",
        lambda p: Image.fromarray(picture(2), "RGB").save(p, "JPEG", quality=90, progressive=True))

    add("png_rgb.png", "RGB PNG", lambda p: Image.fromarray(picture(3), "RGB").save(p, "PNG"))
    y, x = np.mgrid[0:H, 0:W]
    alpha = np.clip((x - 6) * 12, 0, 255).astype(np.uint8)  # columns 0..6 fully transparent, right opaque
    alpha[18:, :] = 255
    rgba = np.concatenate([picture(4), alpha[..., None]], -1)
    add("png_rgba.png", "RGBA PNG, alpha 0 (cols 0-6) rising to 255; coloured pixels under alpha 0",
        lambda p: Image.fromarray(rgba, "RGBA").save(p, "PNG"))
    la = np.stack([picture(5)[..., 0], alpha[::-1, ::-1]], -1)
    add("png_la.png", "LA PNG, varying alpha incl. 0", lambda p: Image.fromarray(la, "LA").save(p, "PNG"))
    add("png_l.png", "L PNG", lambda p: Image.fromarray(picture(6)[..., 2], "L").save(p, "PNG"))

    def palette_image(shift=0):
        im = Image.fromarray(palette_indices(shift), "P")
        im.putpalette(palette_colours())
        return im

    add("png_p.png", "P PNG, 32 colours used, no transparency", lambda p: palette_image().save(p, "PNG"))
    add("png_p_trns1.png", "P PNG, tRNS makes index 5 fully transparent (info['transparency'] = 5)",
        lambda p: palette_image().save(p, "PNG", transparency=5))
    def palette_image_dup():
        im = Image.fromarray(palette_indices(), "P")
        colours = palette_colours()
        colours[18:21] = colours[15:18]  # index 6 has the same RGB colour as index 5
        im.putpalette(colours)
        return im

    add("png_p_trns1_dupcolour.png", "P PNG, tRNS index 5 fully transparent, index 6 (opaque) has the same RGB "
        "colour as index 5", lambda p: palette_image_dup().save(p, "PNG", transparency=5))
    trns = bytes([255 - 8 * (i % 32) for i in range(32)])
    add("png_p_trns_multi.png", "P PNG, tRNS with 32 alpha levels 255..7 (info['transparency'] = bytes)",
        lambda p: palette_image().save(p, "PNG", transparency=trns))
    gray16 = (x * 1800 + y * 37).astype(np.uint16)  # 0..64800: only the left few columns stay below 256
    gray16[:, :3] = (y[:, :3] * 11 + x[:, :3] * 3).astype(np.uint16)
    add("png_gray16.png", "16-bit gray PNG (Pillow I;16), values 0..64800, columns 0-2 below 256",
        lambda p: Image.fromarray(gray16).save(p, "PNG"))
    rgb16 = base.astype(np.uint16) * 257 + np.stack([x * 5, y * 7, (x + y) % 97], -1).astype(np.uint16)
    rgb16 = np.minimum(rgb16, 65535).astype(np.uint16)
    add("png_rgb16.png", "16-bit-per-channel RGB PNG (hand-written, IHDR depth 16 type 2); low bytes vary",
        lambda p: write_png16_rgb(p, rgb16))
    add("png_exif6.png", "RGB PNG with an eXIf chunk (before IDAT), Orientation 6",
        lambda p: Image.fromarray(picture(7), "RGB").save(p, "PNG", exif=exif_orientation(6)))

    add("gif_single.gif", "single-frame GIF, 32-colour palette",
        lambda p: palette_image(3).save(p, "GIF"))
    add("gif_trns_dupcolour.gif", "single-frame GIF, transparency index 5, index 6 (opaque) has the same RGB "
        "colour as index 5 (palette kept whole: optimize=False)",
        lambda p: palette_image_dup().save(p, "GIF", transparency=5, optimize=False))
    frame0, frame1 = palette_image(0), palette_image(11)
    idx2 = palette_indices(11)
    idx2[8:16, 10:30] = (idx2[8:16, 10:30] + 4) % 32  # frame 2 changes only a sub-rectangle
    frame2 = Image.fromarray(idx2, "P")
    frame2.putpalette(palette_colours())
    add("gif_anim3.gif", "animated GIF, 3 frames: 1 differs from 0 almost everywhere (not the marker), 2 from 1 "
        "only in rows 8-15 cols 10-29 (Pillow stores frame 2 as a sub-image at (10, 8)-(30, 16), disposal 0)",
        lambda p: frame0.save(p, "GIF", save_all=True, append_images=[frame1, frame2], duration=100, loop=0))

    add("webp_lossy.webp", "lossy RGB WebP q80",
        lambda p: Image.fromarray(picture(8), "RGB").save(p, "WEBP", quality=80, method=4))
    add("webp_lossless_rgba.webp", "lossless RGBA WebP, same alpha as png_rgba.png (exact=False)",
        lambda p: Image.fromarray(np.concatenate([picture(9), alpha[..., None]], -1), "RGBA")
        .save(p, "WEBP", lossless=True, method=4))
    add("bmp_rgb.bmp", "24-bit RGB BMP", lambda p: Image.fromarray(picture(10), "RGB").save(p, "BMP"))
    add("tiff_rgb.tif", "RGB TIFF, uncompressed", lambda p: Image.fromarray(picture(11), "RGB").save(p, "TIFF"))
    add("tiff_orient6.tif", "RGB TIFF, uncompressed, its own Orientation tag (274) = 6",
        lambda p: Image.fromarray(picture(11), "RGB").save(p, "TIFF", tiffinfo={274: 6}))
    return files


def describe(name):
    path = images_dir / name
    with Image.open(path) as im:
        info = {"file": name, "format": im.format, "pillow_mode": im.mode, "size_wh": list(im.size),
                "n_frames": getattr(im, "n_frames", 1),
                "exif_orientation": im.getexif().get(0x0112)}
        if "transparency" in im.info:
            t = im.info["transparency"]
            info["pillow_info_transparency"] = t if isinstance(t, int) else f"bytes[{len(t)}]"
    if name.endswith(".png"):
        info["ihdr"] = png_ihdr(path)
    info["bytes"] = path.stat().st_size
    return info


# --------------------------------------------------------------------------------------------- configs

CONFIGS = {
    # CLIP ViT-B/32 with tiny sizes: shortest edge 20 (37x23 -> 32x20, 23x37 -> 20x32), centre crop 16x16
    # (offsets top 2 / left 8, or top 8 / left 2 after a 90-degree turn); bicubic as in the source config.
    "clip_se20_crop16": ("clip_vit_b32", {"size": {"shortest_edge": 20}, "crop_size": {"height": 16, "width": 16}}),
    # No crop, bilinear: 37x23 -> 25x16, and 23x37 -> 16x25 after a 90-degree EXIF turn, so the orientation
    # shows in the output shape (a fixed {"height", "width"} size would hide it).
    "clip_nocrop_se16_bilinear": ("clip_nocrop_bilinear", {"size": {"shortest_edge": 16}, "do_center_crop": False,
                                                           "resample": 2}),
}


def write_configs():
    for name, (source, overrides) in CONFIGS.items():
        proc = AutoImageProcessor.from_pretrained(str(root / "tests" / "fixtures" / "configs" / source),
                                                  backend="pil", **overrides)
        proc.save_pretrained(str(configs_dir / name))
        other = AutoImageProcessor.from_pretrained(str(root / "tests" / "fixtures" / "configs" / source),
                                                   backend="torchvision", **overrides)
        assert other.to_json_string() == proc.to_json_string(), name


# ---------------------------------------------------------------------------------------------- goldens

def error_record(exc):
    return {"type": type(exc).__name__, "message": str(exc)}


def run_processor(proc, value):
    """[(suffix, float32 array)] and the return_tensors that worked, or raises."""
    try:
        result = proc(value, return_tensors="pt")
        return [("", result["pixel_values"].numpy())], "pt", None
    except ValueError as first:
        if "Unable to convert output" not in str(first):
            raise
        result = proc(value, return_tensors=None)
        items = result["pixel_values"]
        arrays = [(f".{i:03d}", np.asarray(t.numpy() if torch.is_tensor(t) else t)) for i, t in enumerate(items)]
        return arrays, None, error_record(first)


def dump_manifest(manifest):
    """JSON with one line per list item at the second level: diffable, and a third of indent=1's size."""
    lines = ["{"]
    for i, (key, value) in enumerate(manifest.items()):
        comma = "," if i + 1 < len(manifest) else ""
        if isinstance(value, list):
            items = [" " + json.dumps(v) for v in value]
            lines.append(f" {json.dumps(key)}: [")
            lines.extend(item + ("," if j + 1 < len(items) else "") for j, item in enumerate(items))
            lines.append(" ]" + comma)
        elif isinstance(value, dict):
            items = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in value.items()]
            lines.append(f" {json.dumps(key)}: {{")
            lines.extend(item + ("," if j + 1 < len(items) else "") for j, item in enumerate(items))
            lines.append(" }" + comma)
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == json.loads(json.dumps(manifest))
    return text


def main():
    check_sources()
    if out.exists():
        shutil.rmtree(out)
    images_dir.mkdir(parents=True)
    files = write_inputs()
    write_configs()

    tensors, entries, decoded_entries, comparisons, cross, path_results = {}, [], [], [], [], {}

    # Loader level.
    for name, _ in files:
        rel = str(images_dir.relative_to(root) / name)
        row = {"file": name}
        try:
            loaded = load_image(rel)
            pil = np.asarray(loaded)
            tensors[f"decoded/{name}/pil"] = pil
            row["pil"] = {"key": f"decoded/{name}/pil", "shape": list(pil.shape), "dtype": str(pil.dtype),
                          "mode": loaded.mode}
            if loaded.info.get("transparency") is not None:
                # convert("RGB") keeps a palette tRNS index as an RGB colour key; the PIL backend's
                # convert_to_rgb then makes every pixel of that colour transparent and composites on white
                row["pil"]["info_transparency_after_load_image"] = list(loaded.info["transparency"])
        except Exception as exc:  # noqa: BLE001
            pil, row["pil"] = None, {"error": error_record(exc)}
        try:
            tv = decode_image(rel, ImageReadMode.RGB, apply_exif_orientation=True).numpy()
            tensors[f"decoded/{name}/torchvision"] = tv
            row["torchvision"] = {"key": f"decoded/{name}/torchvision", "shape": list(tv.shape), "dtype": str(tv.dtype)}
        except Exception as exc:  # noqa: BLE001
            tv, row["torchvision"] = None, {"error": error_record(exc)}
        if pil is not None and tv is not None:
            first = tv[0] if tv.ndim == 4 else tv
            hwc = np.moveaxis(first, 0, -1)
            if hwc.shape != pil.shape:
                row["pil_vs_torchvision"] = "shape differs"
            else:
                d = np.abs(hwc.astype(np.int64) - pil.astype(np.int64))
                row["pil_vs_torchvision"] = {"compared": "frame 0" if tv.ndim == 4 else "whole image",
                                             "torchvision_dtype": str(tv.dtype), "max_abs": int(d.max()),
                                             "mean_abs": round(float(d.mean()), 4),
                                             "n_differ": int((d > 0).sum()), "n": int(d.size)}
        if pil is not None and tv is not None and tv.dtype == np.uint16:
            hwc = np.moveaxis(tv, 0, -1).astype(np.int64)
            row["pil_vs_torchvision_high_byte_max_abs"] = int(np.abs((hwc >> 8) - pil).max())
            row["pil_vs_torchvision_clipped_to_255_max_abs"] = int(np.abs(np.minimum(hwc, 255) - pil).max())
        if name == "gif_anim3.gif":
            with Image.open(images_dir / name) as im:
                frames = []
                for k in range(im.n_frames):
                    im.seek(k)
                    frame = np.asarray(im.convert("RGB"))
                    tensors[f"decoded/{name}/pil_frame.{k:03d}"] = frame
                    frames.append(frame)
            row["pil_frames"] = [f"decoded/{name}/pil_frame.{k:03d}" for k in range(len(frames))]
            if tv is not None:
                row["torchvision_frames_vs_pillow_frames_max_abs"] = [
                    int(np.abs(np.moveaxis(tv[k], 0, -1).astype(int) - frames[k].astype(int)).max())
                    for k in range(min(len(frames), tv.shape[0]))]
        decoded_entries.append(row)

    # Orientation: decoded(orient n) against Pillow's own transpose of the no-EXIF decode.
    with Image.open(images_dir / "jpeg_noexif.jpg") as im:
        upright = im.convert("RGB")
    ops = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
           4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
           7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}
    orientation_check = {}
    for n, op in ops.items():
        want = np.asarray(upright if op is None else upright.transpose(op))
        got_pil = tensors[f"decoded/jpeg_orient{n}.jpg/pil"]
        got_tv = np.moveaxis(tensors[f"decoded/jpeg_orient{n}.jpg/torchvision"], 0, -1)
        orientation_check[f"jpeg_orient{n}.jpg"] = {
            "pillow_transpose": None if op is None else op.name, "shape_hw": list(want.shape[:2]),
            "pil_equals_transposed_noexif": bool(np.array_equal(got_pil, want)),
            "torchvision_equals_transposed_noexif": bool(got_tv.shape == want.shape and np.array_equal(got_tv, want)),
            "torchvision_max_abs_vs_transposed_noexif": int(np.abs(got_tv.astype(int) - want.astype(int)).max())
            if got_tv.shape == want.shape else "shape differs"}

    with Image.open(images_dir / "png_exif6.png") as im:
        want = np.asarray(im.convert("RGB").transpose(Image.Transpose.ROTATE_270))
    orientation_check["png_exif6.png"] = {
        "pillow_transpose": "ROTATE_270", "shape_hw": list(want.shape[:2]),
        "pil_equals_transposed_stored": bool(np.array_equal(tensors["decoded/png_exif6.png/pil"], want)),
        "torchvision_equals_transposed_stored": bool(np.array_equal(
            np.moveaxis(tensors["decoded/png_exif6.png/torchvision"], 0, -1), want))}

    # Processor level.
    for config in CONFIGS:
        cfgdir = str(configs_dir / config)
        for backend in ("pil", "torchvision"):
            proc = AutoImageProcessor.from_pretrained(cfgdir, backend=backend)
            assert proc.backend == backend
            for name, _ in files:
                rel = str(images_dir.relative_to(root) / name)
                results = {}
                for form in ("path", "object"):
                    key = f"{config}/{name}/{backend}/{form}"
                    entry = {"key": key, "config": config, "file": name, "backend": backend, "form": form,
                             "input": rel if form == "path" else f"PIL.Image.open({rel!r})"}
                    try:
                        if form == "path":
                            arrays, rt, first_error = run_processor(proc, rel)
                        else:
                            with Image.open(rel) as im:
                                arrays, rt, first_error = run_processor(proc, im)
                    except Exception as exc:  # noqa: BLE001
                        entry["error"] = error_record(exc)
                        entries.append(entry)
                        results[form] = None
                        continue
                    entry["return_tensors"] = rt
                    if first_error is not None:
                        entry["return_tensors_pt_error"] = first_error
                    entry["keys"] = [key + suffix for suffix, _ in arrays]
                    entry["shapes"] = [list(a.shape) for _, a in arrays]
                    entry["dtype"] = str(arrays[0][1].dtype)
                    for suffix, a in arrays:
                        tensors[key + suffix] = np.ascontiguousarray(a)
                    entries.append(entry)
                    results[form] = [a for _, a in arrays]
                cmp = {"config": config, "file": name, "backend": backend}
                p, o = results["path"], results["object"]
                if p is None or o is None:
                    cmp["path_vs_object"] = "error: " + ",".join(f for f in ("path", "object") if results[f] is None)
                elif [a.shape for a in p] != [a.shape for a in o]:
                    cmp["path_vs_object"] = "shape differs"
                    cmp["path_shapes"], cmp["object_shapes"] = [list(a.shape) for a in p], [list(a.shape) for a in o]
                else:
                    m = max(float(np.abs(a.astype(np.float64) - b).max()) for a, b in zip(p, o))
                    cmp["path_vs_object"] = "same" if m == 0 else "different"
                    cmp["max_abs"] = m
                comparisons.append(cmp)
                path_results[(config, name, backend)] = p
        for name, _ in files:
            a, b = path_results.get((config, name, "pil")), path_results.get((config, name, "torchvision"))
            row = {"config": config, "file": name}
            if a is None or b is None:
                row["pil_path_vs_torchvision_path"] = "error"
            elif [x.shape for x in a] != [x.shape for x in b]:
                row["pil_path_vs_torchvision_path"] = "shape differs"
            else:
                row["pil_path_vs_torchvision_path"] = "same" if all(np.array_equal(x, y) for x, y in zip(a, b)) \
                    else "different"
                row["max_abs"] = max(float(np.abs(x.astype(np.float64) - y).max()) for x, y in zip(a, b))
            cross.append(row)

    manifest = {
        "generator": "scripts/make_path_goldens.py",
        "versions": VERSIONS,
        "torchcodec_installed": False,
        "loaders": {
            "pil": "transformers/image_utils.py:474 load_image: PIL.Image.open(path) (:497), "
                   "PIL.ImageOps.exif_transpose (:514), .convert('RGB') (:515); reached from "
                   "image_processing_base.py:499 (ImageProcessingMixin.fetch_images)",
            "torchvision": "transformers/image_utils.py:520 load_image_as_tensor: "
                           "torchvision.io.decode_image(path, mode=ImageReadMode.RGB, apply_exif_orientation=True) "
                           "(:543, :547, :561); reached from image_processing_backends.py:110 "
                           "(TorchvisionBackend.fetch_images); torchvision/io/image.py:416/:472",
        },
        "path_strings": "relative to the repository root (the script chdirs there)",
        "configs": {name: {"source": f"tests/fixtures/configs/{src}", "overrides": ov,
                           "file": f"configs/{name}/preprocessor_config.json"}
                    for name, (src, ov) in CONFIGS.items()},
        "images": [dict(describe(name), note=note) for name, note in files],
        "decoded": decoded_entries,
        "orientation_check": orientation_check,
        "entries": entries,
        "path_vs_object": comparisons,
        "pil_path_vs_torchvision_path": cross,
    }
    # One metadata key only: safetensors writes the metadata map in hash order, which varies run to run.
    metadata = {"info": json.dumps({"generator": "scripts/make_path_goldens.py", "versions": VERSIONS},
                                   sort_keys=True)}
    # safetensors 0.8.0's numpy writer dumps the raw buffer of a non-contiguous array (decode_image returns
    # a permuted HWC view), so make every array C-contiguous, and read the file back to be sure.
    tensors = {k: np.ascontiguousarray(v) for k, v in tensors.items()}
    save_file(tensors, str(out / "goldens.safetensors"), metadata=metadata)
    back = load_file(str(out / "goldens.safetensors"))
    assert sorted(back) == sorted(tensors)
    for k, v in tensors.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape and np.array_equal(back[k], v), k
    (out / "MANIFEST.json").write_text(dump_manifest(manifest))
    n_err = sum("error" in e for e in entries)
    print(f"{len(files)} images, {len(tensors)} arrays, {len(entries)} processor calls ({n_err} raised)")


if __name__ == "__main__":
    main()
