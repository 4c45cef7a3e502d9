#!/usr/bin/env python3
"""The catalogue of notes (issue 12): every note the shell can print has a
scenario here that makes it print and then checks its claim against the
kernel with follow-up calls.

Each scenario is a file NAME.scn of sockstep statements with packetdrill
expectations ("send b x = -1 EPIPE", "expect cli CLOSE_WAIT"), run with
"sockstep --check -v" and SOCKSTEP_NOTE_IDS=1, which makes every note
start with "[ID FAMILY]". Header lines:

  #! note ID FAMILY   the scenario must print this note, for this family
                      (tcp, udp, unix-stream, unix-dgram, or - for a note
                      that rests on no socket)
  #! maybe ID FAMILY  the scenario may print this note (where how much a
                      buffer takes varies), without checking its claim
  #! lab              run in a private network namespace (--lab), where
                      capture works without root
  #! run              run as a script (sockstep FILE), not in check mode:
                      for what only a script's end prints; the scenario
                      has no expectations then, and must exit 0
  #! as nobody        run as user nobody (when the test runs as root)
  #! nofile N         run with at most N open files
  #! peer fin         a TCP server of another process on 127.0.0.1:$SPORT
                      that answers each connection with FIN at once

A scenario passes when every expectation holds (the claims are true) and
the notes it printed are exactly those it declares (nothing unexpected,
nothing missing). Variables: $PORT is a port free when the scenario
starts, $TMP a directory of its own for Unix socket files.

The walk then takes every note id the source can print (the rule table,
through note_list; note_say calls; the getaddrinfo table) and fails for
each (id, family) no passing scenario declares.

When SOCKSTEP is a script (tests/valgrind.sh puts one in its place to run
the binary under valgrind), scenarios that limit open files or change
user are left out, and so is the walk: valgrind's own descriptors and log
file do not fit under them.

usage: catalogue.py SOCKSTEP NOTE_LIST SRC_DIR [SCENARIO...]
"""

import glob
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
NOTE_LINE = re.compile(r"^  \[([a-z0-9.-]+) ([a-z-]+)\] ", re.M)


