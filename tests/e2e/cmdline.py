#!/usr/bin/env python3
"""The command line (PRODUCT.md contract 9) and the process's own habits:
options, FILE, -c, stdin, exit statuses, fd 3 for the first socket, SIGPIPE,
colour.

usage: cmdline.py SOCKSTEP [TEST...]
"""

import os
import pty
import re
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import run  # noqa: E402

ESC = b"\x1b"


def calls_and_handles(out):
    """Call lines and the '  NAME is fd N' lines of output (what -n keeps
    for sure)."""
    return b"".join(l for l in out.splitlines(True)
                    if not l.startswith(b" ") or re.match(rb"  \S+ is fd \d+\n", l))


def B():
    return e2elib.binary()


def eq(what, want, got):
    if want != got:
        raise AssertionError("%s: expected %r, got %r" % (what, want, got))


def test_help():
    for opt in ("--help", "-h"):
        rc, out, err = run([B(), opt])
        eq(opt + " exit status", 0, rc)
        eq(opt + " stderr", b"", err)
        if not out.startswith(b"usage: sockstep "):
            raise AssertionError("%s: stdout does not start with usage: %r"
                                 % (opt, out[:80]))
        for word in (b"-c", b"--version", b"NO_COLOR", b"FILE"):
            if word not in out:
                raise AssertionError("%s does not mention %s" % (opt, word))


def test_version():
    for opt in ("--version", "-V"):
        rc, out, err = run([B(), opt])
        eq(opt + " exit status", 0, rc)
        eq(opt + " stderr", b"", err)
        # GNU's form: the version last on the first line, then the
        # copyright and the licence, which a Readline build says is GPL.
        lines = out.decode().split("\n")
        if not re.fullmatch(r"sockstep \d+\.\d+\.\d+", lines[0]):
            raise AssertionError("%s: first line %r" % (opt, lines[0]))
        if not lines[1].startswith("Copyright (C) "):
            raise AssertionError("%s: no copyright line: %r" % (opt, out))
        ed = re.search(r"^This build.s line editor: (\w+)\.$", out.decode(),
                       re.M)
        if ed is None:
            raise AssertionError("%s: no line editor: %r" % (opt, out))
        want = "License GPLv3+" if ed.group(1) == "readline" \
            else "License ISC"
        if not lines[2].startswith(want):
            raise AssertionError("%s: licence line %r, want %s" %
                                 (opt, lines[2], want))


def test_unknown_option():
    rc, out, err = run([B(), "--bogus"])
    eq("exit status", 2, rc)
    eq("stdout", b"", out)
    if b"--bogus" not in err or b"sockstep --help" not in err:
        raise AssertionError("stderr should name --bogus and point to "
                             "--help: %r" % err)
    rc, out, err = run([B(), "-c"])
    eq("-c without commands: exit status", 2, rc)
    eq("-c without commands: stdout", b"", out)


def test_ambiguous_option():
    """An abbreviation of two options is ambiguous, not unknown; one of
    a single option (or of two spellings of one) is that option."""
    rc, out, err = run([B(), "--co"])
    eq("--co exit status", 2, rc)
    if not err.startswith(b"sockstep: option '--co' is ambiguous; "
                          b"possibilities: '--command' '--color'"):
        raise AssertionError("--co: %r" % err)
    rc, out, err = run([B(), "--colo=never", "--no-n", "-c", "socket s"])
    eq("--colo=never --no-n exit status", 0, rc)
    eq("--colo=never --no-n stderr", b"", err)
    rc, out, err = run([B(), "--bogus"])
    if b"ambiguous" in err:
        raise AssertionError("--bogus called ambiguous: %r" % err)


