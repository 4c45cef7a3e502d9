#!/usr/bin/env python3
"""sockstep trace, checked against strace and against the programs' own ends.

Usage: trace_check.py SOCKSTEP BINDIR CASE

BINDIR holds the C echo programs (echo_server, echo_client). Cases:

agree-c, agree-py   the echo pair (C, or the Python of Real Python), both
                    traced by sockstep at once: they interoperate (the
                    client prints the echo), and each one's call lines are
                    the lines `strace -ff` records of a separate run of the
                    same program, allowing for ports.
fork                the forking server (two connections) traced: every
                    process's lines, the children's as [pid N], match
                    strace -ff's per-process records; a close of a socket
                    another process still holds says so, and no note
                    claims what a last close does.
exit                the program's exit status is sockstep's (128+N after
                    signal N); a program not found is 127 with a message;
                    no program is a usage error (2).
attach              -p PID: the Python echo server, already blocked in accept,
                    traced from there on (its lines from accept4 to the
                    last close, the strace ones); -p of no process and,
                    as root with setpriv, of a process of another user
                    fail with a message and exit 2.
shell               the shell's trace command: the C client traced inside a
                    session that holds a listener of its own, against an
                    untraced server: the client's calls come in the
                    session's output with the client's fd 3 (the shell's
                    sockets are not passed on), then its exit status;
                    help trace explains it.
modes               a C program setting a socket non-blocking with fcntl
                    (F_GETFL, F_SETFL) and ioctl FIONBIO, then waiting on
                    sockets with poll, ppoll and select, among fcntl, ioctl
                    and poll calls on a pipe only and F_GETFD of the
                    socket; dup, dup2 and dup3 of the socket and of a
                    pipe, the socket closed while its copies hold it; and
                    Python's setblocking, settimeout, a recv that times
                    out and select.select: the lines are strace's for
                    those calls on sockets, no other; each dup says its
                    new fd is another descriptor for the socket, and the
                    close says the socket stays open. Then epoll: a C
                    program (epoll_create1, epoll_ctl ADD/MOD/DEL of a
                    socket and of a pipe, epoll_wait and epoll_pwait of
                    an instance watching a socket and of one watching only
                    a pipe) and Python's select.epoll (register, poll,
                    modify, unregister): the lines are strace's for
                    epoll_ctl of a socket and the waits of an instance
                    that watches a socket (strace -y's fd kinds tell
                    which), no other: not epoll_create1, which names no
                    socket (Python's import of selectors makes one).
msg                 a C program's sendmsg and recvmsg (a message in two
                    pieces, one longer than strace's string limit, one
                    with SCM_RIGHTS, one with SCM_CREDENTIALS, on a Unix
                    socket pair; a UDP datagram with msg_name; EAGAIN):
                    the lines are strace's, the received buffers shown up
                    to the length returned; sendmmsg and recvmmsg are
                    named, their messages "..." (strace's decoded array
                    taken for it).
diagram             the C echo pair, each traced with --diagram FILE: the
                    client's chart has the handshake of its connect, its
                    bytes, the echo its recv saw, its shutdown's FIN and
                    the server's FIN its recv saw; the server's the
                    handshake its accept saw, the bytes, the FINs; each
                    arrow pointing the right way, lanes named by fd; and
                    under the client's connect, the segments its socket
                    sent and received across it (2 and 1: the handshake).
capture             (root only, else skipped) the same with --capture:
                    the segment lines come under the calls, as the
                    shell's (fd3 > 127.0.0.1:PORT  SYN ...), and the
                    charts are drawn from them (ACKs, no "inferred").
sigint              a blocked accept is said at once ("waits"), before it
                    returns; Ctrl-C (SIGINT to the foreground process
                    group) then ends the program as it would without
                    sockstep; sockstep itself stays, prints the
                    interrupted accept and exits 130.

Exits 0 (pass), 1 (fail) or 77 (skipped: no strace, or sockstep is not
the binary itself but a wrapper, as under tests/valgrind.sh: ptrace under
valgrind is not supported).
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

SOCKSTEP, BINDIR, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
CALLS = ("socket,socketpair,bind,connect,listen,accept,accept4,getsockname,"
         "getpeername,sendto,recvfrom,sendmsg,recvmsg,shutdown,setsockopt,"
         "getsockopt,close")
WAITS = "poll,ppoll,select,pselect6"
EPOLL = "epoll_create1,epoll_ctl,epoll_wait,epoll_pwait"  # create1: let by
WAIT = 30
# a call a signal broke off, to be restarted: whether SIGCHLD comes while
# the forking server waits in accept depends on timing, so neither side's
# such lines are compared
RESTARTED = re.compile(r"= \? ERESTART")
SOCKET_TAG = r"(?:socket|TCP|TCPv6|UDP|UDPv6|UNIX[A-Z-]*|NETLINK):\["


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def programs(lang):
    """The server and client command lines of one language."""
    if lang == "c":
        return ([os.path.join(BINDIR, "echo_server")],
                [os.path.join(BINDIR, "echo_client")])
    return ([PY, os.path.join(HERE, "echo_server.py")],
            [PY, os.path.join(HERE, "echo_client.py")])


def norm(line):
    """A call line without its port numbers, fd annotations and padding."""
    line = re.sub(r"<[A-Za-z0-9_-]+:\[[^\]]*\]>", "", line)
    line = re.sub(r"htons\(\d+\)", "htons(PORT)", line)
    line = re.sub(r"left \{[^}]*\}", "left {...}", line)
    line = re.sub(r"\b0x[0-9a-f]{8,}\b", "...", line)  # an address
    return re.sub(r"\)\s+= ", ") = ", line).rstrip()


def sockstep_lines(path, main_pid):
    """Call lines of a sockstep trace file, by process: {pid: [line]}."""
    procs = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"(?:\[pid (\d+)\] )?([a-z0-9_]+\(.*)", line)
        if not m or RESTARTED.search(line):
            continue
        pid = int(m.group(1)) if m.group(1) else main_pid
        procs.setdefault(pid, []).append(norm(m.group(2)))
    return procs


def epoll_wanted(line, watched):
    """Whether sockstep trace shows a line of strace -y, as far as epoll
    goes: not epoll_create1; an epoll_ctl whose target is a socket; a wait
    of an instance that watches a socket (watched: {epfd: socket fds},
    which this keeps up to date from the epoll_ctl and close lines)."""
    if line.startswith("epoll_create1("):
        return False
    m = re.match(r"epoll_ctl\((\d+)<[^>]*>, (EPOLL_CTL_[A-Z]+), (\d+)<(" +
                 SOCKET_TAG + r")?.* = (-?\d+)", line)
    if m:
        if m.group(4) and m.group(5) == "0":
            fds = watched.setdefault(int(m.group(1)), set())
            if m.group(2) == "EPOLL_CTL_DEL":
                fds.discard(int(m.group(3)))
            else:
                fds.add(int(m.group(3)))
        return m.group(4) is not None
    m = re.match(r"epoll_p?wait\((\d+)<", line)
    if m:
        return bool(watched.get(int(m.group(1))))
    m = re.match(r"close\((\d+)<", line)
    if m:
        for fds in watched.values():
            fds.discard(int(m.group(1)))
    return True


def strace_lines(prefix):
    """Call lines of strace -ff -y files, socket closes only: {pid: [line]}."""
    procs = {}
    d, base = os.path.split(prefix)
    for name in os.listdir(d):
        if not name.startswith(base + "."):
            continue
        pid = int(name[len(base) + 1:])
        lines, watched = [], {}
        for line in open(os.path.join(d, name), encoding="utf-8",
                         errors="replace"):
            if not re.match(r"[a-z0-9_]+\(", line) or RESTARTED.search(line):
                continue
            if not epoll_wanted(line, watched):
                continue
            if line.startswith("close(") and not re.match(
                    r"close\(\d+<" + SOCKET_TAG, line):
                continue
            if re.match(r"(p?poll|p?select6?)\(", line) and not re.search(
                    r"\d+<" + SOCKET_TAG, line):
                continue
            if re.match(r"dup[23]?\(", line) and not re.match(
                    r"dup[23]?\(\d+<" + SOCKET_TAG, line):
                continue
            if re.match(r"(fcntl|ioctl)\(", line) and not re.match(
                    r"(fcntl|ioctl)\(\d+<" + SOCKET_TAG +
                    r"\d+\]>, (F_GETFL|F_SETFL|FIONBIO)\b", line):
                continue
            lines.append(norm(line))
        if lines:
            procs[pid] = lines
    return procs


def shape(procs, main_pid):
    """The main process's lines and the sorted lines of the others."""
    main = procs.get(main_pid, [])
    rest = sorted(v for k, v in procs.items() if k != main_pid)
    return main, rest


