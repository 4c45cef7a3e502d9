"""Shared helpers of the end-to-end tests: run the real sockstep binary
through pipes, normalise what the kernel chooses, drive a session line by
line with bounded waits, and report failures as text that can be diffed.

Every test driver exits 0 on success, 1 on failure and SKIP (77, the ctest
SKIP_RETURN_CODE) when a tool it needs is absent.
"""

import difflib
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

SKIP = 77

# A whole test never waits longer than this for one step.
STEP_TIMEOUT = 10.0


def binary():
    """The sockstep binary: argv[1] of every driver, or $SOCKSTEP."""
    if len(sys.argv) > 1 and os.path.exists(sys.argv[1]):
        return os.path.abspath(sys.argv[1])
    path = os.environ.get("SOCKSTEP")
    if path:
        return path
    sys.exit("usage: %s SOCKSTEP_BINARY [ARGS]" % sys.argv[0])


def clean_env(**extra):
    """An environment that cannot change sockstep's output: no colour, no
    history file, no forced prompt."""
    env = dict(os.environ)
    for k in ("SOCKSTEP_INTERACTIVE", "NO_COLOR", "TERM", "SOCKSTEP_HISTORY"):
        env.pop(k, None)
    env["SOCKSTEP_HISTORY"] = ""
    env["LC_ALL"] = "C"
    env.update(extra)
    return env


def strace():
    """The path of strace; skips the test when it is not installed."""
    path = shutil.which("strace")
    if path is None:
        raise Skip("strace is not installed")
    return path


def strace_env():
    """An environment for sockstep under strace: clean_env, without
    LeakSanitizer, which cannot run under ptrace (in an ASan build it
    would abort at exit); leaks are checked by every other test."""
    env = clean_env()
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                           ":detect_leaks=0").lstrip(":")
    return env


def run(args, stdin=b"", timeout=STEP_TIMEOUT, env=None):
    """Runs sockstep with args, stdin from a pipe; returns (rc, out, err) as
    bytes. Kills it and raises on timeout."""
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env or clean_env())
    try:
        out, err = p.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise AssertionError("%s did not finish within %ss" % (args, timeout))
    return p.returncode, out, err


class Ports:
    """Gives kernel-chosen ports stable names in order of appearance:
    PORTA, PORTB, ... (five characters, as wide as an ephemeral port, so
    the handles table keeps its alignment)."""

    def __init__(self, keep=(0, 1, 7, 65432)):
        self.names = {}
        self.keep = set(keep)

    def name(self, port):
        port = int(port)
        if port in self.keep or port < 1024 or port > 65535:
            return str(port)
        if port not in self.names:
            self.names[port] = "PORT" + chr(ord("A") + len(self.names))
        return self.names[port]


_PORT_RE = re.compile(r"(htons\(|127\.0\.0\.1:|0\.0\.0\.0:|chose port |"
                      r"\('127\.0\.0\.1', )(\d+)")


def normalise(text, ports=None, hostname=None):
    """Replaces what the kernel or machine chooses by stable names: ports
    (see Ports), the host name by HOST. A handle caught in FIN_WAIT1 (its
    FIN not yet acknowledged: one byte in SEND-Q) reads as the FIN_WAIT2 it
    becomes when the peer's delayed ACK comes, about 40 ms later: in a
    handles row, in a state line (whose note on the unacknowledged FIN goes),
    and the line that shows the ACK's arrival (FIN_WAIT1 -> FIN_WAIT2, under
    whichever command first sees it) goes. Where a run sees the ACK depends
    on the machine's speed; tests/iv checks those lines."""
    ports = ports or Ports()
    text = _PORT_RE.sub(lambda m: m.group(1) + ports.name(m.group(2)), text)
    if hostname:
        text = re.sub(r"(?<![\w.-])%s(?![\w-])" % re.escape(hostname),
                      "HOST", text)
    # The time left on a kernel timer is read only when sock_diag answers
    # in time: it is not part of what a golden run checks.
    text = re.sub(r"[;,] \d+ s left", "", text)
    text = re.sub(r" \(\d+ s left\)", "", text)
    out = []
    for line in text.split("\n"):
        m = re.match(r"^(\S+\s+\d+\s+tcp\s+)FIN_WAIT1(\s+\S+\s+\S+\s+\d+\s+)"
                     r"([01])(\s.*)$", line)
        if m:
            line = m.group(1) + "FIN_WAIT2" + m.group(2) + "0" + m.group(4)
        if re.match(r"^  (since the previous command: )?\S+( \(closed\))? "
                    r"FIN_WAIT1 -> FIN_WAIT2$", line):
            continue
        if re.match(r"^  (\S+'s FIN is not acknowledged yet|a FIN counts "
                    r"as one byte in SEND-Q)", line):
            continue
        line = re.sub(r"^(  (since the previous command: )?\S+( \(closed\))? )"
                      r"FIN_WAIT1 -> ", r"\1FIN_WAIT2 -> ", line)
        line = re.sub(r"^(  (since the previous command: )?\S+ \S+ -> )"
                      r"FIN_WAIT1\b", r"\1FIN_WAIT2", line)
        out.append(line)
    return "\n".join(out)


