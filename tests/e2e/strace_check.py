#!/usr/bin/env python3
"""strace agreement (PRODUCT.md contract 1 and 2): run a session, or a
shipped lesson, under strace -f and check that every call line sockstep
printed is, whole (name, fd, every argument, result and errno), the line
strace printed for the call the kernel saw, in the same order, and that
nothing the shell did unprinted changed a socket.

Naming differences (the only ones; README "Run the tests" lists them too):
- send(fd, buf, len, flags) is glibc's sendto(fd, buf, len, flags, NULL, 0)
  and recv(fd, buf, len, flags) is recvfrom(fd, buf, len, flags, NULL,
  NULL): strace shows the system call, sockstep the call a student writes.
- A pointer strace shows as an address (0x7ffd...: a buffer of a failed
  recv, the address buffer of a recvfrom the kernel wrote no address into)
  is '...' in sockstep, and in the comparison.
- glibc's select(2) is the pselect6 system call (a struct timespec, a
  NULL signal mask); its "left" time is the kernel's, in microseconds.
  Elsewhere poll may be ppoll and accept accept4: the same undoing.
- SO_RCVTIMEO and SO_SNDTIMEO: strace names the kernel's option
  (SO_RCVTIMEO_OLD: glibc's SO_RCVTIMEO with a 64-bit time_t) and prints
  the struct timeval as raw bytes; sockstep the name a program writes and
  {tv_sec=..., tv_usec=...}. The test encodes sockstep's timeval and
  compares the bytes.
- glibc's fork() is the clone system call (child_stack=NULL, flags
  ending in SIGCHLD, no CLONE_VM): strace shows clone(...), sockstep
  fork(); waitpid(pid, status, options) is wait4(pid, status, options,
  NULL). A line a child process printed starts "[pid N] " in sockstep, as
  strace -f marks another process's lines; it must be the call strace
  saw that process make (with -o, strace puts each line's pid in front).
  The shell's own exit_group at its end, and its kill(pid, SIGINT) that
  passes Ctrl-C on to a child, are unprinted: neither touches a socket.
- Library calls make no system call of their own that strace shows by
  that name: getaddrinfo, gethostname (uname(2)), htons, ntohs, htonl,
  ntohl, encode, decode. They are skipped, except that getaddrinfo, in its
  place, may open sockets of glibc's resolver (nscd, DNS), use them and
  close them; a resolver socket left open, or a connect or send of the
  resolver to an address off this machine, fails the test.

Traced: the socket calls, close, dup*, read/write (on sockets), ioctl,
fcntl, poll, ppoll, select, pselect6, unlink, unlinkat and the epoll calls
(an epoll instance's fd counts as a socket's: every call on it must be
printed; epoll_pwait with no signal mask is glibc's epoll_wait). Allowed unprinted
are reads that change nothing: sock_diag netlink and AF_PACKET capture
sockets of the shell's own (track.c, capture.c) and all calls on them,
and what a lab's setup does (the lab command, --lab): its route netlink
sockets (rtnl.c) and the unlink of its /etc/hosts copy once mounted,
getsockname, getpeername, getsockopt, ioctl FIONREAD/TIOCOUTQ/SIOCOUTQNSD
(SIOCINQ, SIOCOUTQ) and TCGETS (isatty), fcntl F_GETFL/F_GETFD, and calls on
fds that are not sockets (files, pipes, the terminal). Anything else
unprinted fails the test: a socket, close, shutdown, setsockopt, connect,
send or recv, fcntl F_SETFL or ioctl FIONBIO on a socket, poll or select
on one, an unlink.

A background call ('&') runs in a thread: strace shows it start, then the
calls of the prompt, then it resume; it counts where it returned, which is
where sockstep prints it, and it must have started before the call that
let it return.

Host names: the scripts that name hosts run in a network namespace of
their own (unshare -rn) where there is one, and look up a name of
/etc/hosts (names) or, only inside such a namespace, a name nobody knows
(names-nowhere): no DNS query ever leaves the machine.

usage: strace_check.py SOCKSTEP [TEST]...
TEST: one of the scripts below; lesson:NAME (lessons/NAME.lesson in check
mode, -v showing its calls, on free ports and a private directory);
echo-pair (the echo-server and echo-client lessons against each other,
each under strace); left-open (a lesson that leaves handles and a job);
self (the checker on made-up logs: what it must pass and catch). Exits 77
(skipped) when strace is not installed.
"""

import ipaddress
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

LESSONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "lessons")

TRACE = ("socket,socketpair,bind,listen,accept,accept4,connect,sendto,"
         "recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg,read,write,readv,writev,"
         "shutdown,close,dup,dup2,dup3,setsockopt,getsockopt,getsockname,"
         "getpeername,ioctl,fcntl,poll,ppoll,select,pselect6,unlink,unlinkat,"
         "epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,clone,wait4,kill,"
         "exit_group")

