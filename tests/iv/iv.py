#!/usr/bin/env python3
"""Instructor view (issue 4), end to end through pipes: TCP state changes
of the half-close on both sides, TIME_WAIT of a closed handle with the time
left, segment counts, the notes where the kernel surprises, the diagram in
text and as SVG (parsed by a real XML parser), and capture on lo (as root;
as another user it must say why it cannot). Loopback only, kernel-chosen
ports, every wait bounded.

usage: iv.py SOCKSTEP [TEST...]
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
import e2elib  # noqa: E402

HALF_CLOSE = """socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
send cli "Hello, world"
recv conn 1024
shutdown cli wr
recv conn 1024
send conn "bye"
recv cli 1024
close conn
recv cli 1024
handles
state cli
close cli
handles
close srv
diagram
"""


# a connected pair: the listener srv, the client cli, the server's conn
PAIR = """socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
"""


def run(script, timeout=20):
    """Runs a script through a pipe; returns stdout as text."""
    rc, out, err = e2elib.run([e2elib.binary()], stdin=script.encode(),
                              timeout=timeout)
    if rc != 0:
        raise AssertionError("exit %d\nstdout:\n%s\nstderr:\n%s" % (
            rc, out.decode(), err.decode()))
    return out.decode("utf-8", "replace")


def under(out, call_rx):
    """The indented lines printed under the first call line matching call_rx."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if re.match(call_rx, line):
            block = []
            for l in lines[i + 1:]:
                if not l.startswith("  "):
                    break
                block.append(l.strip())
            return block
    raise AssertionError("no call line /%s/ in:\n%s" % (call_rx, out))


SINCE = "since the previous command: "


def own(lines):
    """The lines of a block that are the call's own: a line printed before
    the next command's call line, about what changed since, is not."""
    return [l for l in lines if not l.startswith(SINCE)]


def need(lines, text, where):
    if text not in lines:
        raise AssertionError("%s: no line %r among %r" % (where, text, lines))


def test_half_close():
    out = run(HALF_CLOSE)
    need(under(out, r"connect\("), "cli CLOSE -> ESTABLISHED", "connect")
    sd = own(under(out, r"shutdown\("))
    # The FIN's ACK is conn's delayed ACK (about 40 ms): shown as read, with
    # no wait, FIN_WAIT1 and its note; FIN_WAIT2 on a machine slow enough.
    if "cli ESTABLISHED -> FIN_WAIT1" in sd:
        if not any("cli's FIN is not acknowledged yet" in l for l in sd):
            raise AssertionError("shutdown: FIN_WAIT1 without note: %r" % sd)
    else:
        need(sd, "cli ESTABLISHED -> FIN_WAIT2", "shutdown")
    need(sd, "conn ESTABLISHED -> CLOSE_WAIT", "shutdown")
    if not any(l.startswith("segments: cli sent 1") for l in sd):
        raise AssertionError("shutdown: no segment count: %r" % sd)
    cl = under(out, r"close\(5\)")
    if not any(re.match(r"cli FIN_WAIT2 -> TIME_WAIT \(\d+ s left\)$", l)
               for l in cl):
        raise AssertionError("close conn: cli's TIME_WAIT not shown: %r" % cl)
    if not any("apart from cli's fd" in l for l in cl):
        raise AssertionError("close conn: no TIME_WAIT note: %r" % cl)
    need(cl, "conn CLOSE_WAIT -> CLOSE (closed)", "close conn")
    if not re.search(r"^cli +4 +tcp +CLOSE \(TIME_WAIT \d+ s\)", out, re.M):
        raise AssertionError("handles: cli's row does not show TIME_WAIT:\n"
                             + out)
    if not re.search(r"^closed: .*cli \(fd 4, line 17; its connection "
                     r"lingers in TIME_WAIT, (59|60) s left\)", out, re.M):
        raise AssertionError("handles: closed cli's TIME_WAIT missing:\n"
                             + out)
    if not re.search(r"^cli: fd 4, tcp, CLOSE$", out, re.M) or \
            "its connection is in TIME_WAIT apart from the fd" not in out:
        raise AssertionError("state cli: wrong:\n" + out)
    for arrow in ("-- SYN --", "<- SYN, ACK --", "-- ACK --",
                  "-- 12 bytes \"Hello, w\"...", "-- FIN --",
                  "<- 3 bytes \"bye\"", "<- FIN --"):
        if arrow not in out:
            raise AssertionError("diagram: no %r:\n%s" % (arrow, out))


