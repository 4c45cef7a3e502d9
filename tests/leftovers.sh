#!/bin/sh
# Run at the end of a CI run (issue 7, item 6): fails when the test suite
# left something behind: a sockstep process still running, a temporary
# file or folder /tmp/sockstep-* (or $TMPDIR/sockstep-*), or a listening
# socket that belongs to a sockstep process. What is found is printed.
# A process killed by a test's timeout may take a moment to go, so a first
# finding is looked at again after 2 s. Exit 0 when nothing is left, 1
# otherwise. Reads /proc and, when there, ss(8).

tmp=${TMPDIR:-/tmp}

# scan: prints what is left; returns 0 when nothing is, 1 otherwise.
scan() {
	status=0

	# sockstep processes: by the executable's name (comm) or argv[0].
	pids=
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" = "$$" ] && continue
		comm=$(cat "$d/comm" 2>/dev/null) || continue
		arg0=$(tr '\0' '\n' <"$d/cmdline" 2>/dev/null | head -n 1)
		case "$comm:${arg0##*/}" in
		sockstep:* | *:sockstep)
			pids="$pids $pid"
			echo "leftovers: sockstep process $pid still runs:" \
			    "$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)"
			status=1
			;;
		esac
	done

	# Temporary files and folders the tests make.
	dirs=/tmp
	[ "$tmp" != /tmp ] && dirs="$dirs $tmp"
	for dir in $dirs; do
		for f in "$dir"/sockstep-*; do
			[ -e "$f" ] || continue
			echo "leftovers: temporary file or folder $f remains"
			status=1
		done
	done

	# Listening sockets of sockstep processes: ss -ltnp names the
	# process; /proc/net/tcp* (state 0A, inode in field 10) covers the
	# sockets of the processes found above when ss is missing.
	if command -v ss >/dev/null 2>&1; then
		found=$(ss -ltnp 2>/dev/null | grep '"sockstep"')
		if [ -n "$found" ]; then
			echo "leftovers: sockstep sockets still listen:"
			echo "$found"
			status=1
		fi
	fi
	for pid in $pids; do
		for fd in /proc/"$pid"/fd/*; do
			link=$(readlink "$fd" 2>/dev/null) || continue
			case "$link" in
			socket:*) ;;
			*) continue ;;
			esac
			ino=${link#socket:[}
			ino=${ino%]}
			if awk -v ino="$ino" '$4 == "0A" && $10 == ino { f = 1 }
			    END { exit !f }' /proc/net/tcp /proc/net/tcp6 \
			    2>/dev/null; then
				echo "leftovers: process $pid listens" \
				    "(socket inode $ino)"
				status=1
			fi
		done
	done
	return $status
}

if scan >/dev/null; then
	echo "leftovers: nothing left behind"
	exit 0
fi
sleep 2
if scan; then
	echo "leftovers: nothing left behind"
	exit 0
fi
exit 1
