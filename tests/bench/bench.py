#!/usr/bin/env python3
"""The sockstep benchmark (issues 8 and 20): sockstep against Python and C.

Every figure is measured side by side in one run: each round runs every
program of a comparison once, in turn, and the table shows the median of
the rounds and the ratio. Loopback only, kernel-chosen ports, every run
bounded by a timeout. Never run by ctest; see tests/bench/README.md.

    tests/bench/run.sh [BUILD_DIR] [--runs N] [--commands N] [--quick]
"""

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = 300  # seconds, for any one run

# The echo lesson's calls, made by Python (Real Python's echo pair in one
# process), the comparison the issue asks for.
ECHO_PY = """
import socket, sys
HOST, PORT = "127.0.0.1", int(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind((HOST, PORT))
srv.listen()
cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
cli.connect((HOST, PORT))
conn, addr = srv.accept()
cli.sendall(b"Hello, world")
assert conn.recv(1024) == b"Hello, world"
conn.sendall(b"Hello, world")
assert cli.recv(1024) == b"Hello, world"
cli.close()
assert conn.recv(1024) == b""
conn.close()
srv.close()
"""

# The docs' echo exchange as a sockstep script (tests/e2e/no_sleep.py's):
# timed in the default mode (notes, state lines, segment counts) and with -n.
ECHO_SS = """socket srv
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
"""

# The socket/close workload as a Python script: the counterpart of a
# long sockstep script's peak memory (argv[1] commands, pairs of calls).
STATEMENTS_PY = """
import socket, sys
for _ in range(int(sys.argv[1]) // 2):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.close()
"""

HANDLES_PY = """
import socket, sys
socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM)
         for _ in range(int(sys.argv[1]))]
"""


class Run:
    """One finished run: wall seconds, CPU seconds, peak RSS in KiB."""

    def __init__(self, wall, cpu, rss):
        self.wall, self.cpu, self.rss = wall, cpu, rss


def run(argv, out=None):
    """Runs argv once, stdout to out (a path; None for /dev/null), and
    returns a Run. Raises RuntimeError when it fails or times out."""
    with open(out or os.devnull, "wb") as fo, \
            tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=fo,
                             stderr=fe)
        timer = threading.Timer(TIMEOUT, p.kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            fe.seek(0)
            raise RuntimeError("%s: exit %d\n%s" % (
                " ".join(argv[:4]), p.returncode,
                fe.read().decode(errors="replace")[-2000:]))
    return Run(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss)


def peak_rss(argv, tmp):
    """Runs argv under /usr/bin/time -f %M and returns its peak resident
    set in KiB (getrusage of a child forked from Python would report
    Python's own size, inherited across the fork)."""
    out = os.path.join(tmp, "rss")
    run(["/usr/bin/time", "-f", "%M", "-o", out] + argv)
    with open(out) as f:
        return int(f.read().split()[-1])


def syscalls(argv, tmp):
    """Runs argv under strace -f -c and returns the system calls it made
    (every thread and child)."""
    out = os.path.join(tmp, "strace.out")
    run(["strace", "-f", "-c", "-o", out] + argv)
    with open(out) as f:
        for line in f:
            w = line.split()
            if w and w[-1] == "total":
                return int(w[3])
    raise RuntimeError("no total in " + out)


def instructions(argv, tmp):
    """Runs argv under callgrind and returns the instructions it ran in
    user space (the kernel's share is not counted)."""
    out = os.path.join(tmp, "callgrind.out")
    run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
        + argv)
    with open(out) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + out)


