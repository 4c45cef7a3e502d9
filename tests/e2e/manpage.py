#!/usr/bin/env python3
"""The command table, help and the man page agree.

Every command that `help` lists (the list is made from the command table)
has a usage line, a paragraph of help and a man page to read (`help CMD`),
and an entry (.It Ic NAME) in src/sockstep.1; the man page is clean under
groff -ww (warnings are errors). Exits 0, 1 on a mismatch, 77 without groff.
"""
import os
import re
import shutil
import subprocess
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MAN = os.path.join(SRC, "src", "sockstep.1")


def run(binary, cmds):
    return subprocess.run([binary, "-c", cmds], capture_output=True,
                          text=True, timeout=20)


def main():
    binary = sys.argv[1]
    failures = []
    listing = run(binary, "help all").stdout
    names = re.findall(r"^  (\S+)\s{2,}\S", listing, re.M)
    if len(names) < 25:
        failures.append(f"help lists only {len(names)} commands")
    with open(MAN, encoding="utf-8") as f:
        man = f.read()
    for name in names:
        out = run(binary, f"help {name}")
        text = out.stdout
        if out.returncode != 0 or not text.startswith(f"usage: {name}"):
            failures.append(f"{name}: help has no usage line: {text[:60]!r}")
        if "\nsee: " not in text:
            failures.append(f"{name}: help names no man page")
        body = text.split("\n\n")[1] if text.count("\n\n") >= 1 else ""
        if len(body.split()) < 8:
            failures.append(f"{name}: help says too little: {body!r}")
        if not re.search(r"^\.It Ic " + re.escape(name) + r"\b", man, re.M):
            failures.append(f"{name}: no '.It Ic {name}' in sockstep.1")
    if shutil.which("groff") is None:
        print("groff is missing: man page lint skipped")
        if failures:
            print("\n".join(failures))
            return 1
        return 77
    lint = subprocess.run(["groff", "-mdoc", "-ww", "-z", "-Tutf8", MAN],
                          capture_output=True, text=True, timeout=20)
    if lint.returncode != 0 or lint.stderr.strip():
        failures.append("groff -ww: " + lint.stderr.strip())
    for f in failures:
        print("FAIL", f)
    print(f"{len(names)} commands checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
