#!/usr/bin/env python3
"""No sleep to learn a state (issue 12, finding 15): the docs' echo exchange
in the default mode (notes, state lines and segment counts on) runs under
strace -f, and the kernel must see no nanosleep or clock_nanosleep from
any thread. A state in passing (FIN_WAIT1 after shutdown, which lasts
about 40 ms: the peer's delayed ACK) is shown as read, and its end by a
later look. The same run shows the shutdown's line, so the trace is known
to have caught the session's calls.

usage: no_sleep.py SOCKSTEP
Exits 77 (skipped) when strace is not installed.
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

ECHO = """socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
send cli "Hello, world"
recv conn 1024
sendall conn "Hello, world"
recv cli 1024
shutdown cli SHUT_WR
recv conn 1024
handles
state cli
close cli
close conn
close srv
handles
"""


def test_echo():
    strace, env = e2elib.strace(), e2elib.strace_env()
    with tempfile.TemporaryDirectory(prefix="sockstep-nosleep-") as tmp:
        log = os.path.join(tmp, "trace")
        p = subprocess.run(
            [strace, "-f", "-qq", "-o", log, "-e",
             "trace=nanosleep,clock_nanosleep,shutdown",
             e2elib.binary()], input=ECHO.encode(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, timeout=e2elib.STEP_TIMEOUT * 3)
        with open(log) as f:
            trace = f.read()
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        raise AssertionError("exit %d\n%s%s" % (
            p.returncode, out, p.stderr.decode("utf-8", "replace")))
    if not re.search(r"\bshutdown\(\d+, SHUT_WR\) += 0", trace):
        raise AssertionError("strace did not see the session:\n" + trace)
    if "  cli ESTABLISHED -> FIN_WAIT" not in out:
        raise AssertionError("no state line under shutdown:\n" + out)
    sleeps = [l for l in trace.splitlines() if "sleep(" in l]
    if sleeps:
        raise AssertionError("%d sleeps in the default mode:\n%s" % (
            len(sleeps), "\n".join(sleeps[:20])))


if __name__ == "__main__":
    e2elib.main({"echo": test_echo})