def free_port():
    """A TCP and UDP port nobody holds on 127.0.0.1 right now, below the
    kernel's ephemeral range (32768 and up), so that no client's connect
    in a parallel test can be given it before the scenario binds it."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        t = socket.socket()
        u = socket.socket(type=socket.SOCK_DGRAM)
        try:
            t.bind(("127.0.0.1", port))
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise RuntimeError("no free port")


def headers(text):
    """The declared notes and the run options of a scenario."""
    notes, opts = set(), {"maybe": set()}
    for line in text.splitlines():
        m = re.match(r"#!\s*(\S+)\s*(.*)$", line)
        if not m:
            continue
        key, rest = m.group(1), m.group(2).split()
        if key == "note" and len(rest) == 2:
            notes.add((rest[0], rest[1]))
        elif key == "maybe" and len(rest) == 2:
            opts["maybe"].add((rest[0], rest[1]))
        elif key == "as" and rest == ["nobody"]:
            opts["nobody"] = True
        elif key == "nofile" and len(rest) == 1:
            opts["nofile"] = int(rest[0])
        elif key == "lab" and not rest:
            opts["lab"] = True
        elif key == "run" and not rest:
            opts[key] = True
        elif key == "peer" and rest == ["fin"]:
            opts["peer"] = True
        else:
            raise ValueError("bad header line: %r" % line)
    return notes, opts


class FinPeer:
    """A server in this process (not one of the shell's handles) that
    shuts down its sending side of each connection it accepts, and keeps
    the connection open until stopped."""

    def __init__(self):
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.srv.settimeout(0.2)
        self.port = self.srv.getsockname()[1]
        self.conns = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.done.is_set():
            try:
                c, _ = self.srv.accept()
            except OSError:
                continue
            c.shutdown(socket.SHUT_WR)
            self.conns.append(c)

    def stop(self):
        self.done.set()
        self.thread.join(5)
        for c in self.conns:
            c.close()
        self.srv.close()


def run(sockstep, path):
    """Runs one scenario. Returns (problems, notes declared and passed)."""
    with open(path) as f:
        text = f.read()
    declared, opts = headers(text)
    tmp = tempfile.mkdtemp(prefix="sockstep-note-")
    argv = [sockstep, "--check", "-v", "--var", "PORT=%d" % free_port(),
            "--var", "TMP=%s" % tmp, path]
    env = dict(os.environ, SOCKSTEP_NOTE_IDS="1", NO_COLOR="1",
               SOCKSTEP_HISTORY="")

    def limits():
        if "nofile" in opts:
            n = opts["nofile"]
            resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))

    if opts.get("lab"):
        argv.insert(1, "--lab")
    if opts.get("run"):
        argv.remove("--check")
        argv.remove("-v")
    peer = FinPeer() if opts.get("peer") else None
    if peer:
        argv[2:2] = ["--var", "SPORT=%d" % peer.port]
    if opts.get("nobody") and os.geteuid() == 0:
        os.chmod(tmp, 0o777)
        argv = ["setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "--"] + argv
    try:
        p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30,
                           preexec_fn=limits)
    except subprocess.TimeoutExpired:
        return ["timed out after 30 s"], set()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if peer:
            peer.stop()
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    printed = set(NOTE_LINE.findall(out))
    problems = []
    if p.returncode != 0:
        problems.append("exit status %d (an expectation failed):\n%s"
                        % (p.returncode, err))
    for idn, fam in sorted(declared - printed):
        problems.append("declared, not printed: %s %s" % (idn, fam))
    for idn, fam in sorted(printed - declared - opts["maybe"]):
        problems.append("printed, not declared: %s %s" % (idn, fam))
    if problems:
        problems.append("output:\n" + out)
    return problems, (declared if not problems else set())


def source_notes(note_list, src):
    """Every (id, family) the source can print."""
    want = set()
    out = subprocess.run([note_list], capture_output=True, check=True)
    for line in out.stdout.decode().splitlines():
        words = line.split()
        for fam in words[1:]:
            want.add((words[0], fam))
    say = re.compile(r'note_say\(\s*sh,\s*"([^"]+)"')
    gai = re.compile(r'\{\s*EAI_[A-Z]+,\s*"([a-z][^"]*)"')
    for path in glob.glob(os.path.join(src, "**", "*.c"), recursive=True):
        with open(path) as f:
            text = f.read()
        for rx in (say, gai):
            for idn in rx.findall(text):
                want.add((idn, "-"))
    return want


def wrapped(sockstep):
    """True when sockstep is a script standing in for the binary."""
    with open(sockstep, "rb") as f:
        return f.read(2) == b"#!"


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    sockstep, note_list, src = sys.argv[1:4]
    paths = sys.argv[4:] or sorted(glob.glob(os.path.join(HERE, "*.scn")))
    covered, failed, walk = set(), 0, len(sys.argv) == 4
    if wrapped(sockstep):
        walk = False
        kept = []
        for path in paths:
            with open(path) as f:
                _, opts = headers(f.read())
            if "nofile" in opts or "nobody" in opts:
                print("skip %s (under a wrapper)" % os.path.basename(path))
            else:
                kept.append(path)
        paths = kept
    for path in paths:
        problems, notes = run(sockstep, path)
        name = os.path.basename(path)
        if problems:
            failed += 1
            print("FAIL %s\n  %s" % (name, "\n  ".join(problems)))
        else:
            print("ok   %s (%d notes)" % (name, len(notes)))
        covered |= notes
    if walk:
        missing = sorted(source_notes(note_list, src) - covered)
        for idn, fam in missing:
            print("NO SCENARIO: %s %s" % (idn, fam))
        if missing:
            failed += 1
        print("%d notes of the source, %d covered" % (
            len(source_notes(note_list, src)), len(covered)))
    print("%d passed, %d failed" % (len(paths) - min(failed, len(paths)),
                                    failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