def test_file_and_fd3():
    with tempfile.TemporaryDirectory(prefix="sockstep-cmdline-") as tmp:
        path = os.path.join(tmp, "s.sockstep")
        with open(path, "w") as f:
            f.write("# first socket gets fd 3, as in the docs\n"
                    "socket srv\nsocket cli\nclose cli\nclose srv\n")
        rc, out, err = run([B(), "-n", path])
        eq("exit status", 0, rc)
        eq("stderr", b"", err)
        eq("call lines", b"socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
           b"  srv is fd 3\n"
           b"socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4\n"
           b"  cli is fd 4\n"
           b"close(4) = 0\n"
           b"close(3) = 0\n", calls_and_handles(out))
        # A usage error in a FILE names the file and line; status 2.
        with open(path, "a") as f:
            f.write("bnd x\nsocket after\n")
        rc, out, err = run([B(), "-n", path])
        eq("exit status after a usage error", 2, rc)
        eq("stderr", ("sockstep:%s:6: unknown command 'bnd'; did you mean bind? "
                      "(help lists commands)\n" % path).encode(), err)
        if b"after is fd 3" not in out:
            raise AssertionError("the script did not go on after the error")
        missing = os.path.join(tmp, "missing.sockstep")
        rc, out, err = run([B(), missing])
        eq("missing file: exit status", 2, rc)
        eq("missing file: stdout", b"", out)
        eq("missing file: stderr lines", 1, err.count(b"\n"))
        if missing.encode() not in err:
            raise AssertionError("missing file not named: %r" % err)


def test_dash_c():
    rc, out, err = run([B(), "-n", "-c",
                        'socket a; send a "x;y" ; close a']
                       )
    eq("exit status", 0, rc)
    eq("stderr", b"", err)
    lines = out.decode().splitlines()
    calls = [l for l in lines if not l.startswith(" ")]
    eq("calls", ["socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                 'send(3, "x;y", 3, 0) = -1 EPIPE (Broken pipe)',
                 "close(3) = 0"], calls)
    rc, out, err = run([B(), "-c", "socket a\nbogus\nclose a"])
    eq("-c with newlines: exit status", 2, rc)
    eq("-c stderr", b"sockstep:-c:2: unknown command 'bogus' (help lists commands)\n",
       err)
    if b"close(3) = 0" not in out:
        raise AssertionError("-c did not go on after the error")


def test_stdin():
    script = b"socket a\nhandles\nclose a\n"
    rc1, out1, err1 = run([B()], stdin=script)
    rc2, out2, err2 = run([B(), "-"], stdin=script)
    for rc, out, err, how in ((rc1, out1, err1, "piped"),
                              (rc2, out2, err2, "sockstep -")):
        eq(how + ": exit status", 0, rc)
        eq(how + ": stderr", b"", err)
        if b"sockstep>" in out or ESC in out:
            raise AssertionError(how + ": a prompt or colour in a pipe: %r"
                                 % out)
        if not out.startswith(b"socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"):
            raise AssertionError(how + ": %r" % out[:100])
    eq("piped and '-' give the same output", out1, out2)
    # Last line without a newline, and CRLF line ends, still run.
    rc, out, err = run([B(), "-n"], stdin=b"socket a\r\nclose a")
    eq("CRLF / no final newline: stderr", b"", err)
    eq("CRLF / no final newline: stdout",
       b"socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n  a is fd 3\n"
       b"close(3) = 0\n", calls_and_handles(out))
    # Empty input is a successful empty session.
    eq("empty stdin", (0, b"", b""), run([B()], stdin=b""))


def test_failed_call_is_not_an_error():
    rc, out, err = run([B(), "-c", "socket closed; bind closed 127.0.0.1 0; "
                        "socket x; connect x closed"])
    eq("exit status", 0, rc)
    eq("stderr", b"", err)
    if b"= -1 ECONNREFUSED (Connection refused)\n  nothing listens on" \
            not in out:
        raise AssertionError("no ECONNREFUSED and its meaning: %r" % out)