def start(cmd, out):
    """Starts cmd, its stdout a pipe; returns it and its first line's PID PORT."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    first = p.stdout.readline().split()
    if len(first) != 2:
        p.kill()
        p.wait()
        fail(f"{cmd}: no 'PID PORT' line on stdout")
    return p, int(first[0]), first[1]


def run_pair(server, client, wrap_s, wrap_c, nclients=1):
    """Runs the server and nclients clients, each command wrapped; returns (server pid, client outputs)."""
    p, pid, port = start(wrap_s + server, None)
    outs = []
    try:
        for i in range(nclients):
            c = subprocess.run(wrap_c(i) + client +
                               [port, f"Hello, world {i}"],
                               capture_output=True, text=True, timeout=WAIT)
            outs.append((c.returncode, c.stdout))
        rest, _ = p.communicate(timeout=WAIT)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    if p.returncode != 0:
        fail(f"server {server} exited {p.returncode}")
    return pid, outs, rest


def compare(label, ours, theirs):
    """Fails unless the two shapes are the same, showing the first difference."""
    if ours == theirs:
        return
    import difflib
    a = [l for v in [ours[0]] + ours[1] for l in v + ["--"]]
    b = [l for v in [theirs[0]] + theirs[1] for l in v + ["--"]]
    print("\n".join(difflib.unified_diff(b, a, "strace", "sockstep",
                                         lineterm="")))
    fail(f"{label}: sockstep's call lines are not strace's")


def says_state(label, path, call, change):
    """Fails unless the notes under the first call line starting with call
    say its fd went through change ("CLOSE -> LISTEN"), as the tracer read
    the socket before and after."""
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"(?:\[pid \d+\] )?" + re.escape(call) + r"\((\d+),",
                     line)
        if not m:
            continue
        notes = []
        for note in lines[i + 1:]:
            if not note.startswith("  "):
                break
            notes.append(note.strip())
        if f"fd{m.group(1)} {change}" not in notes:
            fail(f"{label}: no 'fd{m.group(1)} {change}' under {line}: "
                 f"{notes}")
        return
    fail(f"{label}: no {call} line")


def says_dups(label, path):
    """Fails unless each dup of a socket says its new fd is another
    descriptor for the socket, and the close of the socket while its
    copies hold it says the socket stays open, with no last-close note."""
    text = open(path, encoding="utf-8", errors="replace").read()
    for m in re.finditer(r"^dup[23]?\((\d+)[^\n]*= (\d+)\n((?:  .*\n)*)",
                         text, re.M):
        want = f"fd{m.group(2)} is another descriptor for fd{m.group(1)}'s"
        if want not in m.group(3):
            fail(f"{label}: no '{want}' under {m.group(0)!r}")
    after = text[text.find("\ndup3("):]  # the socket's close follows
    m = re.search(r"^close\((\d+)\)\s+= 0\n((?:  .*\n)*)", after, re.M)
    if not m or "still holds its socket" not in m.group(2) or \
            "RST" in m.group(2) or "free again" in m.group(2):
        fail(f"{label}: the close of a dup'd socket explained wrong: "
             f"{m.group(0) if m else text!r}")


def shared_closes(path, pid):
    """Fails unless the forking server's closes of a socket another
    process surely holds (the parent's of each connection, the first
    child's of the listener) say so, no close that says so has a note of
    what a last close does (RST, FIN, a port freed), and the last close of
    the listener (the parent's or the second child's, whichever ran
    last) does not say so."""
    text = open(path, encoding="utf-8", errors="replace").read()
    blocks = [(int(b[0] or pid), b[1], b[2]) for b in re.findall(
        r"^(?:\[pid (\d+)\] )?close\((\d+)\)\s+= 0\n((?:  .*\n)*)",
        text, re.M)]
    listener = [b for b in blocks if b[1] == "3"]
    sure = [b for b in blocks if b[0] == pid and b[1] == "4"]
    sure += [b for b in listener if b[0] != pid][:1]
    if len(sure) != 3 or len(listener) != 3:
        fail(f"forking server: {len(blocks)} closes, not 2 of connections "
             f"in the parent and 3 of the listener:\n{text}")
    for b in sure:
        if "still holds its socket" not in b[2]:
            fail(f"forking server: a shared socket's close does not say "
                 f"so: {b}\n{text}")
    for b in blocks:
        if "still holds its socket" in b[2] and any(
                w in b[2] for w in ("RST", "FIN", "free again")):
            fail(f"forking server: a shared socket's close says what a "
                 f"last close does: {b}\n{text}")
    if "still holds its socket" in listener[-1][2]:
        fail(f"forking server: the listener's last close says another "
             f"holds it: {listener[-1]}\n{text}")


def agree(lang, tmp, fork=False):
    server, client = programs(lang)
    if fork:
        server = server + ["-f", "2"]
    n = 2 if fork else 1
    so, co = os.path.join(tmp, "server.trace"), os.path.join(tmp, "client")
    pid, outs, _ = run_pair(
        server, client, [SOCKSTEP, "trace", "-o", so, "--"],
        lambda i: [SOCKSTEP, "trace", "-o", f"{co}.{i}.trace", "--"], n)
    for i, (rc, out) in enumerate(outs):
        if rc != 0 or out.strip() != f"received Hello, world {i}":
            fail(f"traced client {i}: exit {rc}, printed {out!r}")
    ours = shape(sockstep_lines(so, pid), pid)
    says_state("server", so, "listen", "CLOSE -> LISTEN")
    for i in range(n):
        says_state(f"client {i}", f"{co}.{i}.trace", "connect",
                   "CLOSE -> ESTABLISHED")
    if fork and len(ours[1]) != 2:
        fail(f"forking server: {len(ours[1])} children's lines, not 2")
    if fork:
        shared_closes(so, pid)
    st = os.path.join(tmp, "strace-s")
    sc = os.path.join(tmp, "strace-c")
    spid, souts, _ = run_pair(
        server, client,
        ["strace", "-ff", "-y", "-qq", "-s", "32", "-e", "trace=" + CALLS,
         "-o", st],
        lambda i: ["strace", "-ff", "-y", "-qq", "-s", "32", "-e",
                   "trace=" + CALLS, "-o", f"{sc}{i}"], n)
    compare("server", ours, shape(strace_lines(st), spid))
    for i in range(n):
        mine = sockstep_lines(f"{co}.{i}.trace", 0)
        theirs = strace_lines(f"{sc}{i}")
        if len(theirs) != 1:
            fail(f"client {i}: strace recorded {len(theirs)} processes")
        compare(f"client {i}", (mine.get(0, []), []),
                (list(theirs.values())[0], []))
        if not mine.get(0):
            fail(f"client {i}: no call lines")
    print(f"{lang}{' fork' if fork else ''}: {len(ours[0])} server lines, "
          f"{sum(map(len, ours[1]))} in children, agree with strace")


def case_modes(tmp):
    """The modes programs traced: their fcntl and ioctl lines on sockets,
    and only those, are strace's."""
    py = ("import os, select, socket\nprint(os.getpid(), 0, flush=True)\n"
          "s = socket.socket()\ns.setblocking(False)\ns.settimeout(2.5)\n"
          "s.setblocking(True)\ns.close()\n"
          "a, b = socket.socketpair()\nb.settimeout(0.01)\n"
          "try:\n    b.recv(1)\nexcept TimeoutError:\n    pass\n"
          "a.send(b'x')\nselect.select([b], [a], [], 1)\nb.recv(1)\n"
          "ep = select.epoll()\nep.register(b, select.EPOLLIN)\n"
          "a.send(b'y')\nep.poll(1)\nep.modify(b, select.EPOLLOUT)\n"
          "ep.poll(0, 4)\nep.unregister(b)\nep.close()\n")
    for label, prog in (("c", [os.path.join(BINDIR, "modes")]),
                        ("epoll", [os.path.join(BINDIR, "epoll")]),
                        ("py", [PY, "-c", py])):
        out = os.path.join(tmp, label + ".trace")
        p, pid, _ = start([SOCKSTEP, "trace", "-o", out, "--"] + prog, None)
        if p.wait(timeout=WAIT) != 0:
            fail(f"{label}: traced program exited {p.returncode}")
        p.stdout.close()
        ours = sockstep_lines(out, pid).get(pid, [])
        prefix = os.path.join(tmp, "strace-" + label)
        q, spid, _ = start(["strace", "-ff", "-y", "-qq", "-e",
                            "trace=" + CALLS + ",fcntl,ioctl,dup,dup2,dup3," +
                            WAITS + "," + EPOLL, "-o",
                            prefix] + prog, None)
        q.wait(timeout=WAIT)
        q.stdout.close()
        compare(label, (ours, []), (strace_lines(prefix).get(spid, []), []))
        kinds = ("fcntl|ioctl", "p?poll|pselect6", "epoll_ctl|epoll_wait")
        if label == "epoll":
            kinds = ("epoll_ctl", "epoll_wait", "epoll_pwait")
        if label == "c":
            kinds = kinds[:2]
            kinds += ("dup[23]?",)
            says_dups(label, out)
        for kind in kinds:
            if not [l for l in ours if re.match(r"(%s)\(" % kind, l)]:
                fail(f"{label}: no {kind} line")
    print("fcntl F_GETFL/F_SETFL, ioctl FIONBIO, dup and epoll on sockets "
          "agree with strace; the others are let by")


def arrows(path):
    """A text chart's arrows: [(call, what, "->" or "<-")], and its first
    line (the lanes' names)."""
    lines = open(path).read().split("\n")
    out = []
    for line in lines:
        m = re.match(r"(.*?)\s*\|(-- (.*?) -+>|<- (.*?) -+)\|", line)
        if m:
            what = m.group(3) if m.group(3) is not None else m.group(4)
            out.append((m.group(1), what, "->" if m.group(3) else "<-"))
    return out, lines[0]


LATE_FIN_CLIENT = """import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"hi")
s.recv(100)
s.shutdown(socket.SHUT_WR)
time.sleep(0.3)  # the peer's FIN comes while no call is made
print(s.recv(100))
s.close()
"""


def case_late_fin(tmp):
    """A peer's FIN that comes before the call that reads it: the socket
    can no longer say its addresses (closed, its TIME_WAIT the kernel's),
    yet the chart draws the FIN seen by that recvfrom, from the addresses
    the connect gave (the flake of trace.diagram, made certain)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    prog = os.path.join(tmp, "late.py")
    with open(prog, "w") as f:
        f.write(LATE_FIN_CLIENT)
    chart = os.path.join(tmp, "late.chart")
    p = subprocess.Popen([SOCKSTEP, "trace", "-n", "-o", os.devnull,
                          "--diagram", chart, "--", sys.executable, prog,
                          str(srv.getsockname()[1])],
                         stdout=subprocess.PIPE, text=True)
    srv.settimeout(WAIT)
    conn, _ = srv.accept()
    conn.settimeout(WAIT)
    conn.sendall(conn.recv(100))
    if conn.recv(100) != b"":
        fail("the client did not shut down its sending side")
    conn.close()
    srv.close()
    out, _ = p.communicate(timeout=WAIT)
    got, _ = arrows(chart)
    if p.returncode != 0 or out != "b''\n" or \
            got[-2:] != [("shutdown(3)", "FIN", "->"),
                         ("(seen by recvfrom(3))", "FIN", "<-")]:
        fail(f"late FIN: {p.returncode} {out!r} {got}")
    print("a FIN that came between calls is drawn under the call that saw it")


def case_diagram(tmp, capture):
    """The C echo pair traced with --diagram (and --capture)."""
    if capture and os.getuid() != 0:
        print("SKIP: capture needs root")
        sys.exit(77)
    server, client = programs("c")
    opt = ["--capture"] if capture else []
    so, sc = os.path.join(tmp, "s.trace"), os.path.join(tmp, "c.trace")
    ds, dc = os.path.join(tmp, "s.chart"), os.path.join(tmp, "c.chart")
    _, outs, _ = run_pair(
        server, client,
        [SOCKSTEP, "trace", "-o", so, "--diagram", ds] + opt + ["--"],
        lambda i: [SOCKSTEP, "trace", "-o", sc, "--diagram", dc] + opt +
        ["--"])
    if outs[0] != (0, "received Hello, world 0\n"):
        fail(f"traced client: {outs[0]}")
    data = '14 bytes "Hello, w"...'
    cli, clanes = arrows(dc)
    srv, slanes = arrows(ds)
    if not capture:
        want_c = [("connect(3)", "SYN", "->"), ("", "SYN, ACK", "<-"),
                  ("", "ACK", "->"), ("sendto(3)", data, "->"),
                  ("(seen by recvfrom(3))", data, "<-"),
                  ("shutdown(3)", "FIN", "->"),
                  ("(seen by recvfrom(3))", "FIN", "<-")]
        want_s = [("(seen by accept(3))", "SYN", "->"),
                  ("", "SYN, ACK", "<-"), ("", "ACK", "->"),
                  ("(seen by recvfrom(4))", data, "->"),
                  ("sendto(4)", data, "<-"),
                  ("(seen by recvfrom(4))", "FIN", "->"),
                  ("close(4)", "FIN", "<-")]
        for label, got, want in (("client", cli, want_c),
                                 ("server", srv, want_s)):
            if got != want:
                fail(f"{label}'s arrows: {got}")
        if not re.search(r"^connect\(3, .*\n(?:  .*\n)*  segments: fd3 "
                         r"sent 2, received 1\n", open(sc).read(), re.M):
            fail(f"client: no handshake's segment counts under connect:\n"
                 f"{open(sc).read()}")
        if not re.match(r"\s+pid \d+: fd3\s+peer$", clanes) or \
                not re.match(r"\s+peer\s+pid \d+: fd4$", slanes):
            fail(f"lanes: {clanes!r} / {slanes!r}")
        print("the echo pair's charts: handshake, data, FIN, inferred")
        return
    for label, got, path in (("client", cli, dc), ("server", srv, ds)):
        kinds = [w for _, w, _ in got]
        if "SYN" not in kinds or "SYN, ACK" not in kinds or \
                "FIN, ACK" not in kinds or "ACK" not in kinds or \
                not [w for w in kinds if w.startswith(data)] or \
                "inferred" in open(path).read():
            fail(f"{label}'s captured arrows: {got}")
    text = open(sc).read()
    m = re.search(r"^connect\(3, .*\n((?:  .*\n)*)", text, re.M)
    if not m or not re.search(r"^  fd3 > 127\.0\.0\.1:\d+  SYN  +seq 0 "
                              r"ack 0  len 0$", m.group(1), re.M) or \
            not re.search(r"^  127\.0\.0\.1:\d+ > fd3  SYN, ACK  seq 0 "
                          r"ack 1  len 0$", m.group(1), re.M):
        fail(f"client: no handshake segments under connect:\n{text}")
    if not re.search(r"^shutdown\(3, SHUT_WR\) = 0\n(?:  .*\n)*"
                     r"  fd3 > 127\.0\.0\.1:\d+  FIN, ACK ", text, re.M):
        fail(f"client: no FIN segment under shutdown:\n{text}")
    if not re.search(r"^  fd4 > 127\.0\.0\.1:\d+  PSH, ACK .* len 14$",
                     open(so).read(), re.M):
        fail(f"server: no segment of its echo:\n{open(so).read()}")
    print("the echo pair's segments under their calls, charts from them")


def mmsg_elided(line):
    """strace's sendmmsg or recvmmsg line with its messages as "...",
    which sockstep does not decode; and credentials' pid as PID."""
    line = re.sub(r"^((?:send|recv)mmsg\(\d+, )\[.*\](, \d+, )", r"\1...\2",
                  line)
    return re.sub(r"\{pid=\d+,", "{pid=PID,", line)


def case_msg(tmp):
    """The msg program traced: its lines are strace's."""
    prog = [os.path.join(BINDIR, "msg")]
    out = os.path.join(tmp, "msg.trace")
    p, pid, _ = start([SOCKSTEP, "trace", "-o", out, "--"] + prog, None)
    if p.wait(timeout=WAIT) != 0:
        fail(f"traced program exited {p.returncode}")
    p.stdout.close()
    ours = [mmsg_elided(l) for l in sockstep_lines(out, pid).get(pid, [])]
    prefix = os.path.join(tmp, "strace-msg")
    q, spid, _ = start(["strace", "-ff", "-y", "-qq", "-s", "32", "-e",
                        "trace=" + CALLS + ",sendmmsg,recvmmsg", "-o",
                        prefix] + prog, None)
    q.wait(timeout=WAIT)
    q.stdout.close()
    theirs = [mmsg_elided(l) for l in strace_lines(prefix).get(spid, [])]
    compare("msg", (ours, []), (theirs, []))
    for want in ("cmsg_type=SCM_RIGHTS, cmsg_data=[", "=> 0, msg_iov",
                 '"..., iov_len=1024}', "sendmmsg(", "recvmmsg("):
        if not [l for l in ours if want in l and l.startswith(
                ("recvmsg(", "sendmmsg(", "recvmmsg("))]:
            fail(f"no received line with {want!r}: {ours}")
    print(f"{len(ours)} lines of sendmsg and recvmsg agree with strace")


def served(server, argv):
    """Runs argv(port) against a fresh server, which then must end; returns
    the finished client (a CompletedProcess, text)."""
    p, _, port = start(server, None)
    try:
        r = subprocess.run(argv(port), capture_output=True, text=True,
                           timeout=WAIT)
        p.communicate(timeout=WAIT)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return r


def python_lines(path):
    """The lines under "  python: " of a trace file."""
    return [l[len("  python: "):].rstrip("\n") for l in open(path)
            if l.startswith("  python: ")]


def python_of(tmp, prog, wants, nones):
    """Traces the C program prog with --python: a line holds each of
    wants, every line compiles as Python, and the first call starting with
    each of nones (one Python has no line for) gets none."""
    out = os.path.join(tmp, prog + ".trace")
    q, _, _ = start([SOCKSTEP, "trace", "--python", "-n", "-o", out, "--",
                     os.path.join(BINDIR, prog)], None)
    q.wait(timeout=WAIT)
    q.stdout.close()
    lines = python_lines(out)
    for want in wants:
        if not [l for l in lines if want in l]:
            fail(f"{prog}: no python line with {want!r}: {lines}")
    for l in lines:
        compile(l, "python line", "exec")
    text = open(out).read()
    for call in nones:
        block = text[text.index(call):].split("\n")
        if block[1].startswith("  python: "):
            fail(f"a python line under {call}: {block[1]}")


def case_python(tmp):
    """--python: the C echo client's Python lines, run as a program against
    another echo server, make the same calls (sockstep's lines of the two
    agree but for Python's SOCK_CLOEXEC and the port); the modes program's
    lines (setblocking both ways, socketpair, poll, select, dup) and the
    epoll program's (register, modify, unregister, poll) are Python, and a
    call Python has no line for (F_GETFL, dup2, epoll_pwait) gets none."""
    server, client = programs("c")
    first = os.path.join(tmp, "c.trace")
    r = served(server, lambda port: [SOCKSTEP, "trace", "--python", "-o",
                                     first, "--"] + client +
               [port, "Hello, world 0"])
    lines = python_lines(first)
    if r.returncode != 0 or len(lines) != 7:
        fail(f"client: exit {r.returncode}, python lines {lines}")
    script = os.path.join(tmp, "client.py")
    second = os.path.join(tmp, "py.trace")

    def run_script(port2):
        """Writes the lines, the connect's port made port2's: a program."""
        with open(script, "w") as f:
            f.write("import select, socket\n" + "\n".join(
                re.sub(r", \d+\)\)$", f", {port2}))", l) for l in lines) +
                "\n")
        return [SOCKSTEP, "trace", "-n", "-o", second, "--", PY, script]
    r = served(server, run_script)
    ours = [l.replace("|SOCK_CLOEXEC", "") for l in
            sockstep_lines(second, 0).get(0, [])]
    want = sockstep_lines(first, 0).get(0, [])
    if r.returncode != 0:
        fail(f"the Python lines as a program: exit {r.returncode} "
             f"{r.stderr}")
    compare("python", (ours, []), (want, []))
    python_of(tmp, "modes", ("fd3.setblocking(False)", "fd3.setblocking(True)",
                             "socket.socketpair(socket.AF_UNIX, "
                             "socket.SOCK_STREAM)", "p.poll(100)",
                             "select.select([fd", " = fd3.dup()"),
              ("fcntl(3, F_GETFL)", "dup2("))
    python_of(tmp, "epoll", ("fd7.register(fd3, select.EPOLLIN | "
                             "select.EPOLLET)", "fd7.poll(0, 8)",
                             "fd7.poll(1, 8)", "fd7.modify(fd3, "
                             "select.EPOLLIN | select.EPOLLRDHUP)",
                             "fd7.poll(1, 1)", "fd7.unregister(fd3)"),
              ("epoll_pwait(",))
    print(f"{len(lines)} python lines; the client's, run, make its calls")


def case_exit(tmp):
    for cmd, want in ((["sh", "-c", "exit 7"], 7),
                      ([PY, "-c", "import os; os.kill(os.getpid(), 15)"],
                       128 + 15),
                      (["sh", "-c", "exit 0"], 0)):
        r = subprocess.run([SOCKSTEP, "trace", "--"] + cmd,
                           capture_output=True, text=True, timeout=WAIT)
        if r.returncode != want:
            fail(f"{cmd}: sockstep exited {r.returncode}, not {want}")
    r = subprocess.run([SOCKSTEP, "trace", "--", "/nonexistent/prog"],
                       capture_output=True, text=True, timeout=WAIT)
    if r.returncode != 127 or "/nonexistent/prog" not in r.stderr:
        fail(f"a program not found: {r.returncode} {r.stderr!r}")
    r = subprocess.run([SOCKSTEP, "trace"], capture_output=True, text=True,
                       timeout=WAIT)
    if r.returncode != 2 or "name a program" not in r.stderr:
        fail(f"no program: {r.returncode} {r.stderr!r}")
    # the program's own output passes through, trace lines to stderr
    r = subprocess.run([SOCKSTEP, "trace", "--", PY, "-c",
                        "import socket; print('out'); socket.socket()"],
                       capture_output=True, text=True, timeout=WAIT)
    if r.stdout != "out\n" or "socket(AF_INET, SOCK_STREAM" not in r.stderr:
        fail(f"output: {r.stdout!r} / {r.stderr!r}")
    print("exit status, errors and output pass through")


def case_attach(tmp):
    server, client = programs("py")
    p, pid, port = start(server, None)
    out = os.path.join(tmp, "attach.trace")
    t = None
    try:
        for _ in range(200):  # bounded: until the accept blocks
            if open(f"/proc/{pid}/wchan").read() not in ("0", ""):
                break
            subprocess.run(["sleep", "0.02"])
        t = subprocess.Popen([SOCKSTEP, "trace", "-o", out, "-p", str(pid)],
                             stderr=subprocess.PIPE, text=True)
        for _ in range(200):  # bounded: until sockstep is its tracer
            st = open(f"/proc/{pid}/status").read()
            if re.search(r"^TracerPid:\s+%d$" % t.pid, st, re.M):
                break
            subprocess.run(["sleep", "0.02"])
        c = subprocess.run(client + [port, "Hello, world 0"],
                           capture_output=True, text=True, timeout=WAIT)
        p.communicate(timeout=WAIT)
        _, err = t.communicate(timeout=WAIT)
    finally:
        for q in (p, t):
            if q is not None and q.poll() is None:
                q.kill()
                q.wait()
    if c.stdout.strip() != "received Hello, world 0" or t.returncode != 0:
        fail(f"attached: client {c.stdout!r}, sockstep {t.returncode} "
             f"{err!r}")
    mine = sockstep_lines(out, pid).get(pid, [])
    want = ["accept4(3, {sa_family=AF_INET, sin_port=htons(PORT), "
            "sin_addr=inet_addr(\"127.0.0.1\")}, [16], SOCK_CLOEXEC) = 4",
            "getsockname(4, {sa_family=AF_INET, sin_port=htons(PORT), "
            "sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = 0",
            'recvfrom(4, "Hello, world 0", 1024, 0, NULL, NULL) = 14',
            'sendto(4, "Hello, world 0", 14, 0, NULL, 0) = 14',
            'recvfrom(4, "", 1024, 0, NULL, NULL) = 0',
            "close(4) = 0", "close(3) = 0"]
    if mine != want:
        fail("attached: lines\n" + "\n".join(mine))
    r = subprocess.run([SOCKSTEP, "trace", "-p", "999999999"],
                       capture_output=True, text=True, timeout=WAIT)
    if r.returncode != 2 or "no process" not in r.stderr:
        fail(f"-p of no process: {r.returncode} {r.stderr!r}")
    if os.getuid() == 0 and shutil.which("setpriv"):
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                            "--clear-groups", SOCKSTEP, "trace", "-p",
                            str(os.getpid())],
                           capture_output=True, text=True, timeout=WAIT)
        if r.returncode != 2 or "cannot attach" not in r.stderr or \
                "Operation not permitted" not in r.stderr:
            fail(f"-p not permitted: {r.returncode} {r.stderr!r}")
    print("attached to a running server; refusals explained")


