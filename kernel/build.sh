#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh SRC OBJ CONFIGDIR [--prefix=ID] [--extra=FRAGMENT] [TARGET...]:
# configure (tinyconfig + every fragment in CONFIGDIR, then FRAGMENT, later
# fragments overriding earlier ones) and build TARGETs (bzImage by
# default) out of tree in OBJ.  The configuration is regenerated only when
# a fragment or the base changed, and every option a fragment asks for is
# checked after olddefconfig, so an option Kconfig silently dropped fails
# the build instead of surprising a test.
#
# --prefix=ID builds a prefix ID of the series: the configuration is made
# afresh whenever the prefix's Kconfig files change, and options the
# prefix does not know yet are fine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: build.sh SRC OBJ CONFIGDIR [--prefix=ID] [--extra=FRAGMENT] [TARGET...]"
src=$(cd "${1:?$usage}" && pwd)
obj=${2:?$usage}
configs=$(cd "${3:?$usage}" && pwd)
shift 3
prefix=
case "${1:-}" in --prefix=*) prefix=${1#--prefix=}; shift ;; esac
fragments=("$configs"/*.config)
case "${1:-}" in --extra=*) fragments+=("$(realpath "${1#--extra=}")"); shift ;; esac
targets=("${@:-bzImage}")

# A different base tree invalidates every object: start afresh.
if [ "$(cat "$obj/.base-id" 2>/dev/null)" != "$(cat "$src/.base-id")" ]; then
	rm -rf "$obj"
fi
mkdir -p "$obj"
obj=$(cd "$obj" && pwd)
cp "$src/.base-id" "$obj/.base-id"

cc=gcc
if command -v ccache >/dev/null; then
	# Hash paths relative to the build directory, so that a clone
	# elsewhere on this machine (CI) reuses the objects built here.
	cc="ccache gcc"
	export CCACHE_BASEDIR=$(dirname "$obj") CCACHE_NOHASHDIR=1
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
	# Depend mode: a miss takes the include list from the compiler's own
	# -MMD output instead of running the preprocessor a second time.  On
	# an empty cache, mm/ and fs/ of the test kernel (246 objects) took
	# 243 s in ccache's default mode, 180 s in depend mode and 167 s with
	# no ccache; a warm cache hits all of them either way.
	export CCACHE_DEPEND=1
fi
log="$obj/build.log"
kmake() {
	local v=()
	[ "${V:-0}" = 1 ] && v=(V=1)
	make -C "$src" O="$obj" ARCH=x86_64 CC="$cc" -j"$(nproc)" "${v[@]}" "$@"
}
run_logged() {
	if [ "${V:-0}" = 1 ]; then
		"$@"
	elif ! "$@" >> "$log" 2>&1; then
		echo "error: '$*' failed; the end of $log:" >&2
		tail -n 40 "$log" >&2
		return 1
	fi
}
: > "$log"
start=$(date +%s)

# A prefix of the series needs a configuration of its own only where its
# Kconfig files differ from the last one's: follow their content, not the
# prefix's number, so that the bisect builds configure a few times, not
# once per patch.
kconfig_id=
if [ -n "$prefix" ]; then
	kconfig_id=$(grep -E '(^|/)Kconfig[^/]*$' "$src/.series-files" 2>/dev/null |
		     while read -r f; do [ ! -f "$src/$f" ] || cat "$src/$f"; done | sha256sum)
fi
stamp=$( { cat "$obj/.base-id"; echo "${prefix:+prefix $kconfig_id}"; cat "${fragments[@]}"; } |
	sha256sum | cut -d' ' -f1)
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.config-stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "  CONFIG  tinyconfig + $(for f in "${fragments[@]}"; do basename "$f"; done | paste -sd' ')"
	rm -f "$obj/.config-stamp"
	run_logged kmake tinyconfig
	run_logged "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}"
	run_logged kmake olddefconfig
	missing=$("$here/config-dropped.sh" "$obj/.config" "${fragments[@]}")
	if [ -n "$missing" ] && [ -z "$prefix" ]; then
		echo "error: Kconfig did not keep these fragment options (missing dependency?):" >&2
		echo "$missing" >&2
		exit 1
	fi
	echo "$stamp" > "$obj/.config-stamp"
fi

# With KASAN, only the series' C files in mm/ are instrumented: make's
# command line turns instrumentation off everywhere (KASAN_SANITIZE=n)
# and back on for each of them (a file's own variable comes first in
# scripts/Makefile.lib).  Their accesses are checked against every
# allocation in the kernel, and the rest of it runs at its usual speed.
kasan=()
kasan_files=()
if grep -qx 'CONFIG_KASAN=y' "$obj/.config"; then
	mapfile -t kasan_files < <(grep -E '^mm/.*\.c$' "$src/.series-files" 2>/dev/null || true)
	kasan=(KASAN_SANITIZE=n)
	for f in "${kasan_files[@]}"; do
		# The name is relative to the directory of the Makefile that
		# builds the file: mm/tests/x.c is mm/Makefile's tests/x.o.
		d=$(dirname "$f")
		while [ "$d" != . ] && [ ! -f "$src/$d/Makefile" ] && [ ! -f "$src/$d/Kbuild" ]; do
			d=$(dirname "$d")
		done
		kasan+=("KASAN_SANITIZE_${f#"$d"/}")
		kasan[-1]=${kasan[-1]%.c}.o=y
	done
fi

echo "  BUILD   ${targets[*]} ($(sed -n 's/^\([A-Z]*\) = \([0-9]*\)$/\2/p' "$src/Makefile" | head -3 | paste -sd.) + $(grep -c . "$src/.series-files" || true) patched files${kasan_files[*]:+, KASAN on ${#kasan_files[@]} of them})"
run_logged kmake "${kasan[@]}" "${targets[@]}"
# A KASAN that instruments nothing of the series would pass every test.
for f in "${kasan_files[@]}"; do
	cmd="$obj/$(dirname "$f")/.$(basename "${f%.c}").o.cmd"
	if [ -f "$cmd" ] && ! grep -q -- '-fsanitize=kernel-address' "$cmd"; then
		echo "error: $f was built without KASAN ($cmd)" >&2
		exit 1
	fi
done
if [ -z "$prefix" ]; then
	echo "  KERNEL  $obj/arch/x86/boot/bzImage"
	"$here/../vmtest/step-time.sh" "build: $(basename "$obj") ${targets[*]}" "$start"
fi
