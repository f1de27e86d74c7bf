#!/usr/bin/env python3
"""Seeds for the macro_attribute fuzz target: every #[image_processor(...)] / #[images_kwargs(...)]
of ui-tests/ as the target reads them (first line: the arguments; the rest: the item). Writes
fuzz/corpus/macro_attribute/seed-*."""
import hashlib
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "fuzz/corpus/macro_attribute"
out.mkdir(parents=True, exist_ok=True)


def balanced(text, start, open_, close):
    """Index just past the bracket closing the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        depth += {open_: 1, close: -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return len(text)


def item_after(text, at):
    """The struct after an attribute: up to its `;` or its closing brace."""
    m = re.compile(r"(pub\s+)?struct\s+\w+").search(text, at)
    if not m:
        return "pub struct P;"
    rest = text[m.end():]
    brace, semi = rest.find("{"), rest.find(";")
    if brace != -1 and (semi == -1 or brace < semi):
        start = m.end() + brace
        return text[m.start():balanced(text, start, "{", "}")]
    return text[m.start():m.end() + semi + 1]


count = 0
for path in sorted(root.glob("ui-tests/**/*.rs")):
    text = path.read_text()
    for m in re.finditer(r"#\[(?:twinproc::)?(image_processor|images_kwargs)(\()?", text):
        if m.group(2):
            end = balanced(text, m.end() - 1, "(", ")")
            args = text[m.end():end - 1]
        else:
            end, args = m.end(), ""
        seed = " ".join(args.split()) + "\n" + item_after(text, end)
        name = hashlib.sha1(seed.encode()).hexdigest()[:16]
        (out / f"seed-{name}").write_text(seed)
        count += 1
print(f"{count} seeds in {out}")
