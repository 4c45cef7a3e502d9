#!/usr/bin/env python3
"""Faults from peers (issue 7, item 3): sockstep driven through a pipe, a
line at a time, against a Python socket this driver controls. The peer
resets (RST: SO_LINGER 0, then close) or closes at each point of the
lifecycle and while a recv or send blocks; a connect meets a full backlog;
SIGINT interrupts accept, connect, recv, send and poll; stdin ends while a
call blocks. Each case checks the exact call line with its errno, that a
meaning line follows it, and that the shell goes on (a later handles works)
or, for a piped script that was interrupted, stops with status 130.

Usage: peer.py SOCKSTEP [TEST...]. Loopback and kernel-chosen ports only;
every wait has a deadline; every process and socket is gone at the end.
"""

import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as F  # noqa: E402

ADDR = r"\{sa_family=AF_INET, sin_port=htons\(\d+\), " \
    r"sin_addr=inet_addr\(\"127\.0\.0\.1\"\)\}"
# The text of a send big enough to fill the smallest buffers in a few calls.
BIG = "x" * 16384


def server(shell=None, **kw):
    """A shell with a listening handle srv; returns (shell, port)."""
    s = shell or F.Shell(**kw)
    s.cmd("socket srv")
    s.cmd("bind srv 127.0.0.1 0")
    s.cmd("listen srv")
    return s, s.port_of("srv")


def accepted(rcvbuf=None, **kw):
    """A shell whose handle conn is accepted from a Python client; returns
    (shell, client socket). rcvbuf shrinks the client's receive buffer
    before the handshake, so that the window it offers stays small."""
    s, port = server(**kw)
    c = F.track(socket.socket())
    if rcvbuf:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    c.settimeout(F.STEP)
    c.connect(("127.0.0.1", port))
    text = s.cmd("accept srv conn")
    F.call_line(text, r"accept\(3, %s, \[16\]\) = 4$" % ADDR)
    return s, c


def alive(s):
    """The shell still answers and its table holds srv and conn."""
    text = s.cmd("handles")
    F.check(re.search(r"^srv +3 ", text, re.M) and
            re.search(r"^conn +4 ", text, re.M),
            "handles lost srv or conn:\n" + text, s)


def fill(s):
    """Shrinks conn's send buffer and fills it (and the peer's receive
    window) with non-blocking sends until they return EAGAIN, twice 0.3 s
    apart, so that the next blocking send waits before it copies a byte."""
    s.cmd("setsockopt conn SO_SNDBUF 1")
    full = False
    for _ in range(64):
        text = s.cmd("send conn %s MSG_DONTWAIT" % BIG)
        if re.search(r"^send\(4, .*\) = -1 EAGAIN ", text, re.M):
            F.call_line(text, r"send\(4, .*, 16384, MSG_DONTWAIT\) = -1 "
                        r"EAGAIN \(Resource temporarily unavailable\)$")
            if full:
                return
            # ACKs still on their way (slow under valgrind) may free room:
            # full means full twice, a moment apart.
            full = True
            time.sleep(0.3)
            continue
        full = False
        F.check(re.search(r"^send\(4, .*\) = \d+$", text, re.M),
                "a send while filling failed:\n" + text, s)
    raise AssertionError("the send buffer never filled:\n" + s.out)


def test_rst_before_accept():
    """A client resets its connection while it waits in the accept queue:
    accept still returns it (already CLOSE), and the first recv shows
    ECONNRESET with its meaning."""
    s, port = server()
    c = F.track(socket.create_connection(("127.0.0.1", port), F.STEP))
    F.linger0(c)
    c.close()
    time.sleep(0.1)
    s.cmd("settimeout srv 2")
    text = s.cmd("accept srv conn")
    F.call_line(text, r"accept\(3, %s, \[16\]\) = 4$" % ADDR)
    text = s.cmd("recv conn")
    F.call_line(text, r"recv\(4, \.\.\., 1024, 0\) = -1 ECONNRESET "
                r"\(Connection reset by peer\)$")
    F.check("reset the connection (RST)" in text, "no RST meaning", s)
    text = s.cmd("handles")
    F.check(re.search(r"^conn +4 +tcp +CLOSE ", text, re.M),
            "conn is not CLOSE:\n" + text, s)
    F.check(s.finish() == 0, "exit status not 0", s)


