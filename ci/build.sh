#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a guest kernel:  ci/build.sh control|patched|debug
#
#   control  the unpatched base tree: guest.config + mptcp.config (upstream
#            MPTCP), cached by base commit and fragment hash
#   patched  $KERNEL_TREE (default build/linux, see ci/apply.sh):
#            guest.config + series.config (the series' MPTCP, which
#            excludes upstream's)
#   debug    the patched kernel with debug.config on top
#
# The config is tinyconfig plus those fragments.  Every CONFIG_ line of the fragments must survive
# olddefconfig: a symbol that Kconfig dropped is reported as an error, since a
# silently missing option makes tests skip for the wrong reason.  Symbols the
# tree does not know at all (the series' own, on the control kernel) are only
# listed.
#
# Prints the bzImage path on stdout.  Objects go through ccache; tree and
# output directories are laid out alike (…/linux and …/out/KIND) so that
# CCACHE_BASEDIR lets the trees share results.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kind=${1:-}
frags=("$TOP"/kconfig-fragments/guest.config)
case "$kind" in
control)
	frags+=("$TOP"/kconfig-fragments/mptcp.config)
	src=$(bash "$TOP/ci/base.sh")
	out=$CACHE/base/out/control
	;;
patched)
	frags+=("$TOP"/kconfig-fragments/series.config)
	src=$KERNEL_TREE
	out=$BUILD/out/patched
	;;
debug)
	src=$KERNEL_TREE
	out=$BUILD/out/debug
	frags+=("$TOP"/kconfig-fragments/series.config "$TOP"/kconfig-fragments/debug.config)
	;;
*)
	die "usage: ci/build.sh control|patched|debug"
	;;
esac
[ -f "$src/Makefile" ] || die "$src is not a kernel tree (run 'make apply' first)"

stamp_key() {
	{
		git -C "$src" rev-parse HEAD
		git -C "$src" status --porcelain --untracked-files=no
		cat "${frags[@]}"
	} | sha256sum | cut -d' ' -f1
}

mkdir -p "$out" "$CACHE/ccache"
# One make at a time in an output tree: another build of it, or the W=1
# objects of ci/check.sh, waits here instead of mixing its objects in
# (a check run beside a build once broke the control kernel's link).
exec 9>"$out/.mptcp-meta.lock"
if ! flock -n 9; then
	log "waiting for another make in $out"
	flock 9
fi
img=$out/arch/x86/boot/bzImage
key=$(stamp_key)
if [ "$kind" = control ] && [ -f "$img" ] && [ "$(cat "$out/.mptcp-meta-stamp" 2>/dev/null)" = "$key" ]; then
	log "control kernel up to date ($img)"
	echo "$img"
	exit 0
fi

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
CCACHE_BASEDIR=$(dirname "$src")
export CCACHE_BASEDIR
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
export CCACHE_COMPILERCHECK=content
ccache -M 20G >/dev/null

jobs=$(($(nproc) + 1))
mk() { make -C "$src" O="$out" CC="ccache gcc" HOSTCC="ccache gcc" -j"$jobs" -s "$@"; }

# Config: rebuilt from scratch each time so that a stale .config never leaks.
cfg_tmp=$out/.config.mptcp-meta
mk tinyconfig >/dev/null
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" .config "${frags[@]}" >/dev/null)
mk olddefconfig >/dev/null
cp "$out/.config" "$cfg_tmp"

known=$(grep -rhoE '^[[:space:]]*(menu)?config[[:space:]]+[A-Za-z0-9_]+' \
	--include='Kconfig*' "$src" | awk '{print "CONFIG_" $2}' | sort -u)
bad=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	sym=${line%%=*}
	val=${line#*=}
	if ! grep -qxF "$sym" <<<"$known"; then
		log "note: $sym is unknown to this tree (not set)"
		continue
	fi
	got=$(grep -E "^$sym=|^# $sym is not set" "$cfg_tmp" || true)
	if [ "$val" = n ]; then
		case "$got" in "$sym=y"|"$sym=m") log "config: $sym wanted n, got $got"; bad=1 ;; esac
	elif [ "$got" != "$sym=$val" ]; then
		log "config: $sym wanted $val, got '${got:-unset}' (a dependency is missing)"
		bad=1
	fi
done < <(cat "${frags[@]}")
[ "$bad" = 0 ] || die "kernel config for '$kind' lost requested options (see above)"

log "building $kind kernel in $out ($(nproc) cpus, ccache)"
start=$SECONDS
mk bzImage
log "built $kind kernel in $((SECONDS - start)) s"
echo "$key" > "$out/.mptcp-meta-stamp"
echo "$img"
