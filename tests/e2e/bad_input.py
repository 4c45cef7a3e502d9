#!/usr/bin/env python3
"""Bad input never costs the session (PRODUCT.md contract 6).

A session sets up a listening socket, a connected client, an accepted
connection, a UDP socket and a closed handle, lists them with 'handles',
then gets the catalogue below of malformed or hostile lines through a pipe.
For every line: exactly one line on stderr, prefixed 'sockstep:<stdin>:N:' with the
line's own number and holding the text the catalogue asks for; nothing on
stdout (no call was made). Afterwards 'handles' prints exactly the same
table (same names, fds, states, addresses), data still flows between cli and
conn, and the exit status is 2.

usage: bad_input.py SOCKSTEP
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

SETUP = [
    b"socket srv",
    b"bind srv 127.0.0.1 0",
    b"listen srv",
    b"socket cli",
    b"connect cli srv",
    b"accept srv conn",
    b"socket dg SOCK_DGRAM",
    b"socket old",
    b"close old",
    b"epoll_create1 ep",
    b"handles",
]

MB = 1024 * 1024

# (what it is, the line, a regex the one stderr line must match).
CATALOGUE = [
    ("unknown command", b"frobnicate", r"unknown command 'frobnicate'"),
    ("typo of socket", b"sokcet x", r"did you mean socket\?"),
    ("typo of bind", b"bnd srv 127.0.0.1 0", r"did you mean bind\?"),
    ("typo of listen", b"lisen srv", r"did you mean listen\?"),
    ("typo of accept", b"acept srv", r"did you mean accept\?"),
    ("typo of shutdown", b"shutdwn cli SHUT_WR", r"did you mean shutdown\?"),
    ("capitalised command", b"SOCKET x", r"(?i)unknown command|did you mean"),
    ("unique prefix is not a command", b"s", r"unknown command 's'"),
    ("bind without arguments", b"bind", r"usage: bind HANDLE ADDRESS PORT"),
    ("bind without port", b"bind srv 127.0.0.1",
     r"usage: bind HANDLE ADDRESS PORT"),
    ("bind with an extra argument", b"bind srv 127.0.0.1 0 9",
     r"too many arguments.*usage: bind"),
    ("listen with an extra argument", b"listen srv 5 6",
     r"too many arguments.*usage: listen"),
    ("recv without handle", b"recv", r"usage: recv HANDLE"),
    ("send without data", b"send cli", r"usage: send HANDLE DATA"),
    ("recv size not a number", b"recv conn abc", r"not a number"),
    ("recv size negative", b"recv conn -1", r"usage: recv"),
    ("recv size huge", b"recv conn 99999999999", r"too large"),
    ("recv size beyond 64 bits", b"recv conn 123456789012345678901234567890",
     r"usage: recv"),
    ("recv size with a suffix", b"recv conn 10k", r"usage: recv"),
    ("listen backlog not a number", b"listen srv many", r"usage: listen"),
    ("port too big", b"bind cli 127.0.0.1 65536", r"out of range"),
    ("port negative", b"bind cli 127.0.0.1 -1", r"port"),
    ("port not a number", b"connect dg 127.0.0.1 http80", r"usage: connect"),
    ("address out of range", b"bind cli 999.1.1.1 0", r"not an IPv4 address"),
    ("address with too many parts", b"connect dg 1.2.3.4.5 80",
     r"usage: connect"),
    ("address garbage", b"connect dg ::::zz 80", r"usage: connect"),
    ("unknown family", b"socket y AF_BOGUS", r"'AF_BOGUS' is not a family"),
    ("unknown socket type", b"socket y AF_INET SOCK_BOGUS",
     r"usage: socket"),
    ("unknown shutdown mode", b"shutdown cli SHUT_XX",
     r"'SHUT_XX' is not a direction"),
    ("shutdown mode out of range", b"shutdown cli 3", r"usage: shutdown"),
    ("unterminated double quote", b'send cli "abc', r"unterminated string"),
    ("unterminated single quote", b"send cli 'abc", r"unterminated string"),
    ("mismatched quotes", b"send cli 'abc\"", r"unterminated string"),
    ("unterminated bytes literal", b"send cli b'abc", r"unterminated string"),
    ("invalid escape", b'send cli "\\q"', r"invalid escape '\\q'"),
    ("bad hex escape", b'send cli "\\xZZ"', r"escape"),
    ("bad hex data", b"send cli 0xZZ", r"not hex data"),
    ("odd hex data", b"send cli 0xabc", r"usage: send"),
    ("NUL byte", b"sock\x00et x", r"NUL byte"),
    ("control bytes", b"\x01\x02\x1b[31m", r"unknown command"),
    ("bell and backspace", b"bind\x07\x08 srv", r"unknown command|usage"),
    ("invalid UTF-8 command", b"\xff\xfe bind", r"unknown command"),
    ("invalid UTF-8 handle", b"recv \xc3\x28 10", r"no handle"),
    ("1 MB line", b"x" * MB, r"line too long"),
    ("1 MB data argument", b"send cli " + b"A" * MB, r"line too long"),
    ("name that shadows a command", b"socket send", r"'send' is a command"),
    ("accept names the new handle after a command", b"accept srv recv",
     r"'recv' is a command"),
    ("family given twice", b"socket y AF_INET AF_INET6", r"usage: socket"),
    ("name taken by a live handle", b"socket srv", r"already a live handle"),
    ("accept names an existing handle", b"accept srv cli", r"usage: accept"),
    ("unknown handle", b"recv ghost 10", r"no handle named 'ghost'"),
    ("unknown fd", b"close 99", r"no handle has fd 99"),
    ("fd of stdout", b"close 1", r"no handle has fd 1"),
    ("closed handle", b"recv old 10", r"old was closed at line 9"),
    ("closed handle, close again", b"close old", r"old was closed at line 9"),
    ("= alone", b"=", r"'=' at column 1"),
    ("expectation without a call", b"= -1 EPIPE", r"'=' at column 1"),
    ("help for no command", b"help nosuch", r"no command 'nosuch'"),
    ("setsockopt unknown option", b"setsockopt cli SO_BOGUS 1",
     r"usage: setsockopt"),
    ("setblocking not a boolean", b"setblocking cli maybe",
     r"usage: setblocking"),
    ("settimeout negative", b"settimeout cli -5", r"usage: settimeout"),
    # Issue 18: messages that teach the next step.
    ("closed handle: why, no usage line", b"send old hi",
     r"old was closed at line 9 \(it was fd \d+\): .*EBADF.*reuse bug"
     r"(?!.*usage)"),
    ("unquoted spaces in data", b"send cli Hello, world",
     r"quote the data: send cli \"Hello, world\""),
    ("Python outside the subset", b"s.recv_into(buf)",
     r"outside the Python the shell runs; the nearest: s.recv\(\)"),
    ("Python str where bytes go", b"cli.sendall('text')", r"TypeError"),
    ("Python block statement", b"def main():", r"outside the Python"),
    # epoll (issue 16): an epoll instance is not a socket, and the other way
    ("epoll handle where a socket goes", b"recv ep 10",
     r"ep is an epoll instance, not a socket: recv takes a socket"),
    ("socket where an epoll handle goes", b"epoll_wait cli",
     r"cli is a socket, not an epoll instance"),
    ("epoll handle as the address to connect to", b"connect dg ep",
     r"ep is an epoll instance, not a socket: it has no address"),
    ("epoll_ctl of no such operation", b"epoll_ctl ep ADDX cli",
     r"'ADDX' is not an operation \(ADD, MOD or DEL\)"),
    ("epoll_ctl of no such event", b"epoll_ctl ep ADD cli EPOLLFOO",
     r"'EPOLLFOO' is not a set of events"),
    ("epoll_ctl DEL with events", b"epoll_ctl ep DEL cli EPOLLIN",
     r"DEL takes no events"),
    ("epoll_wait for no events", b"epoll_wait ep 0", r"MAXEVENTS"),
]

# Lines the shell gets wrong today (reported; see the e2e report). They
# run as the separate test 'known-bugs', which expects the correct
# behaviour and is left out of CMake until the shell is fixed: then move
# them into CATALOGUE.
KNOWN_BUGS = [
    # got: "connect: an address needs a port" - nothing says old is closed.
    ("connect to a closed handle's address", b"connect dg old",
     r"old was closed at line 9"),
    # got: no error; connect(fd, 127.0.0.1:0) = -1 ECONNREFUSED is made:
    # a handle that was never bound has no address to stand for.
    ("connect to a handle that has no address", b"connect dg cli2",
     r"cli2.*(not bound|no address|bind)"),
]


def call_lines(text):
    return [l for l in text.splitlines() if not l.startswith(" ")]


def check(catalogue=CATALOGUE, setup=SETUP):
    lines = list(setup)
    first = len(lines) + 1
    for _, line, _ in catalogue:
        lines.append(line)
    lines += [b"handles", b'send cli "still here"', b"recv conn 100"]
    rc, out, err = e2elib.run([e2elib.binary()],
                              stdin=b"\n".join(lines) + b"\n", timeout=30)
    out = out.decode("utf-8", "replace")
    errs = err.decode("utf-8", "replace").split("\n")
    if errs and errs[-1] == "":
        errs.pop()
    problems = []
    by_line = {}
    for e in errs:
        m = re.match(r"sockstep:<stdin>:(\d+): ", e)
        if not m:
            problems.append("stderr line without sockstep:<stdin>:N: prefix: %r"
                            % e[:200])
            continue
        by_line.setdefault(int(m.group(1)), []).append(e)
    for i, (label, line, want) in enumerate(catalogue):
        n = first + i
        got = by_line.pop(n, [])
        if len(got) != 1:
            problems.append("%s (line %d: %r): %d stderr lines, expected 1: "
                            "%r" % (label, n, line[:60], len(got),
                                    [g[:200] for g in got]))
        elif not re.search(want, got[0]):
            problems.append("%s (line %d: %r): stderr %r does not match /%s/"
                            % (label, n, line[:60], got[0][:300], want))
    for n, got in sorted(by_line.items()):
        problems.append("unexpected stderr for line %d: %r" % (n, got))
    # The tables before and after the garbage, and nothing printed between.
    parts = re.split(r"(?m)^(?=NAME +FD +KIND)", out)
    if len(parts) != 3:
        problems.append("expected two handles tables, got %d:\n%s"
                        % (len(parts) - 1, out))
    else:
        before = parts[1]
        after, tail = re.split(r"(?m)^(?=send\()", parts[2], maxsplit=1) \
            if re.search(r"(?m)^send\(", parts[2]) else (parts[2], "")
        before_tbl = [l for l in before.splitlines() if l and
                      not l.startswith("closed:")] 
        after_tbl = [l for l in after.splitlines() if l and
                     not l.startswith("closed:")]
        if len(before_tbl) != len(after_tbl):
            problems.append("the garbage printed on stdout or changed the "
                            "handles:\n" + e2elib.diff(before, after,
                                                       "handles"))
        else:
            d = e2elib.diff(before, after, "handles")
            if d:
                problems.append("handles changed:\n" + d)
        names = [l.split()[0] for l in before_tbl[1:]]
        if names[:4] != ["srv", "cli", "conn", "dg"]:
            problems.append("setup went wrong, handles: %r" % names)
        if not re.search(r'recv\(\d+, "still here", 100, 0\) = 10', tail):
            problems.append("data no longer flows after the garbage:\n" + tail)
    if rc != 2:
        problems.append("exit status %d, expected 2" % rc)
    if catalogue is CATALOGUE and len(CATALOGUE) < 45:
        problems.append("catalogue has only %d lines" % len(CATALOGUE))
    if problems:
        raise AssertionError("\n".join(problems))


def check_known_bugs():
    check(KNOWN_BUGS, SETUP[:-1] + [b"socket cli2", b"handles"])


if __name__ == "__main__":
    if KNOWN_BUGS:
        print("known bugs, tested by 'bad_input.py SOCKSTEP known-bugs' and "
              "not yet in ctest: %s" % "; ".join(k[0] for k in KNOWN_BUGS))
    e2elib.main({"catalogue": check, "known-bugs": check_known_bugs})