def test_rst_data_in_flight_send():
    """Data in flight both ways when the peer resets: the next send shows
    ECONNRESET (the RST's pending error) with its meaning, the data that
    came before the RST is still received, and a later send shows EPIPE
    with the note that SIGPIPE came; the shell goes on."""
    s, c = accepted()
    c.sendall(b"peer data")
    text = s.cmd("send conn unread")
    F.call_line(text, r'send\(4, "unread", 6, 0\) = 6$')
    F.linger0(c)
    c.close()
    time.sleep(0.1)
    text = s.cmd("send conn more")
    _, meaning = F.call_line(text, r'send\(4, "more", 4, 0\) = -1 '
                             r'ECONNRESET \(Connection reset by peer\)$')
    F.check("reset" in meaning, "wrong meaning: " + meaning, s)
    text = s.cmd("recv conn")
    F.call_line(text, r'recv\(4, "peer data", 1024, 0\) = 9$')
    text = s.cmd("send conn again")
    F.call_line(text, r'send\(4, "again", 5, 0\) = -1 EPIPE '
                r'\(Broken pipe\)$')
    F.check("SIGPIPE" in text, "no SIGPIPE note:\n" + text, s)
    alive(s)
    F.check(s.finish() == 0, "exit status not 0", s)


def test_rst_data_in_flight_recv():
    """Data in flight when the peer resets: recv returns the data that
    came before the RST, then ECONNRESET, then a send shows EPIPE."""
    s, c = accepted()
    c.sendall(b"peer data")
    s.cmd("send conn unread")
    F.linger0(c)
    c.close()
    time.sleep(0.1)
    text = s.cmd("recv conn")
    F.call_line(text, r'recv\(4, "peer data", 1024, 0\) = 9$')
    text = s.cmd("recv conn")
    F.call_line(text, r"recv\(4, \.\.\., 1024, 0\) = -1 ECONNRESET "
                r"\(Connection reset by peer\)$")
    text = s.cmd("send conn more")
    F.call_line(text, r'send\(4, "more", 4, 0\) = -1 EPIPE \(Broken pipe\)$')
    alive(s)
    F.check(s.finish() == 0, "exit status not 0", s)


def test_rst_during_recv():
    """The peer resets while recv blocks: recv returns -1 ECONNRESET."""
    s, c = accepted()
    s.send("recv conn")
    s.wait_blocked("recvfrom")
    F.linger0(c)
    c.close()
    text = s.cmd("handles")
    _, meaning = F.call_line(text, r"recv\(4, \.\.\., 1024, 0\) = -1 "
                             r"ECONNRESET \(Connection reset by peer\)$")
    F.check("reset" in meaning, "wrong meaning: " + meaning, s)
    F.check(re.search(r"^conn +4 +tcp +CLOSE ", text, re.M),
            "conn is not CLOSE:\n" + text, s)
    F.check(s.finish() == 0, "exit status not 0", s)


def test_close_during_recv():
    """The peer closes while recv blocks: recv returns 0, the EOF."""
    s, c = accepted()
    s.send("recv conn")
    s.wait_blocked("recvfrom")
    c.close()
    text = s.cmd("handles")
    _, meaning = F.call_line(text, r'recv\(4, "", 1024, 0\) = 0$')
    F.check(meaning.startswith("  EOF"), "wrong meaning: " + meaning, s)
    F.check(re.search(r"^conn +4 +tcp +CLOSE_WAIT ", text, re.M),
            "conn is not CLOSE_WAIT:\n" + text, s)
    F.check(s.finish() == 0, "exit status not 0", s)


def test_rst_during_send():
    """The peer resets while a send blocks on a full buffer: the send
    returns -1 ECONNRESET, having copied nothing."""
    s, c = accepted(rcvbuf=1)
    fill(s)
    s.send("send conn blocked")
    s.wait_blocked("sendto")
    F.linger0(c)
    c.close()
    text = s.cmd("handles")
    _, meaning = F.call_line(text, r'send\(4, "blocked", 7, 0\) = -1 '
                             r'ECONNRESET \(Connection reset by peer\)$')
    F.check("reset" in meaning, "wrong meaning: " + meaning, s)
    alive(s)
    F.check(s.finish() == 0, "exit status not 0", s)


