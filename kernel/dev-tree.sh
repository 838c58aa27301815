#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Developer workflow for the series, in a git tree at DEV:
#
#   dev-tree.sh init PRISTINE DEV PATCHES   DEV = PRISTINE + 'git am' of
#                                           the series, tagged 'base'
#   dev-tree.sh export DEV PATCHES          base..HEAD of DEV becomes
#                                           PATCHES/NNNN-*.patch + series,
#                                           with 0000-cover-letter.patch
#                                           from cover-letter.txt
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
git_id=(-c user.name="${GIT_AUTHOR_NAME:-zpool dev}" -c user.email="${GIT_AUTHOR_EMAIL:-dev@zpool.invalid}")

case "${1:-}" in
init)
	pristine=${2:?} dev=${3:?} patches=$(cd "${4:?}" && pwd)
	[ -e "$dev" ] && { echo "error: $dev exists; remove it first" >&2; exit 1; }
	mkdir -p "$dev"
	tar -C "$pristine" --exclude=./.git --exclude=./.debian-version -cf - . | tar -C "$dev" -xf -
	cd "$dev"
	git init -q
	# Debian's tree ignores everything at its top level: add by force.
	git add -f -A .
	git "${git_id[@]}" commit -q -m "base: $(cat "$pristine/.debian-version" 2>/dev/null || echo "$pristine")"
	git tag base
	for p in $("$here/series-list.sh" "$patches"); do
		git "${git_id[@]}" am -q "$patches/$p"
	done
	git log --oneline base..HEAD
	;;
export)
	dev=${2:?} patches=$(cd "${3:?}" && pwd)
	rm -f "$patches"/[0-9][0-9][0-9][0-9]-*.patch
	# The cover letter's subject is the first paragraph of
	# cover-letter.txt, its blurb the rest.  A fixed --abbrev: git's
	# default grows with the tree, and would rewrite the index lines of
	# every patch on each export.
	branch=$(git -C "$dev" symbolic-ref --short HEAD)
	git -C "$dev" -c "branch.$branch.description=$(cat "$here/cover-letter.txt")" \
		format-patch -q -N --no-signature --zero-commit --abbrev=9 \
		--cover-letter --cover-from-description=subject -o "$patches" base..HEAD
	# The cover letter takes the last patch's date, so that an export of
	# the same series gives the same files.
	sed -i "s/^Date: .*/Date: $(git -C "$dev" log -1 --format=%aD)/" "$patches/0000-cover-letter.patch"
	# 0000 is the cover letter, not a patch.
	(cd "$patches" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-' > series)
	cat "$patches/series"
	;;
*)
	echo "usage: dev-tree.sh init PRISTINE DEV PATCHES | export DEV PATCHES" >&2
	exit 1
	;;
esac
