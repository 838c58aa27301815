#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-matrix.sh TREE PATCHES MATRIXDIR OUT: compile the files the series
# in PATCHES touches, in TREE (the source with the series applied), on
# the configurations a kernel robot builds, as TAP on stdout.
#
# Each line of MATRIXDIR/variants is "NAME ARCH DEFCONFIG [FRAGMENT...]":
# the architecture's defconfig, MATRIXDIR/series.config (the series on)
# and the variant's fragments, later ones winning.  For each variant the
# C files of the patched TREE that the series touches and that the
# configuration builds are compiled with no error and no warning; the
# files the series creates are also compiled with W=1 and checked with
# sparse on the first variant.  An option a fragment asks for that
# Kconfig dropped fails the variant, so that it never tests less than
# its name says.  One object directory per architecture, under OUT, is
# reused from variant to variant (and ccache across runs), so a variant
# compiles only what its options change.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: build-matrix.sh TREE PATCHES MATRIXDIR OUT"
tree=$(cd "${1:?$usage}" && pwd)
patches=$(cd "${2:?$usage}" && pwd)
matrix=$(cd "${3:?$usage}" && pwd)
out=${4:?$usage}
mkdir -p "$out"
out=$(cd "$out" && pwd)

cross_arm64=${CROSS_COMPILE_ARM64:-aarch64-linux-gnu-}

# C files the series touches, and those it creates.
mapfile -t list < <("$here/series-list.sh" "$patches" | sed "s|^|$patches/|")
touched=$(sed -n 's|^+++ b/\(.*\.c\)$|\1|p' "${list[@]}" | sort -u)
created=$(awk '/^--- \/dev\/null/ { getline; if ($0 ~ /^\+\+\+ b\/.*\.c$/) print substr($0, 7) }' \
	"${list[@]}" | sort -u)
if [ -z "$touched" ]; then
	echo "error: the series in $patches touches no C file" >&2
	exit 1
fi

# The Kconfig symbol that builds FILE (dir/name.c), from its directory's
# Makefile or its parent's: "y" for obj-y, "" if none is found.
builder() {
	local f=$1 dir base mk sym
	dir=$(dirname "$f") base=$(basename "$f" .c)
	for mk in "$tree/$dir/Makefile" "$tree/$(dirname "$dir")/Makefile"; do
		[ -f "$mk" ] || continue
		sym=$(grep -E "(^|[[:space:]/])(${dir##*/}/)?$base\.o([[:space:]]|\\\\|$)" "$mk" |
		      sed -n -e 's/^obj-\$(CONFIG_\([A-Z0-9_]*\)).*/\1/p' -e 's/^obj-y.*/y/p' \
			     -e 's/^[a-z0-9_-]*-y[[:space:]].*/y/p' | head -n 1)
		[ -n "$sym" ] && { echo "$sym"; return; }
	done
}

kmake() { # ARCH OBJ ARGS...
	local arch=$1 obj=$2 cc=gcc cross=
	shift 2
	[ "$arch" = arm64 ] && cross=$cross_arm64
	command -v ccache > /dev/null && cc="ccache ${cross}gcc" || cc="${cross}gcc"
	# Depend mode, as kernel/build.sh says why.
	CCACHE_BASEDIR=$out CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G} CCACHE_DEPEND=1 \
		make -C "$tree" O="$obj" ARCH="$arch" ${cross:+CROSS_COMPILE=$cross} CC="$cc" \
		-j"$(nproc)" "$@"
}

variants=()
while read -r line; do
	case "$line" in ''|\#*) continue ;; esac
	variants+=("$line")
done < "$matrix/variants"

