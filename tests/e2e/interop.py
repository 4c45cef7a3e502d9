#!/usr/bin/env python3
"""Interop on loopback with kernel-chosen ports: sockstep talks to other
programs over real TCP.

  python-server  sockstep is the client of Real Python's echo server
                 (written by this harness with PORT = 0; it prints the port
                 it got, and sockstep connects there)
  python-client  sockstep is the server (bind port 0; the harness reads the
                 port from sockstep's output) of Real Python's echo client
  nc-server      sockstep is the client of 'nc -l' (netcat-openbsd, port 0)
  nc-client      sockstep is the server of 'nc -N'

sockstep is driven through a pipe, one line at a time. Every wait is
bounded; every process is killed at the end.

usage: interop.py SOCKSTEP [TEST...]
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import STEP_TIMEOUT, Session, kill_proc  # noqa: E402

# Real Python's "Socket Programming in Python" echo server, with PORT = 0
# (the kernel chooses) and the chosen port printed so the harness can read
# it; otherwise as published.
ECHO_SERVER = '''\
import socket

HOST = "127.0.0.1"  # Standard loopback interface address (localhost)
PORT = 0  # the kernel chooses; the docs use 65432

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.settimeout(%(timeout)s)
    s.bind((HOST, PORT))
    s.listen()
    print("port", s.getsockname()[1], flush=True)
    conn, addr = s.accept()
    conn.settimeout(%(timeout)s)
    with conn:
        print(f"Connected by {addr}", flush=True)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)
'''

# Real Python's echo client, with the port sockstep's server got.
ECHO_CLIENT = '''\
import socket

HOST = "127.0.0.1"  # The server's hostname or IP address
PORT = %(port)d  # The port used by the server

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.settimeout(%(timeout)s)
    s.connect((HOST, PORT))
    s.sendall(b"Hello, world")
    data = s.recv(1024)

print(f"Received {data!r}")
'''

HELLO = re.escape('"Hello, world"')


def read_line(p, pattern, timeout=STEP_TIMEOUT, stream="stdout"):
    """Reads lines of a child's stream until one matches pattern; returns
    the match. Bounded by timeout."""
    f = getattr(p, stream)
    buf = b""
    rx = re.compile(pattern)
    deadline = time.monotonic() + timeout
    import select
    while True:
        for line in buf.decode("utf-8", "replace").splitlines():
            m = rx.search(line)
            if m:
                return m
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("timed out waiting for /%s/ from %s; got %r"
                                 % (pattern, p.args, buf))
        r, _, _ = select.select([f], [], [], min(left, 0.5))
        if r:
            data = os.read(f.fileno(), 4096)
            if not data:
                raise AssertionError("%s ended before /%s/; got %r"
                                     % (p.args, pattern, buf))
            buf += data


def finish_ok(sess):
    """Ends the session (EOF on stdin) and checks a clean exit with nothing
    on stderr."""
    rc = sess.finish()
    if rc != 0 or sess.err:
        raise AssertionError("sockstep exit status %d, stderr %r\n%s"
                             % (rc, sess.err, sess.out.decode()))


def test_python_server():
    with tempfile.TemporaryDirectory(prefix="sockstep-interop-") as tmp:
        path = os.path.join(tmp, "echo-server.py")
        with open(path, "w") as f:
            f.write(ECHO_SERVER % {"timeout": STEP_TIMEOUT})
        srv = sess = None
        try:
            srv = subprocess.Popen([sys.executable, path],
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
            port = int(read_line(srv, r"^port (\d+)$").group(1))
            sess = Session([e2elib.binary()])
            sess.send("socket cli", "connect cli 127.0.0.1 %d" % port)
            m = sess.expect(r"connect\(3, \{sa_family=AF_INET, sin_port="
                            r"htons\(%d\), sin_addr=inet_addr\(\"127.0.0.1\""
                            r"\)\}, 16\) = 0\n  cli is connected: "
                            r"127\.0\.0\.1:(\d+) -> 127\.0\.0\.1:%d\n"
                            % (port, port))
            cport = int(m.group(1))
            read_line(srv, r"^Connected by \('127\.0\.0\.1', %d\)$" % cport)
            sess.send('sendall cli "Hello, world"', "recv cli 1024")
            sess.expect(r"send\(3, %s, 12, 0\) = 12\n" % HELLO)
            sess.expect(r"recv\(3, %s, 1024, 0\) = 12\n  b'Hello, world'\n"
                        % HELLO)
            sess.send("shutdown cli SHUT_WR", "recv cli 1024")
            sess.expect(r"shutdown\(3, SHUT_WR\) = 0\n")
            sess.expect(r"recv\(3, \"\", 1024, 0\) = 0\n  EOF")
            try:
                srv.wait(STEP_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise AssertionError("the echo server did not end after EOF")
            if srv.returncode != 0:
                raise AssertionError("echo server failed: %r"
                                     % srv.stderr.read())
            sess.send("close cli")
            sess.expect(r"close\(3\) = 0\n")
            finish_ok(sess)
        finally:
            if sess:
                sess.kill()
            kill_proc(srv)


def start_server(sess):
    """Makes sockstep listen on a port the kernel chooses; returns it."""
    sess.send("socket srv", "bind srv 127.0.0.1 0", "listen srv")
    port = int(sess.expect(r"the kernel chose port (\d+)\n").group(1))
    sess.expect(r"listen\(3, 128\) = 0\n")
    return port


def test_python_client():
    with tempfile.TemporaryDirectory(prefix="sockstep-interop-") as tmp:
        sess = cli = None
        try:
            sess = Session([e2elib.binary()])
            port = start_server(sess)
            path = os.path.join(tmp, "echo-client.py")
            with open(path, "w") as f:
                f.write(ECHO_CLIENT % {"port": port, "timeout": STEP_TIMEOUT})
            cli = subprocess.Popen([sys.executable, path],
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
            sess.send("accept srv conn")
            sess.expect(r"accept\(3, \{sa_family=AF_INET, sin_port=htons\("
                        r"\d+\), sin_addr=inet_addr\(\"127.0.0.1\"\)\}, "
                        r"\[16\]\) = 4\n  conn is fd 4, connected by "
                        r"127\.0\.0\.1:\d+\n")
            sess.send("recv conn 1024")
            sess.expect(r"recv\(4, %s, 1024, 0\) = 12\n" % HELLO)
            sess.send('sendall conn b"Hello, world"', "recv conn 1024")
            sess.expect(r"send\(4, %s, 12, 0\) = 12\n" % HELLO)
            sess.expect(r"recv\(4, \"\", 1024, 0\) = 0\n  EOF")
            try:
                out, err = cli.communicate(timeout=STEP_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise AssertionError("the Python client did not end")
            if out != b"Received b'Hello, world'\n" or cli.returncode:
                raise AssertionError("client printed %r, stderr %r"
                                     % (out, err))
            sess.send("close conn", "close srv")
            sess.expect(r"close\(4\) = 0\n")
            sess.expect(r"close\(3\) = 0\n")
            finish_ok(sess)
        finally:
            if sess:
                sess.kill()
            kill_proc(cli)


def need_nc():
    nc = shutil.which("nc")
    if not nc:
        raise e2elib.Skip("nc is not installed (apt-get install "
                          "netcat-openbsd)")
    probe = subprocess.run([nc, "-h"], capture_output=True, timeout=5)
    if b"-N" not in probe.stdout + probe.stderr:
        raise e2elib.Skip("nc is not netcat-openbsd (no -N)")
    return nc


def test_nc_server():
    nc = need_nc()
    srv = sess = None
    try:
        # nc -l on port 0 says on stderr which port it got.
        srv = subprocess.Popen([nc, "-v", "-l", "-w", str(int(STEP_TIMEOUT)),
                                "127.0.0.1", "0"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        port = int(read_line(srv, r"Listening on \S+ (\d+)",
                             stream="stderr").group(1))
        sess = Session([e2elib.binary()])
        sess.send("socket cli", "connect cli 127.0.0.1 %d" % port)
        sess.expect(r"connect\(3, .*htons\(%d\).* = 0\n" % port)
        sess.send('sendall cli "to nc\\n"')
        sess.expect(r"send\(3, \"to nc\\n\", 6, 0\) = 6\n")
        read_line(srv, r"^to nc$")
        srv.stdin.write(b"from nc\n")
        srv.stdin.close()       # nc: EOF on stdin; with the peer's FIN, ends
        srv.stdin = None
        sess.send("recv cli 1024")
        sess.expect(r"recv\(3, \"from nc\\n\", 1024, 0\) = 8\n"
                    r"  b'from nc\\n'\n")
        sess.send("shutdown cli SHUT_WR")
        sess.expect(r"shutdown\(3, SHUT_WR\) = 0\n")
        try:
            srv.wait(STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError("nc -l did not end after sockstep's FIN")
        sess.send("recv cli 1024", "close cli")
        sess.expect(r"recv\(3, \"\", 1024, 0\) = 0\n  EOF")
        sess.expect(r"close\(3\) = 0\n")
        finish_ok(sess)
    finally:
        if sess:
            sess.kill()
        kill_proc(srv)


def test_nc_client():
    nc = need_nc()
    sess = cli = None
    try:
        sess = Session([e2elib.binary()])
        port = start_server(sess)
        cli = subprocess.Popen([nc, "-N", "-w", str(int(STEP_TIMEOUT)),
                                "127.0.0.1", str(port)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        sess.send("accept srv conn")
        sess.expect(r"accept\(3, .*\) = 4\n  conn is fd 4, connected by "
                    r"127\.0\.0\.1:\d+\n")
        cli.stdin.write(b"ping\n")
        cli.stdin.close()       # -N: nc shuts down its sending side
        cli.stdin = None
        sess.send("recv conn 1024")
        sess.expect(r"recv\(4, \"ping\\n\", 1024, 0\) = 5\n")
        sess.send("recv conn 1024")
        sess.expect(r"recv\(4, \"\", 1024, 0\) = 0\n  EOF")
        sess.send('sendall conn "pong\\n"', "close conn")
        sess.expect(r"send\(4, \"pong\\n\", 5, 0\) = 5\n")
        sess.expect(r"close\(4\) = 0\n")
        try:
            out, err = cli.communicate(timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError("nc did not end after sockstep closed")
        if out != b"pong\n":
            raise AssertionError("nc printed %r, stderr %r" % (out, err))
        sess.send("close srv")
        sess.expect(r"close\(3\) = 0\n")
        finish_ok(sess)
    finally:
        if sess:
            sess.kill()
        kill_proc(cli)


TESTS = {
    "python-server": test_python_server,
    "python-client": test_python_client,
    "nc-server": test_nc_server,
    "nc-client": test_nc_client,
}

if __name__ == "__main__":
    e2elib.main(TESTS)
