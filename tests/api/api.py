"""End-to-end tests of issue 5's commands on the real binary: export to C
(compiled with -Wall -Werror and compared with the session under strace)
and to Python (run), UDP and Unix sockets against real peers (nc, socat),
poll interrupted by SIGINT, and set sigpipe default. Loopback only, ports
chosen by the kernel, every wait bounded, temp files removed.

usage: api.py SOCKSTEP TEST
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
import e2elib  # noqa: E402

# The calls the comparison looks at: the ones a session's commands make.
CALLS = ("socket", "socketpair", "bind", "listen", "accept", "connect",
         "sendto", "recvfrom", "shutdown", "setsockopt", "close", "ioctl",
         "dup")


# ...and those of the descriptor session (issue 16): fcntl F_SETFL only
# (F_GETFL and F_GETFD are also the shell's own inspection).
FD_CALLS = CALLS + ("accept4", "dup2", "dup3", "fcntl", "sendmsg", "recvmsg",
                    "poll", "pselect6", "epoll_create1", "epoll_ctl",
                    "epoll_wait", "epoll_pwait")


# ...and those of the fork session: the fork, the child's exit, the reaping.
FORK_CALLS = CALLS + ("clone", "exit_group", "wait4", "kill")


def trace_calls(path, names=CALLS, live=None, forks=None):
    """The socket calls of an strace -f log, with kernel-chosen ports and
    the shell's own inspection (netlink, getsockopt, getsockname) left
    out, and close only of the sockets the calls made: a list of
    'call(args) = result' strings. live: the sockets held at the start
    (a child's, its parent's at the fork); forks, a dict: gets each
    child's pid, with the sockets it was born holding."""
    live = set(live or ())
    calls = []
    rx = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?(\w+)\((.*)\)\s+=\s+(.*)$")
    with open(path) as f:
        for line in f:
            m = rx.match(line.strip())
            if not m:
                continue
            name, args, res = m.groups()
            if name not in names:
                continue
            first = args.split(",")[0]
            if name == "clone" and forks is not None and res.isdigit():
                forks[res] = set(live)
                calls.append("fork() = CHILD")
                continue
            if name in ("exit_group", "wait4", "kill"):
                if name != "exit_group":
                    args = re.sub(r"^\d+", "PID", args)
                calls.append("%s(%s)" % (name, args))
                continue
            if name in ("poll", "pselect6"):  # the fds are inside
                first = (re.findall(r"fd=(\d+)", args) +
                         re.findall(r"\[(\d+)", args) + [""])[0]
            if name == "fcntl" and "F_SETFL" not in args:
                continue
            if name == "socket" and "NETLINK" in args:
                continue
            if name not in ("socket", "socketpair", "epoll_create1") and \
                    first not in live:
                continue
            if name == "recvfrom" and "NULL, NULL" in args and \
                    "MSG_DONTWAIT" in args:
                continue
            if name == "setsockopt" and "SO_" not in args:
                continue
            if name == "ioctl" and "FIONBIO" not in args:
                continue
            # strace's names for the timeouts, and their bytes, as one form
            args = re.sub(r"SO_(RCV|SND)TIMEO_OLD", r"SO_\1TIMEO", args)
            if "TIMEO" in args:
                args = re.sub(r'(TIMEO, )(".*"|\{[^}]*\})', r"\1TV", args)
            if name in ("socket", "accept", "dup", "accept4", "dup2", "dup3",
                        "epoll_create1") and res.split()[0] != "-1":
                live.add(res.split()[0])
            if name == "recvmsg":
                for m in re.finditer(r"cmsg_data=\[([\d, ]+)\]", args):
                    live.update(m.group(1).split(", "))
            m = re.search(r"\[(\d+), (\d+)\]", args)
            if name == "socketpair" and m:
                live.update(m.groups())
            if name == "close":
                live.discard(first)
            args = re.sub(r"htons\(\d+\)", "htons(P)", args)
            args = re.sub(r"0x[0-9a-f]+", "ADDR", args)
            # FIONBIO's [1] is a value, and fds are fds, not lengths
            if name not in ("ioctl", "sendmsg", "recvmsg", "pselect6"):
                args = re.sub(r"\[\d+ => \d+\]|\[\d+\]", "[LEN]", args)
            calls.append("%s(%s) = %s" % (name, args, res.split(" (")[0]))
    return calls


