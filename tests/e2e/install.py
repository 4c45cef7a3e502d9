#!/usr/bin/env python3
"""cmake --install puts sockstep, its man page and its lessons where a Unix
user looks for them, and the installed program finds its lessons by name
from any folder (here /), from wherever the prefix is.

usage: install.py SOCKSTEP BUILD_DIR [DATA_DIR] (the configured
share/sockstep). Exits 0, 1 on failure, 77 without
cmake or groff. The installed lesson gets a marker line, so the test fails
if the program read the source tree's copy instead.
"""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MARK = "> MARKER: this is the installed copy"


def main():
    build = sys.argv[2]
    cmake = shutil.which("cmake")
    if cmake is None:
        print("cmake is missing")
        return 77
    with tempfile.TemporaryDirectory(prefix="sockstep-install-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        subprocess.run([cmake, "--install", build, "--prefix", prefix],
                       check=True, capture_output=True, timeout=60)
        exe = os.path.join(prefix, "bin", "sockstep")
        man = os.path.join(prefix, "share", "man", "man1", "sockstep.1")
        if not os.path.exists(man):
            man += ".gz"  # gzip -9n'd where gzip was found
        man5 = os.path.join(prefix, "share", "man", "man5",
                            "sockstep-lesson.5" +
                            (".gz" if man.endswith(".gz") else ""))
        lesson = os.path.join(prefix, "share", "sockstep", "lessons",
                              "refused.lesson")
        bash = os.path.join(prefix, "share", "bash-completion",
                            "completions", "sockstep")
        zsh = os.path.join(prefix, "share", "zsh", "site-functions",
                           "_sockstep")
        for path in (exe, man, man5, lesson, bash, zsh):
            if not os.path.exists(path):
                print("FAIL: not installed:", path)
                return 1
        with open(lesson, "a") as f:
            f.write(MARK + "\n")
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "LC_ALL": "C",
               "SOCKSTEP_HISTORY": ""}
        out = subprocess.run([exe, "--play", "--delay", "0", "refused"],
                             cwd="/", env=env, capture_output=True,
                             text=True, timeout=60)
        if out.returncode != 0 or "MARKER: this is the installed copy" \
                not in out.stdout:
            print("FAIL: --play refused from / did not use the installed "
                  "lesson (exit %d)\n%s%s" % (out.returncode, out.stdout[-800:],
                                              out.stderr))
            return 1
        chk = subprocess.run([exe, "--check", "refused", "half-close"],
                             cwd="/", env=env, capture_output=True,
                             text=True, timeout=60)
        if chk.returncode != 0 or "0 failed" not in chk.stdout:
            print("FAIL: --check from /: %s%s" % (chk.stdout, chk.stderr))
            return 1
        # Issue 13: with no names, every installed lesson, the echo
        # halves with their partners.
        every = subprocess.run([exe, "--check"], cwd="/", env=env,
                               capture_output=True, text=True, timeout=120)
        if every.returncode != 0 or not every.stdout.endswith(" 0 failed\n"):
            print("FAIL: --check (every lesson) from /: %s%s" %
                  (every.stdout, every.stderr))
            return 1
        # ...and no source or build tree behind them: a lesson removed
        # from the prefix is gone (unless the README's install step put a
        # copy in the configured prefix, which the program rightly reads).
        os.unlink(os.path.join(prefix, "share", "sockstep", "lessons",
                               "byte-order.lesson"))
        configured = os.path.join(sys.argv[3] if len(sys.argv) > 3 else
                                  "/nonexistent", "lessons",
                                  "byte-order.lesson")
        gone = subprocess.run([exe, "--check", "byte-order"], cwd="/",
                              env=env, capture_output=True, text=True,
                              timeout=60)
        if os.path.exists(configured):
            print("note: %s is installed: the removed lesson is found "
                  "there" % configured)
        elif gone.returncode != 2 or \
                "no lesson 'byte-order'" not in gone.stderr:
            print("FAIL: a removed lesson was found elsewhere: %s%s" %
                  (gone.stdout, gone.stderr))
            return 1
        listing = subprocess.run([exe, "-c", "lessons"], cwd="/", env=env,
                                 capture_output=True, text=True, timeout=60)
        if "half-close" not in listing.stdout:
            print("FAIL: lessons does not list the installed lessons")
            return 1
        # Issue 19: no path of the source or build tree in the binary.
        # A sanitizer build keeps its sources' paths for its reports (the
        # instrumentation names each module), so only a plain build is
        # held to it, as the package is.
        with open(exe, "rb") as f:
            image = f.read()
        plain = b"__asan_init" not in image and b"__tsan_init" not in image
        for tree in (SRC, os.path.abspath(build)) if plain else ():
            if tree.encode() in image:
                print("FAIL: the binary names the tree", tree)
                return 1
        if shutil.which("groff"):
            with open(man, "rb") as f:
                text = f.read()
            if man.endswith(".gz"):
                text = gzip.decompress(text)
            page = subprocess.run(["groff", "-mdoc", "-Tutf8"], input=text,
                                  capture_output=True, timeout=60)
            page.stdout = page.stdout.decode("utf-8", "replace")
            if "interactive teaching shell" not in page.stdout:
                print("FAIL: the installed man page does not render")
                return 1
    print("PASS: installed to a prefix, lessons found from /, man page renders")
    return 0


if __name__ == "__main__":
    sys.exit(main())
