#!/usr/bin/env python3
"""Turn scripts/bench.sh's JSON lines (standard input) into the Markdown table of BENCHMARKS.md.

A measurement that ran several rounds counts with its median round."""
import json
import statistics
import sys

samples = {}
header = ""
for line in sys.stdin:
    line = line.strip()
    if line.startswith("#"):
        header = line
        continue
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    key = (d["case"], d["threads"])
    if "numerics" in d:
        column = f"twinproc {d['numerics']}" + ("" if d.get("recycled", True) else " fresh")
        samples.setdefault((key, "images"), []).append(d["images"])
    elif "tensor input" in d["tool"]:
        column = "hf tensor"
    elif "Pil on" in d["tool"]:
        column = "hf pil"
    else:
        column = "hf torchvision"
    samples.setdefault((key, column), []).append(d["images_per_s"])

rows = {}
for (key, column), values in samples.items():
    rows.setdefault(key, {})[column] = statistics.median(values)


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


print(header)
print()
print("| case | images | threads | twinproc `pil` | transformers PIL backend | ratio "
      "| twinproc `torchvision` | transformers torchvision (PIL images) | (uint8 tensors) | ratio to tensors |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (case, threads), r in rows.items():
    pil, hf_pil = r.get("twinproc pil"), r.get("hf pil")
    tv, hf_tv, hf_tensor = r.get("twinproc torchvision"), r.get("hf torchvision"), r.get("hf tensor")
    fmt = lambda v: f"{v:.0f}" if v else "–"
    print(f"| {case} | {r.get('images', 0):.0f} | {threads} | **{fmt(pil)}** | {fmt(hf_pil)} | {ratio(pil, hf_pil)} "
          f"| **{fmt(tv)}** | {fmt(hf_tv)} | {fmt(hf_tensor)} | {ratio(tv, hf_tensor)} |")
print()
print("twinproc into fresh memory each call (`--fresh`; the table above gives each call's memory back "
      "for the next):")
print()
print("| case | threads | `pil` fresh | ratio to PIL backend | `torchvision` fresh | ratio to tensors |")
print("|---|---|---|---|---|---|")
for (case, threads), r in rows.items():
    pil, tv = r.get("twinproc pil fresh"), r.get("twinproc torchvision fresh")
    if pil or tv:
        fmt = lambda v: f"{v:.0f}" if v else "–"
        print(f"| {case} | {threads} | {fmt(pil)} | {ratio(pil, r.get('hf pil'))} "
              f"| {fmt(tv)} | {ratio(tv, r.get('hf tensor'))} |")
scaling = []
for (case, threads), r in rows.items():
    one = rows.get((case, 1), {})
    if threads == 2:
        for n in ("pil", "torchvision"):
            a, b = r.get(f"twinproc {n}"), one.get(f"twinproc {n}")
            if a and b:
                scaling.append(f"{case} {n} {a / b:.2f}×")
if scaling:
    print()
    print("2 threads against 1 (twinproc): " + ", ".join(scaling))
