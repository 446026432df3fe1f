#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kselftests from a kernel tree, run them in a guest, report.
#
#   ci/kselftest.sh patched|control|debug [LIST]
#
# LIST (default selftests/kselftests.list) names one test a line as
# "collection:test", the form of run_kselftest.sh -t (for example
# net/mptcp:pm_netlink.sh); '#' starts a comment.  The collections are
# built from the kernel's own tree (the patched tree's, for the series' own
# tests) with "make -C tools/testing/selftests install", and run with
# run_kselftest.sh, one test at a time, longest first (see KSFT_JOBS).
# The tests come from $KERNEL_TREE (the series' tree) whatever the kernel,
# so that the control kernel runs the very same tests;
# from the base tree if there is no such tree.  The KTAP output is kept;
# each result is appended to
# $RESULTS (if set) as "status<TAB>name<TAB>why<TAB>how to rerun".
# KSFT_TIMEOUT bounds each guest's run (default 3600 s), KSFT_TEST_TIMEOUT
# each test.
#
# KSFT_JOBS (default 2 on a machine of 2 CPUs or more, else 1) guests run at
# once, each on its share of the list: a test's line may give, after the
# name, the seconds it took last time (measured the same way, see the
# "took" lines this prints), and the longest tests are dealt out first,
# each to the guest with the least time so far.  Each guest's console lines
# then start with its name (j0| ...), its logs in vmout/jN.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kind=${1:-}
list=${2:-$TOP/selftests/kselftests.list}
case "$kind" in
control|patched|debug) ;;
*) die "usage: ci/kselftest.sh patched|control|debug [LIST]" ;;
esac
src=$KERNEL_TREE
[ -e "$src/.git" ] || src=$BASE_REPO
[ -f "$list" ] || die "test list $list not found"

tests=() secs=()
while read -r t w _; do
	case "$t" in ''|'#'*) continue ;; esac
	case "$w" in ''|*[!0-9]*) w=60 ;; esac
	w=$((10#$w))
	[ "$w" -gt 0 ] || w=1
	tests+=("$t") secs+=("$w")
done < "$list"
[ "${#tests[@]}" -gt 0 ] || die "$list names no test"
targets=$(printf '%s\n' "${tests[@]}" | cut -d: -f1 | sort -u | paste -sd' ')

img=$(bash "$TOP/ci/build.sh" "$kind" | tail -n1)
inst=$BUILD/kselftest/$kind

log "installing kernel headers and kselftests ($targets) from $src"
make -C "$src" O="$BUILD/kselftest/obj-$kind" -s headers >/dev/null
hdr=$BUILD/kselftest/obj-$kind/usr/include
rm -rf "$inst"
make -C "$src/tools/testing/selftests" O="$BUILD/kselftest/obj-$kind" -s -j"$(nproc)" \
	KHDR_INCLUDES="-isystem $hdr" TARGETS="$targets" \
	INSTALL_PATH="$inst" install >"$BUILD/kselftest-$kind-build.log" 2>&1 ||
	die "kselftest build failed; see $BUILD/kselftest-$kind-build.log"

vmout=$BUILD/vm/kselftest-$kind
jobs=${KSFT_JOBS:-$([ "$(nproc)" -ge 2 ] && echo 2 || echo 1)}
case "$jobs" in ''|*[!0-9]*|0) die "KSFT_JOBS must be a number of guests" ;; esac
[ "$jobs" -le "${#tests[@]}" ] || jobs=${#tests[@]}

# Deal the tests out: longest first, each to the least loaded guest.
groups=() load=()
for ((j = 0; j < jobs; j++)); do groups+=(""); load+=(0); done
while read -r _ i; do
	best=0
	for ((j = 1; j < jobs; j++)); do
		[ "${load[$j]}" -lt "${load[$best]}" ] && best=$j
	done
	groups[best]+="${tests[$i]} "
	load[best]=$((load[best] + secs[i]))
done < <(for i in "${!tests[@]}"; do echo "${secs[$i]} $i"; done | sort -k1,1nr -k2,2n)

# In the guest: each test on its own, timed (run_kselftest.sh's output).
guest_cmd() {
	local t out=""
	for t in $1; do
		out+="s=\$(date +%s); ./run_kselftest.sh -t $t${KSFT_TEST_TIMEOUT:+ -o $KSFT_TEST_TIMEOUT} 2>&1; "
		out+="echo \"# took $t \$((\$(date +%s) - s)) s\"; "
	done
	echo "cd $inst && { $out} | tee /mnt/results/ktap.log"
}

log "running ${#tests[@]} kselftests on the $kind kernel in $jobs guest(s) (logs: $vmout)"
rm -rf "$vmout"
mkdir -p "$vmout"
vmrc=0
vmrcs=()
if [ "$jobs" = 1 ]; then
	set +e
	bash "$TOP/ci/vm.sh" --timeout "${KSFT_TIMEOUT:-3600}" --mem "${VM_MEM:-2G}" --out "$vmout" "$img" -- \
		"$(guest_cmd "${groups[0]}")"
	vmrcs+=($?)
	set -e
	ktaps=("$vmout/a/ktap.log")
else
	pids=() ktaps=()
	# an interrupted run takes its guests with it
	trap 'kill "${pids[@]}" 2>/dev/null; pkill -f -- "path=$vmout/j" 2>/dev/null' INT TERM
	for ((j = 0; j < jobs; j++)); do
		[ -n "${groups[$j]}" ] || continue
		log "guest j$j: ${groups[$j]}(about ${load[$j]} s)"
		bash "$TOP/ci/vm.sh" --prefix "j$j| " --timeout "${KSFT_TIMEOUT:-3600}" \
			--mem "${VM_MEM:-2G}" --out "$vmout/j$j" "$img" -- \
			"$(guest_cmd "${groups[$j]}")" &
		pids+=($!)
		ktaps+=("$vmout/j$j/a/ktap.log")
	done
	for p in "${pids[@]}"; do
		set +e
		wait "$p"
		vmrcs+=($?)
		set -e
	done
	trap - INT TERM
fi
# the worst of the guests' statuses: a splat, a timeout, a failed boot
for r in "${vmrcs[@]}"; do
	case "$r" in
	126) vmrc=126 ;;
	124) [ "$vmrc" = 126 ] || vmrc=124 ;;
	125) [ "$vmrc" = 126 ] || [ "$vmrc" = 124 ] || vmrc=125 ;;
	0) ;;
	*) [ "$vmrc" = 0 ] && vmrc=$r ;;
	esac
