#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The scoreboard's runs: upstream's MPTCP selftests (the base tree's
# tools/testing/selftests/net/mptcp, unchanged) on one kernel.
#
#   ci/upstream-mptcp.sh patched|control [UNIT...]
#   make upstream-mptcp KIND=patched UNITS='pm_netlink.sh,mptcp_join.sh 1-20'
#
# A unit is one script with its arguments, as selftests/upstream-mptcp/units
# lists them (the default: all of them); mptcp_join.sh goes in parts by
# subtest number ("mptcp_join.sh 1-20": it takes test ids as arguments).
# Each unit runs in a guest of its own, under its own time limit
# (UPSTREAM_TIMEOUT, default 900 s), so that one hang costs one unit;
# UPSTREAM_JOBS of them at a time (default 2 on 2 CPUs or more).
# SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES stays unset: a feature the
# script cannot find is a skip.
#
# Each unit's subtests become lines of selftests/upstream-mptcp/KIND.tsv:
#   unit <TAB> number <TAB> name <TAB> ok|not ok|skip <TAB> reason
# plus one line for the unit itself (number "-", name "(script)"): its exit
# status or timeout, and how long it took.  A run replaces the lines of the
# units it ran and keeps the others, so that parts run separately merge
# (into $UPSTREAM_TSV instead, if set: the gate's own file).
# The unit's own results are kept in $CACHE/upstream-mptcp, keyed by the
# kernel (base commit, config and, for patched, the series' tree), and
# reused unless FORCE=1: the control kernel's run once per base and config.
# The tools the scripts need are built once per base commit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kind=${1:-}
case "$kind" in
control|patched) shift ;;
*) die "usage: ci/upstream-mptcp.sh patched|control [UNIT...]" ;;
esac
dir=$TOP/selftests/upstream-mptcp
units=()
if [ $# -gt 0 ]; then
	# one unit an argument, or several in one, separated by commas
	for a in "$@"; do
		IFS=, read -ra more <<<"$a"
		for u in "${more[@]}"; do
			u=$(xargs <<<"$u")	# trimmed
			[ -z "$u" ] || units+=("$u")
		done
	done
else
	while IFS= read -r u; do
		case "$u" in ''|'#'*) continue ;; esac
		units+=("$u")
	done < "$dir/units"
fi

src=$(bash "$TOP/ci/base.sh")
base=$(git -C "$src" rev-parse HEAD)
img=$(bash "$TOP/ci/build.sh" "$kind" | tail -n1)
cfg=$(dirname "$img")/../../../.config
[ -f "$cfg" ] || die "no .config beside $img"
key=$kind-$base-$(sha256sum < "$cfg" | cut -c1-16)
if [ "$kind" = patched ]; then
	# the tree built: the commit's, and any change not committed
	key+=-$({ git -C "$KERNEL_TREE" rev-parse 'HEAD^{tree}'
		  git -C "$KERNEL_TREE" diff HEAD --binary; } | sha256sum | cut -c1-16)
fi
store=$CACHE/upstream-mptcp/$key
mkdir -p "$store"

# the tools, once per base commit
inst=$CACHE/upstream-mptcp/tools-$base
if [ ! -x "$inst/net/mptcp/mptcp_connect" ]; then
	log "building upstream's MPTCP selftest tools from $src"
	obj=$CACHE/upstream-mptcp/obj-$base
	make -C "$src" O="$obj" -s headers >/dev/null
	rm -rf "$inst.tmp"
	make -C "$src/tools/testing/selftests" O="$obj" -s -j"$(nproc)" \
		KHDR_INCLUDES="-isystem $obj/usr/include" TARGETS=net/mptcp \
		INSTALL_PATH="$inst.tmp" install >"$store/tools-build.log" 2>&1 ||
		die "building the tools failed; see $store/tools-build.log"
	rm -rf "$inst"
	mv "$inst.tmp" "$inst"
fi

# unit -> its arguments for the script: "mptcp_join.sh 1-3" -> ids 1 2 3
expand() {
	local a ids=()

	for a in "$@"; do
		if [[ "$a" =~ ^([0-9]+)-([0-9]+)$ ]]; then
			# shellcheck disable=SC2207
			ids+=($(seq "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"))
		else
			ids+=("$a")
		fi
	done
	echo "${ids[*]}"
}

# one unit in its guest: its results in $res, and $res.again beside them
# if they are not to be kept (the unit was cut short or did not boot)
run_unit() {
	local n=$1 unit=$2 res=$3 out=$4 script args rc t secs

	read -r script args <<<"$unit"
	rm -rf "$out" "$res.again"
	log "[$n/${#units[@]}] $unit on the $kind kernel (limit ${UPSTREAM_TIMEOUT:-900} s; console: $out/console-a.log)"
	t=$SECONDS
	rc=0
	# shellcheck disable=SC2086 # $args: the unit's words
	bash "$TOP/ci/vm.sh" --quiet --timeout "${UPSTREAM_TIMEOUT:-900}" --out "$out" "$img" -- \
		"cd '$inst/net/mptcp' &&" \
		"env -u SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES" \
		"./$script $(expand $args) > /mnt/results/out.log 2>&1" || rc=$?
	secs=$((SECONDS - t))
	python3 "$TOP/ci/upstream-mptcp.py" parse "$unit" "$out" "$rc" "$secs" \
		> "$res.tmp" && mv "$res.tmp" "$res" || return 1
	case "$rc" in 124|125) touch "$res.again" ;; esac
	log "[$n/${#units[@]}] $unit: $(awk -F'\t' '$2 != "-" { c[$4]++ }
		END { printf "%d ok, %d not ok, %d skip", c["ok"], c["not ok"], c["skip"] }' "$res") in $secs s"
}

# UPSTREAM_JOBS guests at a time (default 2 on 2 CPUs or more)
jobs=${UPSTREAM_JOBS:-$([ "$(nproc)" -ge 2 ] && echo 2 || echo 1)}
case "$jobs" in ''|*[!0-9]*|0) die "UPSTREAM_JOBS must be a number of guests" ;; esac
n=0 running=0 failed=0
done_res=()
# a unit named twice runs once
mapfile -t units < <(printf '%s\n' "${units[@]}" | awk '!seen[$0]++')
for unit in "${units[@]}"; do
	n=$((n + 1))
	read -r script _ <<<"$unit"
	[ -f "$src/tools/testing/selftests/net/mptcp/$script" ] ||
		die "no script $script in upstream's selftests (unit '$unit')"
	name=$(tr ' ' '_' <<<"$unit")
	res=$store/$name.tsv
	done_res+=("$res")
	if [ -s "$res" ] && [ ! -e "$res.again" ] && [ "${FORCE:-0}" != 1 ]; then
		log "[$n/${#units[@]}] $unit: kept from an earlier run ($res)"
		continue
	fi
	if [ "$running" -ge "$jobs" ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
	run_unit "$n" "$unit" "$res" "$store/$name" &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n || failed=1
	running=$((running - 1))
done
[ "$failed" = 0 ] || die "a unit's results could not be read (see above)"
again=()
for res in "${done_res[@]}"; do
	if [ -e "$res.again" ]; then
		again+=("$res" "$res.again")
	fi
done

tsv=${UPSTREAM_TSV:-$dir/$kind.tsv}
python3 "$TOP/ci/upstream-mptcp.py" merge "$tsv" "${done_res[@]}"
[ "${#again[@]}" = 0 ] || rm -f "${again[@]}"
log "results: $tsv (make scoreboard writes $dir/scoreboard.md)"
