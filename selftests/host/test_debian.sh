#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zpooltop's Debian package builds as a packager builds it, with
# dpkg-buildpackage and dpkg-buildflags' hardening, from a copy of what
# debian/rules needs (so that nothing is written beside the checkout),
# and holds the tool, its man page and the bpftrace scripts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/tap.sh"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

plan 6

src=$scratch/zpooltop
mkdir -p "$src/scripts"
cp -a "$top/debian" "$top/bpf" "$top/tools" "$top/LICENSE" "$src/"
cp -a "$top/scripts/quiet.mk" "$src/scripts/"
# Without the calling make's flags: 'make -s host-test' would silence the
# package's build, and with it the compiler lines checked below.
if (cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b) \
	> "$scratch/log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b builds zpooltop"
else
	fail "dpkg-buildpackage -us -uc -b builds zpooltop" "$(tail -n 30 "$scratch/log")"
fi

deb=$(ls "$scratch"/zpooltop_*.deb 2>/dev/null | head -n 1)
root=$scratch/root
if [ -n "$deb" ] && dpkg-deb -x "$deb" "$root"; then
	pass "the package unpacks ($(basename "$deb"))"
else
	fail "the package unpacks" "no zpooltop_*.deb in $scratch: $(ls "$scratch")"
fi

bad=0
for f in usr/sbin/zpooltop usr/share/man/man8/zpooltop.8.gz; do
	[ -e "$root/$f" ] || { bad=1; echo "# missing: /$f"; }
done
for bt in "$top"/tools/bpftrace/*.bt; do
	f=$root/usr/share/zpooltop/bpftrace/$(basename "$bt")
	{ [ -x "$f" ] && cmp -s "$bt" "$f"; } || { bad=1; echo "# missing or different: $f"; }
done
check "it holds zpooltop, zpooltop(8) and the bpftrace scripts" [ $bad = 0 ]

# The package's version is the tool's.
pkg_version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
tool_version=$("$root/usr/sbin/zpooltop" --version 2>&1 | head -n 1)
if [[ "$tool_version" = "zpooltop $pkg_version "* ]]; then
	pass "zpooltop --version names the package's version ($pkg_version)"
else
	fail "zpooltop --version names the package's version ($pkg_version)" "$tool_version"
fi

# dpkg-buildflags' hardening reached the compiler and the linker.
check "the binary is a PIE linked with -z now (dpkg-buildflags' LDFLAGS)" \
	eval 'readelf -h "$root/usr/sbin/zpooltop" | grep -q "DYN" &&
	      readelf -d "$root/usr/sbin/zpooltop" | grep -q BIND_NOW'
check "it was compiled with _FORTIFY_SOURCE (dpkg-buildflags' CPPFLAGS)" \
	eval 'grep -q -- "-D_FORTIFY_SOURCE=2" "$scratch/log"'
