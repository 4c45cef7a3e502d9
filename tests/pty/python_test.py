#!/usr/bin/env python3
"""Pseudo-terminal tests of issue 18 at 80x24: Python lines typed at the
prompt, and the first screen.

Usage: python_test.py SOCKSTEP TEST

- echo: the Real Python tutorial's echo server and client
  (realpython.com/python-sockets), typed line by line as the tutorial
  writes them, indentation and comments included, into two shells on
  loopback. The port is the kernel's choice (a socket bound to port 0,
  then closed), given with --var PORT=N, so the tutorial's PORT = 65432
  leaves it alone. Each Python line must run the command the command
  forms would (its "runs:" line) and make the same calls; block
  statements get one line each; the echo comes back.
- first-screen: the line at start, `help` and `help python` each fit one
  80x24 screen; nothing of the kind when stdin is a pipe.
- outside: ten lines of Python outside the subset each get one line, and
  the handles are left as they were.

Exits 0 (pass) or 1 (fail). Every wait is bounded; the children are
killed at the end.
"""

import fcntl
import os
import random
import re
import socket
import struct
import subprocess
import sys
import termios

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pty_test  # noqa: E402
from pty_test import Fail, Session  # noqa: E402

SERVER = '''import socket

HOST = "127.0.0.1"  # Standard loopback interface address (localhost)
PORT = 65432  # Port to listen on (non-privileged ports are > 1023)

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind((HOST, PORT))
    s.listen()
    conn, addr = s.accept()
    with conn:
        print(f"Connected by {addr}")
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)'''.split("\n")

CLIENT = '''import socket

HOST = "127.0.0.1"  # The server's hostname or IP address
PORT = 65432  # The port used by the server

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(b"Hello, world")
    data = s.recv(1024)

print(f"Received {data!r}")'''.split("\n")


def screen(s):
    """Makes the terminal 24 rows of 80 columns."""
    fcntl.ioctl(s.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))


