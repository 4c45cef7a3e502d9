#!/usr/bin/env python3
"""Nothing breaks it, part two (issue 14, and issue 13's finding 5): where
threads, signals and output meet. Each test re-enacts one finding on the
real binary through pipes, files or signals, and checks what it prints
and its exit status.

Usage: reliable.py SOCKSTEP [TEST...]. Loopback and kernel-chosen ports
only; every wait has a deadline; every process and file is gone at the end.
"""

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
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



# A send big enough to block on a socket whose SO_SNDBUF is 4096.
BIG = "x" * 60000


def test_sigpipe_overlap():
    """Two overlapping background sends in ignore mode leave SIGPIPE as the
    setting says: after set sigpipe catch, a send to a closed peer says
    that SIGPIPE came (finding 3)."""
    s = F.Shell()
    s.send("set sigpipe ignore",
           "socketpair x y", "setsockopt x SO_SNDBUF 4096", "send x %s &" % BIG,
           "socketpair p q", "setsockopt p SO_SNDBUF 4096", "send p %s &" % BIG,
           "cancel 1", "cancel 2", "set sigpipe catch",
           "socketpair m n", "close n", "send m hello")
    rc = s.finish()
    F.check(rc == 0, "exit status %s, not 0" % rc, s)
    F.check(s.out.count("returned: send") == 2, "the two jobs did not "
            "both return", s)
    F.call_line(s.out, r"send\(7, \"hello\", 5, 0\) = -1 EPIPE")
    F.check("SIGPIPE came too" in s.out, "catch mode does not catch "
            "SIGPIPE after two overlapping sends", s)


def test_sigpipe_at_prompt():
    """A SIGPIPE from outside while the plain input path waits for a line
    does not end the session (finding 4)."""
    s = F.Shell(env=F.clean_env(SOCKSTEP_INTERACTIVE="1"))
    s.send("socket s")
    s.expect(r"s is fd 3")
    s.wait_blocked("read")
    s.p.send_signal(signal.SIGPIPE)
    time.sleep(0.2)
    F.check(s.p.poll() is None, "the shell ended on SIGPIPE", s)
    text = s.cmd("handles")
    F.check(re.search(r"^s\s+3\s", text, re.M), "s is gone", s)
    rc = s.finish()
    F.check(rc == 0, "exit status %s, not 0" % rc, s)


def test_sigpipe_names_signal():
    """A SIGPIPE that interrupts a blocking call is named as SIGPIPE, not
    as Ctrl-C; the script goes on (finding 4)."""
    s = F.Shell()
    listening(s)
    s.send("accept srv conn")
    s.wait_blocked("accept", "accept4")
    s.p.send_signal(signal.SIGPIPE)
    s.expect(r"^accept\(3, .*= -1 EINTR")
    s.expect(r"SIGPIPE interrupted (the call|accept)")
    F.check("Ctrl-C" not in s.out, "a SIGPIPE is called Ctrl-C", s)
    text = s.cmd("handles")
    F.check(re.search(r"^srv\s+3\s", text, re.M), "srv is gone", s)
    rc = s.finish()
    F.check(rc == 0, "exit status %s, not 0" % rc, s)


def run_to(args, stdout, stdin=None):
    """Runs sockstep with args, stdout to a file object; returns its exit
    status and stderr."""
    p = subprocess.run([F.binary()] + args, stdout=stdout, stderr=subprocess.PIPE,
                       stdin=stdin or subprocess.DEVNULL, env=F.clean_env(),
                       timeout=F.STEP)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def full_disk(args):
    """Output to /dev/full: status 1 and one line on stderr (finding 5)."""
    if not os.path.exists("/dev/full"):
        raise F.Skip("no /dev/full")
    with open("/dev/full", "w") as full:
        rc, err = run_to(args, full)
    F.check(rc == 1, "exit status %s, not 1; stderr:\n%s" % (rc, err))
    F.check(err == "sockstep: write error on standard output: No space left "
            "on device\n", "stderr is not the one line:\n" + err)


def test_stdout_full_help():
    full_disk(["--help"])


def test_stdout_full_command():
    full_disk(["-c", "socket s"])


def test_stdout_reader_gone():
    """sockstep -n script | head -1 on 20,000 socket/close pairs: the shell
    stops making calls soon after its reader has gone, says so in one line
    and exits 1 (finding 5)."""
    if not shutil.which("strace"):
        raise F.Skip("no strace")
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "pairs")
        trace = os.path.join(tmp, "trace")
        with open(script, "w") as f:
            for i in range(20000):
                f.write("socket s%d; close s%d\n" % (i, i))
        # A pipe of one page, read 64 bytes: however slow the reader is
        # to go, the shell can be at most the pipe and its stdio buffer
        # (8 KiB, about 67 pairs' lines) ahead of it.
        r, w = os.pipe()
        fcntl.fcntl(r, 1031, 4096)  # F_SETPIPE_SZ
        p = subprocess.Popen(["strace", "-f", "-qq", "-o", trace, "-e",
                              "trace=socket", F.binary(), "-n", script],
                             stdout=w, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, env=F.clean_env())
        os.close(w)
        first = os.read(r, 64)
        os.close(r)  # the reader goes, as head -1 does
        try:
            err = p.stderr.read().decode("utf-8", "replace")
            rc = p.wait(F.STEP * 3)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise AssertionError("sockstep went on after its reader left")
        with open(trace) as f:
            calls = sum(1 for line in f if line.startswith(("socket(",))
                        or "socket(" in line)
    F.check(first.startswith(b"socket("), "first line %r" % first)
    F.check(rc == 1, "exit status %s, not 1; stderr:\n%s" % (rc, err))
    F.check(err == "sockstep: write error on standard output: Broken pipe\n",
            "stderr is not the one line:\n" + err)
    F.check(calls < 100, "%d socket calls made after the reader left" % calls)


