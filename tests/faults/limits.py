#!/usr/bin/env python3
"""Resource limits (issue 7, item 5): sockstep at the process's fd limit
(ulimit -n 64) shows EMFILE with its note for socket, socketpair and
accept, loses nothing, and works again once a handle is closed; with
10,000 live handles, handles lists them all and the last one is found by
name; a history file that cannot be written (/dev/full, a path under a
regular file, an unwritable folder) gives one warning at exit, status 0.

Usage: limits.py SOCKSTEP [TEST...]. Loopback and kernel-chosen ports
only; every wait has a deadline; every process is gone at the end.
"""

import os
import pty
import re
import resource
import select
import shutil
import signal
import sys
import tempfile
import subprocess
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as F  # noqa: E402

EMFILE_NOTE = ("  the process has no free file descriptors left (ulimit -n): "
               "close some handles")


def nofile(n):
    """A preexec_fn that sets RLIMIT_NOFILE to n (soft and hard)."""
    def set_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return set_limit


ACCEPT_NOTE = ("  the process has no free fd for the new socket, so the "
               "connection stays in srv's queue (1 waiting): close a handle "
               "and accept again")


def open_fds(pid):
    """The numbers of the fds open in process pid."""
    return {int(fd) for fd in os.listdir("/proc/%d/fd" % pid)}


def limit_fds(s, n):
    """Sets the fd limit of the shell, once it answers, to n (prlimit).
    Set before exec, valgrind would keep fds of its own under the limit
    and refuse new fds itself, closing an accepted connection; set now,
    the kernel refuses, as without valgrind. Returns the fds open at or
    above n (valgrind's), which stay open."""
    s.cmd("handles")
    resource.prlimit(s.p.pid, resource.RLIMIT_NOFILE, (n, n))
    return {fd for fd in open_fds(s.p.pid) if fd >= n}


def emfile(text, call, note=EMFILE_NOTE):
    """Checks that text has call's line ending in EMFILE with its note."""
    F.call_line(text, r"%s = -1 EMFILE \(Too many open files\)$" % call)
    F.check(note in text.splitlines(), "no EMFILE note:\n" + text)


def test_emfile():
    """At ulimit -n 64, sockets are made until EMFILE; socketpair and an
    accept with a connection waiting show EMFILE too, with the note; none
    of the failed names enters the table. After one close, socket works
    again (it gets the freed fd); after another, the waiting connection is
    accepted: it was not lost."""
    s = F.Shell()
    above = limit_fds(s, 64)
    s.cmd("socket srv")
    s.cmd("bind srv 127.0.0.1 0")
    s.cmd("listen srv")
    s.cmd("socket c0")
    F.call_line(s.cmd("connect c0 srv"), r"connect\(4, .*\) = 0$")
    made, failed = [], []
    for i in range(1, 80):
        text = s.cmd("socket s%d" % i)
        m = re.search(r"^socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = "
                      r"(-?\d+)", text, re.M)
        F.check(m, "no socket line:\n" + text, s)
        if m.group(1) == "-1":
            emfile(text, r"socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\)")
            failed.append("s%d" % i)
            if len(failed) == 3:
                break
        else:
            F.check(not failed, "a socket worked after EMFILE:\n" + text, s)
            made.append(("s%d" % i, int(m.group(1))))
    F.check(len(failed) == 3 and len(made) > 40,
            "made %d sockets, %d failed" % (len(made), len(failed)), s)
    fds = open_fds(s.p.pid)
    F.check(fds == set(range(64)) | above,
            "fds open: %s; want 0 to 63 and %s" % (sorted(fds), above), s)
    emfile(s.cmd("accept srv a"), r"accept\(3, \.\.\., \[16\]\)",
           ACCEPT_NOTE)
    emfile(s.cmd("socketpair p q"),
           r"socketpair\(AF_UNIX, SOCK_STREAM, 0, \.\.\.\)")
    # One fd free: a socket gets it; a socketpair (two) still cannot.
    name, fd = made.pop(0)
    F.call_line(s.cmd("close " + name), r"close\(%d\) = 0$" % fd)
    text = s.cmd("socket again")
    F.call_line(text, r"socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = %d$"
                % fd)
    made.append(("again", fd))
    name, fd = made.pop(0)
    s.cmd("close " + name)
    text = s.cmd("accept srv a")
    F.call_line(text, r"accept\(3, \{sa_family=AF_INET, .*\}, \[16\]\) = "
                r"%d$" % fd)
    made.append(("a", fd))
    text = s.cmd("handles")
    rows = {}
    for line in text.splitlines()[1:]:
        m = re.match(r"(\S+) +(\d+) ", line)
        if m:
            rows[m.group(1)] = int(m.group(2))
    want = dict(made, srv=3, c0=4)
    F.check(rows == want, "handles lists %s, want %s" % (rows, want), s)
    F.check(re.search(r"^a +\d+ +tcp +ESTABLISHED ", text, re.M),
            "the accepted connection is not ESTABLISHED:\n" + text, s)
    # Leave fds free for the exit: LeakSanitizer (ASan builds) needs some.
    for name, fd in made[:8]:
        F.call_line(s.cmd("close " + name), r"close\(%d\) = 0$" % fd)
    F.check(s.finish() == 0, "exit status not 0", s)
    F.check(s.err == "", "stderr not empty", s)


