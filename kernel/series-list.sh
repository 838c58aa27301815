#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# series-list.sh PATCHES: the patch names PATCHES/series lists, in order,
# one per line (quilt's format: comments and blank lines ignored, options
# after the name dropped).  Nothing if there is no series file.
set -euo pipefail
patches=${1:?usage: series-list.sh PATCHES}
[ -f "$patches/series" ] || exit 0
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$patches/series" | awk '{ print $1 }'
