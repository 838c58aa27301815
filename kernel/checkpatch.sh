#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.sh TREE PATCHES [FIRST]: checkpatch.pl --strict from TREE on
# every patch of the series in PATCHES, one TAP result each, numbered
# from FIRST (1 unless given; the caller prints the plan).  A patch
# passes only if checkpatch ran, exited 0 and reported nothing: a
# checkpatch that cannot run fails every patch instead of passing it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree=$(cd "${1:?usage: checkpatch.sh TREE PATCHES [FIRST]}" && pwd)
patches=$(cd "${2:?usage: checkpatch.sh TREE PATCHES [FIRST]}" && pwd)
t=$((${3:-1} - 1))

while read -r p; do
	t=$((t + 1))
	res=$(cd / && perl "$tree/scripts/checkpatch.pl" --strict --no-tree --terse "$patches/$p" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && ! grep -qE 'ERROR|WARNING|CHECK' <<< "$res"; then
		echo "ok $t checkpatch --strict $p"
	else
		echo "not ok $t checkpatch --strict $p"
		[ $rc -eq 0 ] || echo "# checkpatch exited $rc"
		head -n 40 <<< "$res" | sed 's/^/# /'
	fi
done < <("$here/series-list.sh" "$patches")