def test_states_off():
    out = run("set states off\nset segments off\n" + HALF_CLOSE)
    for l in under(out, r"shutdown\("):
        if "->" in l or l.startswith("segments:"):
            raise AssertionError("states off, yet: %r" % l)


def test_notes():
    """The FIN counted in SEND-Q: the peer's full window holds FIN_WAIT1."""
    script = """socket srv
setsockopt srv SO_RCVBUF 2048
bind srv 127.0.0.1 0
listen srv
socket cli
setsockopt cli SO_SNDBUF 4096
connect cli srv
accept srv conn
sendall cli 0x%s MSG_DONTWAIT
shutdown cli wr
handles
""" % ("41" * 30000)
    out = run(script)
    if "SEND-Q counts it as one byte" not in out or \
            "a FIN counts as one byte in SEND-Q" not in out or \
            "cli ESTABLISHED -> FIN_WAIT1" not in out:
        raise AssertionError("no FIN-in-SEND-Q note:\n" + out)


def test_first_send():
    out = run(PAIR + """close conn
send cli "one"
send cli "two"
""")
    one = under(out, r'send\(4, "one"')
    if not any("this send succeeded, but the peer's kernel answered the data with RST"
               " (the peer was closed" in l
               for l in one):
        raise AssertionError("first send: no note: %r" % one)
    need(one, "cli CLOSE_WAIT -> CLOSE", "first send")
    if not re.search(r'^send\(4, "two", 3, 0\) = -1 EPIPE', out, re.M):
        raise AssertionError("second send did not fail:\n" + out)


def test_svg():
    with tempfile.TemporaryDirectory(prefix="sockstep-iv-") as tmp:
        path = os.path.join(tmp, "x.svg")
        out = run(HALF_CLOSE + "diagram --svg %s\n" % path)
        if "wrote 7 arrows" not in out:
            raise AssertionError("diagram --svg: " + out[-400:])
        root = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    if root.tag != ns + "svg":
        raise AssertionError("root element is %s" % root.tag)
    arrows = [e for e in root.iter(ns + "line") if e.get("class") == "arrow"]
    lanes = [e for e in root.iter(ns + "line") if e.get("class") == "lane"]
    if len(arrows) != 7 or len(lanes) != 2:
        raise AssertionError("%d arrows, %d lanes; want 7 and 2" % (
            len(arrows), len(lanes)))


def test_interrupted_connect():
    """connect interrupted by SIGINT goes on in the kernel; once the queue
    frees, a later call shows the state change and the note."""
    s = e2elib.Session([e2elib.binary()],
                       env=e2elib.clean_env(SOCKSTEP_INTERACTIVE="1"))
    try:
        s.send("socket srv", "bind srv 127.0.0.1 0", "listen srv 0",
               "socket c1", "connect c1 srv", "socket x", "connect x srv")
        s.expect(r"connect\(4, .*= 0")
        time.sleep(0.3)
        s.p.send_signal(signal.SIGINT)
        s.expect(r"connect\(5, .*= -1 EINTR")
        s.send("accept srv a1")
        s.expect(r"accept\(3, ")
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            s.send("getsockname x")
            s.expect(r"getsockname\(5")
            time.sleep(0.5)
            if b"went on in the kernel: x is connected now" in s.out:
                break
        text = s.out.decode("utf-8", "replace")
        if "x SYN_SENT -> ESTABLISHED" not in text or \
                "went on in the kernel" not in text:
            raise AssertionError("no completion shown:\n" + text)
    finally:
        s.finish()
        s.kill()


CAPTURE = """capture on
socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
send cli "Hello, world"
recv conn 1024
sendall conn "Hello, world"
recv cli 1024
shutdown cli wr
recv conn 1024
close conn
close cli
close srv
diagram --svg %s
"""


