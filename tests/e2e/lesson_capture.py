#!/usr/bin/env python3
"""Packets and the diagram inside lessons (issue 17): a lesson played at
the prompt gives its arrows to the shell's diagram, its lanes named by the
lesson's handles ("half-close: cli"); `--capture --play` shows the
lesson's segments, FINs included (as root, or in --lab); and --capture
where capture is not permitted fails with a message and status 2.

usage: lesson_capture.py SOCKSTEP diagram|capture|refused
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

LESSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "..", "lessons", "half-close.lesson")


def text(b):
    return b.decode("utf-8", "replace")


def test_diagram():
    rc, out, err = e2elib.run([e2elib.binary()],
                              ("socket mine\nlesson %s\ndiagram\n" %
                               LESSON).encode())
    out = text(out)
    chart = out[out.rfind("half-close: cli "):]
    if rc != 0 or "half-close: srv/conn" not in chart:
        raise AssertionError("no lanes of the lesson's handles (exit %d)"
                             ":\n%s%s" % (rc, out[-3000:], text(err)))
    for call, what in (("connect cli srv", "SYN"),
                       ("shutdown cli SHUT_WR", "FIN")):
        line = [l for l in chart.splitlines() if l.startswith(call)]
        if not line or what not in line[0]:
            raise AssertionError("no %s arrow at %r:\n%s" % (what, call,
                                                             chart))


def capture_args():
    """The options that let this user capture: none as root, --lab else."""
    if os.geteuid() == 0:
        return []
    rc, _, _ = e2elib.run([e2elib.binary(), "--lab", "-c", "capture on"])
    if rc != 0:
        raise e2elib.Skip("neither root nor a lab (user namespaces)")
    return ["--lab"]


def test_capture():
    args = capture_args()
    rc, out, err = e2elib.run([e2elib.binary()] + args +
                              ["--capture", "--play", LESSON, "--delay",
                               "0"])
    out = text(out)
    fins = [l for l in out.splitlines() if " FIN" in l and " > " in l and
            "seq" in l]
    if rc != 0 or len(fins) < 2 or "cli > conn  FIN" not in out:
        raise AssertionError("exit %d, %d FIN segments:\n%s%s" % (
            rc, len(fins), out[-3000:], text(err)))


def test_refused():
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        raise e2elib.Skip("needs root and setpriv to drop CAP_NET_RAW")
    with open(e2elib.binary(), "rb") as f:
        if f.read(2) == b"#!":  # tests/valgrind.sh's wrapper, as nobody
            raise e2elib.Skip("sockstep is a wrapper another user cannot run")
    p = subprocess.run([setpriv, "--reuid=65534", "--regid=65534",
                        "--clear-groups", "--inh-caps=-all",
                        e2elib.binary(), "--capture", "--play", LESSON],
                       capture_output=True, timeout=e2elib.STEP_TIMEOUT,
                       env=e2elib.clean_env())
    if p.returncode != 2 or b"sockstep: capture: " not in p.stderr or \
            b"socket(" in p.stdout:
        raise AssertionError("exit %d\n%s%s" % (
            p.returncode, text(p.stdout), text(p.stderr)))


if __name__ == "__main__":
    e2elib.main({"diagram": test_diagram, "capture": test_capture,
                 "refused": test_refused})
