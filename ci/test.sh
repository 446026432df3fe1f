#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The full test suite (README's test command; CI runs it):
#   install, base, apply, static checks, build patched + control, zero-cost
#   disassembly check, workbench self-tests, KUnit and kselftests on the
#   patched kernel, the gate of upstream's MPTCP selftests (ci/gate.sh),
#   the interop suite (patched <-> control, two guests).
# Every result is one line; failures and skips say why and how to rerun.
# The last line is "N passed, N failed, N skipped".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$BUILD"
export RESULTS=$BUILD/results.tsv
: > "$RESULTS"
t0=$SECONDS
step() { log "=== $* ($((SECONDS - t0)) s)"; }
hard() {
	# A step everything else needs: record and stop on failure.
	local name=$1; shift
	if ! "$@"; then
		printf 'fail\t%s\t%s\t%s\n' "$name" "step failed (output above)" "$*" >> "$RESULTS"
		summary
		exit 1
	fi
}
summary() {
	local p f s
	echo
	echo "==== results ($((SECONDS - t0)) s) ===="
	awk -F'\t' '$1 == "fail" { printf "FAIL %s: %s\n     rerun: %s\n", $2, $3, $4 }
		    $1 == "skip" { printf "SKIP %s: %s\n     rerun: %s\n", $2, $3, $4 }' "$RESULTS"
	p=$(grep -c '^pass' "$RESULTS"); f=$(grep -c '^fail' "$RESULTS"); s=$(grep -c '^skip' "$RESULTS")
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
}

step setup;   hard setup bash "$TOP/ci/setup.sh"
step base;    hard base bash "$TOP/ci/base.sh"
step apply;   hard apply bash "$TOP/ci/apply.sh"
step "checks (series, checkpatch, kernel-doc, coccinelle)"
bash "$TOP/ci/check.sh" series
bash "$TOP/ci/check.sh" checkpatch
bash "$TOP/ci/check.sh" kdoc
bash "$TOP/ci/check.sh" cocci
step "build patched"; hard "build patched" bash "$TOP/ci/build.sh" patched
step "build control"; hard "build control" bash "$TOP/ci/build.sh" control
step "check build-warnings"; bash "$TOP/ci/check.sh" build-warnings
step "zero cost (disassembly)"; bash "$TOP/ci/zerocost.sh"
step "workbench self-tests"; bash "$TOP/ci/selftest.sh"
step "KUnit (patched)"; bash "$TOP/ci/kunit.sh" patched
step "kselftests (patched)"; bash "$TOP/ci/kselftest.sh" patched
step "upstream MPTCP selftests gate (patched)"
# the gate records each listed subtest; if it ended without doing so, say so
bash "$TOP/ci/gate.sh" || grep -q "^fail	upstream" "$RESULTS" ||
	printf 'fail\tupstream MPTCP gate\t%s\t%s\n' \
		"ci/gate.sh failed without a result (output above)" "bash ci/gate.sh" >> "$RESULTS"
step "interop (patched <-> control)"; bash "$TOP/ci/interop.sh"
summary