def test_capture():
    if os.geteuid() != 0:
        raise e2elib.Skip("capture needs root (CAP_NET_RAW)")
    with tempfile.TemporaryDirectory(prefix="sockstep-iv-") as tmp:
        path = os.path.join(tmp, "c.svg")
        out = run(CAPTURE % path)
        root = ET.parse(path).getroot()
    seg = re.compile(r"^  (?:meanwhile: )?(\S+) > (\S+)  (.+?) +seq (\d+) "
                     r"ack (\d+)  len (\d+)$")
    conn = under(out, r"connect\(")
    got = [seg.match("  " + l).groups()[:3] for l in conn
           if seg.match("  " + l)]
    if got != [("cli", "srv", "SYN"), ("srv", "cli", "SYN, ACK"),
               ("cli", "srv", "ACK")]:
        raise AssertionError("handshake: %r\n%s" % (got, out))
    data = [seg.match("  " + l) for l in under(out, r'send\(4, ')]
    data = [m for m in data if m]
    if not data or data[0].group(1, 2, 6) != ("cli", "conn", "12") or \
            "PSH" not in data[0].group(3) or data[0].group(4) != "1":
        raise AssertionError("data segment: %r" % [m.groups() for m in data])
    sd = under(out, r"shutdown\(")
    fins = [seg.match("  " + l) for l in sd]
    fins = [m for m in fins if m and m.group(3).startswith("FIN")]
    if not fins or fins[0].group(1, 2, 6) != ("cli", "conn", "0") or \
            fins[0].group(4) != "13":
        raise AssertionError("FIN after shutdown wr: %r" % sd)
    if not any("zero-length message" in l for l in sd):
        raise AssertionError("no zero-length note: %r" % sd)
    if "segments:" in out:
        raise AssertionError("segment counts shown while capturing")
    shown = [l for l in out.splitlines() if seg.match(l)]
    ns = "{http://www.w3.org/2000/svg}"
    arrows = [e for e in root.iter(ns + "line") if e.get("class") == "arrow"]
    if len(arrows) != len(shown):
        raise AssertionError("%d arrows in the SVG, %d segments shown" % (
            len(arrows), len(shown)))
    m = re.search(r"socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = (\d+)", out)
    if m.group(1) != "3":
        raise AssertionError("capture moved the students' fds: %s" % m.group(0))


def test_capture_unprivileged():
    """As a user without CAP_NET_RAW, capture says why and what to do."""
    if os.geteuid() != 0:
        args = [e2elib.binary(), "-c", "capture on"]
    else:
        args = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", e2elib.binary(), "-c", "capture on"]
    try:
        rc, out, err = e2elib.run(args)
    except FileNotFoundError:
        raise e2elib.Skip("setpriv is not installed")
    err = err.decode()
    if "CAP_NET_RAW" not in err or "root" not in err:
        raise AssertionError("no reason given: %r %r" % (out, err))


def test_capture_lab():
    """As a user without CAP_NET_RAW, --lab runs the shell in a private
    user and network namespace where capture shows the handshake; the
    message says what the mode means."""
    cmds = ("capture on; socket srv; bind srv 127.0.0.1 0; listen srv; "
            "socket cli; connect cli srv; capture off")
    args = [e2elib.binary(), "--lab", "-n", "-c", cmds]
    if os.geteuid() == 0:
        args = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all"] + args
    try:
        rc, out, err = e2elib.run(args)
    except FileNotFoundError:
        raise e2elib.Skip("setpriv is not installed")
    out, err = out.decode(), err.decode()
    if rc == 2 and "unshare" in err:
        raise e2elib.Skip("no private namespaces here: " + err.strip())
    if "private network namespace" not in err:
        raise AssertionError("lab mode does not say what it is: %r" % err)
    for seg in (r"cli > srv\s+SYN\s", r"srv > cli\s+SYN, ACK", r"cli > srv\s+ACK"):
        if not re.search(seg, out):
            raise AssertionError("no %s segment in lab mode:\n%s%s" %
                                 (seg, out, err))


def test_linger_rst():
    """close after SO_LINGER {1, 0} aborts: explained, drawn as RST without
    capture, the peer's recv gets ECONNRESET and no TIME_WAIT is left."""
    out = run("""socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
setsockopt cli SO_LINGER 1 0
close cli
recv conn 10
handles
diagram
""")
    cl = under(out, r"close\(4\)")
    if not any(l.startswith("SO_LINGER {1, 0}: the kernel aborts") for l in cl):
        raise AssertionError("close: no abort note: %r" % cl)
    need(cl, "conn ESTABLISHED -> CLOSE", "close")
    if not re.search(r"^recv\(5, \.\.\., 10, 0\) = -1 ECONNRESET", out, re.M):
        raise AssertionError("the peer's recv was not reset:\n" + out)
    if re.search(r"-> TIME_WAIT|TIME_WAIT \d+ s", out):
        raise AssertionError("an abort left TIME_WAIT:\n" + out)
    if not re.search(r"^close cli +\|-- RST -+>\|", out, re.M):
        raise AssertionError("diagram: close cli is not an RST:\n" + out)


