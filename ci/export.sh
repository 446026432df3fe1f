#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn the kernel branch you develop on back into patches/ and series.
#
#   ci/export.sh     exports base..HEAD of $KERNEL_TREE (default build/linux)
#
# Deterministic: zero commit ids, no version signature, the cover letter
# dated like the newest commit and filled from patches/cover-letter.in, so
# re-exporting an unchanged branch changes no file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base_repo=$(bash "$TOP/ci/base.sh")
base=$(git -C "$base_repo" rev-parse base)
tree=$KERNEL_TREE
g() {
	git -C "$tree" -c diff.noprefix=false -c diff.mnemonicPrefix=false \
		-c diff.algorithm=myers -c diff.renames=true -c format.signature= \
		-c format.coverFromDescription=default -c format.numbered=auto "$@"
}
g merge-base --is-ancestor "$base" HEAD ||
	die "$tree: HEAD does not descend from the base commit $base"
[ -z "$(g status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes; commit them before exporting"

count=$(g rev-list --count "$base..HEAD")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/series"
if [ "$count" -gt 0 ]; then
	g format-patch -q --zero-commit --no-signature --cover-letter \
		--subject-prefix="PATCH net-next" --base="$base" \
		-o "$tmp" "$base..HEAD"
	cover=$tmp/0000-cover-letter.patch
	in=$TOP/patches/cover-letter.in
	[ -f "$in" ] || die "patches/cover-letter.in is missing (subject line, blank line, body)"
	subject=$(head -n1 "$in")
	date=$(g log -1 --format=%aD HEAD)
	python3 - "$cover" "$in" "$subject" "$date" <<'PY'
import sys, re
cover, inp, subject, date = sys.argv[1:]
body = open(inp).read().split("\n", 1)[1].strip("\n")
s = open(cover).read()
s = s.replace("*** SUBJECT HERE ***", subject, 1)
s = s.replace("*** BLURB HERE ***", body, 1)
s = re.sub(r"^Date: .*$", "Date: " + date, s, count=1, flags=re.M)
open(cover, "w").write(s)
PY
	for f in "$tmp"/[0-9]*.patch; do
		case "${f##*/}" in 0000-cover-letter.patch) ;; *) echo "${f##*/}" ;; esac
	done > "$tmp/series"
fi

mkdir -p "$TOP/patches"
find "$TOP/patches" -maxdepth 1 -name '[0-9]*.patch' -delete
cp "$tmp"/*.patch "$TOP/patches/" 2>/dev/null || true
cp "$tmp/series" "$TOP/series"
log "exported $count patches from $tree to patches/ (base $(git -C "$base_repo" rev-parse --short base))"
