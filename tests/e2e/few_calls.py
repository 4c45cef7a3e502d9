#!/usr/bin/env python3
"""With -n, a command makes its own call and no more than the write of its
output (issue 20): 100 socket/close pairs under strace -f, after 50 idle
TCP handles were made, make 100 socket, 100 close and at most 200 writes
(and a call or two once), no fstat of the other handles, no getsockname
or getpeername (a socket no command named since it was made was never
bound: its close has no address to remember). A socket that was bound still has its addresses
read at close, so that its lingering connection can be found.

usage: few_calls.py SOCKSTEP
Exits 77 (skipped) when strace is not installed.
"""

import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

PAIRS = 100
IDLE = 50


def calls(script):
    """The calls sockstep -n makes for script, after its first socket:
    a Counter by name."""
    strace, env = e2elib.strace(), e2elib.strace_env()
    with tempfile.TemporaryDirectory(prefix="sockstep-calls-") as tmp:
        log = os.path.join(tmp, "trace")
        p = subprocess.run([strace, "-f", "-qq", "-o", log,
                            e2elib.binary(), "-n"], input=script.encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=e2elib.STEP_TIMEOUT * 3)
        with open(log) as f:
            lines = f.read().splitlines()
    if p.returncode != 0:
        raise AssertionError("exit %d\n%s" % (
            p.returncode, p.stderr.decode("utf-8", "replace")))
    names = [m.group(1) for m in
             (re.match(r"(?:\d+ +)?([a-z0-9_]+)\(", l) for l in lines) if m]
    first = names.index("socket")
    last = len(names) - 1 - names[::-1].index("close")
    return collections.Counter(names[first:last + 1])


def test_fresh():
    # with idle TCP handles open, as a class's session has: a command's
    # calls must not grow with them
    idle = "".join("socket idle%d\n" % i for i in range(IDLE))
    c = calls(idle + "socket s\nclose s\n" * PAIRS)
    c["socket"] -= IDLE
    c["write"] -= IDLE
    want = {"socket": PAIRS, "close": PAIRS}
    # others once at most (stdio's fstat of standard output at its first
    # write), never one a command; the allocator's own calls (a sanitizer
    # build's allocator maps memory as it goes) are not the commands'
    memory = ("mmap", "munmap", "mprotect", "madvise", "brk", "mremap")
    extra = {k: v for k, v in c.items()
             if k not in want and k != "write" and k not in memory}
    if c["socket"] != PAIRS or c["close"] != PAIRS or \
            sum(extra.values()) > 2 or c["write"] > 2 * PAIRS or \
            c["getsockname"] or c["getpeername"]:
        raise AssertionError("%d socket/close pairs made %s" % (PAIRS,
                                                               dict(c)))


def test_bound():
    c = calls("socket s\nbind s 127.0.0.1 0\nclose s\n")
    if c["getsockname"] < 1:
        raise AssertionError("a bound socket's close read no address: %s"
                             % dict(c))


if __name__ == "__main__":
    e2elib.main({"fresh": test_fresh, "bound": test_bound})
