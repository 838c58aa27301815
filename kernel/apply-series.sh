#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# apply-series.sh PRISTINE WORK PATCHES
#
# Make WORK a copy of the PRISTINE tree with the quilt series in PATCHES
# applied.  The series is applied with quilt to a staging copy of just the
# files it touches; WORK changes only once every patch has applied, so a
# patch that fails leaves WORK exactly as it was.  Files whose patched
# content did not change keep their timestamps, so kernel rebuilds after a
# series change are incremental.  Re-running with the same series and base
# does nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

pristine=$(cd "${1:?usage: apply-series.sh PRISTINE WORK PATCHES}" && pwd)
work=${2:?usage: apply-series.sh PRISTINE WORK PATCHES}
patches=$(cd "${3:?usage: apply-series.sh PRISTINE WORK PATCHES}" && pwd)
mkdir -p "$(dirname "$work")"
work="$(cd "$(dirname "$work")" && pwd)/$(basename "$work")"

mapfile -t list < <("$here/series-list.sh" "$patches")
for p in "${list[@]}"; do
	[ -f "$patches/$p" ] || { echo "error: patches/series names '$p', which does not exist" >&2; exit 1; }
done

version() { sed -n "s/^$1 = //p" "$pristine/Makefile" | head -n 1; }
debian=
[ -f "$pristine/.debian-version" ] && debian=", Debian $(cat "$pristine/.debian-version")"
base_id="$pristine ($(version VERSION).$(version PATCHLEVEL).$(version SUBLEVEL)$debian)"
stamp=$( { echo "$base_id"; cat "$patches/series" 2>/dev/null;
	   for p in "${list[@]}"; do cat "$patches/$p"; done; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$work/.series-stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "  PATCH   up to date (${#list[@]} patches)"
	exit 0
fi

if [ "$(cat "$work/.base-id" 2>/dev/null)" != "$base_id" ]; then
	echo "  COPY    $pristine -> $work"
	rm -rf "$work" "$work.tmp"
	mkdir -p "$work.tmp"
	tar -C "$pristine" --exclude=./.git -cf - . | tar -C "$work.tmp" -xf -
	rm -f "$work.tmp/.series-stamp" "$work.tmp/.series-files"
	echo "$base_id" > "$work.tmp/.base-id"
	: > "$work.tmp/.series-files"
	mv "$work.tmp" "$work"
fi

# Every file the new series touches, and every file the old one touched
# (those must go back to pristine if the new series leaves them alone).
new_files=$(for p in "${list[@]}"; do
		sed -n -e 's|^+++ b/||p' -e 's|^--- a/||p' "$patches/$p"
	    done | sort -u)
all_files=$( { echo "$new_files"; cat "$work/.series-files"; } | sed '/^$/d' | sort -u)

stage=$(mktemp -d "$work.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
for f in $all_files; do
	if [ -e "$pristine/$f" ]; then
		mkdir -p "$stage/$(dirname "$f")"
		cp "$pristine/$f" "$stage/$f"
	fi
done

if [ ${#list[@]} -gt 0 ]; then
	ln -s "$patches" "$stage/patches"
	if ! out=$(cd "$stage" && quilt --quiltrc=/dev/null push -a 2>&1); then
		failed=$(cd "$stage" && quilt --quiltrc=/dev/null next 2>/dev/null || echo "?")
		failed=${failed#patches/}
		echo "error: patches/$failed does not apply to $base_id; $work is unchanged." >&2
		echo "$out" | grep -E 'FAILED|does not apply|No file to patch|can.t find file' >&2 || true
		rej="$stage/failed.rej"
		(cd "$stage" && patch -p1 -f -s -r "$rej" < "$patches/$failed" >/dev/null 2>&1) || true
		if [ -s "$rej" ]; then
			echo "The hunks that failed:" >&2
			cat "$rej" >&2
		fi
		exit 1
	fi
fi

for f in $all_files; do
	if [ -e "$stage/$f" ]; then
		if ! cmp -s "$stage/$f" "$work/$f"; then
			mkdir -p "$work/$(dirname "$f")"
			cp "$stage/$f" "$work/$f"
		fi
	else
		rm -f "$work/$f"
	fi
done
echo "$new_files" > "$work/.series-files"
echo "$stamp" > "$work/.series-stamp"
echo "  PATCH   applied ${#list[@]} patches to $work"
