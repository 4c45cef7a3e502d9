#!/bin/sh
# The Debian package, as a maintainer checks it (issue 19): configured for
# /usr with dpkg-buildflags' hardening flags and -DBUILD_TESTING=OFF (no
# test registered, cmocka never looked for), built and packed with cpack;
# lintian --pedantic reports no error and no warning; the binary holds no
# path of the source or build tree; a second build from another folder
# makes the same binary. With --install (as root, .ci/run): the package
# installs, runs a lesson from /, shows both man pages and is removed
# cleanly.
#
# usage: package.sh SOURCE_DIR [--install]. Exits 0, 1 on failure, 77
# without cmake, cpack, dpkg-buildflags, dpkg-deb or lintian.
set -eu
src=$(cd "$1" && pwd)
install=${2:-}
for tool in cmake cpack dpkg-buildflags dpkg-deb lintian; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is missing"
		exit 77
	fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/sockstep-package-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

# build DIR: configures and packs the package in DIR; prints the .deb.
build() {
	(
		cd "$src"
		eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
		# CMake reads CFLAGS and LDFLAGS, not CPPFLAGS (_FORTIFY_SOURCE).
		CFLAGS="$CPPFLAGS $CFLAGS" cmake -S "$src" -B "$1" \
		    -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=None \
		    -DBUILD_TESTING=OFF >"$1.log" 2>&1
		cmake --build "$1" -j2 >>"$1.log" 2>&1
		cd "$1" && cpack -G DEB >>"$1.log" 2>&1
	) || { cat "$1.log"; fail "the package build in $1 failed"; }
	ls "$1"/sockstep_*.deb
}

deb=$(build "$work/first")
grep -qE "^(cmocka_DIR|sockstep_cmocka)" "$work/first/CMakeCache.txt" &&
    fail "BUILD_TESTING=OFF still looked for cmocka"
tests=$(cd "$work/first" && ctest -N | sed -n 's/^Total Tests: //p')
[ "${tests:-0}" = 0 ] || fail "BUILD_TESTING=OFF registered $tests tests"
echo "built $(basename "$deb"), no test registered, cmocka not looked for"

lintian --pedantic -E -I --tag-display-limit 0 "$deb" >"$work/lintian" 2>&1 || true
cat "$work/lintian"
grep -q '^[EW]: ' "$work/lintian" && fail "lintian reports errors or warnings"
echo "lintian: no error, no warning"

mkdir "$work/x"
dpkg-deb -x "$deb" "$work/x"
for f in usr/bin/sockstep usr/share/man/man1/sockstep.1.gz \
    usr/share/man/man5/sockstep-lesson.5.gz \
    usr/share/bash-completion/completions/sockstep \
    usr/share/zsh/vendor-completions/_sockstep \
    usr/share/doc/sockstep/copyright \
    usr/share/doc/sockstep/changelog.Debian.gz \
    usr/share/sockstep/lessons/echo.lesson; do
	[ -f "$work/x/$f" ] || fail "not in the package: /$f"
done
strings "$work/x/usr/bin/sockstep" >"$work/strings"
if grep -n -e "$src" -e "$work" -e /usr/local "$work/strings"; then
	fail "the binary names a path of the source or build tree or /usr/local"
fi
grep -qx /usr/share/sockstep "$work/strings" ||
    fail "the binary does not name /usr/share/sockstep"
gzip -dc "$work/x/usr/share/man/man1/sockstep.1.gz" | grep -q /usr/local &&
    fail "the man page names /usr/local"
echo "no build path and no /usr/local in the binary or the man page"

deb2=$(build "$work/other-folder")
mkdir "$work/y"
dpkg-deb -x "$deb2" "$work/y"
cmp "$work/x/usr/bin/sockstep" "$work/y/usr/bin/sockstep" ||
    fail "two builds from different folders differ"
echo "two builds from different folders: the same binary"

if [ "$install" = --install ]; then
	[ "$(id -u)" = 0 ] || fail "--install needs root"
	dpkg -i "$deb" >/dev/null
	(cd / && sockstep --check refused half-close) | tail -n 1
	man -w sockstep >/dev/null && man -w sockstep-lesson >/dev/null ||
	    fail "man finds no page"
	man sockstep 2>/dev/null | grep -q "interactive teaching shell" ||
	    fail "man sockstep"
	man 5 sockstep-lesson 2>/dev/null | grep -q "format of sockstep lesson" ||
	    fail "man 5 sockstep-lesson"
	dpkg -r sockstep >/dev/null
	dpkg -L sockstep >/dev/null 2>&1 && fail "sockstep still listed"
	[ ! -e /usr/bin/sockstep ] && [ ! -e /usr/share/sockstep ] ||
	    fail "files left after dpkg -r"
	echo "installed, ran from /, both man pages, removed cleanly"
fi
echo "PASS"