done
{ cat "${ktaps[@]}" 2>/dev/null || true; } | sed -n 's/^# took /took: /p'

ktap="${ktaps[*]}"
rerun="make kselftest KIND=$kind KSFT_LIST=$list"
pass=0 fail=0 skip=0
record() {
	[ -n "${RESULTS:-}" ] && printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RESULTS"
	return 0
}
seen=()
while IFS= read -r line; do
	case "$line" in
	"ok "*|"not ok "*) ;;
	*) continue ;;
	esac
	name=$(sed -E 's/^(not )?ok [0-9]+ selftests: ([^:]+): ([^ ]+).*/\2:\3/' <<<"$line")
	seen+=("$name")
	if grep -q '# SKIP' <<<"$line"; then
		skip=$((skip + 1))
		why=$({ cat "${ktaps[@]}" 2>/dev/null || true; } | grep -h -B3 "^$(sed 's/[][\.*^$]/\\&/g' <<<"$line")\$" | grep -m1 -i 'skip' | sed 's/^# *//' || true)
		record skip "kselftest $kind $name" "${why:-skipped by the test itself}" "$rerun"
	elif [[ "$line" == "ok "* ]]; then
		pass=$((pass + 1))
		record pass "kselftest $kind $name" "" ""
	else
		fail=$((fail + 1))
		why=$(sed -nE 's/.*# (exit=[0-9]+|TIMEOUT.*)$/\1/p' <<<"$line")
		# which of its checks failed: the test's own "not ok: NAME: ..." lines
		# (the first five, each cut at 200 characters, on one line)
		subs=$({ cat "${ktaps[@]}" 2>/dev/null || true; } |
			awk -v t="# selftests: ${name%%:*}: ${name#*:}" '
				$0 == t { on = 1; next }
				on && /^(not )?ok [0-9]+ selftests: / { on = 0 }
				on && /^# not ok: / && n < 5 {
					sub(/^# not ok: /, ""); gsub(/\t/, " ")
					printf "%s%s", n++ ? "; " : "", substr($0, 1, 200)
				}' || true)
		record fail "kselftest $kind $name" "${why:-failed}${subs:+ (not ok: $subs)}; KTAP in $ktap" "$rerun"
	fi
done < <(cat "${ktaps[@]}" 2>/dev/null)

for t in "${tests[@]}"; do
	if ! printf '%s\n' "${seen[@]}" | grep -qxF "$t"; then
		fail=$((fail + 1))
		record fail "kselftest $kind $t" "no result (vm exit $vmrc; console in $vmout)" "$rerun"
	fi
done
if [ "$vmrc" = 126 ] || [ "$vmrc" = 124 ] || [ "$vmrc" = 125 ]; then
	fail=$((fail + 1))
	record fail "kselftest $kind guest" "vm exit $vmrc (126 splat, 124 timeout, 125 boot); console in $vmout" "$rerun"
fi
echo "kselftest $kind: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