def case_shell(tmp):
    server, client = programs("c")
    r = served(server, lambda port: [
        SOCKSTEP, "-c", "socket srv; bind srv 127.0.0.1 0; listen srv; "
        f"trace -- {client[0]} {port} 'Hello, world 0'; help trace"])
    lines = [norm(l) for l in r.stdout.splitlines()]
    want = ["socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
            "connect(3, {sa_family=AF_INET, sin_port=htons(PORT), "
            "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
            'sendto(3, "Hello, world 0", 14, 0, NULL, 0) = 14',
            'recvfrom(3, "Hello, world 0", 14, MSG_WAITALL, NULL, NULL) = 14',
            "shutdown(3, SHUT_WR) = 0"]
    at = [i for i, l in enumerate(lines) if l.startswith("socket(")]
    got = [l for l in lines[at[1]:] if re.match(r"[a-z]+\(", l)] \
        if len(at) == 2 else []
    if r.returncode != 0 or got[:5] != want or \
            "received Hello, world 0" not in r.stdout or \
            "ended: exit status 0" not in r.stdout or \
            "usage: trace PROGRAM" not in r.stdout:
        fail(f"the shell's trace: {r.returncode}\n{r.stdout}\n{r.stderr}")
    print("the shell's trace command runs a program traced")


