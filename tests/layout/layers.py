#!/usr/bin/env python3
"""The layers of src/ and include/ stay one-way.

Usage: layers.py SOURCE_DIR LAYERS [OBJECTS]

LAYERS is the order, bottom first, separated by ';' (CMakeLists.txt's
sockstep_layers); src/main.c sits on top of them all. Checks that:
- every .c of src/ is in src/LAYER/ (or is src/main.c) and every .h of
  include/ in include/LAYER/, so a new file is given a layer;
- every #include "x.h" names one header of a layer at or below the
  includer's own (a lower layer never includes a higher one's header);
- with OBJECTS (the core library's object files, ';'-separated): no
  function is called from a lower layer than its own, no circle of
  calls joins files, and each function a header declares is defined in
  its header's layer (so a low header cannot hide a higher function). Data references are not calls: the command table
  (cmd.c) refers to each command's entry, in whatever layer it lives.
Exits 0, or 1 with each fault on a line.
"""
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_files(top, sub, ext, layers, faults):
    """Maps each file's path to its layer index; flat files are faults."""
    found = {}
    root = os.path.join(top, sub)
    for dirpath, _, names in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for name in names:
            if not name.endswith(ext):
                continue
            path = os.path.join(dirpath, name)
            if sub == "src" and rel == "." and name == "main.c":
                found[path] = len(layers)
            elif rel in layers:
                found[path] = layers.index(rel)
            else:
                faults.append(f"{os.path.relpath(path, top)}: not in a "
                              f"layer's folder ({', '.join(layers)})")
    return found


def check_includes(top, layers, faults):
    """Returns {file stem: layer} of the sources, after checking includes."""
    sources = layer_files(top, "src", ".c", layers, faults)
    headers = layer_files(top, "include", ".h", layers, faults)
    by_name = {}
    for path, layer in headers.items():
        by_name.setdefault(os.path.basename(path), []).append((path, layer))
    for name, where in by_name.items():
        if len(where) > 1:
            faults.append(f"{name}: in more than one layer")

    def name(layer):
        return layers[layer] if layer < len(layers) else "main"

    for path, layer in list(sources.items()) + list(headers.items()):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            if os.path.exists(os.path.join(os.path.dirname(path), inc)) \
                    and inc not in by_name:
                continue
            if inc not in by_name:
                faults.append(f"{os.path.relpath(path, top)}: includes "
                              f"\"{inc}\", which no layer holds")
                continue
            hlayer = by_name[inc][0][1]
            if hlayer > layer:
                faults.append(f"{os.path.relpath(path, top)} ({name(layer)})"
                              f" includes {inc} ({name(hlayer)}): a higher "
                              f"layer")
    return ({os.path.basename(p)[:-2]: layer for p, layer in sources.items()},
            headers)


DECL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def declared(path):
    """Names of the functions a header declares, outside any braces."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
    depth, stmt, names = 0, "", []
    for line in text.splitlines():
        if line.startswith("#") or (depth == 0 and not stmt and
                                    not line[:1].isalpha()):
            continue
        for ch in line + " ":
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif depth == 0:
                stmt += ch
                if ch == ";":
                    m = [n for n in DECL.findall(stmt)
                         if n != "__attribute__"]
                    if m and not stmt.lstrip().startswith(("typedef",
                                                           "extern")):
                        names.append(m[0])
                    stmt = ""
    return names


def check_calls(objects, layer_of, headers, layers, faults):
    """Checks the calls between object files: downward only, no circle."""
    defined, wanted = {}, {}
    for obj in objects:
        stem = os.path.basename(obj)
        stem = stem[:stem.index(".c.o")] if ".c.o" in stem else stem
        out = subprocess.run(["nm", obj], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            part = line.split()
            if len(part) == 3 and part[1] == "T":
                defined[part[2]] = stem
            elif len(part) == 2 and part[0] == "U":
                wanted.setdefault(stem, set()).add(part[1])
    for path, hlayer in sorted(headers.items()):
        for fn in declared(path):
            where = defined.get(fn)
            if where is not None and layer_of.get(where) != hlayer:
                faults.append(f"{os.path.basename(path)} declares {fn}, "
                              f"defined in {where}: another layer")
    edges = {}
    for stem, syms in wanted.items():
        for sym in syms:
            callee = defined.get(sym)
            if callee is None or callee == stem:
                continue
            edges.setdefault(stem, {}).setdefault(callee, []).append(sym)
    for stem, callees in sorted(edges.items()):
        for callee, syms in sorted(callees.items()):
            if layer_of.get(callee, 0) > layer_of.get(stem, 0):
                faults.append(f"{stem} calls {callee} "
                              f"({', '.join(sorted(syms))}): a higher layer")
    # Tarjan's strongly connected components: any with two files is a circle.
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    for comp in comps:
        if len(comp) > 1:
            faults.append("a circle of calls: " + ", ".join(sorted(comp)))
    return len(objects)


def main():
    top = os.path.abspath(sys.argv[1])
    layers = [x for x in sys.argv[2].split(";") if x]
    faults = []
    layer_of, headers = check_includes(top, layers, faults)
    nobj = 0
    if len(sys.argv) > 3:
        objects = [x for x in sys.argv[3].split(";") if x]
        if len(objects) < len(layer_of) - 1:
            faults.append(f"only {len(objects)} object files given for "
                          f"{len(layer_of) - 1} sources of the core")
        nobj = check_calls(objects, layer_of, headers, layers, faults)
    for f in faults:
        print(f)
    print(f"{len(layer_of)} sources in {len(layers)} layers "
          f"({' < '.join(layers)} < main), {nobj} objects: "
          f"{len(faults)} faults")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