SCRIPTS = {
    # The docs' echo exchange.
    "echo": """socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
send cli "Hello, world"
recv conn 1024
sendall conn "Hello, world"
recv cli 1024
shutdown cli SHUT_WR
recv conn 1024
handles
close cli
close conn
close srv
""",
    # Failing calls: their errno must agree too.
    "errors": """socket port
bind port 127.0.0.1 0
socket x
connect x port
recv x 10
accept x
listen srv_missing
socket srv
bind srv 127.0.0.1 0
listen srv 4
socket cli
connect cli srv
accept srv conn
close conn
send cli "one"
send cli "two"
shutdown cli SHUT_RDWR
handles
close cli
close x
close port
close srv
""",
    # Background calls: each is made at once in a thread of its own and
    # printed when it returns; cancel's SIGUSR1 makes the call fail.
    "jobs": """socket srv
bind srv 127.0.0.1 0
listen srv
accept srv conn &
socket cli
connect cli srv
recv conn 100 &
send cli "hi"
recv cli 10 &
cancel 3
close conn
close cli
close srv
""",
    # Issue 12 finding 17: recvfrom on connected Unix datagram sockets
    # whose sender has no name: the kernel writes no address (length 0)
    # into the buffer that was passed; strace shows the buffer's address.
    "unix-dgram": """socketpair a b AF_UNIX SOCK_DGRAM
send a "one"
recvfrom b 1024
socket rx AF_UNIX SOCK_DGRAM
bind rx @sockstep-strace-check-%(pid)d
socket tx AF_UNIX SOCK_DGRAM
connect tx rx
send tx "two"
recvfrom rx 1024
sendto tx "three" rx
recvfrom rx 1024 MSG_DONTWAIT
recvfrom rx 1024 MSG_DONTWAIT
""",
    # Issue 12 finding 19: host names are resolved by getaddrinfo(3), shown
    # as a library call line; its resolver's own sockets are glibc's.
    # %(host)s is a name of /etc/hosts (see hosts_name), localhost the
    # loopback name; neither needs a name server.
    "names": """socket srv
bind srv %(host)s 0
listen srv
socket cli
connect cli srv
getaddrinfo %(host)s 80 AF_INET SOCK_STREAM
getaddrinfo localhost
socket u SOCK_DGRAM
sendto u "x" %(host)s 9
close u
close cli
close srv
""",
    # Options, flags, IPv6, a non-blocking connect, failing calls of
    # every kind: each whole line as strace prints it.
    "calls": """socket srv AF_INET6 SOCK_STREAM
setsockopt srv SO_REUSEADDR 1
getsockopt srv SO_REUSEADDR
setsockopt srv IPPROTO_IPV6 IPV6_V6ONLY 0
bind srv ::1 0
listen srv 5
socket cli AF_INET6 SOCK_STREAM|SOCK_NONBLOCK
connect_ex cli srv
getsockopt cli SO_ERROR
accept srv conn
setsockopt conn SO_LINGER 1 0
getsockopt conn SO_LINGER
setsockopt conn IPPROTO_TCP TCP_NODELAY 1
getsockopt conn SO_RCVBUF
getsockopt conn SO_TYPE
getsockopt conn SO_BINDTODEVICE
setsockopt conn SO_BINDTODEVICE lo
getsockopt conn SO_BINDTODEVICE
sendall cli "0123456789012345678901234567890123456789"
recv conn 5 MSG_PEEK
recv conn 100 MSG_WAITALL|MSG_DONTWAIT
recv conn 100 MSG_DONTWAIT
getsockname conn
getpeername conn
shutdown conn SHUT_RD
shutdown cli rdwr
close conn
close cli
close srv
socket u udp
bind u 127.0.0.1 0
sendto u b'\\x00\\x01\\xff' u
recvfrom u 10
connect u u
send u ""
recv u 0 MSG_DONTWAIT
socket uu AF_UNIX SOCK_DGRAM
bind uu @tour-%(pid)d
sendto u "x" 127.0.0.1 1
recv u 10 MSG_DONTWAIT
accept u
listen u
socket s2 AF_UNIX SOCK_STREAM
connect s2 /nonexistent/sockstep.sock
unlink /nonexistent/sockstep.sock
getpeername s2
""",
    # A script that ends with a job waiting and handles open: the job is
    # cancelled (its call shown as it returns); the shell closes nothing
    # and says that the kernel closes them as it exits (no call at all).
    "exit": """socket srv
bind srv 127.0.0.1 0
listen srv
accept srv conn &
socket cli
""",
    # set sigpipe default: the send is made in a child, which SIGPIPE
    # kills as the call returns EPIPE; then readiness and modes.
    "sigpipe": """socketpair a b
close b
set sigpipe default
send a "x"
set sigpipe catch
send a "y"
socket t
setblocking t false
settimeout t 0.25
poll t:POLLOUT 0
select t 0
close t
""",
    # epoll: an instance, level- and edge-triggered and one-shot
    # registrations, errors, a wait interrupted by cancel, and close.
    # fork: a child's calls, marked [pid N], are that process's; its
    # exit_group, the shell's waitpid, and at the end the kill and
    # waitpid of the child left running.
    "fork": """socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
setblocking cli false
fork
@child close conn
recv cli 10
fork w
@w send cli "from w"
recv conn 10
@w shutdown conn SHUT_WR
recv cli 10
handles
@child exit 3
waitpid child
close conn
close cli
close srv
""",
    "epoll": """socketpair a b
epoll_create1 ep EPOLL_CLOEXEC
epoll_ctl ep ADD a EPOLLIN|EPOLLRDHUP|EPOLLET
epoll_ctl ep ADD a
epoll_ctl ep MOD b EPOLLOUT
epoll_ctl ep ADD b EPOLLOUT|EPOLLONESHOT
epoll_wait ep 8 0
handles
send b "hi"
epoll_wait ep 8 1000
epoll_wait ep 8 0
shutdown b SHUT_WR
epoll_wait ep 2 1000
epoll_ctl ep DEL b
epoll_wait ep 8 -1 &
cancel 1
wait 1
close ep
epoll_create1
""",
    # Descriptors (issue 16): fcntl's flags, accept4's, dup2 and dup3 at
    # chosen numbers, and a connection passed with SCM_RIGHTS (two, into
    # room for one: MSG_CTRUNC), a recvmsg that fails.
    "fdpass": """socket srv
bind srv 127.0.0.1 0
listen srv
socket c
connect c srv
accept4 srv conn SOCK_NONBLOCK|SOCK_CLOEXEC
fcntl conn F_GETFL
fcntl conn F_SETFL O_RDWR
fcntl conn F_GETFL
socketpair a b
dup2 a 20 a20
dup3 b 21 b21 O_CLOEXEC
sendmsg a20 "x" fds=conn
recvmsg b21 conn2
close conn
send conn2 "passed"
recv c
sendmsg a "yz" fds=conn2,srv
recvmsg b only
sendmsg a "" fds=c
setblocking b false
recvmsg b
sendmsg a
""",
    # ...and a name nobody knows, only ever in a network namespace of its
    # own, where the resolver's query cannot leave (see check).
    "names-nowhere": """socket s
connect s %(nowhere)s 9
getaddrinfo %(nowhere)s 80 AF_INET
close s
""",
}

