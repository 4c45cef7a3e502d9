#!/usr/bin/env python3
"""Mutation test of the shipped lessons: changes each expectation of each
lesson, one at a time, and checks that --check exits 1 and reports exactly
that FILE:LINE on stderr ("FILE:LINE: expected ..., got ...").

usage: mutate.py SOCKSTEP LESSONS_DIR [LESSON...]
The echo-server and echo-client halves run against the docs' Python echo
programs (echo_client.py, echo_server.py). Every run has a kernel-chosen or
free port and a timeout. Exits 0 when every mutation is caught."""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import echo_pair  # noqa: E402

TIMEOUT = 60
STATES = ("SYN_RECV", "LISTEN")


def split_expect(line):
    """Returns the index of the lone '=' that starts the expectation of a
    lesson line (outside quotes), or -1."""
    quote = None
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\" and quote != "raw":
                i += 2
                continue
            if (quote == "raw" and c == "'") or c == quote:
                quote = None
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return -1
        elif c == '"':
            quote = '"'
        elif c == "'":
            quote = "'" if i > 0 and line[i - 1] == "b" else "raw"
        elif (c == "=" and (i == 0 or line[i - 1] in " \t") and
              (i + 1 == len(line) or line[i + 1] in " \t")):
            return i
        i += 1
    return -1


def mutate_expectation(exp):
    """Returns a changed expectation (the text after '= ') that the result
    cannot meet, given the original."""
    m = re.match(r"^(-?\d+)(\s+)(b?)(['\"])(.*)(['\"])\s*$", exp)
    if m:
        # Same value, one byte more in the data.
        return "%s%s%s%s%sX%s" % (m.group(1), m.group(2), m.group(3),
                                  m.group(4), m.group(5), m.group(6))
    word = exp.split()
    if word[0] in ("fd", "*"):
        return "-1 EBADF"
    if word[0] == "-1" and len(word) > 1:
        return "0"
    if word[0].startswith("E"):
        return "0"
    n = int(word[0], 0)
    return "-1 EBADF" if n == 0 else str(n + 1)


def mutations(lines):
    """Yields (line number, new line) for each expectation of a lesson."""
    for no, line in enumerate(lines, 1):
        text = line.rstrip("\n")
        words = text.split()
        if len(words) == 3 and words[0] == "expect":
            new = STATES[1] if words[2] == STATES[0] else STATES[0]
            yield no, "expect %s %s\n" % (words[1], new)
            continue
        if not words or words[0] in ("let", ">", "#", "==") or \
                text.startswith(">") or text.startswith("#"):
            continue
        at = split_expect(text)
        if at < 0:
            continue
        exp = text[at + 1:].strip()
        amp = ""
        if exp.endswith(" &"):      # a background call keeps its '&'
            exp, amp = exp[:-2].rstrip(), " &"
        yield no, "%s= %s%s\n" % (text[:at], mutate_expectation(exp), amp)


def run_lesson(sockstep, path, name):
    """Runs one (mutated) lesson in check mode; echo halves run against the
    Python programs. Returns (exit status, stderr text)."""
    sockdir = tempfile.mkdtemp(prefix="sockstep-mutdir-")
    try:
        return run_lesson_in(sockstep, path, name, sockdir)
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)


def run_lesson_in(sockstep, path, name, sockdir):
    """run_lesson with sockdir as the folder for socket files (the unix
    lesson's DIR), so parallel runs never share a path."""
    port = echo_pair.free_port()
    var = ["--var", "PORT=%d" % port, "--var", "DIR=%s" % sockdir]
    cmd = [sockstep, "--check", "--no-partner", path] + var
    if name == "echo-server":
        cmd += ["--var", "WAIT=20"]
        return run_pair(cmd, [sys.executable,
                              os.path.join(HERE, "echo_client.py"),
                              str(port)], port, lesson_is_server=True)
    if name == "echo-client":
        cmd += ["--var", "WAIT=20"]
        return run_pair([sys.executable, os.path.join(HERE, "echo_server.py"),
                         str(port)], cmd, port, lesson_is_server=False)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    return p.returncode, p.stderr.decode(errors="replace")


def run_pair(server_cmd, client_cmd, port, lesson_is_server):
    """Runs a server and a client process; returns the lesson's (exit
    status, stderr)."""
    srv = subprocess.Popen(server_cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        import time
        if not echo_pair.wait_listening(port, srv, time.monotonic() + 20):
            srv.kill()
            srv.wait()
            err = srv.stderr.read().decode(errors="replace")
            return (srv.returncode, err) if lesson_is_server else \
                (None, "server did not listen")
        cli = subprocess.run(client_cmd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, timeout=TIMEOUT)
        srv.wait(timeout=TIMEOUT)
        err = srv.stderr.read().decode(errors="replace")
        if lesson_is_server:
            return srv.returncode, err
        return cli.returncode, cli.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return None, "timed out"
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
        srv.stderr.close()


def check_one(sockstep, tmp, name, lines, no, new):
    """Writes the lesson with line no replaced, runs it, and returns a
    complaint, or None when the mutation was caught on exactly that line.
    A run that goes wrong otherwise is tried once more: a free port taken
    by another program in between is not the lesson's fault."""
    d = tempfile.mkdtemp(dir=tmp)
    path = os.path.join(d, name + ".lesson")
    with open(path, "w") as f:
        f.writelines(lines[:no - 1] + [new] + lines[no:])
    where = "sockstep:%s:%d:" % (path, no)
    complaint = None
    for attempt in (1, 2):
        rc, err = run_lesson(sockstep, path, name)
        fails = [ln for ln in err.splitlines()
                 if re.match(r".*:\d+: expected ", ln)]
        if rc == 1 and len(fails) == 1 and \
                fails[0].startswith(where + " expected"):
            complaint = None
            break
        complaint = "%s:%d: mutated to %r: exit %s (attempt %d), " \
            "stderr:\n%s" % (name, no, new.strip(), rc, attempt, err)
        print(complaint, flush=True)
    shutil.rmtree(d)
    return complaint


def main():
    sockstep, lessons = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or sorted(f[:-7] for f in os.listdir(lessons)
                                   if f.endswith(".lesson"))
    tmp = tempfile.mkdtemp(prefix="sockstep-mutate-")
    jobs = []
    bad = []
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for name in names:
                with open(os.path.join(lessons, name + ".lesson")) as f:
                    lines = f.readlines()
                # The lesson itself must pass first.
                rc, err = run_lesson(sockstep, os.path.join(
                    lessons, name + ".lesson"), name)
                if rc != 0:
                    bad.append("%s does not pass unchanged: exit %s\n%s" %
                               (name, rc, err))
                    continue
                for no, new in mutations(lines):
                    jobs.append(pool.submit(check_one, sockstep, tmp, name,
                                            lines, no, new))
            for j in jobs:
                r = j.result()
                if r:
                    bad.append(r)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for b in bad:
        print(b)
    print("%d mutations, %d not caught as expected" % (len(jobs), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
