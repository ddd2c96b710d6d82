#!/usr/bin/env python3
"""The layer table of docs/architecture.md is the one CMakeLists.txt builds, and no source includes a layer its
own layer may not use (transitively). Exit 1 with the differences otherwise."""
import re
import sys
from pathlib import Path

src = Path(sys.argv[1])
doc = (src / "docs/architecture.md").read_text()
cmake = (src / "CMakeLists.txt").read_text()

built = {}
for m in re.finditer(r"^gpuenv_layer\((\w+)([^)]*)\)", cmake, re.M):
    uses = re.search(r"USES ([\w ]+?)(?: LIBS|$)", m.group(2).strip())
    built[m.group(1)] = set(uses.group(1).split()) if uses else set()
layers = set(built)

documented = {}
for m in re.finditer(r"^\| (\w+) \| `src/\w+/` \| ([^|]+) \|", doc, re.M):
    cell = m.group(2)
    if "all of the above" in cell:
        documented[m.group(1)] = {l for l in layers if l not in ("app", "cli")}
    else:
        documented[m.group(1)] = {w for w in re.findall(r"\w+", cell) if w in layers}

errors = []
for layer in sorted(layers | set(documented)):
    b, d = built.get(layer), documented.get(layer)
    if b is None:
        errors.append(f"{layer}: in docs/architecture.md but not built (CMakeLists.txt)")
    elif d is None:
        errors.append(f"{layer}: built but missing from the table in docs/architecture.md")
    elif b != d:
        errors.append(f"{layer}: CMakeLists.txt uses {sorted(b)}, docs/architecture.md says {sorted(d)}")


def closure(layer, seen=None):
    seen = set() if seen is None else seen
    for u in built.get(layer, ()):
        if u not in seen:
            seen.add(u)
            closure(u, seen)
    return seen


for layer in sorted(layers):
    allowed = closure(layer) | {layer}
    for f in sorted((src / "src" / layer).glob("*.[ch]pp")):
        for n, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
            m = re.match(r'#include "(\w+)/', line)
            if m and m.group(1) in layers and m.group(1) not in allowed:
                errors.append(f"{f.relative_to(src)}:{n}: {layer} may not use {m.group(1)}")

for e in errors:
    print(e)
print(f"{len(layers)} layers, {len(errors)} problems")
sys.exit(1 if errors else 0)
