#!/usr/bin/env python3
"""Configurations and goldens of the model zoo (issue 12), from transformers itself.

For each family: the processor built with its class defaults and the overrides of its well-known
checkpoint, saved by `save_pretrained` (the torchvision class, as the Hub's configs name it) into
tests/fixtures/zoo/configs/NAME/ (and each class with nothing set into zoo/defaults/CLASS/); then both backends loaded from that directory
(`AutoImageProcessor.from_pretrained(dir, backend=...)`) and called on the bundled images, each
alone and a batch of three (`Image.open(path)`: the object form), with `return_tensors="pt"`.

tests/fixtures/zoo/goldens.json keeps, per configuration, backend and call, every output's dtype,
shape and the SHA-256 of its little-endian bytes (and the values of integer outputs up to 64
elements), or transformers' exception ("ValueError: ..."): the f32 outputs themselves would take
tens of megabytes, and a hash is as exact. `--dump DIR` also writes every output as safetensors,
to find where a failing case differs.

Usage: python scripts/make_zoo_goldens.py [--dump DIR]
Needs transformers==5.23.0 torch==2.15.0 torchvision==0.29.2 pillow==13.0.0 (scripts/bench.sh's venv).
"""
import argparse
import hashlib
import json
import pathlib
import shutil

import numpy as np
import PIL
import torch
import torchvision
import transformers
from PIL import Image
from transformers import AutoImageProcessor

assert transformers.__version__ == "5.23.0", transformers.__version__
assert torch.__version__.startswith("2.15"), torch.__version__
assert torchvision.__version__.startswith("0.29.2"), torchvision.__version__
assert PIL.__version__ == "13.0.0", PIL.__version__

IMAGENET_DEFAULT_MEAN = [0.485, 0.456, 0.406]
IMAGENET_DEFAULT_STD = [0.229, 0.224, 0.225]

