#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Apply the series (patches/ in `series` order) with git am.
#
#   ci/apply.sh                    onto the pinned base, in $KERNEL_TREE
#                                  (default build/linux, created from the base)
#   KERNEL_TREE=~/linux ci/apply.sh  onto your own tree's HEAD, on a new branch
#
# The project's own tree is reset to the base commit first (branch "series");
# a tree with uncommitted changes is refused, never overwritten.  A patch that
# does not apply stops the run, named, with the commands to inspect it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base_repo=$(bash "$TOP/ci/base.sh")
base=$(git -C "$base_repo" rev-parse base)
tree=$KERNEL_TREE
own=0
case "$tree" in "$BUILD/linux"|"$CACHE"/*) own=1 ;; esac

if [ ! -d "$tree/.git" ]; then
	[ "$own" = 1 ] || die "KERNEL_TREE=$tree is not a git work tree"
	log "creating $tree from the base"
	mkdir -p "$(dirname "$tree")"
	git clone -q --no-checkout "$base_repo" "$tree"
	git -C "$tree" checkout -q -b series "$base"
	# commits made in this tree are the team's, whoever runs it
	git -C "$tree" config user.name "MPTCP meta team"
	git -C "$tree" config user.email "mptcp-meta@example.invalid"
fi

g() { git -C "$tree" "$@"; }
gitdir=$(g rev-parse --absolute-git-dir)
if [ "$own" = 1 ]; then
	# A run that was stopped mid-way (a session's end, a killed CI) leaves
	# git's state behind in the project's own tree; it is reset to the base
	# below, so clear that state rather than fail on every later run.
	if [ -e "$gitdir/index.lock" ] && ! pgrep -x git >/dev/null; then
		log "removing a stale $gitdir/index.lock (no git is running)"
		rm -f "$gitdir/index.lock"
	fi
	if [ -d "$gitdir/rebase-apply" ]; then
		log "aborting the git am an earlier run left in $tree"
		g am --abort >/dev/null 2>&1 || rm -rf "$gitdir/rebase-apply"
	fi
fi
if [ -d "$gitdir/rebase-apply" ]; then
	die "$tree has a git am in progress: finish it or run 'git -C $tree am --abort'"
fi
if [ -n "$(g status --porcelain --untracked-files=no)" ]; then
	die "$tree has uncommitted changes; commit or stash them first"
fi

ver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' "$tree/Makefile" | paste -sd.)
[ "$ver" = 7.3 ] || die "$tree is Linux $ver, not 7.3: the series is made for $BASE_VERSION (base $base)"

if [ "$own" = 1 ]; then
	g cat-file -e "$base^{commit}" 2>/dev/null || g fetch -q "$base_repo" base
	g checkout -q -B series "$base"
else
	if ! g merge-base --is-ancestor "$base" HEAD 2>/dev/null; then
		if [ "$(g rev-parse 'HEAD^{tree}')" = "$(git -C "$base_repo" rev-parse 'base^{tree}')" ]; then
			log "$tree has the base's exact tree"
		else
			log "warning: $tree does not contain the base commit $base ($BASE_VERSION);"
			log "         trying anyway with a 3-way merge"
		fi
	fi
	g checkout -q -B mptcp-meta
fi

n=0
while read -r p _; do
	case "$p" in ''|'#'*) continue ;; esac
	f=$TOP/patches/$p
	[ -f "$f" ] || die "series names $p, which is not in patches/"
	if ! out=$(g -c user.name=mptcp-meta -c user.email=apply@mptcp-meta.invalid \
		am -q -3 --keep-non-patch "$f" 2>&1); then
		g am --abort >/dev/null 2>&1 || true
		printf '%s\n' "$out" | head -n 20 >&2
		die "patch $p does not apply to $tree (after $n patches).
  inspect: git -C $tree apply --check -v $f
  or:      git -C $tree am -3 $f; git -C $tree am --show-current-patch=diff"
	fi
	n=$((n + 1))
done < "$TOP/series"
log "applied $n patches onto $(g rev-parse --short "$base") in $tree (branch $(g branch --show-current))"
