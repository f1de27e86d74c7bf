#!/usr/bin/env python3
"""What Pillow 13 makes of every bundled PNG, GIF and JPEG cut short at 20 points: an error, or the whole
image (as `Image.open(path).load()` gives it, LOAD_TRUNCATED_IMAGES off, as transformers has it).
Writes tests/fixtures/truncation.json; tests/inputs.rs holds twinproc's decoder to it.

Usage: python scripts/make_truncation_fixture.py   (needs Pillow==13.0.0; scripts/requirements-fixtures.txt)
"""
import io
import json
import re
import pathlib

import PIL
from PIL import Image

assert PIL.__version__.startswith("13."), PIL.__version__
root = pathlib.Path(__file__).resolve().parent.parent
images = root / "tests" / "fixtures" / "images"
cases = []
for path in sorted([*images.glob("*.png"), *images.glob("*.gif"), *images.glob("*.jpg")]):
    data = path.read_bytes()
    full = Image.open(io.BytesIO(data))
    full.load()
    full_bytes = full.tobytes()
    # 19 lengths spread over the file, and the last two bytes short (a JPEG without its EOI).
    lengths = sorted({max(1, len(data) * k // 20) for k in range(1, 20)} | {len(data) - 2, len(data) - 1})
    for length in lengths:
        try:
            im = Image.open(io.BytesIO(data[:length]))
            im.load()
            outcome = "whole" if (im.mode, im.size, im.tobytes()) == (full.mode, full.size, full_bytes) else "partial"
        except Exception as e:  # noqa: BLE001 - every failure is an outcome
            outcome = re.sub(r" <_io.BytesIO object at 0x[0-9a-f]+>", "", f"error: {type(e).__name__}: {e}")
        cases.append({"file": path.name, "length": length, "size": len(data), "pillow": outcome})
out = root / "tests" / "fixtures" / "truncation.json"
out.write_text(json.dumps({"pillow": PIL.__version__, "cases": cases}, indent=1) + "\n")
kinds = {}
for c in cases:
    k = c["pillow"].split(":")[0]
    kinds[k] = kinds.get(k, 0) + 1
print(out, len(cases), kinds)
