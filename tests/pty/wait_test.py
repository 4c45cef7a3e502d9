#!/usr/bin/env python3
"""Pseudo-terminal tests of issue 17's "show what blocks": a call that
waits at the prompt shows its call line up to where it waits, as strace
shows an unfinished call, and how to get out of it; lines typed
meanwhile run afterwards, or Ctrl-C drops them and says which.

Usage: wait_test.py SOCKSTEP TEST

- line: `accept s conn` shows `accept(3, ` and the hint while it waits
  and the whole line once a client (this test, another process) connects
  on loopback; `poll` and `epoll_wait` the same; an accept that returns
  at once shows its line only once.
- erase: on a terminal that can move the cursor (TERM=vt100, 80x24) the
  text shown while waiting is taken off the screen before the whole line,
  every row of it: two for accept, three for a connect whose line wraps.
- typed: lines typed while accept waits are not echoed under the hint,
  and run, each at its own prompt, once it returns.
- ctrl-c: Ctrl-C stops the accept and drops the lines typed meanwhile,
  a half-typed one too, saying which; none of them runs.

Exits 0 (pass) or 1 (fail). Every wait is bounded; the child is killed at
the end. Only loopback and kernel-chosen ports are used.
"""

import fcntl
import os
import re
import socket
import struct
import sys
import termios

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pty_test  # noqa: E402
from pty_test import CTRL_C, PROMPT, WAIT, Fail, Session  # noqa: E402

HINT = r"  Ctrl-C interrupts; %s & runs it in the background\n"


def blocked_accept(s):
    """Makes srv listen, types accept srv conn and waits until it is
    shown waiting. Returns srv's port."""
    s.prompt()
    port = pty_test.listening(s)
    s.send("accept srv conn\n")
    s.expect(r"^accept\(3, \n", "accept(3,  while it waits")
    s.expect(HINT % "accept srv conn", "the hint under it")
    return port


def shown_waiting(s, port, typed, waiting, whole):
    """Types typed, a call that waits for a connection on port: its line
    up to where it waits (waiting) and the hint come; then a client
    connects, and its whole line (whole) and the prompt come. Returns the
    client's socket, for the caller to close."""
    s.send(typed + "\n")
    s.expect(waiting, typed + " waiting")
    s.expect(HINT % typed, typed + "'s hint")
    client = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    s.expect(whole, "the whole line of " + typed)
    s.prompt()
    return client


def t_line(binary, tmp, editor):
    s = Session(binary, tmp, editor, "")
    port = blocked_accept(s)
    s.settle(0.3)
    if " = " in s.text()[s.pos:]:
        raise Fail("accept returned with no client")
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT):
        s.expect(r"^accept\(3, \{sa_family=AF_INET, sin_port=htons\(\d+\), "
                 r"sin_addr=inet_addr\(\"127\.0\.0\.1\"\)\}, \[16\]\) = 4\n",
                 "the whole accept line")
        s.prompt()
    with shown_waiting(s, port, "poll srv",
                       r"^poll\(\[\{fd=3, events=POLLIN\}\], 1, -1\n",
                       r"^poll\(\[\{fd=3, events=POLLIN\}\], 1, -1\) = 1 "
                       r"\(\[\{fd=3, revents=POLLIN\}\]\)\n"):
        start = s.pos
        s.run("accept srv c2", r"accept\(3, \{.*\) = 5\n")
    if "Ctrl-C interrupts" in s.text()[start:] or \
            len(re.findall(r"^accept\(3, ", s.text()[start:], re.M)) != 1:
        raise Fail("an accept that returned at once was shown waiting")
    s.run("epoll_create1 ep", r"epoll_create1\(0\) = 6\n")
    s.run("epoll_ctl ep ADD srv", r"epoll_ctl\(6, EPOLL_CTL_ADD, 3, .*= 0\n")
    shown_waiting(s, port, "epoll_wait ep", r"^epoll_wait\(6, \n",
                  r"^epoll_wait\(6, \[\{events=EPOLLIN, data=\{u32=3, "
                  r"u64=3\}\}\], 8, -1\) = 1\n").close()


def erased(s, mark, rows):
    """Checks that what came after mark starts by going up rows rows and
    clearing from there to the end of the screen."""
    after = s.raw[mark:]
    if not after.startswith(b"\x1b[%dA\r\x1b[J" % rows):
        raise Fail("the waiting text was not taken off its %d rows: %r" %
                   (rows, after[:40]))


def t_erase(binary, tmp, editor):
    s = Session(binary, tmp, editor, "", term="vt100")
    fcntl.ioctl(s.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    port = blocked_accept(s)
    mark = len(s.raw)
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT):
        s.expect(r"accept\(3, \{.*\) = 4\n", "the whole accept line")
        s.prompt()
    erased(s, mark, 2)
    # A connect that waits (the accept queue of a listen backlog of 0 is
    # full): its line takes two rows of 80 columns, the hint one.
    s.run("listen srv 0", r"listen\(3, 0\) = 0")
    s.run("socket a", r"= 5\n")
    s.run("connect a 127.0.0.1 %d" % port, r"connect\(5, .*\) = 0\n")
    s.run("socket b", r"= 6\n")
    s.send("connect b 127.0.0.1 %d\n" % port)
    s.expect(r"^connect\(6, \{.*\}, 16\n", "connect waiting")
    s.expect(HINT % ("connect b 127\\.0\\.0\\.1 %d" % port), "its hint")
    mark = len(s.raw)
    s.send(CTRL_C)
    s.expect(r"connect\(6, .*\) = -1 EINTR", "the EINTR line")
    s.prompt()
    erased(s, mark, 3)


def t_typed(binary, tmp, editor):
    s = Session(binary, tmp, editor, "")
    port = blocked_accept(s)
    s.send("handles\nsocket x\n")
    s.settle(0.3)
    if "handles" in s.text()[s.pos:]:
        raise Fail("a line typed while accept waited was echoed under it")
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT):
        s.expect(r"^accept\(3, \{.*\) = 4\n", "the whole accept line")
        s.expect("^" + re.escape(PROMPT) + r"handles\n", "handles at a prompt")
        s.expect(r"^conn +4 +tcp +ESTABLISHED", "handles run")
        s.expect("^" + re.escape(PROMPT) + r"socket x\n", "socket x shown")
        s.expect(r"^socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = 5\n",
                 "socket x run")
        s.prompt()


def t_ctrl_c(binary, tmp, editor):
    s = Session(binary, tmp, editor, "")
    blocked_accept(s)
    s.send("handles\nsocket x\ngetsock")
    s.settle(0.3)
    s.send(CTRL_C)
    s.expect(r"^accept\(3, \.\.\., \[16\]\) = -1 EINTR "
             r"\(Interrupted system call\)\n", "the EINTR line")
    s.expect(r"^  Ctrl-C dropped 3 lines typed while it waited, not run: "
             r"handles; socket x; getsock\n", "what was dropped")
    s.prompt()
    start = s.pos
    s.run("handles", r"\nsrv +3 +tcp listen +LISTEN")
    if re.search(r"^(x +5|socket\(|getsockname)", s.text()[start:], re.M) \
            or "NAME" in s.text()[:start].split("EINTR")[-1]:
        raise Fail("a dropped line ran")


TESTS = {"line": t_line, "erase": t_erase, "typed": t_typed,
         "ctrl-c": t_ctrl_c}


if __name__ == "__main__":
    sys.exit(pty_test.run_one(TESTS, "wait_test.py", "sockstep-wait-"))
