#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every patch builds on its own: apply the series one patch at a time in
# $KERNEL_TREE and build the patched kernel (W=1 not included: see
# check-build-warnings) after each.  Slow: one incremental build a patch.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bash "$TOP/ci/apply.sh"
tree=$KERNEL_TREE
mapfile -t commits < <(git -C "$tree" rev-list --reverse "$(git -C "$BASE_REPO" rev-parse base)..HEAD")
head=$(git -C "$tree" rev-parse HEAD)
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	git -C "$tree" checkout -q "$c"
	log "[$i/${#commits[@]}] building: $(git -C "$tree" log -1 --format=%s "$c")"
	if ! bash "$TOP/ci/build.sh" patched >/dev/null; then
		git -C "$tree" checkout -q -B series "$head"
		die "patch $i ($(git -C "$tree" log -1 --format=%s "$c")) does not build"
	fi
done
git -C "$tree" checkout -q -B series "$head"
log "all ${#commits[@]} patches build on their own"