SESSION = """socket srv
setsockopt srv SO_REUSEADDR 1
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
sendall cli "Hello, world"
recv conn 1024
sendall conn b'Hello, world'
recv cli 1024
shutdown cli SHUT_WR
recv conn 1024
dup conn conn2
close conn
sendall conn2 b'bye'
recv cli 1024
close conn2
close cli
settimeout srv 0.1
accept srv
setblocking srv false
accept srv
setblocking srv true
settimeout srv none
close srv
socket x
connect x 127.0.0.1 1
close x
socket u udp
bind u 127.0.0.1 0
socket v udp
sendto v "" u
recvfrom u
sendto v b'datagram' u
recvfrom u 4 MSG_TRUNC
close u
close v
socketpair a b
send a hi
recv b
close a
close b
"""


def test_export():
    """An echo session exported to C compiles with -Wall -Werror and makes
    the same socket calls with the same results; exported to Python, it
    runs to the end (its refused connect caught)."""
    return export_check(SESSION, CALLS, 30, "Connection refused")


# Descriptors (issue 16): accept4, fcntl, dup2, dup3, a connection
# passed with SCM_RIGHTS (and two into room for one), poll, select and
# epoll, exported and run.
SESSION_FD = """socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept4 srv conn SOCK_NONBLOCK|SOCK_CLOEXEC
fcntl conn F_GETFL
fcntl conn F_SETFL O_RDWR
recv conn 10 MSG_DONTWAIT
socketpair a b
dup2 a 20 a20
dup3 b 21 b21 O_CLOEXEC
dup3 b 22 b22
sendmsg a20 "x" fds=conn
recvmsg b21 conn2
close conn
send conn2 "passed"
poll cli 1000
select cli cli:POLLOUT 1000
recv cli 100
sendmsg a "yz" fds=conn2,srv
recvmsg b only
sendmsg a "plain"
recvmsg b22
epoll_create1 ep EPOLL_CLOEXEC
epoll_ctl ep ADD cli EPOLLIN|EPOLLET
send conn2 "e"
epoll_wait ep 8 1000
epoll_ctl ep MOD cli EPOLLOUT
epoll_wait ep 4 0
epoll_ctl ep DEL cli
close ep
close only
close conn2
close cli
close srv
"""


def trace_procs(path, names):
    """The calls of an strace -ff log (files path.PID), process by process:
    a list of the first process's calls, then each child's, in the order
    of their forks."""
    files = {f.rsplit(".", 1)[1]: f for f in
             (os.path.join(os.path.dirname(path), n)
              for n in os.listdir(os.path.dirname(path)))
             if f.startswith(path + ".")}
    forks = {}
    for pid in sorted(files, key=int):
        trace_calls(files[pid], names, forks=forks)
    first = [p for p in files if p not in forks]
    if len(first) != 1:
        raise AssertionError("no one first process in %s" % sorted(files))
    order = {}
    procs = [trace_calls(files[first[0]], names, forks=order)]
    for pid in order:  # a dict keeps the order of the forks
        procs.append(trace_calls(files[pid], names, live=order[pid]))
    return procs


