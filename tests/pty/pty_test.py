#!/usr/bin/env python3
"""Pseudo-terminal tests of what only a terminal shows: the prompt, Ctrl-C,
Tab, Ctrl-D and the history file.

Usage: pty_test.py SOCKSTEP TEST

Exits 0 (pass), 1 (fail) or 77 (skipped: the test needs a line editor and
this build has none). Every wait is bounded; the child is killed at the end
of every test. Only loopback and kernel-chosen ports are used.
"""

import errno
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import termios
import time

PROMPT = "sockstep> "
WAIT = 10.0  # seconds for any one expected output (ASan is slow)
SKIP = 77

CTRL_C = b"\x03"
CTRL_D = b"\x04"
TAB = b"\t"
UP = b"\x1b[A"


class Fail(Exception):
    pass


def backend(binary):
    """Returns the line editor the build uses: readline, libedit or none."""
    out = subprocess.run([binary, "--version"], capture_output=True,
        text=True, timeout=WAIT).stdout
    m = re.search(r"^This build's line editor: (\w+)\.$", out, re.M)
    if not m:
        raise Fail("--version names no line editor: %r" % out)
    return m.group(1)


def clean(text):
    """Drops terminal escape sequences and bells, so output can be matched."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    return text.replace("\x07", "").replace("\r\n", "\n")


def unwrap(text):
    """Joins the lines the shell wrapped to the terminal's width (a wrapped
    line goes on after four spaces), keeping every offset: the newline
    becomes a space, so a pattern matches a line as if it were whole."""
    return text.replace("\n    ", "     ")


SESSIONS = []  # every session started, for transcripts and cleanup


class Session:
    """One sockstep on a pseudo-terminal, with a transcript of its output."""

    def __init__(self, binary, tmp, editor, history=None, umask=0o022,
                 args=(), term="dumb", size=None):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": term,
            "INPUTRC": "/dev/null",
            "EDITRC": "/dev/null",
            "HOME": os.path.join(tmp, "home"),
            "XDG_STATE_HOME": os.path.join(tmp, "state"),
            "NO_COLOR": "1",
            "LC_ALL": "C",
            # bare lesson names are the shipped lessons (issue 13)
            "SOCKSTEP_LESSONS": os.path.join(os.path.dirname(
                os.path.abspath(__file__)), "..", "..", "lessons"),
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        if history is not None:
            env["SOCKSTEP_HISTORY"] = history
        os.makedirs(env["HOME"], exist_ok=True)
        self.raw = b""
        self.pos = 0  # where the next expect starts looking
        self.status = None
        self.editor = editor
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.chdir(tmp)
                os.umask(umask)
                if size:  # (rows, columns), set before the first output
                    fcntl.ioctl(0, termios.TIOCSWINSZ,
                                struct.pack("HHHH", size[0], size[1], 0, 0))
                # Whatever runs the tests may leak fds: sockets start at 3.
                os.closerange(3, 65536)
                os.execve(binary, [binary] + list(args), env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        SESSIONS.append(self)

    def text(self):
        """The output so far, its wrapped lines joined (unwrap)."""
        return unwrap(self.screen())

    def screen(self):
        """The output so far as the screen shows it, lines as wrapped."""
        return clean(self.raw.decode("utf-8", "replace"))

    def _read(self, timeout):
        """Reads what is there within timeout. Returns False at end of output."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError as e:
            if e.errno == errno.EIO:
                return False
            raise
        if not data:
            return False
        self.raw += data
        return True

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        os.write(self.fd, data)

    def expect(self, pattern, what=None, timeout=WAIT):
        """Waits for pattern after the last match. Returns the match."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.MULTILINE)
        while True:
            m = rx.search(self.text(), self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.2)):
                m = rx.search(self.text(), self.pos)
                if m:
                    self.pos = m.end()
                    return m
                raise Fail("no %s within %gs (looked for %r)" %
                    (what or repr(pattern), timeout, pattern))

    def prompt(self, what="prompt"):
        """Waits for the prompt, then until sockstep waits for keys."""
        m = self.expect(re.escape(PROMPT), what)
        self.ready()
        return m

    def ready(self, timeout=2.0):
        """Waits (bounded) until sockstep sleeps reading the terminal.

        The prompt is printed before the read starts: a line editor then
        leaves canonical mode (keys typed in between are echoed twice, or
        lost for Ctrl-D), and a Ctrl-C before read() would only be seen
        after Enter. tcgetattr on the master side reads the terminal's
        modes; /proc says when the process sleeps.
        """
        deadline = time.monotonic() + timeout
        asleep = 0
        while time.monotonic() < deadline and asleep < 2:
            raw = self.editor == "none" or \
                not termios.tcgetattr(self.fd)[3] & termios.ICANON
            asleep = asleep + 1 if raw and self.sleeping() else 0
            self._read(0.02)

    def sleeping(self):
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "S"
        except (OSError, IndexError):
            return True
    def run(self, line, pattern, what=None):
        """Types line and Enter, then waits for pattern and the next prompt."""
        self.send(line + "\n")
        m = self.expect(pattern, what or line)
        self.prompt("prompt after " + (what or line))
        return m

    def settle(self, quiet=0.3, timeout=WAIT):
        """Reads until quiet seconds pass with no output."""
        deadline = time.monotonic() + timeout
        n = -1
        while len(self.raw) != n and time.monotonic() < deadline:
            n = len(self.raw)
            if not self._read(quiet):
                return

    def wait_exit(self, timeout=WAIT):
        """Waits for the child to exit. Returns its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._read(0.1)
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                self.pid = None
                return self.status
        raise Fail("sockstep did not exit within %gs" % timeout)

    def blocked_in(self, call):
        """Waits (bounded: 2 s) until the kernel names call in wchan, the
        sign the shell sleeps in it, then a moment more."""
        deadline = time.monotonic() + 2
        while call not in self.wchan() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)

    def wchan(self):
        try:
            with open("/proc/%d/wchan" % self.pid) as f:
                return f.read()
        except OSError:
            return ""

    def close(self):
        """Kills the child if it still runs, and lets go of the terminal."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def no_unknown(s, start):
    bad = re.search(r"unknown command '([^']*)'", s.text()[start:])
    if bad:
        raise Fail("ran a mangled line: unknown command %r" % bad.group(1))


def listening(s):
    """Makes a listening handle srv on 127.0.0.1, port 0. Returns the port."""
    s.run("socket srv", r"socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = 3")
    s.send("bind srv 127.0.0.1 0\n")
    port = int(s.expect(r"kernel chose port (\d+)", "chosen port").group(1))
    s.prompt()
    s.run("listen srv", r"listen\(3, \d+\) = 0")
    return port


def t_prompt(s, editor):
    s.prompt("first prompt")


def t_ctrl_c_accept(s, editor):
    s.prompt()
    port = listening(s)
    s.send("accept srv\n")
    s.expect(r"accept srv\n", "echo of accept")
    s.blocked_in("accept")
    if "accept(" in s.text()[s.pos:]:
        raise Fail("accept returned before Ctrl-C")
    s.send(CTRL_C)
    s.expect(r"accept\(3, \.\.\., \[16\]\) = -1 EINTR "
        r"\(Interrupted system call\)\n", "EINTR line")
    s.expect(r"^  \S.*\n", "a note below the EINTR line")
    s.prompt("prompt after EINTR")
    s.run("handles", r"\nsrv +3 +tcp listen +LISTEN +127\.0\.0\.1:%d" %
        port, "handles listing srv as listening")
    # srv still works: a client arrives and accept takes it.
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT):
        s.run("accept srv conn", r"accept\(3, \{sa_family=AF_INET, .*"
            r"\) = 4", "accept after EINTR")


def t_ctrl_c_epoll(s, editor):
    """Ctrl-C in epoll_wait without a timeout: EINTR, then the epoll
    handle and the socket it watches still work."""
    s.prompt()
    s.run("socketpair a b", r"= 0\n", "socketpair")
    s.run("epoll_create1 ep", r"epoll_create1\(0\) = 5\n", "epoll_create1")
    s.run("epoll_ctl ep ADD a", r"epoll_ctl\(5, EPOLL_CTL_ADD, 3, "
          r"\{events=EPOLLIN, data=\{u32=3, u64=3\}\}\) = 0\n", "epoll_ctl")
    s.send("epoll_wait ep\n")
    s.expect(r"epoll_wait ep\n", "echo of epoll_wait")
    s.blocked_in("epoll")
    if "epoll_wait(" in s.text()[s.pos:]:
        raise Fail("epoll_wait returned before Ctrl-C")
    s.send(CTRL_C)
    s.expect(r"epoll_wait\(5, \.\.\., 8, -1\) = -1 EINTR "
             r"\(Interrupted system call\)\n", "EINTR line")
    s.prompt("prompt after EINTR")
    s.run("send b hi", r"= 2\n", "send")
    s.run("epoll_wait ep 8 1000", r"epoll_wait\(5, \[\{events=EPOLLIN, "
          r"data=\{u32=3, u64=3\}\}\], 8, 1000\) = 1\n", "epoll_wait after EINTR")


def t_ctrl_c_prompt(s, editor):
    s.prompt()
    s.send("abc")
    s.expect("abc", "echo of abc")
    start = s.pos
    s.send(CTRL_C)
    s.expect(r"\^C", "^C shown")
    s.prompt("prompt after Ctrl-C")
    # Ctrl-C at an empty prompt: a fresh prompt again, no exit.
    s.send(CTRL_C)
    s.prompt("prompt after Ctrl-C on an empty line")
    s.run("handles", r"no live handles", "handles after Ctrl-C")
    no_unknown(s, start)
    s.run("socket c1", r"= 3\n")
    s.send("close c1")
    s.expect("close c1", "echo of close c1")
    s.send(CTRL_C)
    s.prompt("prompt after Ctrl-C")
    s.run("handles", r"\nc1 +3 ", "handles after Ctrl-C with a line")
    no_unknown(s, start)


def t_tab(s, editor):
    if editor == "none":
        return SKIP
    s.prompt()
    s.run("socket srv", r"= 3\n")
    s.run("bind srv 127.0.0.1 0", r"bind\(3, .*\) = 0\n")
    start = s.pos
    # A command name: li<Tab> gives "listen ".
    s.send(b"li" + TAB)
    s.settle()
    s.run("srv", r"listen\(3, \d+\) = 0\n", "li<Tab> srv as listen srv")
    # A constant: SHUT_W<Tab> gives SHUT_WR; SHUT_<Tab><Tab> lists all three.
    s.send(b"shutdown srv SHUT_W" + TAB)
    s.settle()
    s.run("", r"shutdown\(3, SHUT_WR\) = ",
        "shutdown srv SHUT_W<Tab>")
    s.send(b"shutdown srv SHUT_" + TAB + TAB)
    s.expect(r"SHUT_RD\s+SHUT_RDWR\s+SHUT_WR", "the three SHUT_ modes listed")
    s.settle()
    s.run("RD", r"shutdown\(3, SHUT_RD\) = ",
        "SHUT_ list, then RD typed")
    # A handle name: close s<Tab> gives "close srv ".
    s.send(b"close s" + TAB)
    s.settle()
    s.run("", r"close\(3\) = 0\n", "close s<Tab>")
    no_unknown(s, start)


def t_ctrl_d(s, editor):
    s.prompt()
    s.run("socket srv", r"= 3\n")
    s.send(CTRL_D)
    s.expect(r"1 handle still open", "goodbye note")
    st = s.wait_exit()
    if st != 0:
        raise Fail("Ctrl-D: exit status %d, wanted 0" % st)


def t_ctrl_d_empty(s, editor):
    s.prompt()
    s.send(CTRL_D)
    st = s.wait_exit()
    if st != 0:
        raise Fail("Ctrl-D: exit status %d, wanted 0" % st)


def check_mode(path, want, what):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise Fail("%s %s was not written" % (what, path))
    mode = stat.S_IMODE(st.st_mode)
    if mode != want:
        raise Fail("%s %s has mode %o, wanted %o" % (what, path, mode, want))


def history_two_sessions(binary, tmp, editor, history, path):
    """Types lines in one session, recalls them with Up in the next."""
    s = Session(binary, tmp, editor, history, umask=0)
    s.prompt()
    s.run("socket hist1", r"= 3\n")
    s.run("handles", r"\nhist1 +3 ")
    s.send(CTRL_D)
    if s.wait_exit() != 0:
        raise Fail("first session: exit status %d" % s.status)
    check_mode(path, 0o600, "history file (umask 0)")
    s = Session(binary, tmp, editor, history)
    s.prompt()
    start = s.pos
    s.send(UP)
    s.expect("handles", "Up recalling handles")
    s.send(UP)
    s.expect("socket hist1", "Up Up recalling socket hist1")
    s.settle()
    s.run("", r"socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = 3\n",
        "recalled socket hist1 run")
    s.run("handles", r"\nhist1 +3 ")
    no_unknown(s, start)
    s.send(CTRL_D)
    if s.wait_exit() != 0:
        raise Fail("second session: exit status %d" % s.status)
    check_mode(path, 0o600, "history file")


def t_history(binary, tmp, editor):
    if editor == "none":
        return SKIP
    path = os.path.join(tmp, "hist")
    history_two_sessions(binary, tmp, editor, path, path)


def t_history_default(binary, tmp, editor):
    if editor == "none":
        return SKIP
    d = os.path.join(tmp, "state", "sockstep")
    history_two_sessions(binary, tmp, editor, None,
        os.path.join(d, "history-" + editor))
    check_mode(d, 0o700, "history directory")


def t_history_off(binary, tmp, editor):
    s = Session(binary, tmp, editor, "")
    s.prompt()
    s.run("socket nohist", r"= 3\n")
    s.send(CTRL_D)
    if s.wait_exit() != 0:
        raise Fail("exit status %d" % s.status)
    left = []
    for root, dirs, files in os.walk(tmp):
        left += [os.path.join(root, f) for f in files]
    if left:
        raise Fail("SOCKSTEP_HISTORY='' but files were written: %s" % left)


def t_ctrl_c_wait(s, editor):
    """Ctrl-C during wait stops waiting; the background call still waits
    and runs when a client connects."""
    port = listening(s)
    s.run("accept srv conn &", r"\[1\] accept srv conn &")
    s.send("wait\n")
    time.sleep(0.3)
    s.send(CTRL_C)
    s.expect(r"wait interrupted \(Ctrl-C\); the job still runs", "wait stopped")
    s.prompt()
    s.run("jobs", r"\[1\] accept srv conn &")
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT):
        s.run("wait", r"accept\(3, .*\) = 4")
    return 0


def t_job_notice(s, editor):
    """A background accept that a client outside completes while the
    prompt waits for keys: its notice comes at once, above the prompt,
    and the half-typed line is still there to finish."""
    port = listening(s)
    s.run("accept srv conn &", r"\[1\] accept srv conn &")
    s.send("getsockname")
    s.expect("getsockname", "the half-typed line")
    s.ready()
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT):
        s.expect(r"\[1\] returned: accept srv conn\s+accept\(3, .*\) = 4",
            "the job notice at the prompt")
        s.expect(re.escape(PROMPT) + "getsockname", "the line drawn again")
        s.send(" conn\n")
        s.expect(r"getsockname\(4, \{sa_family=AF_INET", "the finished line")
        s.prompt()
    return 0


def t_step(binary, tmp, editor):
    """--step shows the narration, then waits for Enter before each call;
    q quits the lesson early, with exit status 0."""
    s = Session(binary, tmp, editor, "", args=["--step", "refused"])
    s.expect(r"To have a port where surely nothing listens", "narration")
    s.expect(r"\[Enter: next step, c: to the next pause, q: quit\]", "the first wait")
    s.settle()
    if "socket(" in s.text():
        raise Fail("a call was made before Enter was pressed")
    s.send("\n")
    s.expect(r"sockstep> socket nobody\n", "the step shown as typed")
    s.expect(r"socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = 3", "the call")
    s.expect(r"NAME +FD +KIND", "the handles after the step")
    s.expect(r"\[Enter: next step, c: to the next pause, q: quit\]", "the second wait")
    s.settle()
    if "bind(" in s.text():
        raise Fail("bind ran before its Enter")
    s.send("\n")
    s.expect(r"bind\(3, .*\) = 0", "bind after Enter")
    s.expect(r"\[Enter: next step, c: to the next pause, q: quit\]", "the third wait")
    s.send("q\n")
    if s.wait_exit() != 0:
        raise Fail("q left with status %s" % s.status)
    if "connect(" in s.text():
        raise Fail("steps ran after q")
    return 0


def t_step_fits(binary, tmp, editor):
    """--step half-close in a terminal of 80x24 (issue 17): every line of
    narration, call lines, notes and the handles table fits 80 columns;
    notes wrap at spaces, going on after four spaces; every step runs."""
    s = Session(binary, tmp, editor, "", args=["--step", "half-close"],
                size=(24, 80))
    for _ in range(60):  # bounded: a key per step, to the end
        try:
            s.expect(r"\[(Enter: next step|paused)[^\]]*\]", "a wait")
        except Fail:  # the end: no more waits
            break
        s.ready()
        s.send("\n")
    if s.wait_exit() != 0:
        raise Fail("exit status %s" % s.status)
    # a carriage return starts the line again: what follows overwrites
    lines = [l.split("\r")[-1] for l in s.screen().split("\n")]
    wide = [l for l in s.screen().split("\n")
            if max(len(part) for part in l.split("\r")) > 80]
    if wide:
        raise Fail("%d lines wider than 80 columns: %r" % (len(wide),
                                                          wide[:3]))
    cont = [i for i, l in enumerate(lines) if l.startswith("    ") and
            i > 0 and lines[i - 1].startswith("  ")]
    if not cont:
        raise Fail("no note was wrapped")
    for i in cont:
        if lines[i - 1].endswith(" ") or len(lines[i - 1]) + \
                len(lines[i].split()[0]) + 1 <= 80:
            raise Fail("not wrapped at the last space that fits: %r / %r"
                       % (lines[i - 1], lines[i]))
    screen = "\n".join(lines)
    for want in (r"^NAME +FD +KIND +STATE +LOCAL +PEER\n +RECV-Q +SEND-Q",
                 r"^shutdown\(4, SHUT_WR\) = 0",
                 r"^recv\(5, \"\", 1024, 0\) = 0"):
        if not re.search(want, screen, re.M):
            raise Fail("no %r" % want)
    return 0


def t_step_keys(binary, tmp, editor):
    """--step takes keys without Enter (issue 13): c runs to the next
    pause with no more waits, q quits there with status 0."""
    s = Session(binary, tmp, editor, "", args=["--step", "refused"])
    s.expect(r"A client connecting to a port where no server listens",
             "the introduction")
    s.expect(r"\[Enter: next step, c: to the next pause, q: quit\]",
             "the first wait")
    s.ready()
    s.send("c")
    s.expect(r"getsockname\(3, .*\) = 0", "the steps up to the pause")
    s.expect(r"\[paused: Enter to go on, q to quit\]", "the pause")
    if len(re.findall(r"\[Enter: next step", s.text())) != 1:
        raise Fail("c still waited between steps")
    s.ready()
    s.send("q")
    if s.wait_exit() != 0:
        raise Fail("q left with status %s" % s.status)
    if "connect(" in s.text():
        raise Fail("steps ran after q")
    return 0


def t_play_keys(binary, tmp, editor):
    """--play: Space pauses and resumes, q quits with status 0, no Enter
    needed (issue 13). The pace is 10 s a step, so only keys move it."""
    s = Session(binary, tmp, editor, "",
                args=["--play", "--delay", "10000", "refused"])
    s.expect(r"bind a socket to a port", "the narration")
    s.ready()
    s.send(" ")
    s.expect(r"\[paused: Space goes on, q quits\]", "the pause")
    s.settle(0.5)
    if "socket(" in s.text():
        raise Fail("a step ran while paused")
    s.ready()
    s.send(" ")
    s.expect(r"socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = 3", "resumed")
    s.ready()
    s.send("q")
    if s.wait_exit() != 0:
        raise Fail("q left with status %s" % s.status)
    if "bind(" in s.text():
        raise Fail("a step ran after q")
    return 0


def t_play_failure(binary, tmp, editor):
    """--play shows a failed step so that no one misses it and asks: q
    stops the lesson, which then exits 1 (issue 13)."""
    path = os.path.join(tmp, "fail.lesson")
    with open(path, "w") as f:
        f.write("socket s = fd\nconnect s 127.0.0.1 1 = 0\n"
                "send s hello = 5\n")
    s = Session(binary, tmp, editor, "",
                args=["--play", "--delay", "0", path])
    s.expect(r"!! this step did not give what the lesson expects",
             "the failure shown")
    s.expect(r"\[any key: go on anyway, q: stop the lesson\]", "the question")
    s.ready()
    s.send("q")
    if s.wait_exit() != 1:
        raise Fail("a stopped failed lesson left with status %s" % s.status)
    if "send(" in s.text():
        raise Fail("the lesson went on after q")
    return 0


def t_quiz(binary, tmp, editor):
    """--quiz asks before each call with an expectation, says right or not
    with what came, never stops on a wrong answer, and ends with a score."""
    s = Session(binary, tmp, editor, "", args=["--quiz", "refused"])
    asked = 0
    while True:
        m = s.expect(r"(\? what (will \S+ return|state is \S+ in now)[^?]*\? )"
                     r"|(score: (\d+) of (\d+) right)", "a question or the score")
        if m.group(3):
            break
        asked += 1
        s.send("ECONNREFUSED\n")
        s.expect(r"(right|not quite): ", "the verdict")
    right, total = int(m.group(4)), int(m.group(5))
    if total != asked or total < 8:
        raise Fail("score counts %d questions, %d were asked" % (total, asked))
    if right != 2:
        raise Fail("ECONNREFUSED is right for connect and connect_ex only, "
                   "not %d times" % right)
    if not re.search(r"not quite: you said ECONNREFUSED; it was = 0", s.text()):
        raise Fail("a wrong answer does not say what came")
    if s.wait_exit() != 0:
        raise Fail("the quiz ended with status %s" % s.status)
    return 0


TRACED = ("import socket\n"
          "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
          "a, b = socket.socketpair(); a.send(b'x')\n"
          "print('got', b.recv(1)); s.close()\n")
TRACE_WAIT = r"\[Enter: make the call, h: the program's sockets, " \
    r"c: run to the end, q: end the program\]"


def t_trace_step(binary, tmp, editor):
    """sockstep trace --step (issue 15): nothing happens before Enter;
    h lists the program's sockets; c runs to the end with no more
    waits, and the program's exit status is sockstep's."""
    s = Session(binary, tmp, editor, "",
                args=["trace", "--step", "--", sys.executable, "-c", TRACED])
    s.expect(r"next: socket " + TRACE_WAIT, "the wait before socket")
    s.ready()
    s.settle()
    if "socket(AF_INET" in s.text():
        raise Fail("the call was made before Enter")
    s.send("\r")
    s.expect(r"socket\(AF_INET, SOCK_STREAM\|SOCK_CLOEXEC, IPPROTO_IP\) = 3",
             "socket after Enter")
    s.expect(r"next: bind on fd3 " + TRACE_WAIT, "the wait before bind")
    s.ready()
    s.send("h")
    s.expect(r"PID +FD +KIND +STATE +LOCAL", "the sockets' header")
    s.expect(r"fd3 +tcp +CLOSE +0\.0\.0\.0:0 ", "the unbound socket")
    s.expect(r"next: bind on fd3 " + TRACE_WAIT, "the same wait again")
    s.ready()
    if "bind(3" in s.text():
        raise Fail("h let the call happen")
    s.send("\r")
    s.expect(r"bind\(3, \{sa_family=AF_INET, .*\) = 0", "bind after Enter")
    s.expect(r"next: listen on fd3 " + TRACE_WAIT, "the wait before listen")
    s.ready()
    s.send("c")
    s.expect(r"got b'x'", "the program's own output")
    s.expect(r"close\(3\) = 0", "the program run to its end")
    if s.wait_exit() != 0:
        raise Fail("exit status %s, not the program's 0" % s.status)
    if len(re.findall(r"next: ", s.text())) != 4:
        raise Fail("c still waited")
    return 0


def t_trace_step_quit(binary, tmp, editor):
    """sockstep trace --step: q ends the program before the call, and
    sockstep exits as the killed program does (137)."""
    s = Session(binary, tmp, editor, "",
                args=["trace", "--step", "--", sys.executable, "-c", TRACED])
    s.expect(r"next: socket " + TRACE_WAIT, "the wait before socket")
    s.ready()
    s.send("q")
    if s.wait_exit() != 137:
        raise Fail("q: exit status %s, not 137" % s.status)
    if "socket(AF_INET" in s.text() or "got" in s.text():
        raise Fail("the program went on after q")
    return 0


def t_fork(binary, tmp, editor):
    """fork at 80x24 (issue 16): Ctrl-C interrupts the child's blocking
    call (the terminal signals both processes), handles lists the
    child's descriptors within 80 columns, @ and a child's name complete,
    and quit kills and reaps the child."""
    s = Session(binary, tmp, editor, "", size=(24, 80))
    s.prompt()
    for line in ("socket srv", "bind srv 127.0.0.1 0", "listen srv",
                 "socket cli", "connect cli srv", "accept srv conn"):
        s.run(line, r"\) = \d+\n", line)
    pid = int(s.run("fork", r"fork\(\) = (\d+)\n", "fork").group(1))
    s.send("@child recv conn 10\n")
    s.expect(r"@child recv conn 10\n", "echo of @child recv")
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:  # the child sleeps in recv
        try:
            with open("/proc/%d/wchan" % pid) as f:
                if "wait" in f.read():
                    break
        except OSError:
            break
        time.sleep(0.05)
    time.sleep(0.2)
    s.send(CTRL_C)
    s.expect(r"\[pid %d\] recv\(5, \.\.\., 10, 0\) = -1 EINTR "
             r"\(Interrupted system call\)\n" % pid, "the child's EINTR")
    s.prompt("prompt after the child's EINTR")
    s.run("handles", r"\[pid %d\] srv +3 +tcp listen" % pid,
          "the child's handles")
    wide = [l for l in s.screen().split("\n")
            if max(len(part) for part in l.split("\r")) > 80]
    if wide:
        raise Fail("lines wider than 80 columns: %r" % wide[:3])
    if editor != "none":
        s.send("@ch\t")
        s.expect(r"@child ", "@ completed to a child's name")
        s.send("\x15")  # Ctrl-U: the line is empty again
        s.ready()
    s.send("quit\n")
    if s.wait_exit() != 0:
        raise Fail("exit status %s" % s.status)
    for want in (r"kill\(%d, SIGKILL\) = 0" % pid,
                 r"waitpid\(%d, \[\{WIFSIGNALED\(s\) && WTERMSIG\(s\) == "
                 r"SIGKILL\}\], 0\) = %d" % (pid, pid)):
        if not re.search(want, s.text()):
            raise Fail("no %r" % want)
    if os.path.exists("/proc/%d" % pid):
        raise Fail("child %d outlived the shell" % pid)
    return 0


SESSION_TESTS = {
    "prompt": t_prompt,
    "ctrl-c-accept": t_ctrl_c_accept,
    "ctrl-c-prompt": t_ctrl_c_prompt,
    "ctrl-c-epoll": t_ctrl_c_epoll,
    "tab": t_tab,
    "ctrl-d": t_ctrl_d,
    "ctrl-d-empty": t_ctrl_d_empty,
    "ctrl-c-wait": t_ctrl_c_wait,
    "job-notice": t_job_notice,
}
FILE_TESTS = {
    "history": t_history,
    "history-default": t_history_default,
    "history-off": t_history_off,
    "step": t_step,
    "step-keys": t_step_keys,
    "step-fits": t_step_fits,
    "play-keys": t_play_keys,
    "play-failure": t_play_failure,
    "quiz": t_quiz,
    "trace-step": t_trace_step,
    "trace-step-quit": t_trace_step_quit,
    "fork": t_fork,
}


def run_one(tests, script, prefix):
    """The main of a test script whose tests each take (binary, tmp,
    editor): runs the one named on the command line. Returns the exit
    status: 0 pass, 1 fail (with every session's transcript), 2 usage."""
    if len(sys.argv) != 3 or sys.argv[2] not in tests:
        sys.stderr.write("usage: %s SOCKSTEP {%s}\n" %
                         (script, "|".join(tests)))
        return 2
    binary, name = os.path.abspath(sys.argv[1]), sys.argv[2]
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        editor = backend(binary)
        tests[name](binary, tmp, editor)
        print("PASS: %s (line editor: %s)" % (name, editor))
        return 0
    except Fail as e:
        print("FAIL: %s: %s" % (name, e))
        for i, s in enumerate(SESSIONS):
            print("--- transcript %d ---\n%s\n--- end ---" % (i, s.text()))
        return 1
    finally:
        for s in SESSIONS:
            s.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in {**SESSION_TESTS, **FILE_TESTS}:
        sys.stderr.write("usage: pty_test.py SOCKSTEP {%s}\n" %
            "|".join(list(SESSION_TESTS) + list(FILE_TESTS)))
        return 2
    binary, name = os.path.abspath(sys.argv[1]), sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="sockstep-pty-")
    try:
        editor = backend(binary)
        print("line editor: %s" % editor)
        if name in FILE_TESTS:
            rc = FILE_TESTS[name](binary, tmp, editor)
        else:
            if name in ("tab", "job-notice") and editor == "none":
                rc = SKIP
            else:
                rc = SESSION_TESTS[name](
                    Session(binary, tmp, editor, os.path.join(tmp, "hist")), editor)
        if rc == SKIP:
            print("SKIP: %s needs a line editor; this build has none" %
                name)
            return SKIP
        print("PASS: %s" % name)
        return 0
    except Fail as e:
        print("FAIL: %s: %s" % (name, e))
        if SESSIONS:
            print("--- transcript ---\n%s\n--- end ---" %
                SESSIONS[-1].text())
        return 1
    finally:
        for s in SESSIONS:
            s.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
