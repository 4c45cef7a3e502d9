#!/usr/bin/env python3
"""Nothing breaks it, part two (issue 14, and issue 13's finding 5): where
threads, signals and output meet. Each test re-enacts one finding on the
real binary through pipes, files or signals, and checks what it prints
and its exit status.

Usage: reliable.py SOCKSTEP [TEST...]. Loopback and kernel-chosen ports
only; every wait has a deadline; every process and file is gone at the end.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as F  # noqa: E402


def listening(s, name="srv"):
    """Makes handle name listen on a kernel-chosen loopback port."""
    s.send("socket %s" % name, "bind %s 127.0.0.1 0" % name,
           "listen %s" % name)


def close_refused(call):
    """A handle a background poll or select waits on cannot be closed:
    close is a usage error naming the job, the handle stays open with its
    fd, and cancel ends the job."""
    s = F.Shell(args=["-n"], env=F.clean_env(SOCKSTEP_INTERACTIVE="1"))
    listening(s)
    listening(s, "other")
    s.send("%s other srv &" % call)
    s.expect(r"\[1\] %s other srv &" % call)
    s.send("close srv")
    s.expect(r"close: job \[1\] waits in a call on srv", where="err")
    text = s.cmd("handles")
    F.check(re.search(r"^srv\s+3\s", text, re.M),
            "srv is not open as fd 3 after close was refused", s)
    F.check("close(3)" not in s.out, "close(3) was made", s)
    s.send("cancel 1")
    s.expect(r"\[1\] returned: %s" % call)
    s.send("close srv")
    s.expect(r"^close\(3\) = 0$")
    rc = s.finish()
    F.check(rc == 0, "exit status %s, not 0" % rc, s)


def test_poll_close_refused():
    close_refused("poll")


def test_select_close_refused():
    close_refused("select")


TESTS = {name[5:]: fn for name, fn in sorted(globals().items())
         if name.startswith("test_")}

if __name__ == "__main__":
    F.main(TESTS)