def killed_in_accept(signo, status):
    """A script writing to a regular file, ended by signo while blocked in
    accept, has written every line it printed before, and exits with
    status (issue 13 finding 5, issue 14 finding 6)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        with open(out, "w") as f:
            s = subprocess.Popen([F.binary(), "-"], stdin=subprocess.PIPE,
                                 stdout=f, stderr=subprocess.PIPE,
                                 env=F.clean_env())
        try:
            s.stdin.write(b"socket srv\nbind srv 127.0.0.1 0\nlisten srv\n"
                          b"accept srv conn\nsocket never\n")
            s.stdin.flush()
            shell = F.Shell.__new__(F.Shell)
            shell.p = s
            F.Shell.wait_blocked(shell, "accept", "accept4")
            s.send_signal(signo)
            rc = s.wait(F.STEP)
            err = s.stderr.read().decode()
        finally:
            if s.poll() is None:
                s.kill()
                s.wait()
            s.stdin.close()
            s.stderr.close()
        with open(out) as f:
            text = f.read()
    name = signal.Signals(signo).name
    for want in (r"^listen\(3, 128\) = 0$", r"^accept\(3, .*= -1 EINTR",
                 r"^  %s interrupted (the call|accept)" % name):
        F.check(re.search(want, text, re.M), "/%s/ not in the file:\n%s\n"
                "stderr:\n%s" % (want, text, err))
    F.check("never" not in text, "the script went on:\n" + text)
    F.check(rc == status, "exit status %s, not %s" % (rc, status))
    F.check(err.endswith("stopped by %s\n" % name), "stderr:\n" + err)


def test_sigterm_in_accept():
    killed_in_accept(signal.SIGTERM, 143)


def test_sighup_in_accept():
    killed_in_accept(signal.SIGHUP, 129)


def test_sigkill_in_accept():
    """Killed with SIGKILL (nothing runs), the lines printed before a call
    that can block are in the file all the same: flushed before it."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        with open(out, "w") as f:
            s = subprocess.Popen([F.binary(), "-"], stdin=subprocess.PIPE,
                                 stdout=f, stderr=subprocess.DEVNULL,
                                 env=F.clean_env())
        try:
            s.stdin.write(b"socket srv\nbind srv 127.0.0.1 0\nlisten srv\n"
                          b"accept srv conn\n")
            s.stdin.flush()
            shell = F.Shell.__new__(F.Shell)
            shell.p = s
            F.Shell.wait_blocked(shell, "accept", "accept4")
            s.kill()
            s.wait(F.STEP)
        finally:
            if s.poll() is None:
                s.kill()
                s.wait()
            s.stdin.close()
        with open(out) as f:
            text = f.read()
    F.check(re.search(r"^listen\(3, 128\) = 0$", text, re.M),
            "the listen line is not in the file:\n" + text)


def peak_kib(pid):
    """The peak resident memory of process pid since it started its
    program (VmHWM), in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise F.Skip("no VmHWM in /proc")


def wrapped():
    """True when the binary is a script that starts sockstep under a tool
    (tests/valgrind.sh does that): its memory and speed are the tool's."""
    with open(F.binary(), "rb") as f:
        return f.read(2) == b"#!"


