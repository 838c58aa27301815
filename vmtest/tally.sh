#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tally.sh [--quiet] PATH...: count the top-level results of every TAP
# file given, or found in a directory given or one level below it.  A
# file whose plan does not match what it reported (a test that died half
# way) counts as one failure.  Prints failures and ends with 'N passed, N failed[, N skipped]'; exits non-zero on any
# failure or if nothing ran.  --quiet prints only failures.
set -u
quiet=0
if [ "${1:-}" = --quiet ]; then quiet=1; shift; fi
[ $# -gt 0 ] || { echo "usage: tally.sh [--quiet] PATH..." >&2; exit 2; }

pass=0 fail=0 skip=0
# Each TAP file as "NAME PATH": a directory's files and those one level
# below it (make check's results hold the sanitizer run's in sanitize/),
# named by their path from the directory.
tap_files() {
	local p f
	for p in "$@"; do
		if [ -d "$p" ]; then
			for f in "$p"/*.tap "$p"/*/*.tap; do
				[ -e "$f" ] && f=${f%.tap} && echo "${f#"$p"/} $f.tap"
			done
		elif [ -e "$p" ]; then
			echo "$(basename "$p" .tap) $p"
		fi
	done
}

while read -r name f; do
	read -r p x s n plan < <(awk '
		/^ok / { if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) s++; else p++; n++ }
		/^not ok / { if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) s++; else x++; n++ }
		/^1\.\.[0-9]+/ { split($0, a, /\.\./); plan = a[2] + 0 }
		END { printf "%d %d %d %d %d\n", p, x, s, n, plan }' "$f")
	if [ "$plan" -ne "$n" ]; then
		echo "not ok: $name planned $plan tests but reported $n"
		x=$((x + 1))
	fi
	grep -E '^not ok' "$f" | sed "s|^|$name: |"
	grep -E '^ok .*# *[Ss][Kk][Ii][Pp]' "$f" | sed "s|^|$name: |" | { [ $quiet = 1 ] && cat >/dev/null || cat; }
	pass=$((pass + p)) fail=$((fail + x)) skip=$((skip + s))
done < <(tap_files "$@")

[ $quiet = 1 ] && { [ $fail -eq 0 ]; exit; }
line="$pass passed, $fail failed"
[ $skip -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ $fail -eq 0 ] && [ $((pass + skip)) -gt 0 ]