def free_port():
    """Returns a loopback port the kernel just chose (and freed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rounds(runs, progs):
    """Runs each of progs (name -> function returning a Run) once per
    round, in turn, for runs rounds. Returns name -> list of Runs."""
    got = {name: [] for name in progs}
    for _ in range(runs):
        for name, fn in progs.items():
            got[name].append(fn())
    return got


def med(runs, what="wall"):
    """Returns the median of one figure of a list of Runs."""
    return statistics.median(getattr(r, what) for r in runs)


def fmt_time(s):
    """Formats seconds for the table."""
    if s >= 1:
        return "%.2f s" % s
    if s >= 1e-3:
        return "%.1f ms" % (s * 1e3)
    return "%.2f µs" % (s * 1e6)


class Table:
    """The rows of the report, printed as a Markdown table."""

    def __init__(self):
        self.rows = []

    def add(self, measure, ours, ref, ratio, target="", met=None):
        verdict = "" if met is None else ("met" if met else "MISSED")
        self.rows.append((measure, ours, ref, ratio, target, verdict))
        print("  %s: %s | %s | %s %s" % (measure, ours, ref, ratio,
                                         verdict), file=sys.stderr)

    def show(self):
        head = ("measure", "sockstep", "against", "ratio", "target",
                "result")
        widths = [max(len(str(r[i])) for r in self.rows + [head])
                  for i in range(len(head))]
        line = lambda r: "| " + " | ".join(
            str(c).ljust(w) for c, w in zip(r, widths)) + " |"
        print(line(head))
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for r in self.rows:
            print(line(r))


def script(path, lines):
    """Writes a sockstep script; returns its path."""
    with open(path, "w") as f:
        f.write("".join(l + "\n" for l in lines))
    return path


def setup_lines(work, handles):
    """The script lines that make the idle handles and, for sendrecv,
    the connected pair, before the timed commands."""
    lines = ["socket h%d" % i for i in range(1, handles + 1)]
    if work == "sendrecv":
        lines += ["socket srv", "bind srv 127.0.0.1 0", "listen srv",
                  "socket cli", "connect cli srv", "accept srv conn"]
    return lines


def body_lines(work, n):
    """The n timed commands of a workload."""
    if work == "sendrecv":
        return ['send cli "hi"', "recv conn 2"] * (n // 2)
    if work == "sockclose-auto":
        out = []
        for i in range(1, n // 2 + 1):
            out += ["socket", "close sock%d" % i]
        return out
    return ["socket s", "close s"] * (n // 2)


def per_command(a, tmp, work, handles, out, n):
    """Measures the cost of one command of a workload with handles idle
    handles, stdout to out ('null' or 'file'), for sockstep and for
    bench_calls: (median time of setup + n commands - median time of
    setup alone) / n. Returns (sockstep, C) as (wall, cpu) seconds."""
    ss = os.path.join(a.build, "sockstep")
    calls = os.path.join(a.build, "tests", "bench", "bench_calls")
    tag = "%s-%d" % (work, handles)
    full = script(os.path.join(tmp, tag + ".full"),
                  setup_lines(work, handles) + body_lines(work, n))
    setup = script(os.path.join(tmp, tag + ".setup"),
                   setup_lines(work, handles))
    dest = os.path.join(tmp, "out.txt") if out == "file" else None
    cwork = "sendrecv" if work == "sendrecv" else "sockclose"
    got = rounds(a.runs, {
        "ss": lambda: run([ss, "-n", full], dest),
        "ss0": lambda: run([ss, "-n", setup], dest),
        "c": lambda: run([calls, cwork, str(n), str(handles)], dest),
        "c0": lambda: run([calls, cwork, "0", str(handles)], dest),
    })
    cost = lambda k, what: max(med(got[k], what) - med(got[k + "0"], what),
                               0) / n
    return ((cost("ss", "wall"), cost("ss", "cpu")),
            (cost("c", "wall"), cost("c", "cpu")))


def c_argv(a, work, n, handles):
    """The bench_calls command line of a workload."""
    return [os.path.join(a.build, "tests", "bench", "bench_calls"),
            "sendrecv" if work == "sendrecv" else "sockclose", str(n),
            str(handles)]


def count_per_command(a, tmp, work, m, counter):
    """Returns what counter (syscalls or instructions) counts per command
    of a workload, (setup + m commands - setup alone) / m, for sockstep
    -n and for bench_calls: (sockstep, C)."""
    ss = os.path.join(a.build, "sockstep")
    tag = "count-%s" % work
    full = script(os.path.join(tmp, tag + ".full"),
                  setup_lines(work, 0) + body_lines(work, m))
    setup = script(os.path.join(tmp, tag + ".setup"),
                   setup_lines(work, 0))
    return ((counter([ss, "-n", full], tmp) -
             counter([ss, "-n", setup], tmp)) / m,
            (counter(c_argv(a, work, m, 0), tmp) -
             counter(c_argv(a, work, 0, 0), tmp)) / m)


def cg_per_command(a, tmp, work, handles, m):
    """Returns the user-space instructions sockstep runs per command of a
    workload with handles idle handles, by callgrind: (setup + m commands
    - setup alone) / m."""
    ss = os.path.join(a.build, "sockstep")
    tag = "cg-%s-%d" % (work, handles)
    full = script(os.path.join(tmp, tag + ".full"),
                  setup_lines(work, handles) + body_lines(work, m))
    setup = script(os.path.join(tmp, tag + ".setup"),
                   setup_lines(work, handles))
    return (instructions([ss, "-n", full], tmp) -
            instructions([ss, "-n", setup], tmp)) / m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build", nargs="?", default=os.path.join(SRC, "build"))
    ap.add_argument("--runs", type=int, default=5,
                    help="rounds per comparison (median of these)")
    ap.add_argument("--commands", type=int, default=100000,
                    help="commands per per-command script")
    ap.add_argument("--cg-commands", type=int, default=2000,
                    help="commands per script under callgrind (0: skip)")
    ap.add_argument("--statements", type=int, default=1000000,
                    help="commands of the longest script, for peak memory")
    ap.add_argument("--quick", action="store_true",
                    help="3 rounds of 10,000 commands: a smoke run")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.commands, a.statements = 3, 10000, 100000
    a.build = os.path.abspath(a.build)
    ss = os.path.join(a.build, "sockstep")
    bench = os.path.join(a.build, "tests", "bench")
    for p in (ss, os.path.join(bench, "bench_calls")):
        if not os.access(p, os.X_OK):
            sys.exit("bench: no %s (build first: cmake --build %s)"
                     % (p, a.build))
    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("bench: no /usr/bin/time (apt-get install time)")
    if a.cg_commands and not shutil.which("valgrind"):
        print("bench: no valgrind: instruction counts left out",
              file=sys.stderr)
        a.cg_commands = 0
    # The interpreter itself, not a pyenv or asdf shim in front of it.
    py = os.path.realpath(sys.executable)
    pyv = "Python %d.%d" % sys.version_info[:2]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 10100 and (hard >= 10100 or hard == resource.RLIM_INFINITY):
        resource.setrlimit(resource.RLIMIT_NOFILE, (10100, hard))
        soft = 10100
    scale = [10, 1000, 10000] if soft >= 10100 else [10, 1000]
    n = a.commands
    t = Table()
    tmp = tempfile.mkdtemp(prefix="sockstep-bench.")
    try:
        print("bench: %d rounds, %d commands per script, in %s"
              % (a.runs, n, tmp), file=sys.stderr)

        # 1. Startup.
        got = rounds(a.runs, {
            "ss": lambda: run([ss, "-c", "quit"]),
            "py": lambda: run([py, "-c", "import socket"]),
            "c": lambda: run([os.path.join(bench, "bench_empty")]),
        })
        s, p, c = med(got["ss"]), med(got["py"]), med(got["c"])
        t.add("startup: `sockstep -c quit`", fmt_time(s),
              "`python3 -c 'import socket'` %s" % fmt_time(p),
              "%.1fx faster" % (p / s))
        t.add("startup: `sockstep -c quit`", fmt_time(s),
              "empty C program %s" % fmt_time(c), "%.2fx" % (s / c),
              "<= 1.5x", s / c <= 1.5)

        # 2. The echo exchange.
        echo_py = os.path.join(tmp, "echo.py")
        with open(echo_py, "w") as f:
            f.write(ECHO_PY)
        lesson = os.path.join(SRC, "lessons", "echo.lesson")
        echo = {
            "ss": lambda: [ss, "--check", "--var", "PORT=%d" % free_port(),
                           lesson],
            "py": lambda: [py, echo_py, str(free_port())],
            "c": lambda: [os.path.join(bench, "bench_echo"),
                          str(free_port())],
        }
        got = rounds(a.runs, {k: (lambda f=f: run(f()))
                              for k, f in echo.items()})
        s, p, c = med(got["ss"]), med(got["py"]), med(got["c"])
        t.add("echo lesson, `--check`", fmt_time(s),
              "%s script %s" % (pyv, fmt_time(p)),
              "%.1fx faster" % (p / s), ">= 20x faster", p / s >= 20)
        t.add("echo lesson, `--check`", fmt_time(s),
              "C floor %s" % fmt_time(c), "%.2fx" % (s / c))
        t.add("echo: C floor vs Python", fmt_time(c),
              "%s script %s" % (pyv, fmt_time(p)),
              "%.1fx faster" % (p / c), "(best possible)")
        # The default mode reads each TCP handle before and after every
        # statement and never sleeps (issue 12): its cost beside -n's.
        echo_ss = script(os.path.join(tmp, "echo.ss"),
                         ECHO_SS.splitlines())
        got = rounds(a.runs, {
            "def": lambda: run([ss, echo_ss]),
            "n": lambda: run([ss, "-n", echo_ss]),
        })
        d, m = med(got["def"]), med(got["n"])
        t.add("echo script, default mode (notes, states)", fmt_time(d),
              "`-n` %s" % fmt_time(m), "%.2fx" % (d / m), "<= 2x",
              d / m <= 2)

        # 3. Per-command cost, no idle handles; 4. with 10 .. 10,000.
        cases = [("sockclose", 0, "null"), ("sockclose", 0, "file"),
                 ("sendrecv", 0, "null"), ("sendrecv", 0, "file"),
                 ("sockclose-auto", 0, "null")]
        cases += [(w, h, "null") for w in ("sockclose", "sendrecv")
                  for h in scale]
        names = {"sockclose": "socket/close", "sendrecv": "send/recv",
                 "sockclose-auto": "socket/close, auto names"}
        flat = {}
        for work, handles, out in cases:
            (sw, sc), (cw, cc) = per_command(a, tmp, work, handles, out, n)
            what = names[work]
            if handles:
                what += ", {:,} handles".format(handles)
            what += " > file" if out == "file" else " > /dev/null"
            ratio = sw / cw if cw else float("inf")
            t.add("per command: " + what,
                  "%s (cpu %s)" % (fmt_time(sw), fmt_time(sc)),
                  "C %s (cpu %s)" % (fmt_time(cw), fmt_time(cc)),
                  "%.2fx (cpu %.2fx)" % (ratio, sc / cc if cc else 0),
                  "<= 2x", ratio <= 2)
            if handles:
                flat.setdefault(work, {})[handles] = (sw, sc)
        for work, by in flat.items():
            lo, hi = by[min(by)], by[max(by)]
            t.add("scale: %s, wall (cpu)" % names[work],
                  " / ".join("%s (%s)" % (fmt_time(by[h][0]),
                                          fmt_time(by[h][1]))
                             for h in sorted(by)),
                  "%s handles" % " / ".join(
                      "{:,}".format(h) for h in sorted(by)),
                  "%.2fx (cpu %.2fx)" % (hi[0] / lo[0], hi[1] / lo[1]),
                  "<= 1.10x", hi[0] / lo[0] <= 1.10)
        # System calls and instructions per command, beside C's.
        cg = a.cg_commands or 2000
        if shutil.which("strace"):
            for work in ("sockclose", "sendrecv"):
                s, c = count_per_command(a, tmp, work, cg, syscalls)
                t.add("system calls per command, -n: %s" % names[work],
                      "%.2f" % s, "C %.2f (strace -f -c)" % c,
                      "%+.2f beyond C" % (s - c), "<= +1", s - c <= 1)
        if a.cg_commands:
            for work in ("sockclose", "sendrecv"):
                s, c = count_per_command(a, tmp, work, cg, instructions)
                t.add("instructions per command, -n: %s" % names[work],
                      "%.0f" % s, "C %.0f (callgrind, user space)" % c,
                      "%.1fx" % (s / c), "<= 5000", s <= 5000)
            for work in ("sockclose", "sendrecv", "sockclose-auto"):
                hs = [0] if work == "sockclose-auto" else scale
                ir = {h: cg_per_command(a, tmp, work, h, a.cg_commands)
                      for h in hs}
                if work == "sockclose-auto":
                    t.add("instructions: %s (%s commands)"
                          % (names[work], "{:,}".format(a.cg_commands)),
                          "%.0f" % ir[0], "callgrind, user space", "")
                    continue
                lo, hi = ir[min(ir)], ir[max(ir)]
                t.add("scale: %s, instructions per command" % names[work],
                      " / ".join("%.0f" % ir[h] for h in sorted(ir)),
                      "%s handles (callgrind)" % " / ".join(
                          "{:,}".format(h) for h in sorted(ir)),
                      "%.2fx" % (hi / lo), "<= 1.10x", hi / lo <= 1.10)

        # 5. Memory.
        got = {k: [peak_rss(f(), tmp) for _ in range(a.runs)]
               for k, f in echo.items()}
        s, p, c = (statistics.median(got[k]) for k in ("ss", "py", "c"))
        t.add("peak RSS: echo lesson", "%d KiB" % s,
              "%s %d KiB (C floor %d KiB)" % (pyv, p, c),
              "%.2f of Python's" % (s / p), "< 0.25", s / p < 0.25)
        h = max(scale)
        many = script(os.path.join(tmp, "handles.ss"),
                      ["socket h%d" % i for i in range(1, h + 1)])
        s = statistics.median(peak_rss([ss, "-n", many], tmp)
                              for _ in range(a.runs))
        p = statistics.median(peak_rss([py, "-c", HANDLES_PY, str(h)], tmp)
                              for _ in range(a.runs))
        t.add("peak RSS: {:,} handles".format(h), "%d KiB" % s,
              "%s %d KiB" % (pyv, p), "%.2f of Python's" % (s / p),
              "<= 0.35", s / p <= 0.35)
        # Peak memory of long scripts: socket/close pairs with -n.
        stm_py = os.path.join(tmp, "statements.py")
        with open(stm_py, "w") as f:
            f.write(STATEMENTS_PY)
        for k, limit in ((100000, 8 * 1024), (a.statements, 40 * 1024)):
            if k > a.statements:
                continue
            long_ss = script(os.path.join(tmp, "long.ss"),
                             body_lines("sockclose", k))
            s = statistics.median(peak_rss([ss, "-n", long_ss], tmp)
                                  for _ in range(a.runs))
            p = statistics.median(peak_rss([py, stm_py, str(k)], tmp)
                                  for _ in range(a.runs))
            c = statistics.median(peak_rss(c_argv(a, "sockclose", k, 0),
                                           tmp) for _ in range(a.runs))
            t.add("peak RSS: script of {:,} commands".format(k),
                  "%d KiB" % s, "%s %d KiB (C %d KiB)" % (pyv, p, c),
                  "%.2f of Python's" % (s / p),
                  "< %d MB" % (limit // 1024), s < limit)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    t.show()
    print()
    print("Medians of %d rounds, wall clock (cpu: user + sys of the "
          "process). Per command: (time of setup + %s commands - time of "
          "setup alone) / %s; sockstep runs the script with -n; the C "
          "program makes the same calls and prints each call line with "
          "stdio. Instructions: callgrind, sockstep's user space only, "
          "scripts of %s commands."
          % (a.runs, "{:,}".format(n), "{:,}".format(n),
             "{:,}".format(a.cg_commands)))


if __name__ == "__main__":
    main()