def test_close_during_send():
    """The peer closes, its receive buffer full of unread data, while a
    send blocks: its kernel answers with RST, so the send fails with
    ECONNRESET (or EPIPE), never a kill by SIGPIPE."""
    s, c = accepted(rcvbuf=1)
    fill(s)
    s.send("send conn blocked")
    s.wait_blocked("sendto")
    c.close()
    text = s.cmd("handles")
    F.call_line(text, r'send\(4, "blocked", 7, 0\) = -1 '
                r'(ECONNRESET \(Connection reset by peer\)|'
                r'EPIPE \(Broken pipe\))$')
    text = s.cmd("send conn again")
    F.call_line(text, r'send\(4, "again", 5, 0\) = -1 EPIPE '
                r'\(Broken pipe\)$')
    alive(s)
    F.check(s.finish() == 0, "exit status not 0", s)


def full_backlog():
    """A Python listener with backlog 0 and one connection waiting in its
    queue: a further SYN is dropped, so a connect blocks. Returns (the
    listener, its port, the waiting client)."""
    lst = F.listener(0)
    port = lst.getsockname()[1]
    first = F.track(socket.create_connection(("127.0.0.1", port), F.STEP))
    time.sleep(0.05)
    return lst, port, first


def test_connect_full_backlog_timeout():
    """A connect to a full backlog, bounded by settimeout: -1 EINPROGRESS
    and a meaning; the socket stays in SYN_SENT; the shell goes on."""
    _, port, _ = full_backlog()
    s = F.Shell()
    s.cmd("socket cli")
    s.cmd("settimeout cli 0.5")
    t0 = time.monotonic()
    text = s.cmd("connect cli 127.0.0.1 %d" % port)
    F.check(time.monotonic() - t0 < 5, "connect did not give up", s)
    _, meaning = F.call_line(
        text, r"connect\(3, %s, 16\) = -1 EINPROGRESS \(Operation now in "
        r"progress\)$" % ADDR)
    F.check(meaning.strip(), "no meaning", s)
    text = s.cmd("handles")
    F.check(re.search(r"^cli +3 +tcp +SYN_SENT ", text, re.M),
            "cli is not SYN_SENT:\n" + text, s)
    F.check(s.finish() == 0, "exit status not 0", s)


def interrupted(s, call, pattern, handle, says):
    """Sends SIGINT to s while it blocks in call; checks the call line
    (pattern, ending in = -1 EINTR), its meaning, that the piped script
    stops there with status 130 and a FILE:LINE message, and that the
    handles line after it did not run."""
    line = s.lineno + 1
    s.send(call, "handles")
    s.wait_blocked(*BLOCKS[call.split()[0]])
    s.sigint()
    rc = s.finish()
    text = s.out
    _, meaning = F.call_line(text, pattern + r" = -1 EINTR \(Interrupted "
                             r"system call\)$")
    F.check(says in meaning, "wrong meaning: %r; want %r" % (meaning, says),
            s)
    F.check(rc == 130, "exit status %s, not 130" % rc, s)
    F.check("<stdin>:%d: interrupted" % line in s.err,
            "no '<stdin>:%d: interrupted' on stderr" % line, s)
    F.check("NAME " not in text[text.index(meaning):],
            "the script went on after the interrupt", s)


# The system calls each command may wait in.
BLOCKS = {"accept": ("accept", "accept4"), "connect": ("connect",),
          "recv": ("recvfrom",), "send": ("sendto",),
          "poll": ("poll", "ppoll")}


def interactive(s, call, pattern, handle, says):
    """Like interrupted, for a shell with a prompt: the call shows EINTR,
    then the next line runs, every handle intact."""
    s.send(call)
    s.wait_blocked(*BLOCKS[call.split()[0]])
    s.sigint()
    text = s.cmd("handles")
    _, meaning = F.call_line(text, pattern + r" = -1 EINTR \(Interrupted "
                             r"system call\)$")
    F.check(says in meaning, "wrong meaning: %r; want %r" % (meaning, says),
            s)
    F.check(re.search(r"^%s +\d+ " % handle, text, re.M),
            "%s is not in the table after the interrupt:\n%s" % (
                handle, text), s)
    return text


def sigint_accept(**kw):
    s, _ = server(**kw)
    return (s, "accept srv conn", r"accept\(3, \.\.\., \[16\]\)", "srv",
            "Ctrl-C interrupted accept; srv is as it was before the call")


