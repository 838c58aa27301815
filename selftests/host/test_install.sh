#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zpooltop builds and installs on its own: `make install` with a fresh
# build directory and no kernel tree, under DESTDIR, with the default
# PREFIX and another one.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/tap.sh"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

plan 10

# Nothing of the kernel's steps (source, patch, build) is on the way.
if make -n -C "$top" install BUILD="$scratch/build" 2>&1 |
	grep -E 'fetch-source|apply-series|kernel/build.sh|check-tree' > "$scratch/kernel"; then
	fail "make install needs no kernel tree" "$(cat "$scratch/kernel")"
else
	pass "make install needs no kernel tree"
fi

dest=$scratch/root
if make -s -C "$top" install BUILD="$scratch/build" DESTDIR="$dest" > "$scratch/log" 2>&1; then
	pass "make install DESTDIR=... builds and installs from a fresh build directory"
else
	fail "make install DESTDIR=... builds and installs from a fresh build directory" "$(cat "$scratch/log")"
fi
p=$dest/usr/local
check "zpooltop in \$(PREFIX)/sbin (PREFIX=/usr/local), and it runs" \
	eval '[ -x "$p/sbin/zpooltop" ] && "$p/sbin/zpooltop" --version | grep -q "^zpooltop [0-9]"'
check "zpooltop.8 in \$(PREFIX)/share/man/man8" \
	cmp -s "$top/tools/zpooltop/zpooltop.8" "$p/share/man/man8/zpooltop.8"
bad=0
for bt in "$top"/tools/bpftrace/*.bt; do
	f=$p/share/zpooltop/bpftrace/$(basename "$bt")
	{ [ -x "$f" ] && cmp -s "$bt" "$f"; } || { bad=1; echo "# missing or different: $f"; }
done
check "the bpftrace scripts in \$(PREFIX)/share/zpooltop/bpftrace" [ $bad = 0 ]

make -s -C "$top" install BUILD="$scratch/build" DESTDIR="$dest" PREFIX=/usr > "$scratch/log" 2>&1
check "PREFIX=/usr puts them under /usr" \
	eval '[ -x "$dest/usr/sbin/zpooltop" ] && [ -f "$dest/usr/share/man/man8/zpooltop.8" ] &&
	      [ -d "$dest/usr/share/zpooltop/bpftrace" ]'

make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/usr > "$scratch/log" 2>&1
check "make uninstall removes what make install put under PREFIX=/usr" \
	eval '[ ! -e "$dest/usr/sbin/zpooltop" ] && [ ! -e "$dest/usr/share/man/man8/zpooltop.8" ] &&
	      [ ! -e "$dest/usr/share/zpooltop" ] && [ -x "$p/sbin/zpooltop" ]'

# A packager's flags: CFLAGS replaces the optimisation, not the include
# paths; LDFLAGS reach the link (-z now shows as BIND_NOW).
out=$scratch/pkg
if make -s -C "$top/tools/zpooltop" OUT="$out" BPF_OUT="$scratch/build/bpf" \
	CFLAGS="-O1 -g" LDFLAGS="-Wl,-z,now" > "$scratch/log" 2>&1; then
	pass "make zpooltop CFLAGS=\"-O1 -g\" builds"
else
	fail "make zpooltop CFLAGS=\"-O1 -g\" builds" "$(cat "$scratch/log")"
fi
check "LDFLAGS reach the link line (BIND_NOW)" \
	eval 'readelf -d "$out/zpooltop" 2>/dev/null | grep -q BIND_NOW'

# The tool's own Makefile stands alone: it builds the skeleton it needs.
if make -s -C "$top/tools/zpooltop" OUT="$scratch/alone" BPF_OUT="$scratch/alone-bpf" \
	> "$scratch/log" 2>&1 && [ -x "$scratch/alone/zpooltop" ]; then
	pass "make -C tools/zpooltop builds from nothing, the BPF skeleton included"
else
	fail "make -C tools/zpooltop builds from nothing, the BPF skeleton included" "$(cat "$scratch/log")"
fi