# Issue 12 finding 18: a lesson that ends with handles open and a job
# still waiting. The shell cancels the job and closes the handles: each
# close is a call line of its own, said to be the shell's.
LEFT_OPEN = """== Left open
socket srv = fd
bind srv 127.0.0.1 0 = 0
listen srv = 0
socket cli = fd
connect cli srv = 0
accept srv conn = fd
socket idle = fd
recv conn 10 &
"""

# A name no name server knows (RFC 2606), for names-nowhere.
NOWHERE = "sockstep-no-such-host.invalid"

# Lessons whose expectations name these lesson variables get values of
# the test's choosing, so that runs in parallel never share a port or a
# file.
FREE_VARS = ("PORT", "DIR")

# For "jobs": calls that must have been made (strace saw them start) before
# the call that let them return.
STARTED_BEFORE = {"jobs": [("accept(3,", "connect(5,"),
                           ("recvfrom(4,", "sendto(5, \"hi\"")]}

INSPECT_IOCTL = ("FIONREAD", "TIOCOUTQ", "SIOCOUTQNSD", "TCGETS", "SIOCINQ",
                 "SIOCOUTQ")
INSPECT_FCNTL = ("F_GETFL", "F_GETFD")
INSPECT_CALLS = ("getsockname", "getpeername", "getsockopt")

# Call lines of library functions strace does not show by that name.
LIBRARY = ("getaddrinfo", "gethostname", "htons", "ntohs", "htonl", "ntohl",
           "encode", "decode")

CALL_RE = re.compile(r"^([a-z_0-9]+)\((.*)\) += (.*)$")


class Call:
    """One call line, printed or traced: its text for comparison, its
    name, the fds it names and, for strace's lines, how it is judged."""

    def __init__(self, name, args, res):
        self.name, self.args = name, args
        self.res = re.sub(r"\s+", " ", res.strip())
        self.text = "%s(%s) = %s" % (name, args, self.res)
        self.kind = "call"      # or inspect, own, other
        self.fds = []
        self.new = []           # fds it made
        self.span = None        # traced: (pid, began, returned) in the log
        self.pid = None         # printed by a child: "[pid N] " (a str)

    def __repr__(self):
        return self.text


def shell_calls(out):
    """The call lines sockstep printed, as Calls with the names strace
    uses; library calls keep their name and have kind 'library'."""
    calls = []
    for line in out.splitlines():
        m = re.match(r"^\[pid (\d+)\] (.*)$", line)
        pid, line = (m.group(1), m.group(2)) if m else (None, line)
        if line.startswith(" ") or not line:
            continue
        m = CALL_RE.match(line)
        if not m:
            continue
        name, args, res = m.groups()
        if name == "send":
            name, args = "sendto", args + ", NULL, 0"
        elif name == "recv":
            name, args = "recvfrom", args + ", NULL, NULL"
        elif name == "setsockopt":
            args = TIMEO_RE.sub(timeo_as_strace, args)
        c = Call(name, args, res)
        c.pid = pid     # a child's line: the process that must make it
        if name in LIBRARY:
            c.kind = "library"
        calls.append(c)
    return calls


TIMEO_RE = re.compile(r"\b(SO_RCVTIMEO|SO_SNDTIMEO), "
                      r"\{tv_sec=(\d+), tv_usec=(\d+)\}")


def strace_string(data):
    """bytes as strace prints a buffer it does not decode: a C string with
    octal escapes, three digits when an octal digit follows."""
    named = {9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r",
             34: '\\"', 92: "\\\\"}
    out = []
    for i, c in enumerate(data):
        nxt = data[i + 1] if i + 1 < len(data) else 0
        if c in named:
            out.append(named[c])
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        elif 0x30 <= nxt <= 0x37:
            out.append("\\%03o" % c)
        else:
            out.append("\\%o" % c)
    return '"%s"' % "".join(out)


