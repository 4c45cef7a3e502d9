#!/bin/sh
# sockstep(1) and sockstep-lesson(5) lint clean: mandoc -T lint reports
# nothing at warning level or above, groff -ww no warning.
# usage: manlint.sh SOURCE_DIR. Exits 0, 1 on a finding, 77 without mandoc.
set -u
command -v mandoc >/dev/null || { echo "SKIP: mandoc is missing"; exit 77; }
rc=0
for page in "$1/src/sockstep.1" "$1/src/sockstep-lesson.5"; do
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	[ -z "$out" ] || { echo "$out"; rc=1; }
	if command -v groff >/dev/null; then
		out=$(groff -mdoc -ww -z -Tutf8 "$page" 2>&1)
		[ -z "$out" ] || { echo "$page: groff: $out"; rc=1; }
	fi
	grep -q '^\.Xr sockstep-lesson 5' "$1/src/sockstep.1" ||
	    { echo "sockstep(1) does not name sockstep-lesson(5)"; rc=1; }
done
[ $rc = 0 ] && echo "PASS: both man pages lint clean"
exit $rc
