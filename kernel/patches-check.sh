#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# patches-check.sh PRISTINE PATCHES CONFIGDIR OUT
#
# Review gates for the series, as TAP:
#  - checkpatch.pl --strict on every patch (no error, warning or check);
#  - bisectability: for each prefix 1..k of the series, apply it to a copy
#    of PRISTINE and compile the C files the prefix has touched so far,
#    with the project's configuration.  A full kernel build per patch
#    would take hours here; compiling what changed catches a patch that
#    uses something a later one adds.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pristine=$(cd "${1:?usage: patches-check.sh PRISTINE PATCHES CONFIGDIR OUT}" && pwd)
patches=$(cd "${2:?}" && pwd)
configs=$(cd "${3:?}" && pwd)
out=${4:?}
mkdir -p "$out"
out=$(cd "$out" && pwd)

mapfile -t list < <("$here/series-list.sh" "$patches")
n=${#list[@]}

# The verdict depends only on the patches, the configuration, the base and
# these scripts: a passing run is not repeated for the same inputs.
stamp=$( { cat "$pristine/.debian-version" 2>/dev/null; echo "$pristine";
	   cat "$patches/series" "${list[@]/#/$patches/}" "$configs"/*.config \
	       "$0" "$here/build.sh" "$here/apply-series.sh" "$here/checkpatch.sh" \
	       "$here/config-dropped.sh"; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/passed.stamp" 2>/dev/null)" = "$stamp" ] && [ -f "$out/passed.tap" ]; then
	sed 's/^\(ok .*\)$/\1 (unchanged since it passed)/' "$out/passed.tap"
	exit 0
fi
rm -f "$out/passed.stamp"

# checkpatch, then a build of every prefix, as TAP on stdout.
run_checks() {
	local t=0 files="" k p prefix log objs f q res
	echo "TAP version 13"
	echo "1..$((2 * n))"

	"$here/checkpatch.sh" "$pristine" "$patches" 1
	t=$n

	for k in $(seq 1 "$n"); do
		t=$((t + 1))
		p=${list[$((k - 1))]}
		prefix="$out/series-$k"
		rm -rf "$prefix" && mkdir -p "$prefix"
		for q in "${list[@]:0:$k}"; do ln -s "$patches/$q" "$prefix/$q"; done
		printf '%s\n' "${list[@]:0:$k}" > "$prefix/series"

		# C files the prefix has touched and that still exist after it.
		files=$(printf '%s\n' $files $(sed -n 's|^+++ b/\(.*\.c\)$|\1|p' "$patches/$p") | sort -u)
		log="$out/build-$k.log"
		if ! "$here/apply-series.sh" "$pristine" "$out/linux" "$prefix" > "$log" 2>&1; then
			echo "not ok $t bisect: builds after $p (does not apply)"
			sed 's/^/# /' "$log" | tail -n 20
			continue
		fi
		objs=()
		for f in $files; do
			[ -f "$out/linux/$f" ] && objs+=("${f%.c}.o")
		done
		if "$here/build.sh" "$out/linux" "$out/obj" "$configs" --prefix="$k" "${objs[@]}" >> "$log" 2>&1; then
			echo "ok $t bisect: builds after $p (${objs[*]})"
		else
			echo "not ok $t bisect: builds after $p (${objs[*]})"
			grep -E 'error|warning' "$out/obj/build.log" | head -n 20 | sed 's/^/# /'
		fi
	done
}

run_checks > "$out/last.tap"
cat "$out/last.tap"
if ! grep -q '^not ok' "$out/last.tap"; then
	mv "$out/last.tap" "$out/passed.tap"
	echo "$stamp" > "$out/passed.stamp"
fi