def raise_nofile(want):
    """A preexec_fn raising RLIMIT_NOFILE to want, or None when this
    process may not."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, want))
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        except (ValueError, OSError):
            return None
    return nofile(want)


def many(lines, last_a, last_b, count):
    """Runs lines (making count handles) in one shell with a high enough
    fd limit, then checks handles lists every one and that the last pair is
    found by name."""
    limit = raise_nofile(count + 200)
    if limit is None:
        raise F.Skip("RLIMIT_NOFILE cannot be raised to %d" % (count + 200))
    s = F.Shell(["-n"], preexec_fn=limit)
    s.send(*lines)
    text = s.cmd("handles", timeout=60)
    rows = dict(re.findall(r"^(\S+) +(\d+) +\S", text, re.M))
    F.check(len(rows) == count,
            "handles lists %d rows, want %d" % (len(rows), count))
    text = s.cmd("getsockname " + last_b)
    F.check(re.search(r"^getsockname\(%s, " % rows[last_b], text, re.M),
            "the last handle is not found by name:\n" + text)
    text = s.cmd("state " + last_a)
    F.check(text.strip(), "state of the last handle printed nothing")
    errors = s.err
    F.check(s.finish(60) == 0, "exit status not 0", s)
    F.check(errors == "", "errors:\n" + errors)
    return s


def test_10000_socketpairs():
    """5,000 socketpairs: 10,000 live handles; the last pair still carries
    data, found by name."""
    lines = ["socketpair a%d b%d" % (i, i) for i in range(5000)]
    lines += ["send a4999 last", "recv b4999"]
    s = many(lines, "a4999", "b4999", 10000)
    F.call_line(s.out, r'recv\(\d+, "last", 1024, 0\) = 4$')


def test_10000_sockets():
    """10,000 TCP sockets, the last one bound and listening: handles lists
    them all (reading each one's TCP state) and the last is LISTEN."""
    lines = ["socket s%d" % i for i in range(10000)]
    lines += ["bind s9999 127.0.0.1 0", "listen s9999"]
    s = many(lines, "s9999", "s9999", 10000)
    F.check(re.search(r"^s9999 +\d+ +tcp listen +LISTEN ", s.out, re.M),
            "s9999 is not listed as LISTEN:\n" + s.out[-2000:])


def pty_run(env, lines, timeout=F.STEP):
    """Runs sockstep on a pseudo-terminal with env, types lines, and
    returns (exit status, everything it wrote)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.closerange(3, 4096)
            os.execve(F.binary(), ["sockstep"], env)
        finally:
            os._exit(127)
    out = b""
    deadline = time.monotonic() + timeout

    def pump(until):
        nonlocal out
        while time.monotonic() < min(until, deadline):
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return False
                if not data:
                    return False
                out += data
        return True

    def prompt(seen):
        """Waits for prompt number seen+1, then a moment for the line
        editor to take the terminal (keys typed earlier can be lost)."""
        while out.count(b"sockstep> ") <= seen and \
                pump(time.monotonic() + 0.05) and time.monotonic() < deadline:
            pass
        pump(time.monotonic() + 0.15)

    try:
        for n, line in enumerate(lines):
            prompt(n)
            os.write(fd, line.encode() + b"\r")
        pump(time.monotonic() + 0.3)
        while pump(time.monotonic() + 0.2) and time.monotonic() < deadline:
            wpid, status = os.waitpid(pid, os.WNOHANG)
            if wpid:
                pump(time.monotonic() + 0.2)
                return os.waitstatus_to_exitcode(status), out.decode(
                    "utf-8", "replace")
        # The output ended: the process is exiting (a sanitizer's leak
        # check may take a moment). Wait for it until the deadline.
        wpid, status = os.waitpid(pid, os.WNOHANG)
        while not wpid and time.monotonic() < deadline:
            time.sleep(0.05)
            wpid, status = os.waitpid(pid, os.WNOHANG)
        if not wpid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError("sockstep did not exit on a pty:\n%r" % out)
        return os.waitstatus_to_exitcode(status), out.decode("utf-8",
                                                             "replace")
    finally:
        os.close(fd)


def pty_env(**extra):
    env = {"PATH": "/usr/bin:/bin", "TERM": "dumb", "INPUTRC": "/dev/null",
           "EDITRC": "/dev/null", "LC_ALL": "C", "NO_COLOR": "1",
           "HOME": extra.pop("HOME")}
    env.update(extra)
    return env


def history_case(tmp, what, env):
    """Types three commands and quit; wants status 0 and exactly one
    warning naming the history file. A build with no line editor keeps no
    history, so there is nothing to test there."""
    version = subprocess.run([F.binary(), "--version"], capture_output=True,
                             text=True, timeout=F.STEP).stdout
    if "line editor: none" in version:
        raise F.Skip("this build has no line editor, so no history")
    rc, out = pty_run(pty_env(HOME=tmp, **env),
                      ["socket s", "handles", "gethostname", "quit"])
    F.check(not F.SANITIZER.search(out), "sanitizer report:\n" + out)
    warnings = [l for l in out.splitlines() if "history" in l]
    if rc != 0 or len(warnings) != 1 or \
            not re.match(r"sockstep: cannot save history in %s: " % re.escape(
                what), warnings[0]):
        raise AssertionError("status %s, warnings %r; want 0 and one "
                             "'sockstep: cannot save history in %s: ...'"
                             "\noutput:\n%s" % (rc, warnings, what, out))
    F.check("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3" in out,
            "the session did not run:\n" + out)


def test_history_full_disk():
    """SOCKSTEP_HISTORY=/dev/full: writing fails with ENOSPC."""
    tmp = tempfile.mkdtemp(prefix="sockstep-faults-")
    try:
        history_case(tmp, "/dev/full", {"SOCKSTEP_HISTORY": "/dev/full"})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_history_not_a_directory():
    """SOCKSTEP_HISTORY under a regular file: ENOTDIR (root too)."""
    tmp = tempfile.mkdtemp(prefix="sockstep-faults-")
    try:
        path = os.path.join(tmp, "file", "history")
        open(os.path.join(tmp, "file"), "w").close()
        history_case(tmp, path, {"SOCKSTEP_HISTORY": path})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_history_unwritable_directory():
    """SOCKSTEP_HISTORY in a folder of mode 0500 (EACCES; skipped as
    root, who may write anywhere)."""
    if os.geteuid() == 0:
        raise F.Skip("root may write in any folder")
    tmp = tempfile.mkdtemp(prefix="sockstep-faults-")
    ro = os.path.join(tmp, "ro")
    os.mkdir(ro, 0o500)
    try:
        path = os.path.join(ro, "history")
        history_case(tmp, path, {"SOCKSTEP_HISTORY": path})
    finally:
        os.chmod(ro, 0o700)
        shutil.rmtree(tmp, ignore_errors=True)


TESTS = {name[5:]: fn for name, fn in sorted(globals().items())
         if name.startswith("test_")}

if __name__ == "__main__":
    F.main(TESTS)
