#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the pinned base tree: Debian's linux-source-7.3 as a git repository
# with one base commit that is identical on every machine.
#
#   ci/base.sh            print the base tree's path (create it if needed)
#
# The .deb is downloaded once into $CACHE/dl and checked against its SHA-256;
# the repository is created once in $CACHE/base/linux.  Work trees (the
# developer's tree, the CI tree) are clones of it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

deb=$CACHE/dl/${BASE_PKG}_${BASE_PKG_VERSION}_all.deb
repo=$BASE_REPO

fetch_deb() {
	if [ -f "$deb" ] && echo "$BASE_PKG_SHA256  $deb" | sha256sum -c --quiet 2>/dev/null; then
		return
	fi
	mkdir -p "$CACHE/dl"
	log "downloading $BASE_PKG=$BASE_PKG_VERSION"
	# stdout is the tree's path alone: apt-get's chatter goes to stderr
	if ! (cd "$CACHE/dl" && rm -f "$deb" &&
	      apt-get download -q "$BASE_PKG=$BASE_PKG_VERSION") > "$CACHE/dl/download.log" 2>&1; then
		cat "$CACHE/dl/download.log" >&2
		die "apt-get download $BASE_PKG=$BASE_PKG_VERSION failed (run ci/setup.sh first: it adds trixie-backports)"
	fi
	grep -v '^W: Download is performed unsandboxed' "$CACHE/dl/download.log" >&2 || true
	echo "$BASE_PKG_SHA256  $deb" | sha256sum -c --quiet ||
		die "$deb: SHA-256 mismatch, expected $BASE_PKG_SHA256"
}

make_repo() {
	local tmp=$BASE_REPO.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	log "unpacking $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$BASE_PKG.tar.xz" |
		tar -xJ -C "$tmp" --strip-components=1
	# Debian appends a block that ignores every top-level entry; drop it
	# so the base's .gitignore is the kernel's own.
	python3 - "$tmp/.gitignore" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
i = s.find("\n#\n# Debian packaging:")
if i < 0:
    sys.exit("Debian block not found in .gitignore")
open(p, "w").write(s[:i + 1])
PY
	grep -q '^VERSION = 7$' "$tmp/Makefile" && grep -q '^SUBLEVEL = 4$' "$tmp/Makefile" ||
		die "unexpected Makefile version in $deb"
	log "committing the base tree (about 30 s)"
	(
		cd "$tmp"
		export GIT_AUTHOR_NAME="mptcp-meta base"
		export GIT_AUTHOR_EMAIL="base@mptcp-meta.invalid"
		export GIT_AUTHOR_DATE="2026-01-01T00:00:00+0000"
		export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
		export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
		export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"
		g() { git -c core.autocrlf=false -c core.fileMode=true -c core.symlinks=true \
			-c init.defaultBranch=linux-7.3.4 -c commit.gpgSign=false "$@"; }
		g init -q
		g add -A -f .
		g commit -q --no-verify -m "Linux $BASE_VERSION (Debian $BASE_PKG $BASE_PKG_VERSION)"
		g tag base
	)
	mv "$tmp" "$repo"
}

fetch_deb
if [ ! -d "$repo/.git" ]; then
	make_repo
	log "base commit: $(git -C "$repo" rev-parse base)"
fi
echo "$repo"