def arrows(out, lanes=None):
    """The diagram's arrows, in order, as (direction, kind): direction is
    '>' or '<' across the chart, kind SYN, SYN-ACK, DATA, FIN or RST (a
    bare ACK is left out: capture shows every one, calls imply few).
    With lanes, only arrows between the first lanes of the chart (a
    capture also shows another program's connection to a listener)."""
    got = []
    edge = None
    for l in out.splitlines():
        if edge is None and re.match(r" +\|( +\|)* *$", l):
            bars = [i for i, ch in enumerate(l) if ch == "|"]
            edge = bars[lanes - 1] if lanes and len(bars) >= lanes else -1
        m = re.search(r"\|(<-|--) (.*?) -*(>?)\|", l)
        if not m or (lanes and edge is not None and m.end() - 1 > edge):
            continue
        what = m.group(2)
        kind = ("DATA" if "bytes" in what else "SYN-ACK" if
                what.startswith("SYN, ACK") else "SYN" if
                what.startswith("SYN") else "FIN" if what.startswith("FIN")
                else "RST" if what.startswith("RST") else None)
        if kind:
            got.append((">" if m.group(1) == "--" else "<", kind))
    return got


def test_inferred():
    """With -n, and with states and segments off, the diagram is drawn
    from the calls' results alone, marked as inferred: the handshake,
    the data, each FIN and an abortive close's RST; a close after the
    connection was reset draws nothing. As root, the same script with
    capture shows the same segments in the same order (the claim checked
    against the kernel)."""
    script = HALF_CLOSE.replace("close srv\n", """socket c2
connect c2 srv
accept srv conn2
setsockopt c2 SO_LINGER 1 0
close c2
recv conn2 10
close conn2
close srv
""")
    want = [(">", "SYN"), ("<", "SYN-ACK"), (">", "DATA"), (">", "FIN"),
            ("<", "DATA"), ("<", "FIN"),
            ("<", "SYN"), (">", "SYN-ACK"), ("<", "RST")]  # c2 on the right
    for opts, pre in ((["-n"], ""),
                      ([], "set states off\nset segments off\n")):
        rc, out, err = e2elib.run([e2elib.binary()] + opts,
                                  stdin=(pre + script).encode())
        out = out.decode("utf-8", "replace")
        if rc != 0 or arrows(out) != want:
            raise AssertionError("%s: exit %d, arrows %s, not %s:\n%s%s" % (
                opts or pre.strip(), rc, arrows(out), want, out[-2500:],
                err.decode()))
        if "(arrows not captured are inferred from the calls, their " \
                "results and\n the states read" not in out:
            raise AssertionError("no word that the arrows are inferred:\n"
                                 + out[-1500:])
    if os.geteuid() != 0:
        return
    out = run("capture on\n" + script)
    if arrows(out, lanes=3) != want or "are inferred" in out:
        raise AssertionError("captured: %s, not %s:\n%s" % (
            arrows(out, lanes=3), want, out[-2500:]))


def test_dup_segments():
    """Two handles on one socket (dup) have their segments counted once,
    named together (conn/conn2), and a send through the dup counts as
    the call's own, not as something that came since."""
    out = run(PAIR + """dup conn conn2
send cli "hi"
send conn2 "yo"
""")
    seg = [l for l in out.splitlines() if "segments:" in l]
    if not any("conn/conn2 sent" in l for l in seg) or \
            any(re.search(r"(^|; |: )conn2 sent", l) for l in seg):
        raise AssertionError("dup's segments not counted once:\n" + out)
    yo = under(out, r"send\(6, ")
    if not any("conn/conn2 sent" in l and "since" not in l for l in yo):
        raise AssertionError("the dup's send not its own: %r" % yo)


