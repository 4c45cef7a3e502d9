#!/usr/bin/env python3
"""Named labs (issue 17): two shells started with the same --lab=NAME, as
an unprivileged user, share one private network: a server in one and a
client in the other complete the echo exchange on 127.0.0.1:65432 (the
lab's own loopback, so the docs' port is free there); a shell of another
lab name gets ECONNREFUSED from the same address; the lab's folder is
gone once its shells have left; a bad name is a usage error.

As root, the shells run as nobody (setpriv), so that the test shows what
an unprivileged user gets; without user namespaces it is skipped.

usage: lab.py SOCKSTEP pair|private|name
"""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

SERVER = ("socket srv; bind srv 127.0.0.1 65432; listen srv; "
          "accept srv conn; recv conn 1024; sendall conn b'echo'; "
          "close conn; close srv")
CLIENT = ("socket c; connect c 127.0.0.1 65432; sendall c b'Hello'; "
          "recv c 1024; close c")


class Lab:
    """Runs shells as an unprivileged user, with a runtime folder of
    their own (where labs meet) in a temporary folder."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.run_dir = os.path.join(tmp, "run")
        self.prefix = []
        self.binary = e2elib.binary()
        os.mkdir(self.run_dir, 0o700)
        with open(self.binary, "rb") as f:
            wrapper = f.read(2) == b"#!"  # tests/valgrind.sh's: run as is
        if os.geteuid() == 0 and not wrapper:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                raise e2elib.Skip("root without setpriv")
            os.chmod(tmp, 0o755)
            os.chown(self.run_dir, 65534, 65534)
            self.prefix = [setpriv, "--reuid=65534", "--regid=65534",
                           "--clear-groups"]
            # a copy nobody can run, wherever the build tree is
            self.binary = os.path.join(tmp, "sockstep")
            shutil.copy(e2elib.binary(), self.binary)
            os.chmod(self.binary, 0o755)
        self.env = e2elib.clean_env(XDG_RUNTIME_DIR=self.run_dir)
        r = subprocess.run(self.prefix + ["unshare", "-Urn", "true"],
                           capture_output=True, timeout=e2elib.STEP_TIMEOUT)
        if r.returncode != 0:
            raise e2elib.Skip("no user namespaces here")

    def start(self, args):
        return subprocess.Popen(self.prefix + [self.binary] + args,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env)

    def finish(self, p):
        try:
            out, err = p.communicate(timeout=e2elib.STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            e2elib.kill_proc(p)
            raise AssertionError("a lab shell did not finish")
        return p.returncode, out.decode(), err.decode()


def wait_listening(p):
    """Reads the server's output up to its listen line; returns it."""
    seen = ""
    for _ in range(200):  # bounded: a line at a time
        line = p.stdout.readline().decode()
        if not line:
            break
        seen += line
        if line.startswith("listen("):
            return seen
    e2elib.kill_proc(p)
    raise AssertionError("the server never listened:\n" + seen)


def test_pair():
    with tempfile.TemporaryDirectory(prefix="sockstep-lab-") as tmp:
        lab = Lab(tmp)
        name = "demo%d" % os.getpid()
        s = lab.start(["--lab=" + name, "-c", SERVER])
        first = wait_listening(s)
        rc, out, err = lab.finish(lab.start(["--lab=" + name, "-c",
                                             CLIENT]))
        src, sout, serr = lab.finish(s)
        if rc != 0 or "joined the shells already in it" not in err or \
                'recv(3, "echo", 1024, 0) = 4' not in out:
            raise AssertionError("client: exit %d\n%s%s" % (rc, out, err))
        if src != 0 or 'recv(4, "Hello", 1024, 0) = 5' not in sout or \
                "which other shells of this user join" not in serr:
            raise AssertionError("server: exit %d\n%s%s%s" % (
                src, first, sout, serr))
        if os.listdir(lab.run_dir):
            raise AssertionError("the lab's folder remains: %s" %
                                 os.listdir(lab.run_dir))


def test_private():
    with tempfile.TemporaryDirectory(prefix="sockstep-lab-") as tmp:
        lab = Lab(tmp)
        name = "one%d" % os.getpid()
        s = lab.start(["--lab=" + name, "-c",
                       "socket srv; bind srv 127.0.0.1 65432; listen srv; "
                       "accept srv conn"])
        wait_listening(s)
        try:
            rc, out, err = lab.finish(lab.start([
                "--lab=two%d" % os.getpid(), "-c",
                "socket c; connect c 127.0.0.1 65432"]))
        finally:
            e2elib.kill_proc(s)
        if "= -1 ECONNREFUSED" not in out or "joined" in err:
            raise AssertionError("another lab reached the server:\n%s%s"
                                 % (out, err))


def test_name():
    for bad in ("a b", "x" * 33, "../up", ""):
        rc, out, err = e2elib.run([e2elib.binary(), "--lab=" + bad, "-c",
                                   "quit"])
        if rc != 2 or b"--lab=NAME" not in err:
            raise AssertionError("--lab=%r: exit %d %r" % (bad, rc, err))


if __name__ == "__main__":
    e2elib.main({"pair": test_pair, "private": test_private,
                 "name": test_name})