def test_long_line():
    """A 100 MB line on standard input is refused while it is read: the
    shell never holds it whole, says how long it was, and goes on
    (finding 7). Under valgrind: 10 MB, and no bound on memory."""
    size = (10 if wrapped() else 100) * 1000 * 1000
    s = F.Shell(args=["-"])
    chunk = b"x" * (1 << 20)
    left = size
    while left > 0:
        s.p.stdin.write(chunk[:min(left, len(chunk))])
        left -= len(chunk)
    s.send("", "socket s")
    s.expect(r"^socket\(AF_INET", timeout=F.STEP * 6)
    peak = peak_kib(s.p.pid)
    rc = s.finish()
    F.check("<stdin>:1: line too long (%d bytes; at most 65536)" % size
            in s.err, "no refusal on stderr", s)
    F.check(rc == 2, "exit status %s, not 2" % rc, s)
    print("     peak RSS with a %d MB line: %d KiB" % (size // 1000000, peak))
    F.check(wrapped() or peak < 16 * 1024,
            "peak RSS %d KiB: the line was held" % peak)


def line_editor():
    """The line editor of this build: readline, libedit or none."""
    v = subprocess.run([F.binary(), "--version"], capture_output=True,
                       text=True, timeout=F.STEP).stdout
    m = re.search(r"line editor: (\w+)", v)
    return m.group(1) if m else "none"


def on_pty(tmp, history, lines, signo=None):
    """Runs sockstep on a pseudo-terminal with history file history, types
    lines (each after its prompt), then sends signo (or types quit).
    Returns (exit status, what it wrote)."""
    env = {"PATH": "/usr/bin:/bin", "TERM": "dumb", "INPUTRC": "/dev/null",
           "EDITRC": "/dev/null", "LC_ALL": "C", "NO_COLOR": "1",
           "HOME": tmp, "SOCKSTEP_HISTORY": history}
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.closerange(3, 4096)
            os.execve(F.binary(), ["sockstep"], env)
        finally:
            os._exit(127)
    out = b""
    deadline = time.monotonic() + F.STEP

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

    try:
        for n, line in enumerate(lines + ([] if signo else ["quit"])):
            while out.count(b"sockstep> ") <= n and time.monotonic() < \
                    deadline and pump(time.monotonic() + 0.05):
                pass
            pump(time.monotonic() + 0.15)
            os.write(fd, line.encode() + b"\r")
        if signo:
            while out.count(b"sockstep> ") <= len(lines) and \
                    time.monotonic() < deadline and \
                    pump(time.monotonic() + 0.05):
                pass
            os.kill(pid, signo)
        while pump(time.monotonic() + 0.1):
            pass
        wpid, status = os.waitpid(pid, os.WNOHANG)
        while not wpid and time.monotonic() < deadline:
            time.sleep(0.05)
            wpid, status = os.waitpid(pid, os.WNOHANG)
        if not wpid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError("sockstep did not exit:\n%r" % out)
        return os.waitstatus_to_exitcode(status), out.decode("utf-8",
                                                             "replace")
    finally:
        os.close(fd)


def test_sighup_saves_history():
    """Closing the terminal (SIGHUP) at the prompt saves the session's
    history and exits 129 (finding 6)."""
    if line_editor() == "none":
        raise F.Skip("this build has no line editor, so no history")
    with tempfile.TemporaryDirectory() as tmp:
        hist = os.path.join(tmp, "history")
        rc, out = on_pty(tmp, hist, ["socket s", "gethostname"],
                         signal.SIGHUP)
        F.check(rc == 129, "exit status %s, not 129:\n%s" % (rc, out))
        with open(hist, "rb") as f:
            saved = f.read().decode("utf-8", "replace")
        mode = os.stat(hist).st_mode & 0o777
    F.check("gethostname" in saved and
            re.search(r"socket(\\040| )s", saved),
            "history not saved:\n%r\noutput:\n%s" % (saved, out))
    F.check(mode == 0o600, "history mode %o" % mode)


def test_history_round_trip():
    """The history written through the checked descriptor reads back as
    typed, blanks and backslashes too, in either line editor's format:
    Ctrl-P twice in the next session brings the line back."""
    if line_editor() == "none":
        raise F.Skip("this build has no line editor, so no history")
    typed = "gethostname # a  b\\c"
    with tempfile.TemporaryDirectory() as tmp:
        hist = os.path.join(tmp, "history")
        on_pty(tmp, hist, [typed])
        rc, out = on_pty(tmp, hist, ["\x10\x10"])
    F.check(rc == 0, "exit status %s:\n%s" % (rc, out))
    F.check(out.count("gethostname # a  b\\c") >= 1 and
            out.count('gethostname("') >= 1,
            "the line did not come back as typed:\n%r" % out)


def test_history_cut_said():
    """A history longer than the 1,000 lines kept is cut with one line on
    stderr that says so (finding 6)."""
    if line_editor() == "none":
        raise F.Skip("this build has no line editor, so no history")
    with tempfile.TemporaryDirectory() as tmp:
        hist = os.path.join(tmp, "history")
        with open(hist, "w") as f:
            if line_editor() == "libedit":
                f.write("_HiStOrY_V2_\n")
            for i in range(5000):
                f.write("gethostname%d\n" % i)
        rc, out = on_pty(tmp, hist, ["gethostname"])
        with open(hist) as f:
            kept = f.read().splitlines()
    said = [l for l in out.splitlines() if "history" in l]
    F.check(rc == 0, "exit status %s:\n%s" % (rc, out))
    F.check(len(said) == 1 and re.search(r"has 5000 lines; the last 1000 "
                                         r"are kept", said[0]),
            "not said in one line: %r\n%s" % (said, out))
    entries = [l for l in kept if not l.startswith("_HiStOrY_V2_")]
    F.check(len(entries) == 1000 and entries[-1] == "quit",
            "%d entries kept, last %r" % (len(entries), entries[-1:]))


TESTS = {name[5:]: fn for name, fn in sorted(globals().items())
         if name.startswith("test_")}

if __name__ == "__main__":
    F.main(TESTS)
