#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn the kernel branch you develop on back into patches/ and series.
#
#   ci/export.sh     exports base..HEAD of $KERNEL_TREE (default build/linux)
#
# Deterministic: zero commit ids, no version signature, each cover letter
# dated like its part's newest commit and filled from its cover-letter.in, so
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

# The series goes to netdev in parts of at most 15 patches, each its own
# series with its own cover letter: patches/parts names them in order,
# "NAME COMMITS" (the last part's COMMITS is "-": the rest).  A part after
# the first names the patches it needs as prerequisite-patch-id lines.
parts=$TOP/patches/parts
[ -f "$parts" ] || die "patches/parts is missing (lines 'NAME COMMITS', the last 'NAME -')"
count=$(g rev-list --count "$base..HEAD")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/series"
from=$base done_n=0 names=()
while read -r name n _; do
	case "$name" in ''|'#'*) continue ;; esac
	names+=("$name")
	[ "$done_n" -lt "$count" ] || continue
	if [ "$n" = - ] || [ $((done_n + n)) -ge "$count" ]; then
		to=HEAD n=$((count - done_n))
	else
		to=$(g rev-parse "HEAD~$((count - done_n - n))")
	fi
	mkdir -p "$tmp/$name"
	g format-patch -q --zero-commit --no-signature --cover-letter \
		--subject-prefix="PATCH net-next" --base="$base" \
		-o "$tmp/$name" "$from..$to"
	cover=$tmp/$name/0000-cover-letter.patch
	in=$TOP/patches/$name/cover-letter.in
	[ -f "$in" ] || die "patches/$name/cover-letter.in is missing (subject line, blank line, body)"
	subject=$(head -n1 "$in")
	date=$(g log -1 --format=%aD "$to")
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
	for f in "$tmp/$name"/[0-9]*.patch; do
		case "${f##*/}" in 0000-cover-letter.patch) ;; *) echo "$name/${f##*/}" ;; esac
	done >> "$tmp/series"
	from=$to done_n=$((done_n + n))
done < "$parts"
[ "$done_n" = "$count" ] || die "patches/parts ends before the branch does (its last part must be 'NAME -')"

for name in "${names[@]}"; do
	mkdir -p "$TOP/patches/$name"
	find "$TOP/patches/$name" -maxdepth 1 -name '[0-9]*.patch' -delete
	if [ -d "$tmp/$name" ]; then cp "$tmp/$name"/*.patch "$TOP/patches/$name/"; fi
done
cp "$tmp/series" "$TOP/series"
log "exported $count patches from $tree to patches/ (${names[*]}; base $(git -C "$base_repo" rev-parse --short base))"
