#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-log-check.sh [--no-kmemleak] CONSOLE RESULTS: TAP verdict on the
# guest's kernel log.  It reads the whole console, which has every message the kernel
# printed (the ring buffer that dmesg reads is overrun by some tests), and
# RESULTS/dmesg.log, which the guest saves at the end of the run with the
# messages below the console's log level.  --no-kmemleak is for a guest
# booted with kmemleak off: the verdict then has no leak check.
set -u
kmemleak_check=1
if [ "${1:-}" = --no-kmemleak ]; then
	kmemleak_check=0
	shift
fi
console=${1:?usage: kernel-log-check.sh [--no-kmemleak] CONSOLE RESULTS}
results=${2:?usage: kernel-log-check.sh [--no-kmemleak] CONSOLE RESULTS}
logs=("$console")
[ -s "$results/dmesg.log" ] && logs+=("$results/dmesg.log")

# What a reviewer would call a bad run: WARN*, BUG* (KASAN reports and
# soft lockups among them), oops, lockdep reports, RCU stalls, hung
# tasks, list corruption, panics.  KUnit prints its own failures as TAP.
pattern='WARNING:|BUG:|Oops|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task .* blocked for more than|detected stalls on CPUs/tasks|self-detected stall on CPU|detected stalls on tasks|Kernel panic|kernel BUG at|list_add corruption|list_del corruption|UBSAN:'
# A leak is the series' if its allocation's backtrace passes through it.
series_code='zpool|zswap|zbud|zs_|zsmalloc|gcma'

echo "TAP version 13"
echo "1..$((2 + kmemleak_check))"
if [ -f "$results/guest-done" ]; then
	echo "ok 1 guest ran to the end"
else
	echo "not ok 1 guest ran to the end # see $console"
fi
bad=$(cat "${logs[@]}" 2>/dev/null | grep -aE "$pattern" | head -n 20)
if [ -z "$bad" ]; then
	echo "ok 2 kernel log has no warning, BUG, oops, lockdep report or panic"
else
	echo "not ok 2 kernel log has no warning, BUG, oops, lockdep report or panic"
	echo "$bad" | sed 's/^/# /'
fi
leaks=$results/kmemleak.log
if [ "$kmemleak_check" = 0 ]; then
	:
elif [ ! -f "$leaks" ]; then
	echo "ok 3 kmemleak finds no leak from the series # SKIP kernel without kmemleak"
else
	# The reports whose backtrace has a frame in the series, whole.  A
	# frame is a line below "backtrace", "    symbol+off/size [module]"
	# (7.2), or with an address before it "    [<hex>] symbol..." (older).
	ours=$(awk -v re="$series_code" '
		/^unreferenced object/ { if (hit) print r; r = ""; hit = 0; bt = 0 }
		{ r = r $0 "\\n" }
		/^  backtrace/ { bt = 1; next }
		bt && /^    / && $0 ~ re { hit = 1 }
		END { if (hit) print r }' "$leaks")
	all=$(grep -c '^unreferenced object' "$leaks")
	if [ -z "$ours" ]; then
		echo "ok 3 kmemleak finds no leak from the series ($all unreferenced objects elsewhere)"
	else
		echo "not ok 3 kmemleak finds no leak from the series"
		printf '%b' "$ours" | head -n 40 | sed 's/^/# /'
	fi
fi

