#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The parts of the README that follow the series cannot drift from it:
# its series table names every patch of patches/series with its subject,
# in order, and its list of trace events is exactly the events the
# patches define.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/tap.sh"
readme=$top/README.md

plan 2

# "NNNN subject" for each patch of the series, and for each README row.
want=$("$top/kernel/series-list.sh" "$top/patches" | while read -r p; do
	# The header may be folded over several lines.
	subject=$(awk '/^Subject: / { s = $0; getline; while ($0 ~ /^[ \t]/) { s = s $0; getline }
				      print s; exit }' "$top/patches/$p" |
		  sed -e 's/^Subject: \[PATCH[^]]*\] //' -e 's/[ \t]\+/ /g')
	echo "${p%%-*} $subject"
done)
have=$(sed -n 's/^| \([0-9]\{4\}\) | \([^|]*[^ |]\) *|.*/\1 \2/p' "$readme")
if [ -n "$want" ] && [ "$want" = "$have" ]; then
	pass "the README's series table is patches/series, subjects and all"
else
	fail "the README's series table is patches/series, subjects and all" \
		"$(diff <(echo "$want") <(echo "$have") | head -n 20)"
fi

# system:event for every TRACE_EVENT and DEFINE_EVENT the patches add.
want=$(cat "$top"/patches/[0-9]*.patch | awk '
	/^\+\+\+ b\// { file = $2; sys = "" }
	file ~ /include\/trace\/events\// {
		if ($0 ~ /^\+#define TRACE_SYSTEM /) sys = $3
		if ($0 ~ /^\+TRACE_EVENT\(/) { sub(/^\+TRACE_EVENT\(/, ""); sub(/,.*/, ""); print sys ":" $0 }
		if (def) { sub(/^\+[ \t]*/, ""); sub(/,.*/, ""); print sys ":" $0; def = 0 }
		if ($0 ~ /^\+DEFINE_EVENT\(/) def = 1
	}' | sort -u)
have=$(awk '/^## Tracepoints/ { t = 1 } t && /^```$/ { if (b) exit; b = 1; next } b' "$readme" |
	tr -s ' ' '\n' | sed '/^$/d' | sort -u)
if [ -n "$want" ] && [ "$want" = "$have" ]; then
	pass "the README lists exactly the $(echo "$want" | wc -l) trace events the patches define"
else
	fail "the README lists exactly the trace events the patches define" \
		"$(diff <(echo "$want") <(echo "$have") | head -n 20)"
fi
