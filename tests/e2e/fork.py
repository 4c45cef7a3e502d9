#!/usr/bin/env python3
"""fork and commands addressed to a child (issue 16): the child's lines
carry [pid N], its exit and the shell's waitpid are printed with the
status decoded, a child that has ended is named a zombie as /proc shows
it, errors of @ lines are clear, Ctrl-C sent to the shell reaches the
child's blocking call, and no child outlives the shell: quit, end of
input, SIGTERM, SIGHUP, or the shell killed outright.

usage: fork.py SOCKSTEP [TEST...]
"""

import os
import re
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import run  # noqa: E402

PAIR = """socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
setblocking cli false
"""


def B():
    return e2elib.binary()


def forked(out):
    """The pids fork printed, in order."""
    return [int(p) for p in re.findall(rb"^fork\(\) = (\d+)$", out, re.M)]


def gone(pid, within=5.0):
    """Whether process pid has gone (or is at most a zombie of another
    parent: reaped is what counts, so only a live one fails) within the
    time given."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z" and not sibling_zombie(pid):
            return True
        time.sleep(0.02)
    return False


def sibling_zombie(pid):
    """Whether pid is a zombie whose parent is this test (never the case
    here: the test forks only the shell, which reaps its own)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1]) == os.getpid()
    except OSError:
        return False


