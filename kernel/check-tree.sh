#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-tree.sh TREE BASE: succeed if TREE is a Linux source tree of
# version BASE (for example 7.2, any stable 7.2.y), else say what is wrong.
set -euo pipefail
tree=${1:?usage: check-tree.sh TREE BASE}
base=${2:?usage: check-tree.sh TREE BASE}

if [ ! -f "$tree/Makefile" ] || [ ! -f "$tree/mm/Kconfig" ]; then
	echo "error: '$tree' is not a Linux source tree (no Makefile or mm/Kconfig); KSRC must point at a v$base.y tree" >&2
	exit 1
fi
get() { sed -n "s/^$1 *= *\([0-9]*\).*/\1/p" "$tree/Makefile" | head -n 1; }
found="$(get VERSION).$(get PATCHLEVEL)"
if [ "$found" != "$base" ]; then
	echo "error: '$tree' is Linux $found.$(get SUBLEVEL), but the series needs a $base.y tree; point KSRC at a v$base.y tree or unset it to use the pinned Debian source" >&2
	exit 1
fi
