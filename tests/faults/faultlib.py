"""Shared helpers of the fault tests (issue 7, items 3 to 5): run the real
sockstep binary through pipes, one line at a time, with a deadline on every
wait; see which system call it blocks in (/proc/PID/task/*/syscall); and
make sure every process and socket a test made is gone when it ends.

Every driver exits 0 (pass), 1 (fail) or SKIP (77, the ctest
SKIP_RETURN_CODE) when something it needs is absent.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback

SKIP = 77

# What an interactive run prints before reading each line.
PROMPT = "sockstep> "

# No single wait of a test is longer than this.
STEP = 10.0

# x86_64 and aarch64 system call numbers of the calls a test waits in.
# Other machines: wait_blocked falls back to a short sleep.
SYSCALLS = {
    "x86_64": {"read": 0, "poll": 7, "connect": 42, "accept": 43,
               "sendto": 44, "recvfrom": 45, "accept4": 288, "ppoll": 271,
               "pselect6": 270, "select": 23},
    "aarch64": {"read": 63, "connect": 203, "accept": 202, "sendto": 206,
                "recvfrom": 207, "accept4": 242, "ppoll": 73,
                "pselect6": 72},
}

# What AddressSanitizer, LeakSanitizer, UBSan and ThreadSanitizer print on
# a finding.
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|"
                       r"ThreadSanitizer|"
                       r"UndefinedBehaviorSanitizer")

_children = []
_sockets = []


def binary():
    """The sockstep binary: argv[1] of every driver."""
    if len(sys.argv) < 2 or not os.path.exists(sys.argv[1]):
        sys.exit("usage: %s SOCKSTEP [TEST...]" % sys.argv[0])
    return os.path.abspath(sys.argv[1])


def clean_env(**extra):
    """An environment that cannot change sockstep's output: no colour, no
    history file, no forced prompt, the C locale."""
    env = dict(os.environ)
    for k in ("SOCKSTEP_INTERACTIVE", "NO_COLOR", "TERM", "SOCKSTEP_HISTORY",
              "SOCKSTEP_LESSONS"):
        env.pop(k, None)
    env["SOCKSTEP_HISTORY"] = ""
    env["LC_ALL"] = "C"
    env.update(extra)
    return env


def track(sock):
    """Remembers a test's socket so that cleanup closes it."""
    _sockets.append(sock)
    return sock


def cleanup():
    """Kills every process a test started and closes its sockets."""
    while _children:
        _children.pop().kill()
    while _sockets:
        try:
            _sockets.pop().close()
        except OSError:
            pass


