#!/usr/bin/env python3
"""Pack the reference data twinproc's tests need into tests/fixtures/.

Usage: python3 scripts/make_fixtures.py REFDIR
  REFDIR: an unpacked copy of ../shared/reference (`../shared/reference/extract.sh REFDIR`).
Needs numpy and safetensors (scripts/requirements-fixtures.txt).

Every tensor is stored losslessly. A float32 tensor of shape [..., C, H, W] takes at most a few hundred
distinct values per channel (an 8-bit level after resize maps to one float), so it is written as the sorted
distinct values of each channel (the LUT, as f32 bit patterns) plus one index per element; all indices
and raw tensors go into one xz stream, where the two backends' near-identical outputs compress together.
Decoding is `lut[channel][index]`: exactly the reference bytes, checked here before writing.
"""
import json
import lzma
import shutil
import sys
from pathlib import Path

import numpy as np
from safetensors import safe_open

CONFIGS = [
    "clip_vit_b32",
    "clip_legacy_int_size",
    "clip_nocrop_bilinear",
    "siglip_so400m_384",
    "llava_onevision_qwen2_0.5b_ov",
]
# Decoded arrays are kept for inputs whose pixels are not simply the file's own 8-bit RGB samples:
# JPEGs (decoder parity is separate work) and every non-RGB or non-8-bit mode (convert_to_rgb cases).
DECODED_SKIP = {"astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png"}
IMAGES_SKIP = {"hubble_deep_field.jpg"}  # 0.5 MB JPEG; its decoded array is kept instead


def encode(name, array, blob, entries):
    entry = {"dtype": str(array.dtype), "shape": list(array.shape), "offset": len(blob)}
    if array.dtype == np.float32 and array.ndim >= 3:
        axis = array.ndim - 3
        per_channel = np.moveaxis(array, axis, 0).reshape(array.shape[axis], -1)
        luts, indices = [], []
        for channel in per_channel:
            values, index = np.unique(channel, return_inverse=True)
            luts.append(values)
            indices.append(index)
        index_dtype = np.uint8 if max(len(v) for v in luts) <= 256 else np.uint16
        index = np.stack(indices).astype(index_dtype)
        decoded = np.stack([lut[i] for lut, i in zip(luts, index)])
        restored = np.moveaxis(decoded.reshape(np.moveaxis(array, axis, 0).shape), 0, axis)
        assert restored.tobytes() == array.tobytes(), name
        entry.update(
            encoding="lut",
            lut_axis=axis,
            index_dtype=str(np.dtype(index_dtype)),
            lut=[[int(b) for b in lut.astype(np.float32).view(np.uint32)] for lut in luts],
        )
        data = index.astype("<" + np.dtype(index_dtype).str[1:]).tobytes()
    else:
        entry["encoding"] = "raw"
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    entry["nbytes"] = len(data)
    blob += data
    entries[name] = entry


def main():
    ref = Path(sys.argv[1])
    out = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "configs").mkdir(parents=True, exist_ok=True)
    blob = bytearray()
    tensors, files = {}, {}
    for config in CONFIGS:
        cfg_dir = out / "configs" / config
        cfg_dir.mkdir(exist_ok=True)
        shutil.copy(ref / "configs" / config / "preprocessor_config.json", cfg_dir)
        for path in sorted((ref / "golden" / config).glob("*.safetensors")):
            stem = path.name[: -len(".safetensors")]
            if ".frompath" in stem:
                continue
            with safe_open(str(path), "np") as f:
                meta = f.metadata() or {}
                keys = sorted(f.keys())
                for key in keys:
                    encode(f"golden/{config}/{stem}/{key}", f.get_tensor(key), blob, tensors)
            files[f"golden/{config}/{stem}"] = {"metadata": meta, "keys": keys}
    for path in sorted((ref / "decoded").glob("*.safetensors")):
        image = next(p.name for p in (ref / "images").iterdir() if p.stem == path.stem)
        if image in DECODED_SKIP:
            continue
        with safe_open(str(path), "np") as f:
            encode(f"decoded/{image}/rgb", f.get_tensor("rgb"), blob, tensors)
    for path in sorted((ref / "images").iterdir()):
        if path.suffix in {".png", ".jpg", ".gif"} and path.name not in IMAGES_SKIP:
            shutil.copy(path, out / "images")
    shutil.copy(ref / "images" / "MANIFEST.json", out / "images")
    packed = lzma.compress(bytes(blob), format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32,
                           preset=9 | lzma.PRESET_EXTREME)
    (out / "reference.bin.xz").write_bytes(packed)
    manifest = {
        "source": "transformers 5.23.0, torch 2.15.0, torchvision 0.29.2, Pillow 13.0.0 (../shared/reference)",
        "files": files,
        "tensors": tensors,
    }
    (out / "reference.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    # For every image and configuration (stored or not): each backend's output shapes and how far the
    # two backends' outputs are apart, from transformers' own report.
    report = json.loads((ref / "golden" / "REPORT.json").read_text())
    summary = {
        config: {
            image: {
                "shapes": {b: entry[b]["shapes"] for b in ("pil", "torchvision") if "shapes" in entry.get(b, {})},
                "errors": {b: entry[b]["error"] for b in ("pil", "torchvision") if "error" in entry.get(b, {})},
                "max_abs": entry.get("diff", {}).get("max_abs"),
                "frac_diff_gt_1e-4": entry.get("diff", {}).get("frac_diff_gt_1e-4"),
                "numel": entry.get("diff", {}).get("numel"),
            }
            for image, entry in report["configs"][config]["images"].items()
        }
        for config in CONFIGS
    }
    (out / "report.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    print(f"{len(tensors)} tensors, {len(blob) / 1e6:.1f} MB raw, {len(packed) / 1e6:.2f} MB packed")


if __name__ == "__main__":
    main()