def test_sigpipe():
    # subprocess restores SIGPIPE to its default (death) in the child, as a
    # shell would: the shell must survive it by itself.
    script = ("socket srv; bind srv 127.0.0.1 0; listen srv; socket cli; "
              "connect cli srv; accept srv conn; close conn; "
              'send cli "one"; send cli "two"; send cli "three"; handles')
    p = subprocess.run([B(), "-c", script], capture_output=True, timeout=10,
                       env=e2elib.clean_env(), restore_signals=True)
    if p.returncode == -signal.SIGPIPE:
        raise AssertionError("killed by SIGPIPE")
    eq("exit status", 0, p.returncode)
    eq("stderr", b"", p.stderr)
    out = p.stdout.decode()
    if 'send(4, "one", 3, 0) = 3\n' not in out:
        raise AssertionError("first send after the peer's close: %s" % out)
    for word in ("two", "three"):
        if ('send(4, "%s", %d, 0) = -1 EPIPE (Broken pipe)\n' %
                (word, len(word))) not in out:
            raise AssertionError("no EPIPE for %s:\n%s" % (word, out))
    if out.count("SIGPIPE came") != 2:
        raise AssertionError("the note that SIGPIPE came is missing:\n" + out)
    if not re.search(r"(?m)^NAME .*\n(.*\n)*cli +4 ", out):
        raise AssertionError("handles after EPIPE lost cli:\n" + out)


def run_tty(args, env):
    """Runs sockstep with stdout on a pseudo-terminal and stderr on a pipe;
    returns (rc, what the terminal got, stderr)."""
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave,
                             stderr=subprocess.PIPE, env=env)
        os.close(slave)
        slave = -1
        got = b""
        import select
        while True:
            r, _, _ = select.select([master], [], [], 10)
            if not r:
                p.kill()
                raise AssertionError("no output from %s on a terminal" % args)
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            got += data
        err = p.stderr.read()
        p.stderr.close()
        return p.wait(10), got, err
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)


COLOUR_SCRIPT = "socket a; recv a 1; bnd"


def test_colour():
    # Pipes: never colour, also with a TERM that has colours.
    rc, out, err = run([B(), "-c", COLOUR_SCRIPT],
                       env=e2elib.clean_env(TERM="xterm-256color"))
    eq("exit status", 2, rc)
    if ESC in out or ESC in err:
        raise AssertionError("colour in a pipe: %r %r" % (out, err))
    # --color=always shows that colour exists, so the checks can fail.
    rc, out, _ = run([B(), "--color=always", "-c", COLOUR_SCRIPT])
    if ESC not in out:
        raise AssertionError("--color=always gave no colour: %r" % out)
    # On a terminal: colour, unless NO_COLOR is set (to anything non-empty).
    rc, out, err = run_tty([B(), "-c", COLOUR_SCRIPT],
                           e2elib.clean_env(TERM="xterm"))
    if ESC not in out:
        raise AssertionError("no colour on a terminal: %r" % out)
    rc, out, err = run_tty([B(), "-c", COLOUR_SCRIPT],
                           e2elib.clean_env(TERM="xterm", NO_COLOR="1"))
    eq("NO_COLOR exit status", 2, rc)
    if ESC in out or ESC in err:
        raise AssertionError("colour despite NO_COLOR: %r %r" % (out, err))


def test_stderr_colour_follows_stderr():
    """KNOWN BUG: the colour decision looks at stdout only, so with stdout
    on a terminal and stderr on a pipe or file, usage errors on stderr carry
    escape codes (\\x1b[31m ... \\x1b[0m) into the file."""
    rc, out, err = run_tty([B(), "-c", COLOUR_SCRIPT],
                           e2elib.clean_env(TERM="xterm"))
    if ESC in err:
        raise AssertionError("colour on stderr, which is a pipe: %r" % err)


TESTS = {
    "help": test_help,
    "version": test_version,
    "unknown-option": test_unknown_option,
    "ambiguous-option": test_ambiguous_option,
    "file-fd3": test_file_and_fd3,
    "dash-c": test_dash_c,
    "stdin": test_stdin,
    "failed-call-exit-0": test_failed_call_is_not_an_error,
    "sigpipe": test_sigpipe,
    "colour": test_colour,
}
KNOWN_BUGS = {
    "stderr-colour": test_stderr_colour_follows_stderr,
}

if __name__ == "__main__":
    names = sys.argv[2:]
    if not names:
        print("known bugs, run by name and not yet in ctest: %s"
              % ", ".join(KNOWN_BUGS))
    e2elib.main(dict(TESTS, **KNOWN_BUGS) if names else TESTS)
