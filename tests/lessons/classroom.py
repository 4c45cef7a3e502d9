#!/usr/bin/env python3
"""Lessons run in front of a class (issue 13): each case re-enacts one
finding of the issue with the real binary and checks what it does now.

usage: classroom.py SOCKSTEP LESSONS_DIR CASE
Exits 0 (pass) or 1 (fail). Loopback only; ports are kernel-chosen or
picked free below the ephemeral range; every run has a timeout; temporary
files live in a folder removed at the end."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import echo_pair  # noqa: E402

TIMEOUT = 60


class Fail(Exception):
    pass


def run(argv, cwd=None, env=None, stdin=subprocess.DEVNULL, pass_fds=(),
        timeout=TIMEOUT, data=None):
    """Runs sockstep; returns (status, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    p = subprocess.run(argv, cwd=cwd, env=env, input=data,
                       stdin=None if data is not None else stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       pass_fds=pass_fds, timeout=timeout)
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"), time.monotonic() - t0)


def need(cond, what, out="", err=""):
    if not cond:
        raise Fail("%s\n--- stdout:\n%s\n--- stderr:\n%s" % (what, out[-3000:],
                                                            err[-3000:]))


def summary(out):
    """The last line of stdout, the check summary."""
    lines = out.strip().splitlines()
    return lines[-1] if lines else ""


def listener():
    """A socket listening on a free port of 127.0.0.1 (another program
    holding the port). Returns (socket, port)."""
    port = echo_pair.free_port()
    s = socket.socket()
    s.bind(("127.0.0.1", port))
    s.listen()
    return s, port


def t_busy_port(bin_, lessons, tmp):
    """Finding 1: with the echo port held by another program, the check
    says so before any call, naming the port and its holder, and how to
    move the lesson; it ends at once with status 1."""
    s, port = listener()
    with s:
        rc, out, err, secs = run([bin_, "--check", os.path.join(
            lessons, "echo.lesson"), "--var", "PORT=%d" % port])
    need(rc == 1, "status %d, want 1" % rc, out, err)
    need(re.search(r"echo\.lesson:\d+: port %d is taken \(127\.0\.0\.1:%d "
                   r"in LISTEN, held by python[\d.]* \(pid %d\)\)" %
                   (port, port, os.getpid()), err),
         "no message naming the port and its holder", out, err)
    need("--var PORT=N" in err, "no advice on moving the lesson", out, err)
    need(re.match(r"0 passed, 1 failed, \d+ not run$", summary(out)),
         "summary", out, err)
    need(secs < 10, "took %.1f s" % secs, out, err)
    # A TIME_WAIT on the lesson's address is not looked for up front (that
    # walks the kernel's whole table): bind meets it, and its EADDRINUSE
    # ends the lesson at once.
    s, port = listener()
    with s:
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = s.accept()
        a.close()     # the server side closes first: its port in TIME_WAIT
        c.recv(1)
        c.close()
    rc, out, err, _ = run([bin_, "--check", os.path.join(
        lessons, "echo.lesson"), "--var", "PORT=%d" % port])
    need(rc == 1 and re.search(r"echo\.lesson:\d+: expected = 0, got = -1 "
                               r"EADDRINUSE", err) and
         re.match(r"\d+ passed, 1 failed, \d+ not run$", summary(out)),
         "a TIME_WAIT on the port does not stop the lesson at bind", out,
         err)
    # Another address's listener is not in the way: the lesson runs.
    s = socket.socket()
    s.bind(("127.0.0.2", echo_pair.free_port()))  # not an ephemeral port
    s.listen()
    with s:
        rc, out, err, _ = run([bin_, "--check", os.path.join(
            lessons, "echo.lesson"), "--var",
            "PORT=%d" % s.getsockname()[1]])
    need(rc == 0, "a listener on 127.0.0.2 stopped the lesson", out, err)


def t_stop_at_failure(bin_, lessons, tmp):
    """Finding 1: echo-client with no server stops at ECONNREFUSED in
    check mode (the rest not run) and in play mode (no EPIPE or ENOTCONN
    after it), and neither exits 0."""
    port = echo_pair.free_port()
    path = os.path.join(lessons, "echo-client.lesson")
    var = ["--var", "PORT=%d" % port, "--no-partner"]
    rc, out, err, _ = run([bin_, "--check", path] + var)
    need(rc == 1, "check: status %d, want 1" % rc, out, err)
    fails = [ln for ln in err.splitlines() if " expected " in ln]
    need(len(fails) == 1 and "got = -1 ECONNREFUSED" in fails[0],
         "check: not exactly one failure, at connect", out, err)
    need(re.match(r"\d+ passed, 1 failed, [1-9]\d* not run$", summary(out)),
         "check: the rest is not counted as not run", out, err)
    rc, out, err, _ = run([bin_, "--play", "--delay", "0", path] + var)
    need(rc == 1, "play: status %d, want 1" % rc, out, err)
    need("!! this step did not give what the lesson expects" in out,
         "play: the failure is not shown", out, err)
    need("EPIPE" not in out and "ENOTCONN" not in out and
         "sendall" not in out, "play: went on after the failure", out, err)


def t_next_lesson_runs(bin_, lessons, tmp):
    """Finding 1: a failed lesson ends, and the next one on the command
    line still runs and counts."""
    bad = os.path.join(tmp, "bad.lesson")
    with open(bad, "w") as f:
        f.write("socket s = fd\nconnect s 127.0.0.1 1 = 0\nclose s = 0\n")
    rc, out, err, _ = run([bin_, "--check", bad,
                           os.path.join(lessons, "refused.lesson")])
    need(rc == 1, "status %d, want 1" % rc, out, err)
    m = re.match(r"(\d+) passed, 1 failed, 1 not run$", summary(out))
    need(m and int(m.group(1)) > 5, "refused did not run after", out, err)


def t_bound(bin_, lessons, tmp):
    """Finding 1: nothing waits for ever: a call that blocks past the
    bound fails, naming the call; --timeout wins over the lesson's set
    timeout."""
    path = os.path.join(tmp, "hang.lesson")
    with open(path, "w") as f:
        f.write("set timeout 30\nsocket s = fd\nbind s 127.0.0.1 0 = 0\n"
                "listen s = 0\naccept s c = fd\n"
                "close s = 0\n")
    rc, out, err, secs = run([bin_, "--check", "--timeout", "1", path])
    need(rc == 1, "status %d, want 1" % rc, out, err)
    need(re.search(r"hang\.lesson:5: accept waited 1 s for a connection",
                   err), "the message does not name the call", out, err)
    need(summary(out) == "3 passed, 1 failed, 1 not run", "summary", out,
         err)
    need(secs < 20, "took %.1f s" % secs, out, err)


def t_all_lessons(bin_, lessons, tmp):
    """Finding 2: sockstep --check lessons/*.lesson passes from the top of
    the repository, twice in a row, and --check with no names checks every
    lesson of SOCKSTEP_LESSONS."""
    top = os.path.dirname(os.path.abspath(lessons))
    names = sorted("lessons/" + f for f in os.listdir(lessons)
                   if f.endswith(".lesson"))
    env = dict(os.environ, SOCKSTEP_LESSONS=lessons)
    totals = set()
    for _ in range(2):
        rc, out, err, _ = run([bin_, "--check"] + names, cwd=top)
        need(rc == 0 and re.match(r"\d+ passed, 0 failed$", summary(out)),
             "lessons/*.lesson: status %d" % rc, out, err)
        totals.add(summary(out))
    rc, out, err, _ = run([bin_, "--check"], cwd="/", env=env)
    totals.add(summary(out))
    need(rc == 0 and len(totals) == 1,
         "--check with no names: status %d, %s" % (rc, totals), out, err)


def t_partner(bin_, lessons, tmp):
    """Finding 2: each echo half checked alone starts its partner on a
    free port and counts its checks too; --no-partner does not."""
    for half in ("echo-client", "echo-server"):
        rc, out, err, _ = run([bin_, "--check", "-v", os.path.join(
            lessons, half + ".lesson")], cwd=tmp)
        need(rc == 0, "%s: status %d" % (half, rc), out, err)
        m = re.match(r"(\d+) passed, 0 failed$", summary(out))
        need(m and int(m.group(1)) >= 20, "%s: partner not counted" % half,
             out, err)
        need("65432" not in out, "%s: ran on the docs' port" % half, out,
             err)
    rc, out, err, _ = run([bin_, "--check", "--no-partner", "--timeout", "1",
                           os.path.join(lessons, "echo-server.lesson"),
                           "--var", "PORT=%d" % echo_pair.free_port()])
    need(rc == 1 and "accept waited 1 s" in err,
         "--no-partner: the server did not wait alone", out, err)


def t_record_replay(bin_, lessons, tmp):
    """Finding 4: a recording replays with other fds free, sourced into a
    shell holding two sockets, and when started mid-session."""
    rec = os.path.join(tmp, "rec.lesson")
    session = ("record %s\nsocket srv\nbind srv 127.0.0.1 0\nlisten 3\n"
               "socket cli\nconnect cli srv\naccept srv conn\nsend cli hi\n"
               "recv conn 10\nclose 5\nclose cli\nclose srv\n" % rec)
    rc, out, err, _ = run([bin_], data=session.encode())
    need(rc == 0, "recording: status %d" % rc, out, err)
    text = open(rec).read()
    need("socket srv = fd" in text and "accept srv conn = fd" in text and
         "close conn = 0" in text and "listen srv = 0" in text,
         "the recording names fds: " + text, out, err)
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    try:
        # fds 3 and 4 taken: the replay's sockets get other numbers
        code = ("import os,sys; os.dup2(%d,3); os.dup2(%d,4); "
                "os.execv(sys.argv[1], sys.argv[1:])" % (r1, r2))
        rc, out, err, _ = run([sys.executable, "-c", code, bin_, "--check",
                               rec], pass_fds=(r1, r2))
    finally:
        for fd in (r1, w1, r2, w2):
            os.close(fd)
    need(rc == 0 and summary(out) == "11 passed, 0 failed",
         "replay with fds 3 and 4 taken: status %d" % rc, out, err)
    rc, out, err, _ = run([bin_], data=("socket a\nsocket b\nsource %s\n" %
                                        rec).encode())
    need(rc == 0 and "expected" not in err,
         "source into a shell with two sockets", out, err)
    rec2 = os.path.join(tmp, "rec2.lesson")
    session = ("socket srv\nbind srv 127.0.0.1 0\nrecord %s\nlisten srv\n"
               "socket cli\nconnect cli srv\nclose cli\nclose 3\n" % rec2)
    rc, out, err, _ = run([bin_], data=session.encode())
    need(rc == 0 and "written first, as the setup" in out,
         "mid-session recording: status %d" % rc, out, err)
    rc, out, err, _ = run([bin_, "--check", rec2])
    need(rc == 0 and summary(out) == "7 passed, 0 failed",
         "mid-session recording does not replay alone", out, err)


def t_files(bin_, lessons, tmp):
    """Finding 7: record, export and diagram --svg never replace a file
    unless told to, and never write through a symbolic link."""
    victim = os.path.join(tmp, "victim")
    with open(victim, "w") as f:
        f.write("keep\n")
    os.symlink(victim, os.path.join(tmp, "link"))
    with open(os.path.join(tmp, "old"), "w") as f:
        f.write("old\n")
    cmds = []
    for target in ("victim", "link"):
        cmds += ["record %s" % target, "export c %s" % target,
                 "diagram --svg %s" % target, "record %s --force" % target
                 if target == "link" else "socket s"]
    cmds += ["export c link --force", "diagram --svg link --force",
             "export python old --force", "export c new.c",
             "export c new.c"]
    rc, out, err, _ = run([bin_], cwd=tmp, data="\n".join(cmds).encode())
    need(open(victim).read() == "keep\n", "the file was overwritten", out,
         err)
    need(err.count("exists: give another name, or add --force") == 7,
         "not every existing file was refused", out, err)
    need(err.count("is a symbolic link: not followed") == 3,
         "--force followed a symbolic link", out, err)
    need(open(os.path.join(tmp, "old")).read().startswith("#!"),
         "--force did not replace a regular file", out, err)


def t_lookup(bin_, lessons, tmp):
    """Finding 9 and 3: a bare name is a shipped lesson even when the
    current folder has a file of that name; a path is a file; a near miss
    gets a suggestion."""
    with open(os.path.join(tmp, "refused"), "w") as f:
        f.write("socket s = 99\n")
    with open(os.path.join(tmp, "refused.lesson"), "w") as f:
        f.write("socket s = 99\n")
    env = dict(os.environ, SOCKSTEP_LESSONS=lessons)
    rc, out, err, _ = run([bin_, "--check", "refused"], cwd=tmp, env=env)
    need(rc == 0, "bare name took the current folder's file", out, err)
    rc, out, err, _ = run([bin_, "--check", "./refused.lesson"], cwd=tmp,
                          env=env)
    need(rc == 1, "a path did not take the file", out, err)
    rc, out, err, _ = run([bin_, "--check", "refused.lesson"], cwd=tmp,
                          env=env)
    need(rc == 1, "NAME.lesson did not take the file", out, err)
    rc, out, err, _ = run([bin_, "--play", "halfclose"], cwd=tmp, env=env)
    need(rc == 2 and "did you mean half-close?" in err,
         "no suggestion for halfclose", out, err)
    rc, out, err, _ = run([bin_, "-c", "lesson echoo"], cwd=tmp, env=env)
    need("did you mean echo?" in err, "no suggestion in the shell", out, err)


def t_unix_paths(bin_, lessons, tmp):
    """Finding 7: two unix lessons at once do not collide, and leave no
    socket file behind."""
    before = set(f for f in os.listdir("/tmp") if "-unix.sock" in f)
    path = os.path.join(lessons, "unix.lesson")
    procs = [subprocess.Popen([bin_, "--check", path],
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=TIMEOUT)
        need(p.returncode == 0, "a parallel unix lesson failed",
             out.decode(), err.decode())
    after = set(f for f in os.listdir("/tmp") if "-unix.sock" in f)
    need(after <= before, "left behind: %s" % (after - before))


def t_intro(bin_, lessons, tmp):
    """Finding 8: --play shows the lesson's introductory comment block
    before the first step."""
    rc, out, err, _ = run([bin_, "--play", "--delay", "0",
                           os.path.join(lessons, "echo.lesson"), "--var",
                           "PORT=%d" % echo_pair.free_port()])
    need(rc == 0, "status %d" % rc, out, err)
    intro = out.find("The Real Python socket tutorial's echo pair")
    need(0 <= intro < out.find("sockstep> socket"),
         "the introduction is not shown first", out, err)


def t_play_background(bin_, lessons, tmp):
    """--play shows a background step as it is to be typed, '&' and all
    (a student typing the shown line gets the same call)."""
    rc, out, err, _ = run([bin_, "--play", "--delay", "0",
                           os.path.join(lessons, "mainloop.lesson")])
    need(rc == 0, "status %d" % rc, out, err)
    need("sockstep> recv conn1 1024 &\n" in out,
         "the background recv is shown without its '&'", out, err)


CASES = {
    "busy-port": t_busy_port,
    "play-background": t_play_background,
    "stop-at-failure": t_stop_at_failure,
    "next-lesson-runs": t_next_lesson_runs,
    "bound": t_bound,
    "all-lessons": t_all_lessons,
    "partner": t_partner,
    "record-replay": t_record_replay,
    "files": t_files,
    "lookup": t_lookup,
    "unix-paths": t_unix_paths,
    "intro": t_intro,
}


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in CASES:
        print(__doc__)
        print("cases:", " ".join(CASES))
        return 2
    bin_, lessons = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    tmp = tempfile.mkdtemp(prefix="sockstep-classroom-")
    try:
        CASES[sys.argv[3]](bin_, lessons, tmp)
    except (Fail, subprocess.TimeoutExpired) as e:
        print("FAIL %s: %s" % (sys.argv[3], e))
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS", sys.argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main())