def sigint_connect(**kw):
    _, port, _ = full_backlog()
    s = F.Shell(**kw)
    s.cmd("socket cli")
    return (s, "connect cli 127.0.0.1 %d" % port,
            r"connect\(3, %s, 16\)" % ADDR, "cli",
            "Ctrl-C interrupted connect, but the handshake goes on")


def sigint_recv(**kw):
    s, _ = accepted(**kw)
    return (s, "recv conn", r"recv\(4, \.\.\., 1024, 0\)", "conn",
            "Ctrl-C interrupted recv; conn is as it was before the call")


def sigint_send(**kw):
    s, _ = accepted(rcvbuf=1, **kw)
    fill(s)
    return (s, "send conn blocked", r'send\(4, "blocked", 7, 0\)', "conn",
            "Ctrl-C interrupted send; conn is as it was before the call")


def sigint_poll(**kw):
    s, _ = accepted(**kw)
    return (s, "poll conn:in 5000",
            r"poll\(\[\{fd=4, events=POLLIN\}\], 1, 5000\)", "conn",
            "Ctrl-C interrupted the call before a handle was ready; poll "
            "changes no socket")


def make_sigint_tests():
    tests = {}
    for name, setup in (("accept", sigint_accept),
                        ("connect", sigint_connect),
                        ("recv", sigint_recv), ("send", sigint_send),
                        ("poll", sigint_poll)):
        def piped(setup=setup):
            interrupted(*setup())

        def prompt(setup=setup):
            s, *rest = setup(env=F.clean_env(SOCKSTEP_INTERACTIVE="1"))
            interactive(s, *rest)
            F.check(s.finish() == 0, "exit status not 0", s)
        tests["sigint_%s" % name] = piped
        tests["sigint_%s_prompt" % name] = prompt
    return tests


def test_sigint_connect_goes_on():
    """An interrupted connect goes on in the kernel (NOTES.md): once the
    Python listener accepts the waiting client, the handshake completes and
    the shell says so at a later call."""
    lst, port, _ = full_backlog()
    s = F.Shell(env=F.clean_env(SOCKSTEP_INTERACTIVE="1"))
    s.cmd("socket cli")
    interactive(s, "connect cli 127.0.0.1 %d" % port,
                r"connect\(3, %s, 16\)" % ADDR, "cli",
                "Ctrl-C interrupted connect, but the handshake goes on")
    F.track(lst.accept()[0])
    deadline = time.monotonic() + 8
    text = ""
    while time.monotonic() < deadline:
        text = s.cmd("handles")
        if re.search(r"^cli +3 +tcp +ESTABLISHED ", text, re.M):
            break
        time.sleep(0.3)
    F.check(re.search(r"^cli +3 +tcp +ESTABLISHED ", text, re.M),
            "cli never became ESTABLISHED:\n" + text, s)
    F.check(s.finish() == 0, "exit status not 0", s)


def test_eof_while_blocked():
    """stdin ends while the script's last line blocks in accept (bounded by
    settimeout): the accept gives up with EAGAIN and its meaning, and the
    shell ends cleanly with status 0."""
    s = F.Shell()
    s.send("socket srv", "bind srv 127.0.0.1 0", "listen srv",
           "settimeout srv 1", "accept srv conn")
    s.p.stdin.close()
    rc = s.wait()
    F.call_line(s.out, r"accept\(3, \.\.\., \[16\]\) = -1 EAGAIN \(Resource "
                r"temporarily unavailable\)$")
    F.check(rc == 0, "exit status %s, not 0" % rc, s)
    F.check(s.err == "", "stderr not empty", s)


def test_eof_while_blocked_prompt():
    """The same with a prompt: EOF after a blocking call ends the shell
    with status 0 once the call returns."""
    s = F.Shell(env=F.clean_env(SOCKSTEP_INTERACTIVE="1"))
    s.send("socket srv", "bind srv 127.0.0.1 0", "listen srv",
           "settimeout srv 1", "accept srv conn")
    s.wait_blocked("accept", "accept4")
    s.p.stdin.close()
    rc = s.wait()
    F.call_line(s.out, r"accept\(3, \.\.\., \[16\]\) = -1 EAGAIN \(Resource "
                r"temporarily unavailable\)$")
    F.check(rc == 0, "exit status %s, not 0" % rc, s)


TESTS = {name[5:]: fn for name, fn in sorted(globals().items())
         if name.startswith("test_")}
TESTS.update(make_sigint_tests())

if __name__ == "__main__":
    F.main(TESTS)
