#!/usr/bin/env python3
"""Import cycles among a crate's source files.

Usage: import_cycles.py SRC_DIR...   (e.g. runtime/src)
Every `crate::…`, `super::…` and `self::…` path in code, and every path through a child module
declared in the file (`mod cpu;` … `pub use cpu::CpuBackend`), is an edge from its file to the
file that defines the longest module prefix of the path. Comments, doc links, `pub(in …)`
visibilities and `#[cfg(test)]` modules do not count. Prints each strongly connected set of two
or more files and exits 1 if there is one. So a `mod.rs` that re-exports its children cannot also
hold what they use, and code names the file that defines an item, not a re-export above it.
Inline modules are not tracked: inside one (other than tests), write `crate::` paths, not `super::`.
"""
import os
import re
import sys

PATH = re.compile(r"\b(crate|super|self)((?:::\w+)+|::\{)")


def module_of(root, file):
    rel = os.path.relpath(file, root)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return rel


def file_of(root, module):
    """The file defining `module` (a list of names), or None."""
    base = os.path.join(root, *module) if module else root
    for candidate in (base + ".rs", os.path.join(base, "mod.rs")):
        if os.path.isfile(candidate):
            return candidate
    if not module:
        for name in ("lib.rs", "main.rs"):
            if os.path.isfile(os.path.join(root, name)):
                return os.path.join(root, name)
    return None


def code_lines(text):
    # Test modules (`#[cfg(test)] mod tests`, at a file's end by convention) are not the crate's
    # structure; `pub(in path)` names a visibility, not an import.
    text = re.split(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)[0]
    text = re.sub(r"pub\(in [\w:]+\)", "pub", text)
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        yield line.split("//")[0]


def paths_in(text):
    """Each path as a list of names, with `use a::{b, c}` groups expanded one level."""
    joined = " ".join(code_lines(text))
    for m in re.finditer(r"\b(crate|super|self)((?:::\w+)*)::\{([^{}]*)\}", joined):
        head = [m.group(1)] + [p for p in m.group(2).split("::") if p]
        for item in m.group(3).split(","):
            names = [p for p in item.strip().split(" as ")[0].split("::") if p and p != "self"]
            yield head + names
    for m in PATH.finditer(joined):
        yield [m.group(1)] + [p for p in m.group(2).split("::") if p]


def edges(root):
    graph = {}
    for dirpath, _, names in os.walk(root):
        if "bin" in os.path.relpath(dirpath, root).split(os.sep):
            continue
        for name in names:
            if not name.endswith(".rs"):
                continue
            file = os.path.join(dirpath, name)
            here = module_of(root, file)
            text = open(file, encoding="utf-8").read()
            # Paths through a child module declared here (`mod cpu;` … `use cpu::X`).
            children = re.findall(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", text, re.M)
            local = []
            if children:
                child = re.compile(r"(?<![\w:])(" + "|".join(children) + r")((?:::\w+)+|::\{[^{}]*\})")
                for m in child.finditer(" ".join(code_lines(text))):
                    local.append(["self", m.group(1)])
            targets = set()
            for path in list(paths_in(text)) + local:
                base = []
                if path[0] == "crate":
                    rest = path[1:]
                elif path[0] == "super":
                    base = here[:-1]
                    rest = path[1:]
                    while rest and rest[0] == "super":
                        base, rest = base[:-1], rest[1:]
                else:
                    base, rest = here, path[1:]
                # The longest prefix that is a file of its own.
                for n in range(len(rest), -1, -1):
                    target = file_of(root, base + rest[:n])
                    if target:
                        break
                if target and target != file:
                    targets.add(target)
            graph[file] = targets
    return graph


def cycles(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def main():
    found = False
    for root in sys.argv[1:]:
        for group in cycles(edges(root)):
            found = True
            print(f"import cycle among {len(group)} files of {root}:")
            for file in group:
                print(f"  {os.path.relpath(file, root)}")
    if not found:
        print("no import cycles")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
