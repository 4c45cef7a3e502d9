#!/bin/sh
# Runs the sockstep benchmark (issue 8) and prints its table.
#
#   tests/bench/run.sh [BUILD_DIR] [--runs N] [--commands N] [--quick]
#
# BUILD_DIR (default: build) is a configured build tree; the benchmark's
# C programs are built there first. A Release build is what to measure:
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
# Needs python3 (standard library only). Loopback only; stops by itself.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=build
case ${1:-} in
-*|'') ;;
*) build=$1; shift ;;
esac
cmake --build "$build" --target sockstep bench_empty bench_echo bench_calls \
    >/dev/null
exec python3 "$here/bench.py" "$build" "$@"
