#!/usr/bin/env python3
"""Golden runs: each golden/NAME.sockstep is piped into sockstep's stdin;
stdout and stderr, normalised (kernel-chosen ports become PORTA, PORTB, ...
in order of appearance, the host name becomes HOST, a FIN_WAIT1 caught
before its ACK reads as FIN_WAIT2), must equal golden/NAME.out and
golden/NAME.err exactly, and the exit status must equal the script's
'# exit: N' line. '# args: ...' gives extra command-line arguments.

usage: golden.py SOCKSTEP NAME [--update]
(--update rewrites the expected files from a run: read the diff before
committing them.)
"""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


def header(script, key, default):
    """The value of a '# key: value' line of the script."""
    for line in script.splitlines():
        if line.startswith("# %s:" % key):
            return line.split(":", 1)[1].strip()
    return default


def check(name, update=False):
    """Runs one golden script; raises AssertionError on any difference."""
    path = os.path.join(HERE, name + ".sockstep")
    with open(path, "rb") as f:
        script = f.read()
    text = script.decode()
    args = header(text, "args", "").split()
    want_rc = int(header(text, "exit", "0"))
    rc, out, err = e2elib.run([e2elib.binary()] + args, stdin=script)
    ports = e2elib.Ports()
    host = socket.gethostname()
    got_out = e2elib.normalise(out.decode("utf-8", "replace"), ports, host)
    got_err = e2elib.normalise(err.decode("utf-8", "replace"), ports, host)
    if update:
        for ext, data in ((".out", got_out), (".err", got_err)):
            with open(os.path.join(HERE, name + ext), "w") as f:
                f.write(data)
        return
    problems = []
    for ext, got in ((".out", got_out), (".err", got_err)):
        exp_path = os.path.join(HERE, name + ext)
        exp = open(exp_path).read() if os.path.exists(exp_path) else ""
        d = e2elib.diff(exp, got, "golden/" + name + ext)
        if d:
            problems.append(d)
    if rc != want_rc:
        problems.append("exit status %d, expected %d" % (rc, want_rc))
    if problems:
        raise AssertionError("\n".join(problems))


if __name__ == "__main__":
    names = [a for a in sys.argv[2:] if a != "--update"]
    update = "--update" in sys.argv
    if not names:
        names = sorted(f[:-9] for f in os.listdir(HERE)
                       if f.endswith(".sockstep"))
    sys.argv[2:] = names
    e2elib.main({n: (lambda n=n: check(n, update)) for n in names})
