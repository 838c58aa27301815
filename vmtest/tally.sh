#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tally.sh [--quiet] [--expected-skips FILE] PATH...: count the top-level
# results of every TAP file given, or found in a directory given or one
# level below it.  Prints failures and ends with
# 'N passed, N failed[, N skipped]'; exits non-zero on any failure or if
# nothing ran.  --quiet prints only failures.
#
# A file counts as one failure more when its program did not report
# properly:
#  - it printed no plan (it crashed first, or never started: an empty
#    file, a loader error);
#  - its plan does not match what it reported (it died half way);
#  - NAME.exit beside NAME.tap holds a non-zero exit status that its
#    results do not explain: killed, timed out (124), or failing with no
#    failed test.  Exit 4 (kselftest's skip) is fine when all it reported
#    is skips.
# With --expected-skips, a skip that no line of FILE names is a failure:
# each line is 'TAP-NAME|extended regex matching the skip line|why'.
set -u
quiet=0 expected=
while [ $# -gt 0 ]; do
	case "$1" in
	--quiet) quiet=1; shift ;;
	--expected-skips) expected=${2:?--expected-skips needs a file}; shift 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: tally.sh [--quiet] [--expected-skips FILE] PATH..." >&2; exit 2; }
if [ -n "$expected" ] && [ ! -r "$expected" ]; then
	echo "tally: cannot read the expected skips '$expected'" >&2
	exit 2
fi

pass=0 fail=0 skip=0
# Each TAP file as "NAME PATH": a directory's files and those one level
# below it (a run's results may sit in a folder of their own),
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

# Whether a skip line of TAP file NAME is on the expected list.
skip_expected() { # NAME LINE
	local n re why
	while IFS='|' read -r n re why; do
		case "$n" in ''|\#*) continue ;; esac
		[ "$n" = "$1" ] && printf '%s\n' "$2" | grep -qE -- "$re" && return 0
	done < "$expected"
	return 1
}

complain() { echo "not ok: $1"; fail=$((fail + 1)); }

while read -r name f; do
	read -r p x s n plan < <(awk '
		/^ok / { if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) s++; else p++; n++ }
		/^not ok / { if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) s++; else x++; n++ }
		/^1\.\.[0-9]+/ && plan == "" {
			split($0, a, /\.\./); plan = a[2] + 0
			# "1..0 # SKIP why": the whole program skipped.
			if (plan == 0 && $0 ~ /# *[Ss][Kk][Ii][Pp]/) { s++; plan = 1; n++ }
		}
		END { printf "%d %d %d %d %s\n", p, x, s, n, plan == "" ? "none" : plan }' "$f")
	grep -E '^not ok' "$f" | sed "s|^|$name: |"
	fail=$((fail + x))
	if [ "$plan" = none ]; then
		complain "$name printed no TAP plan$(head -c 200 "$f" | head -n 2 | sed -n '1s/^/: /p')"
	elif [ "$plan" -ne "$n" ]; then
		complain "$name planned $plan tests but reported $n"
	fi
	status=$(cat "${f%.tap}.exit" 2>/dev/null || echo 0)
	case "$status" in
	0) ;;
	124) complain "$name timed out" ;;
	4) [ "$p" -eq 0 ] && [ "$x" -eq 0 ] || complain "$name exited 4 (skip) but ran tests" ;;
	*)
		if [ "$status" -gt 128 ] 2>/dev/null; then
			complain "$name was killed by signal $((status - 128))"
		elif [ "$x" -eq 0 ]; then
			complain "$name exited $status though it reported no failure"
		fi
		;;
	esac
	while IFS= read -r line; do
		if [ -n "$expected" ] && ! skip_expected "$name" "$line"; then
			complain "$name: unexpected skip: $line"
			s=$((s - 1))
		elif [ $quiet = 0 ]; then
			echo "$name: $line"
		fi
	done < <(grep -E '^(not )?ok .*# *[Ss][Kk][Ii][Pp]|^1\.\.0 *# *[Ss][Kk][Ii][Pp]' "$f")
	pass=$((pass + p)) skip=$((skip + s))
done < <(tap_files "$@")

[ $quiet = 1 ] && { [ $fail -eq 0 ]; exit; }
line="$pass passed, $fail failed"
[ $skip -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ $fail -eq 0 ] && [ $((pass + skip)) -gt 0 ]
