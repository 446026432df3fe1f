#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's built-in KUnit suites in a guest and report each case.
#
#   ci/kunit.sh [patched|debug] [SUITE_GLOB]
#
# The guest kernels are built with CONFIG_KUNIT_DEFAULT_ENABLED=n so that
# ordinary boots (benchmarks in particular) run no test; this boots with
# kunit.enable=1 and kunit.filter_glob=SUITE_GLOB (default "*": the guest
# config enables only the series' suites) and reads the KTAP that KUnit
# prints on the console.  With the default glob, each suite named in
# KUNIT_SUITES must have reported, so that a suite that silently dropped
# out of the config fails the run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kind=${1:-patched}
glob=${2:-*}
KUNIT_SUITES=${KUNIT_SUITES:-tcp_sock_ops mptcp_meta}
img=$(bash "$TOP/ci/build.sh" "$kind" | tail -n1) || exit 1
vmout=$BUILD/vm/kunit-$kind
bash "$TOP/ci/vm.sh" --quiet --timeout 600 --out "$vmout" \
	--append "kunit.enable=1 kunit.filter_glob=$glob" "$img" -- true
vmrc=$?
con=$vmout/console-a.log
rerun="bash ci/kunit.sh $kind '$glob'"
pass=0 fail=0 skip=0
record() {
	[ -n "${RESULTS:-}" ] && printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RESULTS"
	return 0
}
# Test case lines are indented KTAP results: "    ok 3 tcp_ops_default_v4_mapped".
while IFS= read -r line; do
	name=$(sed -E 's/^ *(not )?ok [0-9]+ ([^ #]+).*/\2/' <<<"$line")
	if grep -q '# SKIP' <<<"$line"; then
		skip=$((skip + 1))
		record skip "kunit $name" "$(sed -E 's/.*# SKIP *//' <<<"$line")" "$rerun"
	elif grep -Eq '^ *ok ' <<<"$line"; then
		pass=$((pass + 1))
		record pass "kunit $name" "" ""
	else
		fail=$((fail + 1))
		record fail "kunit $name" "see $con" "$rerun"
	fi
done < <(sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$con" 2>/dev/null | grep -E '^    (not )?ok [0-9]+ ')
if [ "$glob" = "*" ]; then
	for suite in $KUNIT_SUITES; do
		if ! grep -Eq "^\[ *[0-9.]+\] (not )?ok [0-9]+ $suite( |\$)" "$con" 2>/dev/null; then
			fail=$((fail + 1))
			record fail "kunit $suite" "suite did not run (is its config option on?); console $con" "$rerun"
		fi
	done
fi
if [ $((pass + fail + skip)) = 0 ]; then
	fail=1
	record fail "kunit $glob" "no KUnit result in the console (vm exit $vmrc): $con" "$rerun"
elif [ "$vmrc" != 0 ]; then
	fail=$((fail + 1))
	record fail "kunit guest" "vm exit $vmrc (126: kernel splat); console $con" "$rerun"
fi
echo "kunit $kind: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