def test_background():
    """accept srv & blocks in its own thread while the same shell connects;
    the job notice follows the connect. A second background accept is
    cancelled: its call returns EINTR. recv & returns 0 after shutdown."""
    out = run("""set segments off
socket srv
bind srv 127.0.0.1 0
listen srv
accept srv conn &
socket cli
connect cli srv
wait 1
recv conn 1024 &
shutdown cli wr
wait 2
accept srv &
cancel 3
""")
    lines = out.splitlines()

    def at(rx):
        for i, line in enumerate(lines):
            if re.match(rx, line):
                return i
        raise AssertionError("no line /%s/ in:\n%s" % (rx, out))
    order = [at(r"  \[1\] accept srv conn &$"), at(r"connect\(5, "),
             at(r"\[1\] returned: accept srv conn$"),
             at(r"accept\(3, \{sa_family=AF_INET, .*\) = 4$"),
             at(r"  \[2\] recv conn 1024 &$"), at(r"shutdown\(5, SHUT_WR\)"),
             at(r"\[2\] returned: recv conn 1024$"),
             at(r'recv\(4, "", 1024, 0\) = 0$'),
             at(r"  \[3\] cancel: SIGUSR1 to the job's thread interrupts "
                r"its accept$"),
             at(r"accept\(3, \.\.\., \[16\]\) = -1 EINTR")]
    if order != sorted(order):
        raise AssertionError("notices out of order %r:\n%s" % (order, out))
    need(under(out, r"accept\(3, \.\.\., \[16\]\) = -1 EINTR"),
         "cancel interrupted accept; srv is as it was before the call",
         "cancel")