def must(cond, what, out=b"", err=b""):
    if not cond:
        raise AssertionError("%s\n--- out:\n%s\n--- err:\n%s" % (
            what, out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace")))


def test_lines():
    """[pid N] on the child's lines, exit_group, the zombie, waitpid; with
    set python on, a child's Python line shown once, by the child."""
    script = "set python on\n" + PAIR + """fork
@child close conn
recv cli 10
@child exit 3
jobs
handles
waitpid child
"""
    rc, out, err = run([B(), "-"], script.encode())
    must(rc == 0 and err == b"", "exit status %d" % rc, out, err)
    must(out.count(b"has ended: a zombie (state Z") == 2,
         "jobs and handles both name the zombie", out, err)
    pid = forked(out)[0]
    want = [b"[pid %d] close(5) = 0" % pid,
            b"recv(4, ..., 10, 0) = -1 EAGAIN (Resource temporarily "
            b"unavailable)",
            b"[pid %d] exit_group(3) = ?" % pid,
            b"child (pid %d) has ended: a zombie (state Z in /proc/%d/stat)"
            b" until waitpid child" % (pid, pid),
            b"waitpid(%d, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0) = %d"
            % (pid, pid)]
    lines = out.splitlines()
    at = 0
    for w in want:
        must(w in lines[at:], "missing, in this order: %r" % w, out, err)
        at = lines.index(w, at) + 1
    must(re.search(rb"^\[pid %d\]   the shell \(pid \d+\) still holds"
                   % pid, out, re.M), "no note of the shell's copy", out)
    must(b"kill(" not in out, "a reaped child was killed at the end", out)
    must(gone(pid), "child %d still there" % pid, out, err)
    must(out.count(b"python: conn.close()") == 1 and
         b"[pid %d]   python: conn.close()" % pid in lines,
         "the child's Python line not shown once, by the child", out, err)


def test_errors():
    """@ lines the shell cannot run say why, on stderr, one line each."""
    script = """@nosuch close x
@child close x
fork
@child
@child exit
@child close x
waitpid nosuch
"""
    rc, out, err = run([B(), "-"], script.encode())
    lines = err.decode().splitlines()
    want = ["sockstep:<stdin>:1: no child named 'nosuch' (fork nosuch "
            "makes one; jobs lists the children)",
            "sockstep:<stdin>:2: no child named 'child' (fork child makes "
            "one; jobs lists the children)",
            "sockstep:<stdin>:4: @child needs a command for child to run, "
            "for example: @child close conn",
            "sockstep:<stdin>:6: child (pid %d) has ended: it runs no more "
            "commands, and is a zombie until waitpid child" % forked(out)[0],
            "sockstep:<stdin>:7: waitpid: no child named 'nosuch' (fork NAME"
            " makes one; jobs lists the children); usage: waitpid NAME"]
    must(lines == want, "errors:\n%s\nwanted:\n%s" % (
        "\n".join(lines), "\n".join(want)), out, err)
    must(rc == 2, "exit status %d, not 2" % rc, out, err)
    # the zombie left is reaped at the end, without a kill
    must(re.search(rb"^waitpid\(\d+, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\)"
                   rb" == 0\}\], 0\) = \d+$", out, re.M) and
         b"kill(" not in out, "the zombie was not reaped at the end", out)


def start(stdin_text):
    """Starts the shell reading a pipe; returns it after stdin_text."""
    p = subprocess.Popen([B(), "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=e2elib.clean_env())
    p.stdin.write(stdin_text.encode())
    p.stdin.flush()
    return p


def read_until(p, pattern, timeout=10.0):
    """Reads p's output until pattern matches; returns what was read."""
    got, end = b"", time.monotonic() + timeout
    while not re.search(pattern, got, re.M):
        left = end - time.monotonic()
        if left <= 0 or not select.select([p.stdout], [], [], left)[0]:
            raise AssertionError("no %r in time; got:\n%s" % (
                pattern, got.decode("utf-8", "replace")))
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            raise AssertionError("output ended before %r:\n%s" % (
                pattern, got.decode("utf-8", "replace")))
        got += chunk
    return got


def ended_by(how):
    """A shell with two children (one blocked in a call of its own) ends
    by how; both are killed and reaped, the calls printed."""
    p = start(PAIR + "fork\nfork w\n@w recv conn 10\n")
    try:
        out = read_until(p, rb"^fork\(\) = \d+\n(.|\n)*^fork\(\) = \d+\n")
        time.sleep(0.2)     # let w block in recv (no harm if it has not)
        if how == "eof":
            p.stdin.close()     # not read while @w waits: SIGINT it
            p.stdin = None
            p.send_signal(signal.SIGINT)
        elif how == "quit":
            p.stdin.write(b"quit\n")
            p.stdin.close()
            p.stdin = None
            p.send_signal(signal.SIGINT)
        else:
            p.send_signal(how)
        rest, err = p.communicate(timeout=15)
        out += rest
    finally:
        e2elib.kill_proc(p)
    pids = forked(out)
    must(len(pids) == 2, "two forks", out, err)
    for pid in pids:
        must(gone(pid), "child %d outlived the shell" % pid, out, err)
        must(re.search(rb"^waitpid\(%d, \[\{WIF" % pid, out, re.M),
             "child %d was not reaped by the shell" % pid, out, err)
    return out, err


def test_eof():
    """End of input: the children are killed and reaped; the blocked
    recv of w was interrupted by the SIGINT passed on to it."""
    out, _ = ended_by("eof")
    must(re.search(rb"^\[pid \d+\] recv\(5, \.\.\., 10, 0\) = -1 EINTR",
                   out, re.M), "w's recv was not interrupted", out)


def test_quit():
    out, _ = ended_by("quit")
    must(out.count(b"kill(") == 2, "two kills", out)


def test_sigterm():
    ended_by(signal.SIGTERM)


def test_sighup():
    ended_by(signal.SIGHUP)


def test_shell_killed():
    """The shell killed outright (SIGKILL): the kernel ends its children
    (PR_SET_PDEATHSIG)."""
    p = start(PAIR + "fork\n")
    try:
        out = read_until(p, rb"^fork\(\) = \d+\n")
        p.send_signal(signal.SIGKILL)
        p.wait(10)
    finally:
        e2elib.kill_proc(p)
    pid = forked(out)[0]
    must(gone(pid), "child %d outlived the killed shell" % pid, out)


def test_refused():
    """No fork while a job's thread runs; a child cannot fork."""
    script = PAIR + """recv conn 10 &
fork
cancel 1
fork
@child fork
"""
    rc, out, err = run([B(), "-"], script.encode())
    must(b"fork: a background job runs in a thread" in err,
         "fork with a job", out, err)
    must(b"fork: this is a child: the shell forks" in err,
         "fork in a child", out, err)
    must(len(forked(out)) == 1, "one fork only", out, err)


def test_record():
    """record writes @ lines with the child's results (a new fd as = fd)
    and a pid as = *, so that the recording replays under --check."""
    import tempfile
    script = """socketpair a b
fork
@child send a "hi"
recv b 10
@child close a
@child socket z
@child exit 2
waitpid child
"""
    with tempfile.TemporaryDirectory(prefix="sockstep-fork-") as tmp:
        path = os.path.join(tmp, "rec.lesson")
        rc, out, err = run([B(), "--record", path, "-"], script.encode())
        must(rc == 0, "record: exit status %d" % rc, out, err)
        with open(path, "rb") as f:
            rec = f.read()
        for want in (b"fork = *\n", b'@child send a "hi" = 2\n',
                     b"@child close a = 0\n", b"@child socket z = fd\n",
                     b"@child exit 2\n", b"waitpid child = *\n"):
            must(want in rec, "no %r in the recording" % want, rec)
        rc, out, err = run([B(), "--check", path])
        must(rc == 0 and b"7 passed, 0 failed" in err + out,
             "the replay: exit status %d" % rc, out, err)


def test_fdpass():
    """A descriptor passed with SCM_RIGHTS to another process: the child
    receives a new fd for the connection the shell accepted, the shell
    closes its own (the socket lives on: no CLOSE said of it), the child
    sends on the one it received, and the peer receives it."""
    script = PAIR + """socketpair u1 u2 AF_UNIX SOCK_STREAM
fork
@child close u1
close u2
sendmsg u1 "x" fds=conn
close conn
@child recvmsg u2 got
@child send got "from the child"
setblocking cli true
recv cli 100
@child exit 0
waitpid child
"""
    rc, out, err = run([B(), "-"], script.encode())
    must(rc == 0 and err == b"", "exit status %d" % rc, out, err)
    pid = forked(out)[0]
    lines = out.splitlines()
    sent = [l for l in lines if l.startswith(b"sendmsg(")]
    got = [l for l in lines if l.startswith(b"[pid %d] recvmsg(" % pid)]
    must(len(sent) == 1 and re.search(rb"cmsg_type=SCM_RIGHTS, "
                                      rb"cmsg_data=\[5\]\}", sent[0]),
         "sendmsg did not pass fd 5 (conn)", out)
    m = re.search(rb"cmsg_type=SCM_RIGHTS, cmsg_data=\[(\d+)\]\}",
                  got[0] if got else b"")
    must(m, "the child's recvmsg got no descriptor", out)
    fd = int(m.group(1))
    for w in (b"[pid %d] send(%d, \"from the child\", 14, 0) = 14"
              % (pid, fd),
              b'recv(4, "from the child", 100, 0) = 14'):
        must(w in lines, "missing: %r" % w, out, err)
    must(b"conn ESTABLISHED -> CLOSE" not in out,
         "conn's socket was said to close while in flight", out)
    must(gone(pid), "child %d still there" % pid, out, err)


if __name__ == "__main__":
    e2elib.main({"lines": test_lines, "errors": test_errors,
                 "eof": test_eof, "quit": test_quit,
                 "sigterm": test_sigterm, "sighup": test_sighup,
                 "shell-killed": test_shell_killed,
                 "refused": test_refused, "record": test_record,
                 "fdpass": test_fdpass})
