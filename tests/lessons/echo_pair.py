#!/usr/bin/env python3
"""Runs the two halves of the echo lessons against each other, or one half
against the docs' Python echo program, in two processes.

usage: echo_pair.py SOCKSTEP LESSONS_DIR MODE [PORT]
MODE: lessons (both halves are lessons), py-client (the echo-server lesson
with echo_client.py), py-server (echo_server.py with the echo-client lesson).
PORT: a number, or 'free' (default) for a port the test picks.
Exits 0 when both sides succeed, 1 otherwise."""
import os
import random
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WAIT = 20   # seconds any one side may take


def free_port():
    """Returns a loopback port nothing is bound to right now, below the
    kernel's ephemeral range (32768 and up), so that no client's connect
    elsewhere in a parallel test can take it before the lesson binds it."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


def wait_listening(port, proc, deadline):
    """Waits until something listens on port (checked with ss-free means:
    /proc/net/tcp), or proc has exited, or the deadline passed."""
    want = ":%04X" % port
    while time.monotonic() < deadline and proc.poll() is None:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1].endswith(want) and fields[3] == "0A":
                    return True
        time.sleep(0.02)
    return False


def run(server_cmd, client_cmd, port):
    """Starts the server, waits for it to listen, runs the client; returns
    True when both exit 0 in time. Kills what is left either way."""
    srv = subprocess.Popen(server_cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    cli = None
    ok = False
    try:
        if not wait_listening(port, srv, time.monotonic() + WAIT):
            print("server never listened on port", port)
        else:
            cli = subprocess.run(client_cmd, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, timeout=WAIT)
            print("client:", " ".join(client_cmd))
            print(cli.stdout.decode(errors="replace"))
            srv.wait(timeout=WAIT)
            ok = cli.returncode == 0 and srv.returncode == 0
            print("client exit", cli.returncode, "server exit",
                  srv.returncode)
    except subprocess.TimeoutExpired as e:
        print("timed out:", e)
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
        print("server:", " ".join(server_cmd))
        print(srv.stdout.read().decode(errors="replace"))
        srv.stdout.close()
    return ok


def main():
    sockstep, lessons, mode = sys.argv[1:4]
    port = sys.argv[4] if len(sys.argv) > 4 else "free"
    if port != "free":
        return pair(sockstep, lessons, mode, int(port))
    # A port picked free may be taken by another program before the server
    # binds it: one more try with another port.
    rc = pair(sockstep, lessons, mode, free_port())
    return rc if rc != 1 else pair(sockstep, lessons, mode, free_port())


def pair(sockstep, lessons, mode, port):
    """Runs one pair of MODE on port; returns the exit status."""
    var = ["--var", "PORT=%d" % port]
    les_srv = [sockstep, "--check", "--no-partner", os.path.join(lessons,
               "echo-server.lesson")] + var + ["--var", "WAIT=%d" % WAIT]
    les_cli = [sockstep, "--check", "--no-partner", os.path.join(lessons,
               "echo-client.lesson")] + var + ["--var", "WAIT=%d" % WAIT]
    py_srv = [sys.executable, os.path.join(HERE, "echo_server.py"), str(port)]
    py_cli = [sys.executable, os.path.join(HERE, "echo_client.py"), str(port)]
    if mode == "lessons":
        ok = run(les_srv, les_cli, port)
    elif mode == "py-client":
        ok = run(les_srv, py_cli, port)
    elif mode == "py-server":
        ok = run(py_srv, les_cli, port)
    else:
        print(__doc__)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