def free_port():
    """A port nothing holds on 127.0.0.1 right now, below the kernel's
    ephemeral range (32768 and up), so that no client's connect in a
    parallel test can be given it before the typed bind takes it."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as p:
            try:
                p.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise Fail("no free port below the ephemeral range")


def typed(s, line, pattern=None, what=None, wait=True):
    """Types line; waits for pattern (if any), then the prompt (if wait)."""
    s.send(line + "\n")
    m = s.expect(pattern, what or line) if pattern else None
    if wait:
        s.prompt("prompt after " + line)
    return m


def runs_lines(s):
    return re.findall(r"^  runs: (.*)$", s.text(), re.M)


def calls(s):
    """The calls made: lines with a result (not one shown while it waited)."""
    return re.findall(r"^([a-z_]+)\((?:\d+|AF_).* = ", s.text(), re.M)


def t_echo(binary, tmp, editor):
    port = free_port()
    srv = Session(binary, tmp, editor, "", args=["--var", "PORT=%d" % port])
    cli = Session(binary, tmp, editor, "", args=["--var", "PORT=%d" % port])
    for s in (srv, cli):
        screen(s)
        s.prompt("first prompt")
    # the server, up to the accept that waits for the client
    for line in SERVER[:8]:
        typed(srv, line)
    srv.send(SERVER[8] + "\n")
    srv.expect(r"runs: accept s conn", "accept made")
    # the client connects, then the accept returns
    for line in CLIENT[:7]:
        typed(cli, line)
    srv.expect(r"accept\(3, .*\) = 4", "accept returns")
    srv.prompt()
    typed(srv, SERVER[9], r"close conn\) there", "with conn answered")
    typed(srv, SERVER[10], r"^Connected by \('127\.0\.0\.1', \d+\)",
          "the f-string with addr")
    typed(srv, SERVER[11], r"a loop is not run", "while answered")
    srv.send(SERVER[12] + "\n")  # recv waits for the client's data
    srv.expect(r"runs: recv conn 1024")
    typed(cli, CLIENT[7], r"send\(3, \"Hello, world\", 12, 0\) = 12")
    srv.expect(r'recv\(4, "Hello, world", 1024, 0\) = 12', "data arrives")
    srv.prompt()
    typed(srv, SERVER[13], r"if is not run", "if answered")
    typed(srv, SERVER[14], r"nothing to break", "break answered")
    typed(srv, SERVER[15], r'send\(4, "Hello, world", 12, 0\) = 12',
          "the echo: conn.sendall(data)")
    typed(cli, CLIENT[8], r'recv\(3, "Hello, world", 1024, 0\) = 12',
          "the echo comes back")
    typed(cli, CLIENT[9])
    typed(cli, CLIENT[10], r"^Received b'Hello, world'", "print(f'{data!r}')")
    # the end of the client's with-block, as its line said to type
    typed(cli, "s.close()", r"close\(3\) = 0")
    # the loop's second turn: the peer has closed
    typed(srv, SERVER[12], r'recv\(4, "", 1024, 0\) = 0', "EOF")
    typed(srv, "print(data)", r"^b''$", "data is b''")
    typed(srv, SERVER[13], r"if is not run")
    typed(srv, SERVER[14], r"nothing to break")
    typed(srv, "conn.close()", r"close\(4\) = 0")
    typed(srv, "s.close()", r"close\(3\) = 0")
    # a session typed in Python exports to the same Python
    typed(srv, "export python srv.py", r"wrote srv\.py")
    with open(os.path.join(tmp, "srv.py"), encoding="utf-8") as f:
        exported = f.read()
    for want in ("s.bind(('127.0.0.1', %d))" % port, "s.listen(",
                 "conn, addr = s.accept()", "data = conn.recv(1024)",
                 "conn.sendall(", "conn.close()", "s.close()"):
        if want not in exported:
            raise Fail("export python has no %s:\n%s" % (want, exported))
    typed(srv, "export c srv.c", r"wrote srv\.c")
    for s in (srv, cli):
        pty_test.no_unknown(s, 0)
        if re.search(r"^(?!  ).*(outside|error|usage)", s.text(), re.M):
            raise Fail("a tutorial line was refused:\n" + s.text())
    want_srv = ["let HOST 127.0.0.1", "let PORT 65432",
                "socket s AF_INET SOCK_STREAM", "bind s 127.0.0.1 %d" % port,
                "listen s", "accept s conn", "recv conn 1024",
                "sendall conn b'Hello, world'", "recv conn 1024",
                "close conn", "close s"]
    want_cli = ["let HOST 127.0.0.1", "let PORT 65432",
                "socket s AF_INET SOCK_STREAM",
                "connect s 127.0.0.1 %d" % port,
                "sendall s b'Hello, world'", "recv s 1024", "close s"]
    for s, want in ((srv, want_srv), (cli, want_cli)):
        got = runs_lines(s)
        if got != want:
            raise Fail("ran %r, not the command forms %r" % (got, want))
    if calls(srv) != ["socket", "bind", "listen", "accept", "recv", "send",
                      "recv", "close", "close"]:
        raise Fail("server calls: %r" % calls(srv))
    if calls(cli) != ["socket", "connect", "send", "recv", "close"]:
        raise Fail("client calls: %r" % calls(cli))
    if srv.text().count("nothing to import") != 1:
        raise Fail("import socket not answered once")
    return 0


def screenful(s, line, width=80):
    """Types line; returns its output, which must fit 80x24 with the prompt."""
    start = len(s.screen())
    typed(s, line)
    out = s.screen()[start:]
    lines = out.split("\n")[1:-1]  # the echoed line, then the next prompt
    if len(lines) > 23:
        raise Fail("%s: %d lines, more than a 24-line screen" %
                   (line, len(lines)))
    wide = [x for x in lines if len(x) > width]
    if wide:
        raise Fail("%s: lines wider than 80: %r" % (line, wide))
    return "\n".join(lines)


def t_first_screen(binary, tmp, editor):
    s = Session(binary, tmp, editor, "")
    screen(s)
    first = s.expect(r"^sockstep \S+ -- type help, help python or lessons; "
                     r"quit or Ctrl-D leaves$", "the line at start")
    if first.start() != 0:
        raise Fail("something came before the line at start")
    s.prompt("first prompt")
    out = screenful(s, "help")
    for want in ("socket", "bind", "accept", "recv", "help all",
                 "help python", "lessons"):
        if want not in out:
            raise Fail("help says nothing of %s:\n%s" % (want, out))
    if out.index("socket") > out.index("handles"):
        raise Fail("help does not start with the socket calls")
    out = screenful(s, "help python")
    for want in ("conn, addr = s.accept()", "data = conn.recv(1024)",
                 "s.sendall(b'Hi')", "while", "Indentation"):
        if want not in out:
            raise Fail("help python says nothing of %s:\n%s" % (want, out))
    full = subprocess.run([binary, "-c", "help all"], capture_output=True,
                          text=True, timeout=pty_test.WAIT).stdout
    if "getaddrinfo" not in full or "diagram" not in full:
        raise Fail("help all leaves commands out")
    piped = subprocess.run([binary], input="help\n", capture_output=True,
                           text=True, timeout=pty_test.WAIT,
                           env=dict(os.environ, SOCKSTEP_INTERACTIVE="1"))
    if "help python or lessons" in piped.stdout:
        raise Fail("the line at start came through a pipe")
    return 0


OUTSIDE = ["import selectors", "x = foo()", "s.recv_into(buf)",
           "socket.create_connection((HOST, 1))", "conn.sendall('text')",
           "print(s.recv(1024))", "def handle(conn):", "class Echo:",
           "s.fileno()", "lambda: 0"]


def t_outside(binary, tmp, editor):
    s = Session(binary, tmp, editor, "")
    screen(s)
    s.prompt("first prompt")
    typed(s, "s = socket.socket()", r"socket\(.*\) = 3")
    typed(s, "conn = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
          r"socket\(.*\) = 4")
    before = screenful(s, "handles")
    for line in OUTSIDE:
        out = screenful(s, line, 200)
        if len(out.split("\n")) != 1 or not out:
            raise Fail("%s: not one line: %r" % (line, out))
        if not re.search(r"outside|TypeError|one call per line", out):
            raise Fail("%s: does not say it is outside: %r" % (line, out))
    if screenful(s, "handles") != before:
        raise Fail("the handles changed")
    pty_test.no_unknown(s, 0)
    return 0


def t_ctrl_c_hint(binary, tmp, editor):
    """One shell playing both sides: a blocked accept, Ctrl-C, the hint."""
    s = Session(binary, tmp, editor, "")
    screen(s)
    s.prompt("first prompt")
    typed(s, "s = socket.socket()", r"= 3")
    typed(s, "s.bind(('127.0.0.1', 0))", r"bind\(3, .*\) = 0")
    typed(s, "s.listen()", r"listen\(3, \d+\) = 0")
    s.send("conn, addr = s.accept()\n")
    s.expect(r"runs: accept s conn\n", "accept made")
    s.blocked_in("accept")
    s.send(pty_test.CTRL_C)
    s.expect(r"= -1 EINTR", "EINTR")
    # wrapped at 80 columns: words apart by one space, or by a line break
    s.expect(r"^  to type the other side while it waits, run it in the "
             r"background: accept s conn\s+&$", "the hint")
    s.prompt()
    typed(s, "accept s conn &", r"\[1\]", "the job starts")
    typed(s, "c = socket.socket()", r"= \d")
    typed(s, "name = s.getsockname()", r"getsockname\(3")
    typed(s, "c.connect(name)", r"accept\(3, .*\) = \d", "the job returns")
    return 0


LESSON = b"""== Python lines in a checked lesson
HOST = '127.0.0.1'
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind((HOST, 0))
s.listen()
expect s LISTEN
c = socket.socket()
connect c s = 0
conn, addr = s.accept()
expect conn ESTABLISHED
c.sendall(b'Hello, world')
recv conn 1024 = 12 "Hello, world"
conn.sendall(b'x'); c.shutdown(socket.SHUT_WR)
data = c.recv(1024)
expect c FIN_WAIT2
"""


def t_lesson(binary, tmp, editor):
    """Python lines in a lesson run in --check, between expectations."""
    path = os.path.join(tmp, "py.lesson")
    with open(path, "wb") as f:
        f.write(LESSON)
    p = subprocess.run([binary, "--check", path], capture_output=True,
                       text=True, timeout=pty_test.WAIT)
    if p.returncode != 0 or "5 passed, 0 failed" not in p.stdout:
        raise Fail("--check: status %d\n%s%s" % (p.returncode, p.stdout,
                                                   p.stderr))
    bad = LESSON.replace(b"s.listen()", b"s.listen(")
    with open(path, "wb") as f:
        f.write(bad)
    p = subprocess.run([binary, "--check", path], capture_output=True,
                       text=True, timeout=pty_test.WAIT)
    if p.returncode == 0 or "py.lesson:5: a ( with no )" not in p.stderr:
        raise Fail("a bad Python line passed --check: %d\n%s%s" %
                   (p.returncode, p.stdout, p.stderr))
    return 0


TESTS = {"lesson": t_lesson, "echo": t_echo, "first-screen": t_first_screen,
         "outside": t_outside, "ctrl-c-hint": t_ctrl_c_hint}


if __name__ == "__main__":
    sys.exit(pty_test.run_one(TESTS, "python_test.py", "sockstep-pypty-"))
