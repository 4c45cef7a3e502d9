#!/usr/bin/env python3
"""No file descriptor leaks (issue 7, item 5): one sockstep process runs
10,000 cycles of socket, bind (port 0), listen, socket, connect (to the
server's name), accept, close, close, close from a generated script piped
to it; its open fds (/proc/PID/fd) are counted while it waits for input
before and after, and must be the same. Every cycle must get fds 3, 4 and
5 again, with no call failing.

Usage: fd_leak.py SOCKSTEP [CYCLES]. Exits 0 (pass), 1 (fail), 77 (skip:
no /proc). Bounded: the whole run is killed after TIMEOUT seconds.
"""

import os
import re
import subprocess
import sys
import threading
import time

TIMEOUT = 240.0
CYCLE = ("socket srv\nbind srv 127.0.0.1 0\nlisten srv\nsocket cli\n"
         "connect cli srv\naccept srv conn\nclose conn\nclose cli\n"
         "close srv\n")
MARK = b"gethostname\n"


def fds(pid):
    """The open fds of pid, as {fd: target}."""
    d = "/proc/%d/fd" % pid
    out = {}
    for name in os.listdir(d):
        try:
            out[int(name)] = os.readlink(os.path.join(d, name))
        except OSError:
            pass
    return out


class Reader(threading.Thread):
    """Collects sockstep's stdout, counting the gethostname lines."""

    def __init__(self, f):
        super().__init__(daemon=True)
        self.f = f
        self.lines = []
        self.marks = 0
        self.cv = threading.Condition()

    def run(self):
        for line in self.f:
            with self.cv:
                self.lines.append(line)
                if line.startswith(b"gethostname("):
                    self.marks += 1
                    self.cv.notify_all()
        with self.cv:
            self.marks = -1
            self.cv.notify_all()

    def wait_marks(self, n, deadline):
        """Waits until n marks were read. Returns False on timeout or EOF."""
        with self.cv:
            while 0 <= self.marks < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cv.wait(left)
            return self.marks >= n


def fail(p, msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    p.kill()
    p.wait()
    sys.exit(1)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: fd_leak.py SOCKSTEP [CYCLES]")
    binary = sys.argv[1]
    cycles = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    if not os.path.isdir("/proc/self/fd"):
        print("SKIP: no /proc/PID/fd")
        sys.exit(77)
    env = dict(os.environ, SOCKSTEP_HISTORY="", LC_ALL="C")
    env.pop("SOCKSTEP_INTERACTIVE", None)
    deadline = time.monotonic() + TIMEOUT
    p = subprocess.Popen([binary], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env)
    err = []
    threading.Thread(target=lambda: err.append(p.stderr.read()),
                     daemon=True).start()
    r = Reader(p.stdout)
    r.start()

    p.stdin.write(MARK)
    p.stdin.flush()
    if not r.wait_marks(1, deadline):
        fail(p, "no answer to the first gethostname")
    before = fds(p.pid)

    start = time.monotonic()
    script = (CYCLE * cycles).encode() + MARK

    def writer():
        try:
            p.stdin.write(script)
            p.stdin.flush()
        except OSError:
            pass
    w = threading.Thread(target=writer, daemon=True)
    w.start()
    if not r.wait_marks(2, deadline):
        fail(p, "the %d cycles did not finish within %.0fs" %
             (cycles, TIMEOUT))
    took = time.monotonic() - start
    after = fds(p.pid)
    p.stdin.close()
    try:
        p.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        fail(p, "sockstep did not exit at end of input")

    text = b"".join(r.lines).decode("utf-8", "replace")
    calls = {}
    for m in re.finditer(r"^(socket|accept)\(.*\) = (-?\d+)", text, re.M):
        calls.setdefault(m.group(1), []).append(int(m.group(2)))
    failed = re.findall(r"^\w+\(.*\) = -1 .*$", text, re.M)
    problems = []
    if failed:
        problems.append("%d calls failed, the first: %s" %
                        (len(failed), failed[0]))
    if len(calls.get("accept", [])) != cycles:
        problems.append("%d accepts for %d cycles" %
                        (len(calls.get("accept", [])), cycles))
    if set(calls.get("socket", [])) - {3, 4} or \
            set(calls.get("accept", [])) - {5}:
        problems.append("fds other than 3, 4, 5 were handed out: %s" %
                        sorted(set(calls.get("socket", [])) |
                               set(calls.get("accept", [])))[:10])
    if before != after:
        problems.append("open fds before %s, after %s" %
                        (sorted(before), sorted(after)))
    print("%d cycles in %.1fs; open fds before: %d %s, after: %d %s" %
          (cycles, took, len(before), sorted(before), len(after),
           sorted(after)))
    if p.returncode != 0:
        problems.append("exit status %d" % p.returncode)
    if problems:
        for s in problems:
            sys.stderr.write("FAIL: %s\n" % s)
        sys.stderr.write(b"".join(err).decode("utf-8", "replace")[-2000:])
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