def lines_between(text, first_rx, next_rx):
    """The lines after the first line matching first_rx, up to (not
    including) the next line matching next_rx."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(first_rx, line):
            block = []
            for l in lines[i + 1:]:
                if re.match(next_rx, l):
                    return block
                block.append(l)
            raise AssertionError("no /%s/ after /%s/:\n%s" % (
                next_rx, first_rx, text))
    raise AssertionError("no /%s/ in:\n%s" % (first_rx, text))


def test_since_peer():
    """Finding 15, re-enacted: a peer program (Python, over loopback) reads
    the EOF of cli's SHUT_WR and closes later, at a moment the test chooses.
    shutdown shows only what it did; the peer's close is shown before the
    next, unrelated call, as a change since the previous command, and not
    under that call."""
    import socket as so
    import threading
    lst = so.socket(so.AF_INET, so.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    lst.settimeout(10)
    port = lst.getsockname()[1]
    eof, go, done = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def peer():
        try:
            c, _ = lst.accept()
            c.settimeout(10)
            while c.recv(100):
                pass
            eof.set()
            go.wait(10)
            c.close()
        except OSError as e:
            errors.append(e)
        finally:
            done.set()
    t = threading.Thread(target=peer)
    t.start()
    s = e2elib.Session([e2elib.binary()])
    try:
        s.send("set segments off", "socket cli",
               "connect cli 127.0.0.1 %d" % port, "send cli hello",
               "shutdown cli SHUT_WR", "socket marker1")
        s.expect(r"marker1 is fd \d+")
        if not eof.wait(10):
            raise AssertionError("the peer saw no EOF: %r" % errors)
        go.set()
        if not done.wait(10) or errors:
            raise AssertionError("the peer did not close: %r" % errors)
        s.send("socket marker2", "getsockname marker2")
        s.expect(r"getsockname\(5, ")
        s.finish()
        text = s.out.decode("utf-8", "replace")
    finally:
        go.set()
        s.kill()
        t.join(10)
        lst.close()
    sd = lines_between(text, r"shutdown\(3, SHUT_WR\) = 0$", r"socket\(")
    if not any(re.match(r"  cli ESTABLISHED -> FIN_WAIT[12]$", l)
               for l in sd):
        raise AssertionError("shutdown: no FIN_WAIT line: %r" % sd)
    for l in sd:
        if "TIME_WAIT" in l or "CLOSE" in l.replace("CLOSE_WAIT", ""):
            raise AssertionError("shutdown shows the peer's close: %r" % sd)
    before = lines_between(text, r"  marker1 is fd", r"socket\(")
    if not any(re.match(r"  %scli FIN_WAIT[12] -> TIME_WAIT" % SINCE, l)
               for l in before):
        raise AssertionError("the peer's close is not shown as a change "
                             "since the previous command: %r\n%s" % (
                                 before, text))
    after = lines_between(text, r"socket\(AF_INET, .*= 5$",
                          r"getsockname\(")
    if any(re.match(r"  cli\b", l) for l in after):
        raise AssertionError("the unrelated call shows cli's change: %r"
                             % after)


def test_since_ack():
    """The delayed ACK of cli's FIN comes about 40 ms after shutdown, by the
    peer's timer: the line that shows it says it happened since the previous
    command (before a later call's line, or after it when it came during
    that unrelated call), never as a call's effect. The test repeats an
    unrelated call until the line shows (bounded)."""
    s = e2elib.Session([e2elib.binary()])
    try:
        s.send("set segments off", "socket srv", "bind srv 127.0.0.1 0",
               "listen srv", "socket cli", "connect cli srv",
               "accept srv conn", "send cli ping", "recv conn 10",
               "send conn pong", "recv cli 10", "shutdown cli SHUT_WR")
        s.expect(r"shutdown\(4, SHUT_WR\) = 0")
        deadline = time.monotonic() + 10
        n = 0
        while time.monotonic() < deadline:
            n += 1
            s.send("getsockname srv")
            for _ in range(n - s.out.count(b"getsockname(3")):
                s.expect(r"getsockname\(3, ")
            if b"FIN_WAIT1 -> FIN_WAIT2" in s.out or \
                    b"cli ESTABLISHED -> FIN_WAIT2" in s.out:
                break
            time.sleep(0.02)
        s.finish()
        text = s.out.decode("utf-8", "replace")
    finally:
        s.kill()
    lines = text.splitlines()
    for i, l in enumerate(lines):
        if l == "  cli FIN_WAIT1 -> FIN_WAIT2":
            raise AssertionError("the ACK shown as a call's effect:\n" + text)
        if l == "  %scli FIN_WAIT1 -> FIN_WAIT2" % SINCE:
            if not lines[i + 1].startswith("getsockname(3, ") and \
                    not lines[i - 1].startswith("  srv is 127.0.0.1:"):
                raise AssertionError("not beside getsockname:\n" + text)
            return
    if "  cli ESTABLISHED -> FIN_WAIT2" not in lines:
        raise AssertionError("the ACK never shown:\n" + text)


def test_state_bytes():
    """Finding 16: state shows bytes of data as sent and received (the
    peer's FIN apart), and what the acknowledged count includes; checked
    against the calls' results and the state the kernel reports."""
    out = run("""set segments off
socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
send cli "Hello, world"
recv conn 1024
shutdown cli wr
recv conn 1024
state conn
state cli
""")
    sent = int(re.search(r'^send\(4, .*\) = (\d+)$', out, re.M).group(1))
    got = int(re.search(r'^recv\(5, "Hello.*\) = (\d+)$', out,
                        re.M).group(1))
    m = re.search(r"^conn: fd 5, tcp, CLOSE_WAIT\n(?:  .*\n)*?  bytes of "
                  r"data: 0 sent, (\d+) received, then the peer's FIN;",
                  out, re.M)
    if not m or int(m.group(1)) != got:
        raise AssertionError("conn: data received is not %d:\n%s" % (
            got, out))
    m = re.search(r"^cli: fd 4, tcp, (FIN_WAIT[12])\n(?:  .*\n)*?  bytes of "
                  r"data: (\d+) sent, 0 received;.*\n  acknowledged by the "
                  r"peer: (\d+), counting one for the SYN if this socket "
                  r"made the connect(.*)$", out, re.M)
    if not m or int(m.group(2)) != sent:
        raise AssertionError("cli: data sent is not %d:\n%s" % (sent, out))
    fin = m.group(1) == "FIN_WAIT2"
    if int(m.group(3)) != sent + 1 + fin or \
            m.group(4) != (", and one for its FIN" if fin else
                           "; its FIN is not among them"):
        raise AssertionError("cli: acknowledged count wrong:\n" + out)
    if re.search(r"13 received|12 bytes unread", out):
        raise AssertionError("FIN counted as data:\n" + out)


if __name__ == "__main__":
    e2elib.main({
        "half-close": test_half_close,
        "states-off": test_states_off,
        "notes": test_notes,
        "first-send": test_first_send,
        "svg": test_svg,
        "interrupted-connect": test_interrupted_connect,
        "capture": test_capture,
        "capture-unprivileged": test_capture_unprivileged,
        "capture-lab": test_capture_lab,
        "linger-rst": test_linger_rst,
        "inferred": test_inferred,
        "dup-segments": test_dup_segments,
        "background": test_background,
        "since-peer": test_since_peer,
        "since-ack": test_since_ack,
        "state-bytes": test_state_bytes,
    })
