#!/usr/bin/env python3
"""strace agreement (PRODUCT.md contract 1 and 2): run a session under
strace -f and check that the socket calls the kernel saw are exactly the
call lines sockstep printed, in the same order, with the same arguments and
results. glibc's send/recv appear in strace as sendto/recvfrom with two
more arguments; a buffer strace shows as an address is '...' in sockstep.

Allowed extra calls are reads that change nothing: sock_diag netlink and
AF_PACKET capture sockets of the shell's own (track.c, capture.c), getsockname,
getpeername, getsockopt, ioctl FIONREAD/TIOCOUTQ/SIOCOUTQNSD (SIOCINQ,
SIOCOUTQ) and TCGETS (isatty), fcntl F_GETFL/F_GETFD, and closes of fds
that are not sockets (the dynamic loader's). Anything else on a socket fd
that changes state (setsockopt, shutdown, close, connect, fcntl F_SETFL,
ioctl FIONBIO, a send or recv that was not printed...) fails the test.

A background call ('&') runs in a thread: strace shows it start, then the
calls of the prompt, then it resume; it counts where it returned, which is
where sockstep prints it, and it must have started before the call that
let it return.

usage: strace_check.py SOCKSTEP [echo|errors|jobs]
Exits 77 (skipped) when strace is not installed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

TRACE = ("socket,bind,listen,accept,accept4,connect,sendto,recvfrom,"
         "sendmsg,recvmsg,shutdown,close,setsockopt,ioctl,fcntl,dup2,dup3,"
         "socketpair")

SCRIPTS = {
    # The docs' echo exchange.
    "echo": """socket srv
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
close cli
close conn
close srv
""",
    # Failing calls: their errno must agree too.
    "errors": """socket port
bind port 127.0.0.1 0
socket x
connect x port
recv x 10
accept x
listen srv_missing
socket srv
bind srv 127.0.0.1 0
listen srv 4
socket cli
connect cli srv
accept srv conn
close conn
send cli "one"
send cli "two"
shutdown cli SHUT_RDWR
handles
close cli
close x
close port
close srv
""",
    # Background calls: each is made at once in a thread of its own and
    # printed when it returns; cancel's SIGUSR1 makes the call fail.
    "jobs": """socket srv
