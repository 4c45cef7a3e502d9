#!/usr/bin/env python3
"""Records a session piped into the shell with `record FILE` first, then
checks that `sockstep --check FILE` passes and that the file holds an
expectation for every call.

usage: record_replay.py SOCKSTEP"""
import os
import subprocess
import sys
import tempfile

SESSION = """record {path}
socket srv
bind srv 127.0.0.1 0
listen srv
socket cli
connect cli srv
accept srv conn
sendall cli b'Hello, world'
recv conn 1024
shutdown cli SHUT_WR
recv conn 1024
sendall conn "bye"
recv cli 5
socket nobody
bind nobody 127.0.0.1 0
socket x
connect x nobody
close x
close nobody
close cli
close conn
close srv
"""
CALLS = 20


def main():
    sockstep = sys.argv[1]
    d = tempfile.mkdtemp(prefix="sockstep-record-")
    path = os.path.join(d, "session.lesson")
    try:
        p = subprocess.run([sockstep], input=SESSION.format(path=path).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        if p.returncode != 0:
            print("recording session failed:", p.returncode,
                  p.stderr.decode(errors="replace"))
            return 1
        with open(path) as f:
            text = f.read()
        print(text)
        expectations = [ln for ln in text.splitlines()
                        if " = " in ln and not ln.startswith(("#", ">"))]
        if len(expectations) < CALLS:
            print("only %d of %d calls have an expectation" %
                  (len(expectations), CALLS))
            return 1
        for _ in range(2):
            c = subprocess.run([sockstep, "--check", path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, timeout=30)
            out = c.stdout.decode(errors="replace")
            print(out, c.stderr.decode(errors="replace"))
            if c.returncode != 0 or " 0 failed" not in out:
                print("replay failed")
                return 1
    finally:
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
