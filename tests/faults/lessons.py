#!/usr/bin/env python3
"""Malformed lesson files (issue 7, item 4): each is checked with
sockstep --check FILE, which must print exactly one clear message on
stderr, naming the file and (where there is one) the line as FILE:LINE:,
and exit 2 for a syntax or usage error, 1 only for a failed expectation
(0 for files that are odd but valid: empty, CRLF line ends). No crash, no
sanitizer report, no carriage return or megabyte echoed back.

Usage: lessons.py SOCKSTEP [CASE...]. Files live in a temporary folder
that is removed at the end; the lessons make no network calls but to
127.0.0.1:1 (refused) and kernel-chosen ports.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as F  # noqa: E402

BIG = b"socket " + b"a" * (1 << 20)

# name: (file contents or None, lesson argument, status, stderr pattern,
# the summary line). In contents and arguments @ stands for the
# temporary folder. A pattern of None means stderr stays empty.
CASES = {
    "value-not-a-number": (
        b"socket s = foo\n", "t.lesson", 2,
        r"t\.lesson:1: expectation: 'foo' is not a number \(write = 0, ",
        "0 passed, 1 failed"),
    "unknown-errno": (
        b"socket s = fd\nconnect s 127.0.0.1 1 = -1 ENOTANERRNO\n",
        "t.lesson", 2,
        r"t\.lesson:2: expectation: 'ENOTANERRNO' is not an errno name",
        "0 passed, 1 failed, 1 not run"),
    "unknown-errno-value": (
        b"socket s = fd\nconnect_ex s 127.0.0.1 1 = EBOGUS\n", "t.lesson", 2,
        r"t\.lesson:2: expectation: 'EBOGUS' is not an errno name",
        "0 passed, 1 failed, 1 not run"),
    "data-unquoted": (
        b"socketpair a b = 0\nsend a hello = 5\nrecv b = 5 hello\n",
        "t.lesson", 2,
        r"t\.lesson:3: expectation: after the value comes the data, quoted",
        "0 passed, 1 failed, 2 not run"),
    "data-unterminated": (
        b"socketpair a b = 0\nsend a hello = 5\nrecv b = 5 \"hello\n",
        "t.lesson", 2,
        r"t\.lesson:3: unterminated string: the \" opened at column 12 is "
        r"never closed", "0 passed, 1 failed, 2 not run"),
    "too-many-words": (
        b"socket s = 1 2 3 4\n", "t.lesson", 2,
        r"t\.lesson:1: an expectation is = VALUE, = -1 ERRNO",
        "0 passed, 1 failed"),
    "nothing-after-equals": (
        b"socket s =\n", "t.lesson", 2,
        r"t\.lesson:1: an expectation is = VALUE, = -1 ERRNO",
        "0 passed, 1 failed"),
    "expectation-on-handles": (
        b"socket s = fd\nhandles = 0\n", "t.lesson", 2,
        r"t\.lesson:2: '= \.\.\.' checks the result of a call, and handles "
        r"made none", "1 passed, 0 failed"),
    "unknown-variable": (
        b"socket s = fd\nbind s 127.0.0.1 $NOPE = 0\n", "t.lesson", 2,
        r"t\.lesson:2: unknown variable \$NOPE \(let NOPE VALUE sets one\)",
        "1 passed, 1 failed"),
    "let-bad-name": (
        b"let 9bad 1\n", "t.lesson", 2,
        r"t\.lesson:1: let: a variable name is letters, digits and '_'",
        "0 passed, 0 failed"),
    "let-no-value": (
        b"let\n", "t.lesson", 2,
        r"t\.lesson:1: let: missing arguments; usage: let NAME VALUE",
        "0 passed, 0 failed"),
    "expect-no-such-state": (
        b"socket s = fd\nexpect s NOSUCHSTATE\n", "t.lesson", 2,
        r"t\.lesson:2: expect: 'NOSUCHSTATE' is not a TCP state",
        "0 passed, 1 failed, 1 not run"),
    "expect-unknown-handle": (
        b"expect ghost CLOSE\n", "t.lesson", 2,
        r"t\.lesson:1: expect: no handle named 'ghost'",
        "0 passed, 1 failed"),
    "missing-file": (
        None, "missing.lesson", 2,
        r"sockstep: no lesson 'missing\.lesson'", "0 passed, 0 failed"),
    "missing-file-in-folder": (
        None, "@/no/such.lesson", 2,
        r"sockstep: no lesson '.*/no/such\.lesson'", "0 passed, 0 failed"),
    "directory": (
        None, "@", 2, r"sockstep: .*: is a directory, not a lesson file",
        "0 passed, 0 failed"),
    "empty-file": (
        b"", "t.lesson", 0, None, "0 passed, 0 failed"),
    "nul-bytes": (
        b"\0" * 100, "t.lesson", 2,
        r"t\.lesson:1: line has a NUL byte at column 1", "0 passed, 1 failed"),
    "nul-in-line": (
        b"socket s = fd\nsocket t\0x = fd\n", "t.lesson", 2,
        r"t\.lesson:2: line has a NUL byte at column 9",
        "0 passed, 1 failed, 1 not run"),
    "invalid-utf8": (
        b"socket s = fd\n\xff\xfe = 0\n", "t.lesson", 2,
        r"t\.lesson:2: unknown command '\\377\\376'", "1 passed, 1 failed"),
    "crlf": (
        b"socket s = fd\r\nbind s 127.0.0.1 0 = 0\r\nexpect s CLOSE\r\n",
        "t.lesson", 0, None, "3 passed, 0 failed"),
    "crlf-error-line": (
        b"socket s = fd\r\nsocket t = foo\r\n", "t.lesson", 2,
        r"t\.lesson:2: expectation: 'foo' is not a number",
        "0 passed, 1 failed, 1 not run"),
    "megabyte-line": (
        b"# a long line follows\n" + BIG + b"\n", "t.lesson", 2,
        r"t\.lesson:2: line too long \(1048583 bytes; at most \d+\)",
        "0 passed, 1 failed"),
    "megabyte-line-no-newline": (
        BIG, "t.lesson", 2,
        r"t\.lesson:1: line too long \(1048583 bytes; at most \d+\)",
        "0 passed, 1 failed"),
    "source-missing": (
        b"socket s = fd\nsource @/nonexistent.lesson\n", "t.lesson", 2,
        r"t\.lesson:2: cannot open .*/nonexistent\.lesson: No such file or "
        r"directory", "1 passed, 0 failed"),
    "source-itself": (
        b"source t.lesson\n", "t.lesson", 2,
        r"t\.lesson:1: t\.lesson is running already: a script that sources "
        r"or plays itself", "0 passed, 0 failed"),
    "source-error-inside": (
        b"socket s = fd\nsource inner.lesson\n", "t.lesson", 2,
        r"inner\.lesson:2: unknown command 'bogus'", "2 passed, 1 failed"),
    "failed-expectation": (
        b"socket s = fd\nconnect s 127.0.0.1 1 = 0\n", "t.lesson", 1,
        r"t\.lesson:2: expected = 0, got = -1 ECONNREFUSED",
        "1 passed, 1 failed"),
    # Issue 13: expectations are read before anything runs (finding 3).
    "word-after-value": (
        b"socket s = fd\nsocket t = 0 EOF\n", "t.lesson", 2,
        r"t\.lesson:2: expectation: after the value comes the data, quoted",
        "0 passed, 1 failed, 1 not run"),
    "errno-misspelt": (
        b"socket s = fd\nconnect s 127.0.0.1 1 = -1 EBADFF\n", "t.lesson", 2,
        r"t\.lesson:2: expectation: 'EBADFF' is not an errno name",
        "0 passed, 1 failed, 1 not run"),
    "state-nearest": (
        b"socket s = fd\nexpect s FIN_WAT2\n", "t.lesson", 2,
        r"t\.lesson:2: expect: 'FIN_WAT2' is not a TCP state; did you mean "
        r"FIN_WAIT2\?", "0 passed, 1 failed, 1 not run"),
    "state-spellings": (
        b"socket s = fd\nexpect s CLOSE\nexpect s close\nexpect s Close\n"
        b"socketpair a b AF_UNIX = 0\nclose a = 0\nexpect a closed\n",
        "t.lesson", 0, None, "7 passed, 0 failed"),
    # A failed step ends the lesson: the rest is counted, not run (finding 1).
    "stop-at-failure": (
        b"socket s = fd\nconnect s 127.0.0.1 1 = 0\nsocket t = fd\n"
        b"expect t CLOSE\nsend s x = 1\n", "t.lesson", 1,
        r"t\.lesson:2: expected = 0, got = -1 ECONNREFUSED",
        "1 passed, 1 failed, 3 not run"),
    # A call that blocks past the bound fails, naming the call (finding 1).
    "bound": (
        b"set timeout 1\nsocket s = fd\nbind s 127.0.0.1 0 = 0\n"
        b"listen s = 0\naccept s c = fd\nclose s = 0\n", "t.lesson", 1,
        r"t\.lesson:5: accept waited 1 s for a connection in the listen "
        r"queue and was stopped", "3 passed, 1 failed, 1 not run"),
    "bound-wait": (
        b"set timeout 1\nsocket s = fd\nbind s 127.0.0.1 0 = 0\n"
        b"listen s = 0\naccept s c = fd &\nwait 1\nclose s = 0\n",
        "t.lesson", 1, r"t\.lesson:6: wait waited 1 s for a background "
        r"call", "3 passed, 1 failed, 2 not run"),
    # Bounded input (finding 6).
    "byte-order-mark": (
        b"\xef\xbb\xbfsocket s = fd\n", "t.lesson", 0, None,
        "1 passed, 0 failed"),
    "source-dev-zero": (
        b"source /dev/zero\n", "t.lesson", 2,
        r"t\.lesson:1: cannot read /dev/zero: more than 16 MiB",
        "0 passed, 0 failed"),
    "lesson-itself": (
        b"lesson @/t.lesson\n", "t.lesson", 2,
        r".*t\.lesson is running already: a script that sources or plays "
        r"itself", "0 passed, 0 failed"),
}

SANITIZER = F.SANITIZER


def run_case(name, tmp):
    content, arg, status, pattern, summary = CASES[name]
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    if content is not None:
        with open(os.path.join(tmp, "t.lesson"), "wb") as f:
            f.write(content.replace(b"@", tmp.encode()))
    with open(os.path.join(tmp, "inner.lesson"), "wb") as f:
        f.write(b"socket i = fd\nbogus x = 1\n")
    arg = arg.replace("@", tmp)
    p = subprocess.Popen([F.binary(), "--check", arg], cwd=tmp,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=F.clean_env())
    try:
        out, err = p.communicate(timeout=F.STEP)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise AssertionError("--check did not end within %ss" % F.STEP)
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    what = "\nstdout:\n%s\nstderr:\n%s" % (out[:2000], err[:2000])
    if SANITIZER.search(err):
        raise AssertionError("sanitizer report" + what)
    if p.returncode != status:
        raise AssertionError("exit status %d, want %d%s" % (
            p.returncode, status, what))
    lines = err.splitlines()
    if pattern is None:
        if lines:
            raise AssertionError("stderr not empty" + what)
    else:
        if len(lines) != 1:
            raise AssertionError("%d lines on stderr, want 1%s" % (
                len(lines), what))
        # A script's errors are sockstep:FILE:LINE: (GNU's form).
        if not pattern.startswith(("sockstep", ".*")):
            pattern = "sockstep:" + pattern
        if not re.match(pattern, lines[0]):
            raise AssertionError("stderr does not match /%s/%s" % (
                pattern, what))
        if "\r" in err or len(lines[0]) > 300:
            raise AssertionError("the message echoes the input" + what)
    if out.splitlines()[-1:] != [summary]:
        raise AssertionError("summary is not %r%s" % (summary, what))


def main():
    tmp = tempfile.mkdtemp(prefix="sockstep-faults-")
    try:
        tests = {n: (lambda n=n: run_case(n, tmp)) for n in CASES}
        F.main(tests)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