def run_group(args, timeout=30):
    """Runs args in a session of its own and returns its CompletedProcess
    (text); after timeout seconds kills the whole group, the program and
    any child it forked with it, and raises."""
    p = subprocess.Popen(args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise AssertionError("%s did not end in %d s" % (args[-1], timeout))
    return subprocess.CompletedProcess(args, p.returncode, out, err)


def python_forked(d, py):
    """Runs the exported Python under strace -ff: its child sends "hi"
    and it reaps the child's status 3."""
    tr = os.path.join(d, "py.tr")
    run = run_group(["strace", "-ff", "-qq", "-e",
                     "trace=socket,socketpair,accept4,sendto,wait4,"
                     "clone,clone3", "-o", tr, sys.executable, py])
    if run.returncode != 0:
        raise AssertionError("the exported Python failed:\n%s\n%s" %
                             (run.stderr, open(py).read()))
    procs = trace_procs(tr, ("socket", "socketpair", "accept4", "sendto",
                             "wait4", "clone"))
    if len(procs) != 3 or \
            not any('"hi", 2' in c for c in procs[1]) or \
            not any("WEXITSTATUS(s) == 3" in c for c in procs[0]):
        raise AssertionError("the Python's child sent no hi, or no status "
                             "3 was reaped: %s" % procs)
    return run


def export_check(session, names, least, py_out, fork=False):
    """Exports session to C and Python: the C compiles with -Wall -Werror
    and makes the same calls (of names) with the same results under
    strace (fork: each process its own, strace -ff); the Python runs to
    the end and prints py_out."""
    for tool in ("strace", "cc"):
        if not shutil.which(tool):
            print("skipped: no %s" % tool)
            return e2elib.SKIP
    with tempfile.TemporaryDirectory(prefix="sockstep-api-") as d:
        c, py = os.path.join(d, "s.c"), os.path.join(d, "s.py")
        script = session + "export c %s\nexport python %s\n" % (c, py)
        strace = ["strace", "-ff" if fork else "-f", "-qq", "-e",
                  "trace=" + ",".join(sorted(set(names) | {"network"})),
                  "-o"]
        rc, out, err = e2elib.run(strace + [os.path.join(d, "shell.tr"),
                                            e2elib.binary()],
                                  script.encode(), timeout=30,
                                  env=e2elib.clean_env(
                                      ASAN_OPTIONS="detect_leaks=0"))
        if rc != 0:
            raise AssertionError("sockstep failed: %s" % err.decode())
        exe = os.path.join(d, "s")
        cc = subprocess.run(["cc", "-Wall", "-Wextra", "-Werror", "-o", exe,
                             c], capture_output=True, text=True, timeout=60)
        if cc.returncode != 0:
            raise AssertionError("the exported C does not compile:\n%s\n%s"
                                 % (cc.stderr, open(c).read()))
        run = run_group(strace + [os.path.join(d, "prog.tr"), exe])
        if run.returncode != 0:
            raise AssertionError("the exported C exited %d" % run.returncode)
        if fork:
            want = ["%s" % p for p in
                    trace_procs(os.path.join(d, "shell.tr"), names)]
            got = ["%s" % p for p in
                   trace_procs(os.path.join(d, "prog.tr"), names)]
        else:
            want = trace_calls(os.path.join(d, "shell.tr"), names)
            got = trace_calls(os.path.join(d, "prog.tr"), names)
        if want != got:
            raise AssertionError(e2elib.diff("\n".join(want) + "\n",
                                             "\n".join(got) + "\n",
                                             "calls under strace"))
        if len(want) < least:
            raise AssertionError("too few calls seen:\n" + "\n".join(want))
        if fork:
            run = python_forked(d, py)
        else:
            run = subprocess.run([sys.executable, py], capture_output=True,
                                 text=True, timeout=30)
        if run.returncode != 0:
            raise AssertionError("the exported Python failed:\n%s\n%s" %
                                 (run.stderr, open(py).read()))
        if py_out not in run.stdout:
            raise AssertionError("the Python printed no %r:\n%s" %
                                 (py_out, run.stdout))
    return 0


def test_export_fd():
    """The descriptor session exported: the C makes the same calls, the
    Python runs (its one failing call, a recv, caught)."""
    return export_check(SESSION_FD, FD_CALLS, 30,
                        "Resource temporarily unavailable")


# fork (issue 16): the child holds the connection the parent closes, so
# the peer sees no FIN; the child sends, exits with 3, and is reaped.
SESSION_FORK = """socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
fork
@child close srv
close conn
setblocking cli false
recv cli 100
setblocking cli true
@child send conn "hi"
recv cli 100
@child exit 3
waitpid child
recv cli 100
socketpair a b
fork other
@other send a "from other"
recv b 100
close a
close b
close cli
close srv
"""


def test_export_fork():
    """The fork session exported: the C's parent and child make the
    shell's and its child's calls (the child left running killed and
    reaped at the end, as the shell does); the Python's child sends and
    its status 3 is reaped."""
    return export_check(SESSION_FORK, FORK_CALLS, 3,
                        "Resource temporarily unavailable", fork=True)


def wait_udp_bound(port, timeout=5.0):
    """Waits until some socket is bound to UDP port on this machine, as
    /proc/net/udp shows; raises after timeout seconds."""
    deadline = time.monotonic() + timeout
    want = ":%04X" % port
    while time.monotonic() < deadline:
        with open("/proc/net/udp") as f:
            if any(line.split()[1].endswith(want)
                   for line in f.readlines()[1:]):
                return
        time.sleep(0.05)
    raise AssertionError("nothing bound UDP port %d" % port)


def test_udp_nc():
    """sendto reaches nc -u, and recvfrom takes what nc -u sends back."""
    if not shutil.which("nc"):
        return e2elib.SKIP
    s = e2elib.Session([e2elib.binary()])
    nc = None
    try:
        s.send("socket u udp", "bind u 127.0.0.1 0")
        port = s.expect(r"the kernel chose port (\d+)").group(1)
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        ncport = probe.getsockname()[1]
        probe.close()
        nc = subprocess.Popen(["nc", "-u", "-l", "-W", "1", "127.0.0.1",
                               str(ncport)], stdout=subprocess.PIPE,
                              stdin=subprocess.DEVNULL)
        wait_udp_bound(ncport)
        s.send("sendto u b'to nc' 127.0.0.1 %d" % ncport)
        s.expect(r"sendto\(3, \"to nc\", 5, 0, .*\) = 5")
        out, _ = nc.communicate(timeout=10)
        if out != b"to nc":
            raise AssertionError("nc got %r" % out)
        subprocess.run(["nc", "-u", "-w", "1", "127.0.0.1", port],
                       input=b"from nc", timeout=10)
        s.send("recvfrom u 1024")
        s.expect(r'recvfrom\(3, "from nc", 1024, 0, \{sa_family=AF_INET.*'
                 r'\) = 7')
        if s.finish() != 0:
            raise AssertionError("sockstep failed")
    finally:
        if nc is not None:
            e2elib.kill_proc(nc)
        s.kill()
    return 0


def test_unix_socat():
    """A Unix stream server in the shell talks with socat, and the socket
    file stays until unlink removes it."""
    if not shutil.which("socat"):
        return e2elib.SKIP
    with tempfile.TemporaryDirectory(prefix="sockstep-api-") as d:
        path = os.path.join(d, "srv.sock")
        s = e2elib.Session([e2elib.binary()])
        try:
            s.send("socket srv unix", "bind srv %s" % path, "listen srv")
            s.expect(r"listen\(3, 128\) = 0")
            socat = subprocess.run(["socat", "-t", "1", "-",
                                    "UNIX-CONNECT:%s" % path],
                                   input=b"over unix", capture_output=True,
                                   timeout=10)
            if socat.returncode != 0:
                raise AssertionError("socat: %s" % socat.stderr)
            s.send("accept srv conn", "recv conn 1024", "close conn",
                   "close srv")
            s.expect(r'recv\(4, "over unix", 1024, 0\) = 9')
            s.expect(r"close\(3\) = 0")
            if not os.path.exists(path):
                raise AssertionError("the socket file went with close")
            s.send("socket again unix", "bind again %s" % path)
            s.expect(r"= -1 EADDRINUSE .*\n.*exists in the file system")
            s.send("unlink %s" % path)
            s.expect(r'unlink\(".*srv.sock"\) = 0')
            if s.finish() != 0:
                raise AssertionError("sockstep failed")
            if os.path.exists(path):
                raise AssertionError("unlink left the file")
        finally:
            s.kill()
    return 0


def test_poll_eintr():
    """A poll with no timeout waits until SIGINT, which it reports as
    EINTR; a script then stops, as sh does (exit status 130)."""
    s = e2elib.Session([e2elib.binary()])
    try:
        s.send("socket srv", "bind srv 127.0.0.1 0", "listen srv",
               "poll srv")
        s.expect(r"listen\(3, 128\) = 0")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with open("/proc/%d/wchan" % s.p.pid) as f:
                if "poll" in f.read():
                    break
            time.sleep(0.02)
        s.p.send_signal(signal.SIGINT)
        s.expect(r"poll\(\[\{fd=3, events=POLLIN\}\], 1, -1\) = -1 EINTR")
        s.expect(r"Ctrl-C interrupted the call")
        rc = s.finish()
        if rc != 130:
            raise AssertionError("exit status %s, not 130" % rc)
    finally:
        s.kill()
    return 0


def test_sigpipe_default():
    """set sigpipe default: the send is made in a child that SIGPIPE kills
    (exit status 141); the shell survives and says so."""
    s = e2elib.Session([e2elib.binary()])
    try:
        s.send("socketpair a b", "close b", "set sigpipe default",
               "send a x", "set sigpipe ignore", "send a y",
               "send a z MSG_NOSIGNAL")
        s.expect(r'send\(3, "x", 1, 0\) = -1 EPIPE \(Broken pipe\)\n'
                 r'\+\+\+ killed by SIGPIPE')
        s.expect(r"exit status as 141")
        s.expect(r'send\(3, "y", 1, 0\) = -1 EPIPE')
        s.expect(r"BrokenPipeError")
        s.expect(r'send\(3, "z", 1, MSG_NOSIGNAL\) = -1 EPIPE')
        if s.finish() != 0:
            raise AssertionError("sockstep failed")
    finally:
        s.kill()
    return 0


TESTS = {
    "export": test_export,
    "export-fd": test_export_fd,
    "export-fork": test_export_fork,
    "udp-nc": test_udp_nc,
    "unix-socat": test_unix_socat,
    "poll-eintr": test_poll_eintr,
    "sigpipe-default": test_sigpipe_default,
}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[2] not in TESTS:
        sys.exit("usage: api.py SOCKSTEP %s" % "|".join(TESTS))
    try:
        sys.exit(TESTS[sys.argv[2]]())
    except AssertionError as e:
        print("FAIL %s: %s" % (sys.argv[2], e))
        sys.exit(1)