def diff(expected, got, what="output"):
    """A unified diff of two texts, or '' when equal."""
    if expected == got:
        return ""
    return "".join(difflib.unified_diff(
        expected.splitlines(True), got.splitlines(True),
        "expected " + what, "got " + what))


class Session:
    """A sockstep process driven through pipes, one line at a time, so a
    test can read what it printed (a kernel-chosen port) before going on.
    Every wait is bounded."""

    def __init__(self, args, env=None):
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE,
                                  env=env or clean_env())
        self.out = b""
        self.err = b""
        self.mark = 0

    def send(self, *lines):
        """Writes lines to sockstep's stdin."""
        self.p.stdin.write(b"".join(
            (l if isinstance(l, bytes) else l.encode()) + b"\n"
            for l in lines))
        self.p.stdin.flush()

    def _pump(self, timeout):
        fds = [f for f in (self.p.stdout, self.p.stderr) if not f.closed]
        if not fds:
            return False
        r, _, _ = select.select(fds, [], [], timeout)
        got = False
        for f in r:
            data = os.read(f.fileno(), 65536)
            if not data:
                f.close()
                continue
            got = True
            if f is self.p.stdout:
                self.out += data
            else:
                self.err += data
        return got or bool(r)

    def expect(self, pattern, timeout=STEP_TIMEOUT):
        """Waits until stdout, after what earlier expects consumed, matches
        pattern (a regex on text). Returns the match; raises on timeout or
        when sockstep ends first."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            text = self.out.decode("utf-8", "replace")
            m = rx.search(text, self.mark)
            if m:
                self.mark = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    "timed out after %ss waiting for /%s/ in sockstep's "
                    "output:\n%s\nstderr:\n%s" % (
                        timeout, pattern, text,
                        self.err.decode("utf-8", "replace")))
            if not self._pump(min(left, 0.5)) and self.p.poll() is not None \
                    and self.p.stdout.closed:
                raise AssertionError(
                    "sockstep ended (status %s) before /%s/:\n%s\nstderr:\n%s"
                    % (self.p.returncode, pattern, text,
                       self.err.decode("utf-8", "replace")))

    def finish(self, timeout=STEP_TIMEOUT):
        """Closes stdin and waits for the end. Returns the exit status."""
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + timeout
        while not (self.p.stdout.closed and self.p.stderr.closed):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._pump(min(left, 0.5))
        try:
            return self.p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("sockstep did not exit after EOF on stdin")

    def kill(self):
        """Ends the process if it still runs, and reaps it."""
        kill_proc(self.p)


def kill_proc(p):
    """Kills a child process if it still runs and reaps it."""
    if p is None:
        return
    if p.poll() is None:
        try:
            p.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        pass
    for f in (p.stdin, p.stdout, p.stderr):
        if f is not None:
            try:
                f.close()
            except OSError:
                pass


def main(tests, argv_offset=2):
    """Runs the named test functions (all of them when no name is given
    after the binary). Prints one line per test and exits 0, 1 or SKIP."""
    names = sys.argv[argv_offset:] or list(tests)
    failed = skipped = 0
    for name in names:
        fn = tests[name]
        try:
            fn()
        except Skip as e:
            print("SKIP %s: %s" % (name, e))
            skipped += 1
            continue
        except AssertionError as e:
            print("FAIL %s: %s" % (name, e))
            failed += 1
            continue
        except Exception as e:  # a broken harness fails the test too
            import traceback
            print("FAIL %s: %s\n%s" % (name, e, traceback.format_exc()))
            failed += 1
            continue
        print("ok   %s" % name)
    if failed:
        sys.exit(1)
    if skipped and skipped == len(names):
        sys.exit(SKIP)
    sys.exit(0)


class Skip(Exception):
    """A test that cannot run here (a tool is missing)."""