def timeo_as_strace(m):
    """sockstep's SO_RCVTIMEO, {tv_sec=S, tv_usec=U} as strace shows it:
    the option by its kernel name (_OLD: the struct timeval of a 64-bit
    time_t, what glibc's SO_RCVTIMEO is here), the struct as raw bytes."""
    tv = struct.pack("=qq", int(m.group(2)), int(m.group(3)))
    return "%s_OLD, %s" % (m.group(1), strace_string(tv))


def as_libc(name, args, res):
    """A system call strace shows as the libc call a program makes:
    glibc makes select(2) with pselect6 (a timespec, no signal mask),
    poll with ppoll on some machines, accept with accept4."""
    if name == "pselect6" and args.endswith(", NULL"):
        usec = (lambda m: "{tv_sec=%s, tv_usec=%d}" %
                (m.group(1), int(m.group(2)) // 1000))
        ts = re.compile(r"\{tv_sec=(\d+), tv_nsec=(\d+)\}")
        return "select", ts.sub(usec, args[:-len(", NULL")]), ts.sub(usec, res)
    m = re.match(r"^(.*), (NULL|\{tv_sec=(\d+), tv_nsec=(\d+)\}), NULL, 0$",
                 args)
    if name == "ppoll" and m:
        ms = -1 if m.group(2) == "NULL" else (
            int(m.group(3)) * 1000 + int(m.group(4)) // 1000000)
        return "poll", "%s, %d" % (m.group(1), ms), re.sub(
            r", left \{[^}]*\}\)$", ")", res)
    m = re.match(r"^(.*), NULL, 8$", args)
    if name == "epoll_pwait" and m:
        return "epoll_wait", m.group(1), res
    if name == "accept4" and args.endswith(", 0"):
        return "accept", args[:-len(", 0")], res
    if name == "clone" and args.startswith("child_stack=NULL,") and \
            re.search(r"\bflags=[A-Z_|]*SIGCHLD\b", args) and \
            "CLONE_VM" not in args:
        return "fork", "", res
    if name == "wait4" and args.endswith(", NULL"):
        return "waitpid", args[:-len(", NULL")], res
    return name, args, res


def joined(text):
    """The calls of a strace -f log, each as (line, span): the line with a
    call that another thread interrupted ("<unfinished ...>") joined to
    its "<... resumed>" line, where it returned, and the pid prefix taken
    off; span is (pid, the log line where it began, where it returned)."""
    started, lines = {}, []
    for n, line in enumerate(text.splitlines()):
        m = re.match(r"^(\d+) +(.*)$", line)
        pid, line = (m.group(1), m.group(2)) if m else ("", line)
        begun = n
        if line.endswith("<unfinished ...>"):
            started[pid] = (line[:-len("<unfinished ...>")].rstrip(), n)
            continue
        m = re.match(r"^<\.\.\. [a-z_0-9]+ resumed> ?(.*)$", line)
        if m and pid in started:
            head, begun = started.pop(pid)
            line = head + (" " if head.endswith(",") else "") + m.group(1)
        # A call a signal interrupts shows the kernel's ERESTARTSYS; with
        # no SA_RESTART the process gets -1 EINTR.
        lines.append((line.replace(
            "= ? ERESTARTSYS (To be restarted if SA_RESTART is set)",
            "= -1 EINTR (Interrupted system call)"), (pid, begun, n)))
    return lines


def overlapped(a, b):
    """Whether two traced calls ran at once in two threads: then either
    may return first, and the log's order of them says nothing."""
    return (a.span is not None and b.span is not None and
            a.span[0] != b.span[0] and a.span[1] < b.span[2] and
            b.span[1] < a.span[2])


def starts(text):
    """The calls of a strace -f log in the order they began."""
    return [re.sub(r"^\d+ +", "", line) for line in text.splitlines()
            if not line.startswith("---")]


def call_fds(name, args):
    """The fds a traced call works on: its first argument, or every fd of
    a poll or select."""
    if name in ("poll", "ppoll"):
        return [int(x) for x in re.findall(r"\bfd=(-?\d+)", args)]
    if name in ("select", "pselect6"):
        sets = re.findall(r"\[([\d ]*)\]", args.split("{", 1)[0])
        return [int(x) for s in sets for x in s.split()]
    if name in ("unlink", "unlinkat", "fork", "clone", "waitpid", "wait4",
                "kill", "exit_group"):
        return []       # a process, not an fd
    first = args.split(",", 1)[0].strip()
    return [int(first)] if re.match(r"^-?\d+$", first) else []


def new_fds(name, res):
    """The fds a successful call made: socket, accept, dup, socketpair."""
    if res.startswith("-1") or not res[:1].isdigit():
        return []
    if name in ("socket", "accept", "accept4", "dup", "dup2", "dup3",
                "epoll_create1") or name == "fcntl":
        return [int(res.split()[0])]
    return []


def strace_calls(text):
    """The calls of a strace log as Calls, each judged: 'call' (it must
    have been printed), 'inspect' (a read of a socket, allowed unprinted),
    'own' (the shell's sock_diag or capture socket) or 'other' (not on a
    socket). Returns (calls, unparsed lines)."""
    sockets, own = set(), set()
    calls, bad = [], []
    for line, span in joined(text):
        if line.startswith("---") or line.startswith("+++"):
            continue
        m = CALL_RE.match(line)
        if not m:
            bad.append("unparsed strace line: " + line)
            continue
        name, args, res = as_libc(*m.groups())
        c = Call(name, re.sub(r"\b0x[0-9a-f]+\b", "...", args), res)
        c.span = span
        c.fds = call_fds(name, c.args)
        if name == "socketpair" and not c.res.startswith("-1"):
            c.new = [int(x) for x in re.findall(r"\d+",
                                                c.args.rsplit("[", 1)[-1])]
        elif name != "fcntl" or "F_DUPFD" in args:
            c.new = new_fds(name, c.res)
        touches_own = any(fd in own for fd in c.fds)
        touches_sock = any(fd in sockets for fd in c.fds)
        if name == "socket" and re.match(
                r"AF_NETLINK, .*NETLINK_(SOCK_DIAG|ROUTE)$|AF_PACKET\b",
                args):
            c.kind = "own"      # sock_diag, capture or the lab's links
            own.update(c.new)
        elif touches_own and not touches_sock:
            c.kind = "own"
            if name == "close" and not c.res.startswith("-1"):
                own.difference_update(c.fds)
            own.update(c.new)
        elif name in INSPECT_CALLS:
            c.kind = "inspect"
        elif name == "ioctl" and args.split(",")[1:2] and \
                args.split(",")[1].strip() in INSPECT_IOCTL:
            c.kind = "inspect"
        elif name == "fcntl" and args.split(",")[1:2] and \
                args.split(",")[1].strip() in INSPECT_FCNTL:
            c.kind = "inspect"
        elif name in ("socket", "socketpair", "accept", "accept4",
                      "epoll_create1"):
            sockets.update(c.new)
        elif name in ("unlink", "unlinkat") and \
                re.match(r'^"/tmp/sockstep-hosts-\w+"$', args):
            c.kind = "own"      # the lab's /etc/hosts, once mounted
        elif name in ("unlink", "unlinkat"):
            pass        # a file of the file system: always printed
        elif not touches_sock:
            c.kind = "other"    # the loader's files, stdout, pipes
        elif name == "close" and not c.res.startswith("-1"):
            sockets.difference_update(c.fds)
        if c.kind == "call" and name in ("dup", "dup2", "dup3", "fcntl"):
            sockets.update(c.new)
        calls.append(c)
    return calls, bad


def resolver_block(got, j, until):
    """Takes the calls of glibc's resolver from got[j]: sockets it opens,
    uses and closes, up to the call equal to until. Returns (the index
    after them, their lines, problems)."""
    fds, lines, problems = set(), [], []
    while j < len(got):
        g = got[j]
        if until is not None and g.text == until.text:
            break
        if g.kind in ("inspect", "own", "other") and not \
                any(fd in fds for fd in g.fds):
            j += 1
            continue
        if g.name == "socket" and g.kind == "call":
            fds.update(g.new)
        elif not g.fds or not all(fd in fds for fd in g.fds):
            break
        elif g.name == "close" and not g.res.startswith("-1"):
            fds.difference_update(g.fds)
        if g.name in ("connect", "sendto", "sendmsg", "sendmmsg"):
            problems += off_machine(g)
        lines.append(g.text)
        j += 1
    if fds:
        problems.append("getaddrinfo left the resolver's sockets %s open" %
                        sorted(fds))
    return j, lines, problems


def off_machine(call):
    """A problem for a successful call that names an address off this
    machine (a DNS query sent out), or nothing."""
    if call.res.startswith("-1"):
        return []
    for a in re.findall(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, '
                        r'"([^"]+)"', call.args):
        addr = ipaddress.ip_address(a[0] or a[1])
        if not (addr.is_loopback or addr.is_unspecified):
            return ["the resolver reached off this machine: " + call.text]
    return []


def compare(want, got):
    """Walks the printed calls and the traced ones side by side. Returns
    a list of problems (empty when they agree) and the resolver's calls."""
    i = j = 0
    problems, library = [], []
    while i < len(want) or j < len(got):
        w = want[i] if i < len(want) else None
        g = got[j] if j < len(got) else None
        if w is not None and g is not None and w.text == g.text and \
                (w.pid is None or g.span is None or w.pid == g.span[0]):
            i, j = i + 1, j + 1
        elif w is not None and g is not None and swapped(want, i, got, j):
            continue
        elif g is not None and g.kind in ("inspect", "own", "other"):
            j += 1
        elif w is not None and w.kind == "library":
            if w.name == "getaddrinfo":
                nxt = next((x for x in want[i + 1:]
                            if x.kind != "library"), None)
                j, lines, bad = resolver_block(got, j, nxt)
                library += lines
                problems += bad
            i += 1
        else:
            problems.append(mismatch(want, i, got, j))
            break
    return problems, library


def swapped(want, i, got, j):
    """Whether the next two printed calls are the next two traced calls
    (the shell's own inspections aside) in the other order, and those two
    ran at once in two threads (a background job's call and the one at
    the prompt); if so, puts the traced two in the printed order."""
    rest = [k for k in range(j, len(got)) if got[k].kind == "call"][:2]
    if i + 1 >= len(want) or len(rest) < 2 or rest[0] != j:
        return False
    a, b = got[rest[0]], got[rest[1]]
    if not overlapped(a, b) or \
            (want[i].text, want[i + 1].text) != (b.text, a.text):
        return False
    got[rest[0]], got[rest[1]] = b, a
    return True


def mismatch(want, i, got, j):
    """Describes the first place where printed and traced calls part."""
    done = [w.text for w in want[max(0, i - 4):i] if w.kind != "library"]
    rest_w = [w.text for w in want[i:i + 6]]
    rest_g = [g.text for g in got[j:] if g.kind == "call"][:6]
    return ("printed and traced calls part after:\n    %s\n"
            "  sockstep printed next:\n    %s\n"
            "  strace saw next (calls that change state):\n    %s" %
            ("\n    ".join(done) or "(the start)",
             "\n    ".join(rest_w) or "(nothing)",
             "\n    ".join(rest_g) or "(nothing)"))


strace_env = e2elib.strace_env


def strace_cmd(log, args):
    """The command line that runs sockstep ARGS under strace into log."""
    strace = shutil.which("strace")
    if not strace:
        raise e2elib.Skip("strace is not installed (apt-get install strace)")
    return [strace, "-f", "-qq", "-e", "trace=" + TRACE, "-e", "signal=none",
            "-o", log, e2elib.binary()] + args


def verdict(out, err, text, which):
    """Checks one traced run; raises AssertionError with every problem."""
    if "PTRACE" in err and not text:
        raise e2elib.Skip("strace cannot trace here: %s" % err)
    want = shell_calls(out)
    got, bad = strace_calls(text)
    problems = []
    if not [w for w in want if w.kind != "library"]:
        problems.append("sockstep printed no call lines:\n" + out)
    found, library = compare(want, got)
    problems += found + bad
    order = starts(text)
    for first, then in STARTED_BEFORE.get(which, []):
        a = [i for i, line in enumerate(order) if line.startswith(first)]
        b = [i for i, line in enumerate(order) if line.startswith(then)]
        if not a or not b or a[0] > b[0]:
            problems.append("%s... did not start before %s..." %
                            (first, then))
    if problems:
        raise AssertionError("\n".join(problems) + "\n--- sockstep:\n" +
                             out + "\n--- stderr:\n" + err +
                             "\n--- strace log:\n" + text)
    return library


def start(cmd):
    """Starts cmd in a process group of its own, so that kill_group ends
    strace and the program it traces together (a tracee outlives a killed
    strace)."""
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=strace_env(), start_new_session=True)


def kill_group(p):
    """Kills p's process group if p still runs, and reaps p."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    e2elib.kill_proc(p)


def finish(p, timeout):
    """Waits for p; returns (rc, out, err). Kills its group on timeout."""
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(p)
        raise AssertionError("%s did not finish within %ss" %
                             (p.args, timeout))
    return p.returncode, out, err


def traced(args, timeout=60, prefix=()):
    """Runs sockstep ARGS under strace (after PREFIX, such as unshare);
    returns (rc, out, err, log)."""
    with tempfile.TemporaryDirectory(prefix="sockstep-strace-") as tmp:
        log = os.path.join(tmp, "strace.log")
        rc, out, err = finish(start(list(prefix) + strace_cmd(log, args)),
                              timeout)
        text = open(log).read() if os.path.exists(log) else ""
    return (rc, out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"), text)


def netns():
    """The command that runs a program in a network namespace of its own,
    with no way out (unshare -rn), or None where there is none."""
    cmd = ["unshare", "-rn"]
    if not shutil.which("unshare"):
        return None
    rc = subprocess.run(cmd + ["true"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    return cmd if rc == 0 else None


def hosts_name():
    """A name /etc/hosts gives a loopback address, which glibc finds there
    before it would ask a name server (nsswitch.conf's hosts line starts
    with files): this machine's name where it is one. None if none."""
    try:
        with open("/etc/nsswitch.conf") as f:
            first = re.search(r"^hosts:\s*(\S+)", f.read(), re.M)
        with open("/etc/hosts") as f:
            rows = [line.split("#")[0].split() for line in f]
        names = [n for row in rows if row and row[0].startswith("127.")
                 for n in row[1:]]
    except OSError:
        return None
    names = [n for n in names if n != "localhost"]
    if not first or first.group(1) != "files" or not names:
        return None
    return socket.gethostname() if socket.gethostname() in names else names[0]


def check(which):
    """Runs one of SCRIPTS under strace and compares. The scripts that
    name hosts run in a network namespace of their own where there is one:
    no query of a resolver can leave the machine."""
    host, prefix = hosts_name(), ()
    if which.startswith("names"):
        prefix = netns()
        if which == "names" and host is None:
            raise e2elib.Skip("no name in /etc/hosts to look up offline")
        if which == "names-nowhere" and prefix is None:
            raise e2elib.Skip("no private network namespace (unshare -rn): "
                              "an unknown name would ask a real name server")
    with tempfile.TemporaryDirectory(prefix="sockstep-strace-") as tmp:
        script = os.path.join(tmp, which + ".sockstep")
        with open(script, "w") as f:
            f.write(SCRIPTS[which] % {"pid": os.getpid(), "host": host,
                                      "nowhere": NOWHERE})
        rc, out, err, text = traced([script], prefix=prefix or ())
    if rc != 0 and which == "echo":
        raise AssertionError("exit status %d; stderr:\n%s" % (rc, err))
    verdict(out, err, text, which)
    if which == "exit" and not re.search(
            r"^accept\(3, \.\.\., \[16\]\) = -1 EINTR .*\n(  .*\n)*"
            r"  2 handles still open: the kernel closes them as the shell "
            r"exits\n$", out, re.M):
        raise AssertionError("the end of the session is not shown:\n" + out)
    if which == "names":
        check_names(out, host)
    elif which == "names-nowhere":
        check_nowhere(out)


def check_names(out, host):
    """Finding 19: a host name shows as a getaddrinfo line, with what it
    resolved to, right before the call that uses it."""
    lines = out.splitlines()
    want = 'getaddrinfo("%s", NULL, {ai_flags=0, ai_family=AF_INET, ' % host
    seen = [k for k, line in enumerate(lines) if line.startswith(want)]
    calls = []
    for k in seen:
        nxt = next((x for x in lines[k + 1:] if not x.startswith(" ")), "")
        calls.append(nxt.split("(")[0])
        if not lines[k].endswith(" = 0") or \
                not lines[k + 1].startswith("  1. {ai_family=AF_INET, "):
            raise AssertionError("getaddrinfo of %s failed or showed no "
                                 "address:\n%s" % (host, out))
    if calls != ["bind", "sendto"]:
        raise AssertionError("want getaddrinfo of %s before bind and sendto, "
                             "got it before %s:\n%s" % (host, calls, out))


def check_nowhere(out):
    """A name nobody knows: the failed lookup is shown, and no connect is
    made with an address the shell does not have."""
    want = ('getaddrinfo("%s", NULL, {ai_flags=0, ai_family=AF_INET, '
            'ai_socktype=SOCK_STREAM}, [...]) = EAI_' % NOWHERE)
    lines = out.splitlines()
    if not any(line.startswith(want) for line in lines):
        raise AssertionError("no failed getaddrinfo line:\n" + out)
    if any(line.startswith("connect(") for line in lines):
        raise AssertionError("connect made without an address:\n" + out)


def free_port():
    """A port nothing uses now on any address, IPv4 or IPv6 (a dual-stack
    bind of ::), below the kernel's ephemeral range so that no client's
    connect takes it before the lesson binds it."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket(socket.AF_INET6) as s:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            try:
                s.bind(("::", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


def lesson_vars(path, tmp):
    """--var options for the lesson's PORT and DIR, of the test's own."""
    names = re.findall(r"^let (\w+) ", open(path).read(), re.M)
    opts = []
    for name in names:
        if name == "PORT":
            opts += ["--var", "PORT=%d" % free_port()]
        elif name == "DIR":
            opts += ["--var", "DIR=" + tmp]
    return opts


def check_lesson(name):
    """Runs lessons/NAME.lesson in check mode under strace and compares."""
    path = os.path.join(LESSONS, name + ".lesson")
    with tempfile.TemporaryDirectory(prefix="sockstep-strace-") as tmp:
        args = ["--check", "-v", path] + lesson_vars(path, tmp)
        rc, out, err, text = traced(args)
    if rc != 0:
        raise AssertionError("%s: exit status %d:\n%s%s" %
                             (name, rc, out, err))
    verdict(out, err, text, name)


def check_left_open():
    """A lesson that leaves its handles open and a job waiting: the job's
    call returns (cancelled) and each handle's close is printed."""
    with tempfile.TemporaryDirectory(prefix="sockstep-strace-") as tmp:
        path = os.path.join(tmp, "left-open.lesson")
        with open(path, "w") as f:
            f.write(LEFT_OPEN)
        rc, out, err, text = traced(["--check", "-v", path])
    if rc != 0:
        raise AssertionError("exit status %d:\n%s%s" % (rc, out, err))
    verdict(out, err, text, "left-open")
    closes = re.findall(r"^close\((\d+)\) = 0\n  (\w+) closed by the shell "
                        r"at the end of the lesson", out, re.M)
    if sorted(name for _, name in closes) != ["cli", "conn", "idle", "srv"]:
        raise AssertionError("the shell's closes are not all shown as its "
                             "own:\n" + out)
    if not re.search(r"^recv\(5, \.\.\., 10, 0\) = -1 EINTR",
                     out, re.M):
        raise AssertionError("the cancelled job's call is not shown:\n" +
                             out)


def listening(port, proc, deadline):
    """Waits until something listens on port (/proc/net/tcp), proc has
    exited or the deadline passed. Returns True when it listens."""
    want = ":%04X" % port
    while time.monotonic() < deadline and proc.poll() is None:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1].endswith(want) and fields[3] == "0A":
                    return True
        time.sleep(0.02)
    return False


def check_echo_pair():
    """The two halves of the echo lessons against each other, both traced."""
    port = free_port()
    # --no-partner: this test runs both halves itself (issue 13)
    var = ["--var", "PORT=%d" % port, "--var", "WAIT=20", "--no-partner"]
    with tempfile.TemporaryDirectory(prefix="sockstep-strace-") as tmp:
        logs = [os.path.join(tmp, n + ".log") for n in ("server", "client")]
        srv = start(strace_cmd(logs[0], ["--check", "-v", os.path.join(
            LESSONS, "echo-server.lesson")] + var))
        try:
            if not listening(port, srv, time.monotonic() + 20):
                raise AssertionError("the echo-server lesson never listened")
            crc, cout, cerr = finish(start(strace_cmd(logs[1], [
                "--check", "-v", os.path.join(LESSONS,
                                              "echo-client.lesson")] + var)),
                30)
            _, sout, serr = finish(srv, 30)
        finally:
            kill_group(srv)
        texts = [open(log).read() if os.path.exists(log) else ""
                 for log in logs]
    for who, rc, out, err, text in (
            ("server", srv.returncode, sout, serr, texts[0]),
            ("client", crc, cout, cerr, texts[1])):
        out = out.decode("utf-8", "replace")
        err = err.decode("utf-8", "replace")
        if rc != 0:
            raise AssertionError("echo-%s: exit status %d:\n%s%s" %
                                 (who, rc, out, err))
        verdict(out, err, text, "echo-" + who)


# The checker itself on made-up logs (no strace needed): what it must
# pass and what it must catch. Each: (name, printed, strace log, passes).
SELF = [
    ("agree", "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
     "close(3) = 0\n",
     "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
     "getsockopt(3, SOL_TCP, TCP_INFO, \"\\7\", [232]) = 0\n"
     "close(3) = 0\n", True),
    ("hidden close", "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n",
     "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\nclose(3) = 0\n", False),
    ("hidden fcntl", "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n",
     "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
     "fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n", False),
    ("resolver", "getaddrinfo(\"h\", NULL, {}, [...]) = 0\n"
     "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3\n",
     "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3\n"
     "connect(3, {sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}, "
     "110) = -1 ENOENT (No such file or directory)\nclose(3) = 0\n"
     "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3\n", True),
    ("resolver left open", "getaddrinfo(\"h\", NULL, {}, [...]) = 0\n"
     "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 4\n",
     "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3\n"
     "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 4\n", False),
    ("resolver off the machine", "getaddrinfo(\"h\", NULL, {}, [...]) = 0\n"
     "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3\n",
     "socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3\n"
     "connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("
     "\"10.1.2.3\")}, 16) = 0\nclose(3) = 0\n"
     "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3\n", False),
    ("a child's call", "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
     "fork() = 12\n[pid 12] close(3) = 0\n[pid 12] exit_group(0) = ?\n"
     "waitpid(12, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0) = 12\n",
     "11 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n11 clone(child_stack="
     "NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
     "child_tidptr=0x7f0) = 12\n12 close(3) = 0\n12 exit_group(0) = ?\n"
     "11 wait4(12, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 12\n"
     "11 exit_group(0) = ?\n", True),
    ("a child's call made by the shell", "socket(AF_INET, SOCK_STREAM, "
     "IPPROTO_IP) = 3\nfork() = 12\n[pid 12] close(3) = 0\n",
     "11 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n11 clone(child_stack="
     "NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
     "child_tidptr=0x7f0) = 12\n11 close(3) = 0\n", False),
    ("socket outside a lookup", "close(4) = 0\n",
     "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3\n"
     "close(3) = 0\nclose(4) = 0\n", False),
    ("naming differences", "send(3, \"hi\", 2, 0) = 2\n"
     "setsockopt(3, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=0, tv_usec=200000}, 16)"
     " = 0\nselect(4, [3], [], NULL, {tv_sec=1, tv_usec=0}) = 1 (in [3], "
     "left {tv_sec=0, tv_usec=999998})\n",
     "sendto(3, \"hi\", 2, 0, NULL, 0) = 2\nsetsockopt(3, SOL_SOCKET, "
     "SO_RCVTIMEO_OLD, \"\\0\\0\\0\\0\\0\\0\\0\\0@\\r\\3\\0\\0\\0\\0\\0\", "
     "16) = 0\n"
     "pselect6(4, [3], [], NULL, {tv_sec=1, tv_nsec=0}, NULL) = 1 (in [3], "
     "left {tv_sec=0, tv_nsec=999998765})\n", True),
    ("two threads at once",
     "socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0\n"
     "send(5, \"hi\", 2, 0) = 2\n"
     "recv(4, \"hi\", 1024, 0) = 2\n",
     "10 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0\n"
     "11 recvfrom(4,  <unfinished ...>\n"
     "10 sendto(5, \"hi\", 2, 0, NULL, 0 <unfinished ...>\n"
     "11 <... recvfrom resumed> \"hi\", 1024, 0, NULL, NULL) = 2\n"
     "10 <... sendto resumed> ) = 2\n", True),
    ("two threads one after the other",
     "socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0\n"
     "send(5, \"hi\", 2, 0) = 2\n"
     "recv(4, \"hi\", 1024, 0) = 2\n",
     "10 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0\n"
     "11 recvfrom(4, \"hi\", 1024, 0, NULL, NULL) = 2\n"
     "10 sendto(5, \"hi\", 2, 0, NULL, 0) = 2\n", False),
]


def check_self():
    """The checker passes what agrees and catches what it must."""
    wrong = []
    for name, out, log, passes in SELF:
        try:
            verdict(out, "", log, "self")
            ok = True
        except AssertionError:
            ok = False
        if ok != passes:
            wrong.append("%s: %s" % (name, "failed" if passes else
                                     "was not caught"))
    if wrong:
        raise AssertionError("the checker is wrong:\n" + "\n".join(wrong))


def tests():
    """Every test this driver knows, by name."""
    t = {w: (lambda w=w: check(w)) for w in SCRIPTS}
    t["self"] = check_self
    for f in sorted(os.listdir(LESSONS)):
        name = f[:-len(".lesson")]
        if f.endswith(".lesson") and not name.startswith("echo-"):
            t["lesson:" + name] = (lambda n=name: check_lesson(n))
    t["echo-pair"] = check_echo_pair
    t["left-open"] = check_left_open
    return t


if __name__ == "__main__":
    e2elib.main(tests())
