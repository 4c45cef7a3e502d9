#!/usr/bin/env python3
"""The trace benchmark (issue 15): a send/recv loop bare, under
`sockstep trace` (notes on and off), and under `strace -f`.

Each round runs every way once, in turn, so a drift of the machine's
speed touches all alike; the table shows the median wall time of the
rounds, the cost of one traced socket call (time over the bare run,
divided by the calls), and the ratio to the bare run. Loopback only,
port 0, every run bounded. Never run by ctest.

    tests/bench/trace_bench.py [BUILD_DIR] [--calls N] [--runs R]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("--calls", type=int, default=20000,
                    help="socket calls of the loop (send + recv)")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    loop = os.path.join(a.build, "tests", "bench", "bench_loop")
    sockstep = os.path.join(a.build, "sockstep")
    n = str(a.calls // 2)
    ways = [("bare", [loop, n]),
            ("sockstep trace -n", [sockstep, "trace", "-n", "-o",
                                   os.devnull, "--", loop, n]),
            ("sockstep trace", [sockstep, "trace", "-o", os.devnull, "--",
                                loop, n])]
    if shutil.which("strace"):
        ways.append(("strace -f", ["strace", "-f", "-o", os.devnull, loop,
                                   n]))
        ways.append(("strace -f --seccomp-bpf", [
            "strace", "-f", "--seccomp-bpf", "-e",
            "trace=socket,bind,listen,accept,connect,sendto,recvfrom,close",
            "-o", os.devnull, loop, n]))
    times = {w: [] for w, _ in ways}
    for _ in range(a.runs):
        for w, cmd in ways:
            t0 = time.monotonic()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, timeout=600)
            times[w].append(time.monotonic() - t0)
            if r.returncode != 0:
                sys.exit(f"trace_bench: {w} exited {r.returncode}")
    bare = statistics.median(times["bare"])
    print(f"send/recv loop, {a.calls} socket calls, median of {a.runs} "
          "rounds")
    print(f"{'how':26} {'wall s':>8} {'us/call':>8} {'x bare':>7}")
    for w, _ in ways:
        m = statistics.median(times[w])
        per = (m - bare) / a.calls * 1e6
        print(f"{w:26} {m:8.3f} {per if w != 'bare' else 0:8.1f} "
              f"{m / bare:7.1f}")


if __name__ == "__main__":
    main()
