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
# tests) with "make -C tools/testing/selftests install", and run in one guest
# with run_kselftest.sh.  The tests come from $KERNEL_TREE (the series' tree)
# whatever the kernel, so that the control kernel runs the very same tests;
# from the base tree if there is no such tree.  The KTAP output is kept;
# each result is appended to
# $RESULTS (if set) as "status<TAB>name<TAB>why<TAB>how to rerun".
# KSFT_TIMEOUT bounds the whole guest run (default 3600 s), KSFT_TEST_TIMEOUT
# each test.
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

tests=()
while read -r t _; do
	case "$t" in ''|'#'*) continue ;; esac
	tests+=("$t")
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
targs=$(printf -- '-t %s ' "${tests[@]}")
# KSFT_TEST_TIMEOUT overrides each test's own timeout (its settings file).
[ -n "${KSFT_TEST_TIMEOUT:-}" ] && targs+=" -o $KSFT_TEST_TIMEOUT"
log "running ${#tests[@]} kselftests on the $kind kernel (logs: $vmout)"
set +e
bash "$TOP/ci/vm.sh" --timeout "${KSFT_TIMEOUT:-3600}" --mem "${VM_MEM:-2G}" --out "$vmout" "$img" -- \
	"cd $inst && ./run_kselftest.sh $targs 2>&1 | tee /mnt/results/ktap.log"
vmrc=$?
set -e

ktap=$vmout/a/ktap.log
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
		why=$(grep -h -B3 "^$(sed 's/[][\.*^$]/\\&/g' <<<"$line")\$" "$ktap" | grep -m1 -i 'skip' | sed 's/^# *//' || true)
		record skip "kselftest $kind $name" "${why:-skipped by the test itself}" "$rerun"
	elif [[ "$line" == "ok "* ]]; then
		pass=$((pass + 1))
		record pass "kselftest $kind $name" "" ""
	else
		fail=$((fail + 1))
		why=$(sed -nE 's/.*# (exit=[0-9]+|TIMEOUT.*)$/\1/p' <<<"$line")
		record fail "kselftest $kind $name" "${why:-failed}; KTAP in $ktap" "$rerun"
	fi
done < <(cat "$ktap" 2>/dev/null)

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