echo "TAP version 13"
echo "1..$((${#variants[@]} + 1))"
t=0 first=1
for v in "${variants[@]}"; do
	read -r name arch defconfig frags <<< "$v"
	t=$((t + 1))
	start=$(date +%s)
	obj=$out/$arch
	log=$out/$name.log
	mkdir -p "$obj"
	fragments=("$matrix/series.config")
	for f in $frags; do fragments+=("$matrix/$f"); done
	: > "$log"
	if ! { kmake "$arch" "$obj" "$defconfig" &&
	       "$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}" &&
	       kmake "$arch" "$obj" olddefconfig; } >> "$log" 2>&1; then
		echo "not ok $t $name: configure"
		tail -n 20 "$log" | sed 's/^/# /'
		continue
	fi
	# The variant's own fragments must all hold; series.config's options
	# too, unless the variant turns one off (which takes others along).
	strict=()
	case " $frags" in *" no-"*) ;; *) strict=("$matrix/series.config") ;; esac
	strict+=("${fragments[@]:1}")
	lost=$([ ${#strict[@]} -eq 0 ] || "$here/config-dropped.sh" "$obj/.config" "${strict[@]}")
	if [ -n "$lost" ]; then
		echo "not ok $t $name: Kconfig kept every option asked for"
		echo "$lost" | sed 's/^/# /'
		continue
	fi
	objs=()
	srcarch=$arch
	[ "$arch" = i386 ] && srcarch=x86
	for f in $touched; do
		[ -f "$tree/$f" ] || continue
		# Another architecture's file is not this configuration's.
		case "$f" in arch/"$srcarch"/*) ;; arch/*) continue ;; esac
		sym=$(builder "$f")
		case "$sym" in
		y) ;;
		"") continue ;;
		*) grep -qE "^CONFIG_$sym=[ym]" "$obj/.config" || continue ;;
		esac
		objs+=("${f%.c}.o")
	done
	kmake "$arch" "$obj" "${objs[@]}" >> "$log" 2>&1
	rc=$?
	grep -E 'warning:|error:' "$log" > "$log.bad"
	# 32-bit: a 64-bit division the compiler left to libgcc links in no
	# kernel (div_u64() and friends are the way).
	if [ $rc -eq 0 ] && grep -q '^CONFIG_64BIT=y' "$obj/.config"; then :
	elif [ $rc -eq 0 ]; then
		for o in "${objs[@]}"; do
			nm -u "$obj/$o" 2>/dev/null | grep -wE '__(u?div|u?mod)di3' | sed "s|^|$o: 64-bit division: |"
		done >> "$log.bad"
	fi
	if [ $rc -eq 0 ] && [ ! -s "$log.bad" ]; then
		echo "ok $t $name: ${#objs[@]} files, no warning ($(($(date +%s) - start)) s)"
	else
		echo "not ok $t $name: ${#objs[@]} files, no warning"
		{ cat "$log.bad"; tail -n 5 "$log"; } | head -n 30 | sed 's/^/# /'
	fi
	rm -f "$log.bad"
	"$here/../vmtest/step-time.sh" "build matrix: $name" "$start"

	# The files the series creates, with W=1 and sparse, once.
	if [ $first = 1 ]; then
		first=0
		start=$(date +%s)
		new=()
		for f in $created; do
			for o in "${objs[@]}"; do [ "$o" = "${f%.c}.o" ] && new+=("$o"); done
		done
		# C=2 runs sparse on each object asked for, even if up to date.
		t=$((t + 1))
		if kmake "$arch" "$obj" W=1 C=2 "${new[@]}" > "$out/w1-sparse.log" 2>&1 &&
		   ! grep -E 'warning:|error:' "$out/w1-sparse.log" > "$out/w1.bad"; then
			echo "ok $t W=1 and sparse on the ${#new[@]} files the series creates ($name)"
		else
			echo "not ok $t W=1 and sparse on the ${#new[@]} files the series creates ($name)"
			{ cat "$out/w1.bad"; tail -n 5 "$out/w1-sparse.log"; } | head -n 30 | sed 's/^/# /'
		fi
		rm -f "$out/w1.bad"
		"$here/../vmtest/step-time.sh" "build matrix: W=1 and sparse" "$start"
	fi
done
