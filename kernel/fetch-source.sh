#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-source.sh OUTDIR: unpack Debian's linux-source-$KERNEL_BASE (the
# pinned version if the archive still has it) into OUTDIR/linux-source,
# through a private apt source list.  Does nothing if it is already there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:?usage: fetch-source.sh OUTDIR}" && cd "$1" && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) *:= *\(.*\)$/\1="\2"/p' "$here/version.mk")"
export NEWER_SUITES PRIVATE_APT_DIR="$out/apt"

tree="$out/linux-source"
if [ -f "$tree/.debian-version" ]; then
	exit 0
fi

"$here/private-apt.sh" update
dl="$out/download"
rm -rf "$dl" && mkdir -p "$dl"
if ! (cd "$dl" && "$here/private-apt.sh" download "$DEBIAN_SOURCE_PKG=$DEBIAN_SOURCE_VERSION" 2>/dev/null); then
	echo "warning: $DEBIAN_SOURCE_PKG $DEBIAN_SOURCE_VERSION is no longer in the archive; taking the newest $DEBIAN_SOURCE_PKG (update kernel/version.mk)" >&2
	(cd "$dl" && "$here/private-apt.sh" download "$DEBIAN_SOURCE_PKG")
fi
deb=$(ls "$dl"/*.deb)
version=$(dpkg-deb -f "$deb" Version)

echo "  UNPACK  $DEBIAN_SOURCE_PKG $version"
rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/$DEBIAN_SOURCE_PKG.tar.xz" |
	tar -xJ -C "$tree.tmp" --strip-components=1
"$here/check-tree.sh" "$tree.tmp" "$KERNEL_BASE"
echo "$version" > "$tree.tmp/.debian-version"
rm -rf "$tree" "$dl"
mv "$tree.tmp" "$tree"
