#!/usr/bin/env python3
"""bash and zsh complete sockstep's command line: options, --color's
values, lesson names after --play/--check, and files.

bash: the completion function is called as bash-completion calls it, with
and without bash-completion's helpers loaded. zsh: an interactive zsh on a
pseudo-terminal, with the completion in $fpath and compinit run, is sent
"sockstep --pl<Tab>" and the like, and what it writes is read.

usage: completion.py SOCKSTEP SOURCE_DIR. Exits 0, 1 on failure, 77
without bash (zsh is skipped, and said so, when missing).
"""
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

FAILS = []


def check(what, ok, got):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILS.append(what)
        print("     got: %r" % (got,))


def bash_complete(script, exe, words, helpers, cwd):
    """COMPREPLY of _sockstep for the words, the last being completed."""
    pre = "source /usr/share/bash-completion/bash_completion\n" \
        if helpers else ""
    arr = " ".join("'%s'" % w for w in [exe] + words)
    prog = pre + """source '%s'
COMP_WORDS=(%s); COMP_CWORD=%d
COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
_sockstep sockstep "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%%s\\n' "${COMPREPLY[@]}"
""" % (script, arr, len(words))
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog],
                         capture_output=True, text=True, timeout=30, cwd=cwd)
    return out.stdout.split()


def test_bash(exe, src, tmp):
    script = os.path.join(src, "src", "completion", "sockstep.bash")
    helpers = [False]
    if os.path.exists("/usr/share/bash-completion/bash_completion"):
        helpers.append(True)
    else:
        print("bash-completion is missing: its helpers not tried")
    for h in helpers:
        tag = "bash%s: " % (" (bash-completion)" if h else "")
        got = bash_complete(script, exe, ["--pl"], h, tmp)
        check(tag + "--pl completes to --play", got == ["--play"], got)
        got = bash_complete(script, exe, ["--ch"], h, tmp)
        check(tag + "--ch completes to --check", got == ["--check"], got)
        got = bash_complete(script, exe, ["--color", ""], h, tmp)
        check(tag + "--color offers auto always never",
              sorted(got) == ["always", "auto", "never"], got)
        got = bash_complete(script, exe, ["--check", "half"], h, tmp)
        check(tag + "--check half completes the lesson half-close",
              got == ["half-close"], got)
        got = bash_complete(script, exe, ["--play", "echo-"], h, tmp)
        check(tag + "--play echo- offers both echo halves",
              sorted(got) == ["echo-client", "echo-server"], got)
        got = bash_complete(script, exe, ["--play", "my"], h, tmp)
        check(tag + "--play my offers the lesson file in the folder",
              got == ["my.lesson"], got)
        got = bash_complete(script, exe, ["scr"], h, tmp)
        check(tag + "a FILE completes to a file", got == ["script.txt"], got)


def zsh_complete(env, line, tmp):
    """What an interactive zsh writes after line and a Tab."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(tmp)
        os.execve(shutil.which("zsh"), ["zsh", "-f", "-i"], env)
    out = b""

    def read_for(secs):
        nonlocal out
        end = time.monotonic() + secs
        while time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return
                if not data:
                    return
                out += data
    try:
        os.write(fd, b"fpath=(%s $fpath); autoload -U compinit; "
                 b"compinit -u -D; PS1='>'; "
                 b"zstyle ':completion:*' list-separator ''\n"
                 % env["COMPDIR"].encode())
        read_for(2)
        out = b""
        os.write(fd, line.encode() + b"\t")
        read_for(3)
        os.write(fd, b"\x03exit\n")
        read_for(1)
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return out.decode("utf-8", "replace")


def test_zsh(exe, src, tmp):
    if shutil.which("zsh") is None:
        print("zsh is missing: zsh completion not tested")
        return
    env = {"PATH": os.path.dirname(exe) + ":/usr/bin:/bin", "HOME": tmp,
           "TERM": "dumb", "SOCKSTEP_LESSONS": os.path.join(src, "lessons"),
           "COMPDIR": os.path.join(src, "src", "completion")}
    got = zsh_complete(env, "sockstep --pl", tmp)
    check("zsh: --pl completes to --play", "sockstep --play" in got, got)
    got = zsh_complete(env, "sockstep --color=", tmp)
    check("zsh: --color= offers auto always never",
          all(w in got for w in ("auto", "always", "never")), got)
    got = zsh_complete(env, "sockstep --check half", tmp)
    check("zsh: --check half completes the lesson half-close",
          "half-close" in got, got)
    got = zsh_complete(env, "sockstep --play echo-", tmp)
    check("zsh: --play echo- lists both echo halves",
          "echo-client" in got and "echo-server" in got, got)
    got = zsh_complete(env, "sockstep scr", tmp)
    check("zsh: a FILE completes to a file", "script.txt" in got, got)


def main():
    exe, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if shutil.which("bash") is None:
        print("SKIP: bash is missing")
        return 77
    os.environ["SOCKSTEP_LESSONS"] = os.path.join(src, "lessons")
    with tempfile.TemporaryDirectory(prefix="sockstep-compl-") as tmp:
        for name in ("my.lesson", "script.txt"):
            open(os.path.join(tmp, name), "w").close()
        test_bash(exe, src, tmp)
        test_zsh(exe, src, tmp)
    print("%d failures" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