def case_sigint(tmp):
    for lang in ("c", "py"):
        server, _ = programs(lang)
        out = os.path.join(tmp, f"{lang}.trace")
        p = subprocess.Popen([SOCKSTEP, "trace", "-o", out, "--"] + server,
                             stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
        first = p.stdout.readline().split()
        if len(first) != 2:
            p.kill()
            fail(f"{lang}: no 'PID PORT' line")
        # the blocked accept is said at once, before it returns (bounded)
        for _ in range(250):
            if re.search(r"^  accept4? on fd3 waits: the program is blocked",
                         open(out).read(), re.M):
                break
            subprocess.run(["sleep", "0.02"])
        else:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            fail(f"{lang}: the blocked accept was not said at once:\n"
                 f"{open(out).read()}")
        os.killpg(p.pid, signal.SIGINT)  # what the terminal's Ctrl-C does
        try:
            p.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            fail(f"{lang}: Ctrl-C did not end the traced program")
        if p.returncode != 130:
            fail(f"{lang}: sockstep ended {p.returncode}, not exit 130")
        text = open(out).read()
        if not re.search(r"^accept4?\(3, .*= \? ERESTART", text, re.M):
            fail(f"{lang}: no interrupted accept in the trace:\n{text}")
    print("Ctrl-C reaches the program; sockstep exits 130 after it")


def main():
    with open(SOCKSTEP, "rb") as f:
        if f.read(4) != b"\x7fELF":
            print("SKIP: sockstep is wrapped (valgrind?): no ptrace there")
            sys.exit(77)
    if CASE.startswith("agree") or CASE in ("fork", "modes", "msg"):
        if shutil.which("strace") is None:
            print("SKIP: no strace")
            sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        if CASE == "agree-c":
            agree("c", tmp)
        elif CASE == "agree-py":
            agree("py", tmp)
        elif CASE == "fork":
            agree("c", tmp, fork=True)
        elif CASE == "exit":
            case_exit(tmp)
        elif CASE == "attach":
            case_attach(tmp)
        elif CASE == "shell":
            case_shell(tmp)
        elif CASE == "sigint":
            case_sigint(tmp)
        elif CASE == "modes":
            case_modes(tmp)
        elif CASE in ("diagram", "capture"):
            case_diagram(tmp, CASE == "capture")
        elif CASE == "msg":
            case_msg(tmp)
        elif CASE == "late-fin":
            case_late_fin(tmp)
        elif CASE == "python":
            case_python(tmp)
        else:
            fail(f"unknown case {CASE}")


if __name__ == "__main__":
    main()
