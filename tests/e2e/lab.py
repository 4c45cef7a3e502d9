#!/usr/bin/env python3
"""Named labs (issue 17): two shells started with the same --lab=NAME, as
an unprivileged user, share one private network: a server in one and a
client in the other complete the echo exchange on 127.0.0.1:65432 (the
lab's own loopback, so the docs' port is free there); a shell of another
lab name gets ECONNREFUSED from the same address; the lab's folder is
gone once its shells have left; a bad name is a usage error.

As root, the shells run as nobody (setpriv), so that the test shows what
an unprivileged user gets; without user namespaces it is skipped.

Two hosts (issue 17): a lab holds alpha (10.0.0.1) and beta (10.0.0.2)
on one link, each with its own host name, both names resolvable; the
echo exchange between two --lab=NAME shells, the server on alpha and the
client on beta (by --host=beta, and by socket @beta); capture shows the
link's frames, ARP included; the visibility lesson passes --check as an
unprivileged user; where no user namespace may be made, --lab and the
lesson say so.

usage: lab.py SOCKSTEP pair|private|name|hosts|echo-hosts|capture|visibility|no-userns
"""

import os
import re
import shutil
import socket
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

    def start(self, args, env=None):
        return subprocess.Popen(self.prefix + [self.binary] + args,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env or self.env)

    def check_left(self):
        """Fails when the lab's folder remains after its shells left."""
        if os.listdir(self.run_dir):
            raise AssertionError("the lab's folder remains: %s" %
                                 os.listdir(self.run_dir))

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
        lab.check_left()


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


def must(cond, what, rc, out, err):
    """Raises with the shell's exit status and output unless cond."""
    if not cond:
        raise AssertionError("%s: exit %d\n%s%s" % (what, rc, out, err))


def test_hosts():
    with tempfile.TemporaryDirectory(prefix="sockstep-lab-") as tmp:
        lab = Lab(tmp)
        rc, out, err = lab.finish(lab.start([
            "--lab", "-c", "gethostname; getaddrinfo beta; getaddrinfo alpha"]))
        must(rc == 0 and 'gethostname("alpha", ' in out and
             'inet_addr("10.0.0.2")' in out and
             'inet_addr("10.0.0.1")' in out and
             "this shell is on alpha" in err, "alpha", rc, out, err)
        rc, out, err = lab.finish(lab.start([
            "--lab", "--host=beta", "-c",
            "gethostname; socket u AF_UNIX @alpha; socket x @beta @alpha; "
            "socket y @gamma"]))
        must(rc == 2 and 'gethostname("beta", ' in out and
             "this shell is on beta" in err and "u is fd 3, on alpha\n" in out
             and "'@alpha': the host is already given" in err and
             "@gamma: the lab's hosts are @alpha and @beta" in err,
             "--host=beta", rc, out, err)
        p = lab.start(["--lab", "--host=beta"],
                      env=dict(lab.env, SOCKSTEP_INTERACTIVE="1"))
        rc, out, err = lab.finish(p)
        must(rc == 0 and out.startswith("sockstep@beta> "), "the prompt",
             rc, out, err)
        # sock_diag sees a namespace's own sockets: a beta socket's
        # TIME_WAIT is looked for on beta
        rc, out, err = lab.finish(lab.start([
            "--lab", "-c", "socket srv; bind srv '' 5000; listen srv; "
            "socket far @beta; connect far alpha 5000; accept srv conn; "
            "close far; close conn; handles"]))
        must(rc == 0 and
             re.search(r"far \(closed\) FIN_WAIT[12] -> TIME_WAIT", out) and
             "far (fd 4, line 1; its connection lingers in TIME_WAIT" in out,
             "beta's TIME_WAIT", rc, out, err)
        out_dir = os.path.join(tmp, "out")
        os.mkdir(out_dir)
        if lab.prefix:
            os.chown(out_dir, 65534, 65534)
        py = os.path.join(out_dir, "x.py")
        rc, out, err = lab.finish(lab.start([
            "--lab", "-c", "socket s @beta; export python " + py]))
        text = open(py).read() if os.path.exists(py) else ""
        must(rc == 0 and "s = socket.socket(socket.AF_INET, "
             "socket.SOCK_STREAM)" in text and "@" not in text,
             "export of socket @beta:\n" + text, rc, out, err)
        rec = os.path.join(out_dir, "r.lesson")
        rc, out, err = lab.finish(lab.start([
            "--lab", "-c", "record %s; socket s @beta; close s" % rec]))
        text = open(rec).read() if os.path.exists(rec) else ""
        must(rc == 0 and "\nlab\n" in text, "record in a lab:\n" + text,
             rc, out, err)
        rc, out, err = lab.finish(lab.start(["--check", rec]))
        must(rc == 0 and "2 passed, 0 failed" in out, "its replay", rc,
             out, err)
    for args in (["--host=beta"], ["--lab", "--host=gamma"]):
        rc, out, err = e2elib.run([e2elib.binary()] + args + ["-c", "quit"])
        must(rc == 2 and b"--host" in err, " ".join(args), rc, out, err)