# (configuration name, torchvision class, overrides of the class defaults)
FAMILIES = [
    ("vit_base_patch16_224", "ViTImageProcessor", {}),
    # A mean and std of four values: the images of four channels without do_convert_rgb (RGBA
    # and CMYK files, CMYK as Pillow's raw samples) have outputs, the others are refused.
    ("vit_four_channels", "ViTImageProcessor", {"image_mean": [0.5, 0.4, 0.3, 0.2], "image_std": [0.2, 0.3, 0.4, 0.5]}),
    # One mean and std for any number of channels: every mode file without do_convert_rgb has an
    # output (gray, gray and alpha, palette indices, bits, RGBA, CMYK samples).
    ("vit_scalar_mean", "ViTImageProcessor", {"image_mean": 0.5, "image_std": 0.25}),
    ("blip_base_384", "BlipImageProcessor", {}),
    ("bit_50", "BitImageProcessor", {}),
    # facebook/dinov2-*: BitImageProcessor, shortest edge 256, ImageNet's default mean and std.
    ("dinov2_base", "BitImageProcessor",
     {"size": {"shortest_edge": 256}, "image_mean": IMAGENET_DEFAULT_MEAN, "image_std": IMAGENET_DEFAULT_STD}),
    # facebook/convnext-*-224: shortest edge 224 with crop_pct 0.875 (resize to 256, crop 224).
    ("convnext_224", "ConvNextImageProcessor",
     {"size": {"shortest_edge": 224}, "image_mean": IMAGENET_DEFAULT_MEAN, "image_std": IMAGENET_DEFAULT_STD}),
    # The class defaults: shortest edge 384, warped to 384x384 (crop_pct unused).
    ("convnext_384", "ConvNextImageProcessor", {}),
    # Qwen/Qwen2-VL-*, Qwen2.5-VL-*: the class defaults (3136 to 12845056 pixels).
    ("qwen2_vl", "Qwen2VLImageProcessor", {}),
    # At most 448x448 pixels: the larger images shrink (smart_resize's other branch).
    ("qwen2_vl_small", "Qwen2VLImageProcessor", {"size": {"shortest_edge": 3136, "longest_edge": 200704}}),
    # google/siglip2-*-naflex: the class defaults (16x16 patches, at most 256).
    ("siglip2_naflex", "Siglip2ImageProcessor", {}),
    # A budget of 64 patches: every image shrinks, the padding differs.
    ("siglip2_naflex_64", "Siglip2ImageProcessor", {"max_num_patches": 64}),
    # mistral-community/pixtral-12b: the class defaults (fit 1024, 16x16 patches, padded batch).
    ("pixtral", "PixtralImageProcessor", {}),
    # A smaller fit, and the patch size as one int (saved back as an int).
    ("pixtral_small_int_patch", "PixtralImageProcessor", {"size": {"longest_edge": 256}, "patch_size": 14}),
    # google/gemma-3-*-it: 896x896, bilinear, pan-and-scan off.
    ("gemma3", "Gemma3ImageProcessor", {"size": {"height": 896, "width": 896}}),
    # Pan-and-scan on (Gemma3Processor's own values but a minimum crop of 32, so that the small
    # images here are cut too), at 224.
    ("gemma3_pan_and_scan", "Gemma3ImageProcessor",
     {"do_pan_and_scan": True, "pan_and_scan_min_crop_size": 32, "pan_and_scan_max_num_crops": 4,
      "pan_and_scan_min_ratio_to_activate": 1.2}),
    # Pan and scan without do_resize: transformers resizes the image and its crops to `size` anyway.
    ("gemma3_pan_and_scan_no_resize", "Gemma3ImageProcessor",
     {"do_pan_and_scan": True, "pan_and_scan_min_crop_size": 32, "pan_and_scan_max_num_crops": 4,
      "pan_and_scan_min_ratio_to_activate": 1.2, "do_resize": False}),
    # Pixtral with a center crop: `image_sizes` are the sizes before it, the padding pads by them
    # (a batch of images of different sizes cannot be stacked then); unpadded, the crops stack.
    ("pixtral_center_crop", "PixtralImageProcessor",
     {"size": {"longest_edge": 256}, "do_center_crop": True, "crop_size": {"height": 200, "width": 160}}),
    ("pixtral_center_crop_unpadded", "PixtralImageProcessor",
     {"size": {"longest_edge": 256}, "do_center_crop": True, "crop_size": {"height": 200, "width": 160},
      "do_pad": False}),
    # llava-hf/llava-v1.6-*: 336x336 patches over the class's five grid resolutions.
    ("llava_next", "LlavaNextImageProcessor",
     {"size": {"shortest_edge": 336}, "crop_size": {"height": 336, "width": 336}}),
    # The class defaults: 224 patches over grids of 336 multiples, so the grids end in partial
    # patches, each resized by `size` and center-cropped (resizes of parts of a resize).
    ("llava_next_class_defaults", "LlavaNextImageProcessor", {}),
    # Patches (224, the crop's height) resized by a larger size and cropped back: every patch and
    # the squashed image go through `size` and the crop.
    ("llava_next_crop_224", "LlavaNextImageProcessor",
     {"size": {"shortest_edge": 336}, "crop_size": {"height": 224, "width": 224}}),
    # A size of height and width, no crop: the 224 patches resized to 448x448.
    ("llava_next_size_448", "LlavaNextImageProcessor",
     {"size": {"height": 448, "width": 448}, "do_center_crop": False}),
    # LLaVA-OneVision over grids of 1.5 patches: the partial patches squashed to 384x384.
    ("llava_onevision_partial_grid", "LlavaOnevisionImageProcessor",
     {"image_grid_pinpoints": [[384, 576], [576, 384], [576, 576], [384, 384]]}),
    # HuggingFaceM4/Idefics3-8B-Llama3: the class defaults (longest edge 1456, Lanczos, tiles of
    # 364 and the whole image resized to one more).
    ("idefics3", "Idefics3ImageProcessor", {}),
    # HuggingFaceTB/SmolVLM2-*: longest edge 2048, tiles of 512.
    ("smolvlm2", "SmolVLMImageProcessor",
     {"size": {"longest_edge": 2048}, "max_image_size": {"longest_edge": 512}}),
    # Without splitting: each image resized to one tile.
    ("idefics3_no_splitting", "Idefics3ImageProcessor", {"do_image_splitting": False}),
    # Small tiles, unpadded (the frames of the batch's one sample stacked as they are), bicubic.
    ("smolvlm_small_unpadded", "SmolVLMImageProcessor",
     {"size": {"longest_edge": 90}, "max_image_size": {"longest_edge": 32}, "do_pad": False,
      "resample": 3}),
]

# Configurations as the Hub's checkpoints write them by hand (not save_pretrained): each is also
# kept as transformers saves it after loading (transformers_saved.json).
QWEN_BASE = {"patch_size": 14, "temporal_patch_size": 2, "merge_size": 2,
             "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
             "image_processor_type": "Qwen2VLImageProcessor", "processor_class": "Qwen2VLProcessor"}