class Shell:
    """A sockstep process driven through pipes. Two threads read its stdout
    and stderr so it can never block on a full pipe; expect() waits, with a
    deadline, for a pattern in what it printed after the previous match."""

    def __init__(self, args=(), env=None, preexec_fn=None):
        self.p = subprocess.Popen([binary()] + list(args),
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE,
                                  env=env or clean_env(),
                                  preexec_fn=preexec_fn)
        _children.append(self)
        self.buf = {"out": b"", "err": b""}
        self.eof = {"out": False, "err": False}
        self.cv = threading.Condition()
        self.mark = 0
        self.lineno = 0
        self.threads = [
            threading.Thread(target=self._read, args=(self.p.stdout, "out"),
                             daemon=True),
            threading.Thread(target=self._read, args=(self.p.stderr, "err"),
                             daemon=True)]
        for t in self.threads:
            t.start()

    def _read(self, f, key):
        while True:
            try:
                data = os.read(f.fileno(), 65536)
            except OSError:
                data = b""
            with self.cv:
                if not data:
                    self.eof[key] = True
                    self.cv.notify_all()
                    return
                self.buf[key] += data
                self.cv.notify_all()

    @property
    def out(self):
        """stdout as text, without the prompts an interactive run prints."""
        with self.cv:
            return self._text("out")

    def _text(self, key):
        text = self.buf[key].decode("utf-8", "replace")
        return text.replace(PROMPT, "") if key == "out" else text

    @property
    def err(self):
        with self.cv:
            return self.buf["err"].decode("utf-8", "replace")

    def send(self, *lines):
        """Writes lines to sockstep's stdin."""
        data = b"".join((l if isinstance(l, bytes) else l.encode()) + b"\n"
                        for l in lines)
        self.lineno += len(lines)
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def expect(self, pattern, timeout=STEP, where="out"):
        """Waits until stdout (or stderr), after the previous match, matches
        pattern. Returns the match; raises on timeout or when the output
        ends first."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                text = self._text(where)
                m = rx.search(text, self.mark if where == "out" else 0)
                if m:
                    if where == "out":
                        self.mark = m.end()
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or self.eof[where]:
                    raise AssertionError(
                        "%s waiting for /%s/ (status %s); stdout:\n%s\n"
                        "stderr:\n%s" % (
                            "timed out" if left <= 0 else "output ended",
                            pattern, self.p.poll(), text[self.mark:]
                            if where == "out" else self._text("out"),
                            self._text("err")))
                self.cv.wait(min(left, 0.5))

    def cmd(self, line, timeout=STEP):
        """Runs one command that does not block and returns what it printed
        on stdout. A gethostname after it, with notes off so that it prints
        one line, marks the end of its output."""
        self.send(line, "set notes off", "gethostname", "set notes on")
        start = self.mark
        m = self.expect(r"^gethostname\(.*\n", timeout)
        return self.out[start:m.start()]

    def port_of(self, name):
        """The port the kernel chose for handle name (from getsockname)."""
        text = self.cmd("getsockname " + name)
        m = re.search(r"sin6?_port=htons\((\d+)\)", text)
        if not m:
            raise AssertionError("no port in:\n" + text)
        return int(m.group(1))

    def syscalls(self):
        """The numbers of the system calls the process's tasks sleep in (a
        tool such as valgrind may run the program in a task of its own);
        None when /proc cannot tell."""
        found, readable = set(), False
        try:
            tasks = os.listdir("/proc/%d/task" % self.p.pid)
        except OSError:
            return None
        for task in tasks:
            try:
                with open("/proc/%d/task/%s/syscall" % (self.p.pid,
                                                        task)) as f:
                    first = f.read().split()[0]
            except (OSError, IndexError):
                continue
            readable = True
            if first.isdigit():
                found.add(int(first))
        return found if readable else None

    def wait_blocked(self, *names, timeout=STEP):
        """Waits until a task of the process sleeps in one of the named
        system calls; one still running (slow under valgrind) is waited
        for. Where /proc cannot tell, sleeps a moment instead."""
        table = SYSCALLS.get(os.uname().machine)
        if table is None or self.syscalls() is None:
            time.sleep(0.5)
            return
        want = {table[n] for n in names if n in table}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.p.poll() is None:
            if want & (self.syscalls() or set()):
                # Let the process be asleep in the call, not just past it.
                time.sleep(0.1)
                if want & (self.syscalls() or set()):
                    return
            time.sleep(0.02)
        raise AssertionError("sockstep is not blocked in %s (syscalls %s, "
                             "status %s); stdout:\n%s\nstderr:\n%s" % (
                                 "/".join(names), self.syscalls(),
                                 self.p.poll(), self.out, self.err))

    def sigint(self):
        self.p.send_signal(signal.SIGINT)

    def finish(self, timeout=STEP):
        """Closes stdin and waits for the end; returns the exit status."""
        try:
            self.p.stdin.close()
        except OSError:
            pass
        return self.wait(timeout)

    def wait(self, timeout=STEP):
        """Waits for the process and its output to end; returns its exit
        status. Kills it and raises after timeout."""
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("sockstep did not exit within %ss; "
                                 "stdout:\n%s\nstderr:\n%s" % (
                                     timeout, self.out, self.err))
        for t in self.threads:
            t.join(timeout)
        if SANITIZER.search(self.err):
            raise AssertionError("sanitizer report:\n" + self.err)
        return rc

    def kill(self):
        """Ends the process if it still runs, and reaps it."""
        if self.p.poll() is None:
            try:
                self.p.kill()
            except ProcessLookupError:
                pass
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            try:
                f.close()
            except OSError:
                pass


def check(cond, msg, *shells):
    """Raises with msg and the output of shells when cond is false."""
    if cond:
        return
    for s in shells:
        msg += "\nstdout:\n%s\nstderr:\n%s" % (s.out, s.err)
    raise AssertionError(msg)


def call_line(text, pattern):
    """The line of text matching the call-line pattern (anchored at a line
    start) and the line after it; raises when missing or when no indented
    meaning line follows."""
    lines = text.splitlines()
    rx = re.compile(pattern)
    for i, line in enumerate(lines):
        if rx.match(line):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if not nxt.startswith("  ") or not nxt.strip():
                raise AssertionError("no meaning line under %r:\n%s" % (
                    line, text))
            return line, nxt
    raise AssertionError("no call line /%s/ in:\n%s" % (pattern, text))


def main(tests):
    """Runs the named tests (all when none is named after the binary), each
    followed by cleanup. Prints one line per test; exits 0, 1 or SKIP."""
    binary()
    names = sys.argv[2:] or list(tests)
    failed = skipped = 0
    for name in names:
        if name not in tests:
            print("FAIL %s: no such test" % name)
            failed += 1
            continue
        t0 = time.monotonic()
        try:
            tests[name]()
        except Skip as e:
            print("SKIP %s: %s" % (name, e))
            skipped += 1
            continue
        except Exception as e:
            print("FAIL %s: %s" % (name, e))
            if not isinstance(e, AssertionError):
                traceback.print_exc(file=sys.stdout)
            failed += 1
            continue
        finally:
            cleanup()
        print("ok   %s (%.1f s)" % (name, time.monotonic() - t0))
    sys.stdout.flush()
    if failed:
        sys.exit(1)
    if skipped and skipped == len(names):
        sys.exit(SKIP)
    sys.exit(0)


class Skip(Exception):
    """A test that cannot run here."""


def linger0(sock):
    """Makes close() of sock send RST: SO_LINGER on, 0 seconds."""
    import struct
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))


def listener(backlog=128):
    """A Python listening socket on 127.0.0.1 at a kernel-chosen port."""
    s = track(socket.socket())
    s.bind(("127.0.0.1", 0))
    s.listen(backlog)
    s.settimeout(STEP)
    return s