ECHO_SERVER = ("socket srv; bind srv alpha 65432; listen srv; "
               "accept srv conn; recv conn 1024; sendall conn b'echo'; "
               "close conn; accept srv conn2; recv conn2 1024; "
               "sendall conn2 b'echo2'; close conn2; close srv")


def test_echo_hosts():
    """The server on alpha, bound to its link address; one client with
    --host=beta, then one that makes its socket with @beta."""
    with tempfile.TemporaryDirectory(prefix="sockstep-lab-") as tmp:
        lab = Lab(tmp)
        name = "hosts%d" % os.getpid()
        s = lab.start(["--lab=" + name, "-c", ECHO_SERVER])
        first = wait_listening(s)
        try:
            rc, out, err = lab.finish(lab.start([
                "--lab=" + name, "--host=beta", "-c",
                "socket c; connect c alpha 65432; sendall c b'Hello'; "
                "recv c 1024; close c"]))
            must(rc == 0 and "c is connected: 10.0.0.2:" in out and
                 'recv(3, "echo", 1024, 0) = 4' in out, "--host=beta "
                 "client", rc, out, err)
            rc, out, err = lab.finish(lab.start([
                "--lab=" + name, "-c",
                "socket c @beta; connect c 10.0.0.1 65432; "
                "sendall c b'Hi'; recv c 1024; close c"]))
            must(rc == 0 and "c is fd 3, on beta (10.0.0.2)" in out and
                 'recv(3, "echo2", 1024, 0) = 5' in out, "@beta client",
                 rc, out, err)
        finally:
            src, sout, serr = lab.finish(s)
        must(src == 0 and sout.count("connected by 10.0.0.2:") == 2 and
             'recv(4, "Hello", 1024, 0) = 5' in sout and
             'recv(4, "Hi", 1024, 0) = 2' in sout, "server", src,
             first + sout, serr)
        lab.check_left()


def test_capture():
    with tempfile.TemporaryDirectory(prefix="sockstep-lab-") as tmp:
        lab = Lab(tmp)
        rc, out, err = lab.finish(lab.start([
            "--lab", "--capture", "-c",
            "socket s; bind s '' 5000; listen s; socket c @beta; "
            "connect c alpha 5000; accept s conn; handles"]))  # late frames
        must(rc == 0 and "ARP who-has 10.0.0.1 tell 10.0.0.2 (" in out and
             "ARP reply 10.0.0.1 is-at " in out and
             "c > 10.0.0.1:5000  SYN " in out and
             "10.0.0.1:5000 > c  SYN, ACK " in out and
             re.search(r"^c@beta +4 ", out, re.M) and
             re.search(r"^conn +5 ", out, re.M), "capture on the link",
             rc, out, err)


def lesson_copy(tmp):
    """The visibility lesson, where the unprivileged user can read it."""
    path = os.path.join(tmp, "visibility.lesson")
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "..", "lessons", "visibility.lesson"), path)
    os.chmod(path, 0o644)
    return path


def test_visibility():
    """The lesson passes in a lab of its own, with its port taken outside
    the lab (a listener of this test's: it is no concern of the lab's),
    and in a named lab on beta."""
    with tempfile.TemporaryDirectory(prefix="sockstep-lab-") as tmp, \
            socket.socket() as outside:
        lab = Lab(tmp)
        path = lesson_copy(tmp)
        try:
            outside.bind(("127.0.0.1", 65434))
            outside.listen()
        except OSError:
            pass    # taken already: as good
        for args in ([], ["--lab=vis%d" % os.getpid(), "--host=beta"]):
            rc, out, err = lab.finish(lab.start(args + ["--check", path]))
            must(rc == 0 and re.search(r"^\d+ passed, 0 failed$", out, re.M),
                 "visibility %s" % args, rc, out, err)


def test_no_userns():
    """Inside a user namespace whose user.max_user_namespaces is 0, no
    lab can be made: --lab and the lesson's lab say so."""
    with tempfile.TemporaryDirectory(prefix="sockstep-lab-") as tmp:
        lab = Lab(tmp)
        path = lesson_copy(tmp)
        script = ("echo 0 > /proc/sys/user/max_user_namespaces || exit 77; "
                  "\"$0\" --lab -c quit; echo \"lab=$?\"; "
                  "\"$0\" --check \"$1\"; echo \"lesson=$?\"")
        p = subprocess.run(lab.prefix + ["unshare", "-U", "-r", "sh", "-c",
                                         script, lab.binary, path],
                           capture_output=True, env=lab.env,
                           timeout=e2elib.STEP_TIMEOUT)
        out, err = p.stdout.decode(), p.stderr.decode()
        if p.returncode == 77:
            raise e2elib.Skip("user.max_user_namespaces cannot be set here")
        must("lab=2" in out and "user.max_user_namespaces" in err and
             "lesson=1" in out and "this needs a lab of two hosts" in err and
             "0 passed, 1 failed" in out, "no user namespaces",
             p.returncode, out, err)


if __name__ == "__main__":
    e2elib.main({"pair": test_pair, "private": test_private,
                 "name": test_name, "hosts": test_hosts,
                 "echo-hosts": test_echo_hosts, "capture": test_capture,
                 "visibility": test_visibility, "no-userns": test_no_userns})
