#!/usr/bin/env python3
"""Which taps of a bool image's antialiased bilinear resize torchvision reads: what transformers'
torchvision backend does to Pillow's mode "1" without do_convert_rgb (`resize_image` casts the bool
tensor to float32, interpolates with antialias, casts back to bool).

For each (input size, output size) along one axis, one-hot inputs (torch.eye) are resized; output k's
taps are the inputs whose one-hot image makes it non-zero (always one contiguous span). Writes
tests/fixtures/bool_resize.json: {"pairs": [[in, out, sha]]}, sha the first 16 hex digits of the
SHA-256 of the spans as little-endian u32 pairs (start, length), output by output.

Usage: /tmp/hfref/bin/python scripts/make_bool_resize_fixture.py
       (torch==2.15.0, as scripts/make_zoo_goldens.py)
"""
import hashlib
import json
import pathlib
import struct

import torch
import torch.nn.functional as F

assert torch.__version__.startswith("2.15"), torch.__version__
root = pathlib.Path(__file__).resolve().parent.parent


def spans(size_in, size_out):
    x = torch.eye(size_in, dtype=torch.float32).reshape(1, size_in, 1, size_in)
    y = F.interpolate(x, size=(1, size_out), mode="bilinear", antialias=True, align_corners=False)
    read = y[0, :, 0, :] != 0
    result = []
    for k in range(size_out):
        taps = torch.nonzero(read[:, k]).flatten().tolist()
        assert taps == list(range(taps[0], taps[-1] + 1)), (size_in, size_out, k, taps)
        result.append((taps[0], len(taps)))
    return result


pairs = [(i, o) for i in range(1, 49) for o in range(1, 49) if i != o]
# The zoo's bilevel image (448x172 to 224x224), thin and wide extremes, large odd ratios.
pairs += [(448, 224), (172, 224), (1000, 3), (3, 1000), (997, 331), (331, 997), (640, 384),
          (1024, 1000), (7, 2048), (2048, 7), (513, 256), (255, 512)]
rows = []
for size_in, size_out in pairs:
    packed = b"".join(struct.pack("<II", s, n) for s, n in spans(size_in, size_out))
    rows.append([size_in, size_out, hashlib.sha256(packed).hexdigest()[:16]])
out = root / "tests" / "fixtures" / "bool_resize.json"
out.write_text(json.dumps({"torch": torch.__version__, "pairs": rows}, separators=(",", ":")) + "\n")
print(f"{len(rows)} pairs -> {out}")