LEGACY = [
    # Qwen/Qwen2-VL-7B-Instruct, Qwen/Qwen2.5-VL-*: the pixel budget as top-level keys.
    ("qwen2_vl_legacy", dict(QWEN_BASE, min_pixels=3136, max_pixels=12845056)),
    # The budget in `size` alone: loads, then every call is refused.
    ("qwen2_vl_legacy_size", dict(QWEN_BASE, size={"min_pixels": 3136, "max_pixels": 12845056})),
    # Both forms: the top-level keys win.
    ("qwen2_vl_legacy_both", dict(QWEN_BASE, min_pixels=3136, max_pixels=200704,
                                  size={"min_pixels": 3136, "max_pixels": 12845056})),
    # A top-level max over a size of the new form.
    ("qwen2_vl_legacy_mixed", dict(QWEN_BASE, max_pixels=50176,
                                   size={"shortest_edge": 3136, "longest_edge": 12845056})),
    # `return_row_col_info` in a configuration: read, used, and not saved back (`to_dict` pops it).
    ("idefics3_rows_cols", {"image_processor_type": "Idefics3ImageProcessor", "do_image_splitting": True,
                            "max_image_size": {"longest_edge": 64}, "size": {"longest_edge": 200},
                            "resample": 1, "return_row_col_info": True}),
]

IMAGES = [
    "chelsea.png", "camera.png", "syn_la.png", "syn_palette_trns.png", "syn_rgba_transparent.png",
    "syn_odd_w17_h13.png", "syn_thin_w3_h1000.png", "syn_wide_w1000_h3.png", "syn_1x1_rgb.png",
    "rocket.jpg", "syn_cmyk.jpg", "syn_1bit.png", "syn_gray16.png", "no_time_for_that_tiny.gif",
]
BATCH = ["chelsea.png", "camera.png", "syn_odd_w17_h13.png"]

root = pathlib.Path(__file__).resolve().parent.parent
fixtures = root / "tests" / "fixtures"
out = fixtures / "zoo"


def describe(name, value, dump):
    tensor = value if isinstance(value, torch.Tensor) else torch.as_tensor(value)
    array = tensor.contiguous().numpy()
    little = array.astype(array.dtype.newbyteorder("<"), copy=False)
    entry = {
        "dtype": str(tensor.dtype).removeprefix("torch."),
        "shape": list(array.shape),
        "sha256": hashlib.sha256(little.tobytes()).hexdigest(),
    }
    if not np.issubdtype(array.dtype, np.floating) and array.size <= 64:
        entry["values"] = array.reshape(-1).tolist()
    if dump is not None:
        dump[name] = tensor.contiguous()
    return entry


def call(processor, images, dump_path):
    try:
        batch = processor(images, return_tensors="pt")
    except Exception as error:  # transformers' own refusal is part of the golden
        return {"error": f"{type(error).__name__}: {error}".splitlines()[0]}
    dump = {} if dump_path is not None else None
    outputs = {name: describe(name, value, dump) for name, value in sorted(batch.items())}
    if dump:
        from safetensors.torch import save_file
        save_file(dump, str(dump_path))
    return {"outputs": outputs}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dump", type=pathlib.Path)
    args = parser.parse_args()
    for folder in ("configs", "defaults"):
        if (out / folder).exists():
            shutil.rmtree(out / folder)
    # Each class with nothing set, as save_pretrained writes it: the declarations' defaults.
    for cls_name in sorted({cls_name for _, cls_name, _ in FAMILIES}):
        directory = out / "defaults" / cls_name
        getattr(transformers, cls_name)().save_pretrained(directory)
    goldens = {
        "versions": {"transformers": transformers.__version__, "torch": torch.__version__,
                     "torchvision": torchvision.__version__, "pillow": PIL.__version__},
        "batch": BATCH,
        "configs": {},
    }
    configs = []
    for name, cls_name, overrides in FAMILIES:
        directory = out / "configs" / name
        getattr(transformers, cls_name)(**overrides).save_pretrained(directory)
        configs.append((name, directory))
    for name, config in LEGACY:
        directory = out / "configs" / name
        directory.mkdir(parents=True)
        (directory / "preprocessor_config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        saved = root / "target" / "zoo-resave" / name
        AutoImageProcessor.from_pretrained(directory, backend="torchvision").save_pretrained(saved)
        shutil.copy(saved / "preprocessor_config.json", directory / "transformers_saved.json")
        configs.append((name, directory))
    for name, directory in configs:
        per_backend = {}
        for backend in ("pil", "torchvision"):
            processor = AutoImageProcessor.from_pretrained(directory, backend=backend)
            cases = {}
            for image in IMAGES + ["_batch"]:
                files = BATCH if image == "_batch" else [image]
                opened = [Image.open(fixtures / "images" / f) for f in files]
                dump = None
                if args.dump is not None:
                    args.dump.mkdir(parents=True, exist_ok=True)
                    dump = args.dump / f"{name}.{backend}.{image}.safetensors"
                cases[image] = call(processor, opened if image == "_batch" else opened[0], dump)
            per_backend[backend] = cases
        goldens["configs"][name] = per_backend
        print(name, {b: sum("error" in c for c in cases.values()) for b, cases in per_backend.items()}, "errors")
    (out / "goldens.json").write_text(json.dumps(goldens, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