bind srv 127.0.0.1 0
listen srv
accept srv conn &
socket cli
connect cli srv
recv conn 100 &
send cli "hi"
recv cli 10 &
cancel 3
close conn
close cli
close srv
""",
}

# For "jobs": calls that must have been made (strace saw them start) before
# the call that let them return.
STARTED_BEFORE = {"jobs": [("accept(3,", "connect(5,"),
                           ("recvfrom(4,", "sendto(5, \"hi\"")]}

INSPECT_IOCTL = ("FIONREAD", "TIOCOUTQ", "SIOCOUTQNSD", "TCGETS", "SIOCINQ",
                 "SIOCOUTQ")

CALL_RE = re.compile(r"^([a-z_0-9]+)\((.*)\) += (.*)$")


def shell_calls(out):
    """The call lines sockstep printed, as (name, args, result), with the
    libc names strace uses."""
    calls = []
    for line in out.splitlines():
        if line.startswith(" ") or not line:
            continue
        m = CALL_RE.match(line)
        if not m:
            continue
        name, args, res = m.groups()
        if name == "gethostname":
            continue    # glibc makes it with uname(2), not a socket call
        if name == "send":
            name, args = "sendto", args + ", NULL, 0"
        elif name == "recv":
            name, args = "recvfrom", args + ", NULL, NULL"
        calls.append((name, args, res))
    return calls


def joined(text):
    """The lines of a strace -f log with each call that another thread
    interrupted ("<unfinished ...>") joined to its "<... resumed>" line,
    where it returned, and the pid prefix taken off."""
    started, lines = {}, []
    for line in text.splitlines():
        m = re.match(r"^(\d+) +(.*)$", line)
        pid, line = (m.group(1), m.group(2)) if m else ("", line)
        if line.endswith("<unfinished ...>"):
            started[pid] = line[:-len("<unfinished ...>")].rstrip()
            continue
        m = re.match(r"^<\.\.\. [a-z_0-9]+ resumed> ?(.*)$", line)
        if m and pid in started:
            head = started.pop(pid)
            line = head + (" " if head.endswith(",") else "") + m.group(1)
        # A call a signal interrupts shows the kernel's ERESTARTSYS; with
        # no SA_RESTART the process gets -1 EINTR.
        lines.append(line.replace(
            "= ? ERESTARTSYS (To be restarted if SA_RESTART is set)",
            "= -1 EINTR (Interrupted system call)"))
    return lines


def starts(text):
    """The calls of a strace -f log in the order they began."""
    return [re.sub(r"^\d+ +", "", line) for line in text.splitlines()
            if not line.startswith("---")]


def strace_calls(text):
    """The state-changing socket calls of a strace log, as (name, args,
    result), and a list of inspection calls that were not allowed."""
    sockets, inspect = set(), set()
    calls, bad = [], []
    for line in joined(text):
        if line.startswith("---") or line.startswith("+++"):
            continue
        m = CALL_RE.match(line)
        if not m:
            bad.append("unparsed strace line: " + line)
            continue
        name, args, res = m.groups()
        res = re.sub(r"\s+", " ", res.strip())
        args = re.sub(r"\b0x[0-9a-f]+\b", "...", args)
        first = args.split(",", 1)[0].strip()
        fd = int(first) if first.isdigit() else None
        if name == "socket" and re.match(r"AF_(NETLINK|PACKET)\b", args):
            if not res.startswith("-1"):
                inspect.add(int(res.split()[0]))
            continue    # sock_diag or capture: inspection, not the student's
        if fd in inspect:
            if name == "close":
                inspect.discard(fd)
            elif name == "fcntl" and "F_DUPFD" in args and res[0].isdigit():
                inspect.add(int(res.split()[0]))
            continue
        if name in ("socket", "accept", "accept4"):
            if not res.startswith("-1"):
                sockets.add(int(res.split()[0]))
        elif name == "close":
            if fd not in sockets:
                continue        # not a socket: the loader's files
            if not res.startswith("-1"):
                sockets.discard(fd)
        elif name == "ioctl":
            req = args.split(",")[1].strip() if "," in args else ""
            if req in INSPECT_IOCTL:
                continue
            bad.append("ioctl that is not a read: " + line)
            continue
        elif name == "fcntl":
            req = args.split(",")[1].strip() if "," in args else ""
            if req in ("F_GETFL", "F_GETFD"):
                continue
            if fd in sockets:
                bad.append("fcntl that changes a socket: " + line)
            continue
        elif name in ("dup2", "dup3"):
            bad.append("dup onto an fd: " + line)
            continue
        calls.append((name, args, res))
    return calls, bad


def fmt(call):
    return "%s(%s) = %s" % call


def check(which):
    strace = shutil.which("strace")
    if not strace:
        raise e2elib.Skip("strace is not installed (apt-get install strace)")
    with tempfile.TemporaryDirectory(prefix="sockstep-strace-") as tmp:
        script = os.path.join(tmp, which + ".sockstep")
        log = os.path.join(tmp, "strace.log")
        with open(script, "w") as f:
            f.write(SCRIPTS[which])
        # LeakSanitizer cannot run under ptrace: in an ASan build it would
        # abort at exit. Leaks are checked by every other test.
        env = e2elib.clean_env()
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":detect_leaks=0").lstrip(":")
        rc, out, err = e2elib.run(
            [strace, "-f", "-qq", "-e", "trace=" + TRACE, "-e", "signal=none",
             "-o", log, e2elib.binary(), script], timeout=30, env=env)
        text = open(log).read() if os.path.exists(log) else ""
    if "PTRACE" in err.decode("utf-8", "replace") and not text:
        raise e2elib.Skip("strace cannot trace here: %s" % err.decode())
    if rc != 0 and which == "echo":
        raise AssertionError("exit status %d; stderr:\n%s" % (rc, err.decode()))
    want = [fmt(c) for c in shell_calls(out.decode("utf-8", "replace"))]
    got, bad = strace_calls(text)
    got = [fmt(c) for c in got]
    problems = []
    if not want:
        problems.append("sockstep printed no call lines:\n" + out.decode())
    d = e2elib.diff("\n".join(want) + "\n", "\n".join(got) + "\n",
                    "calls (sockstep's own call lines)")
    if d:
        problems.append("the kernel saw other socket calls than sockstep "
                        "printed (- printed, + strace):\n" + d)
    problems += bad
    order = starts(text)
    for first, then in STARTED_BEFORE.get(which, []):
        a = [i for i, line in enumerate(order) if line.startswith(first)]
        b = [i for i, line in enumerate(order) if line.startswith(then)]
        if not a or not b or a[0] > b[0]:
            problems.append("%s... did not start before %s..." %
                            (first, then))
    if problems:
        raise AssertionError("\n".join(problems) + "\n--- strace log:\n" + text)


if __name__ == "__main__":
    e2elib.main({w: (lambda w=w: check(w)) for w in SCRIPTS})
