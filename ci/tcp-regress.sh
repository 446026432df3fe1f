#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plain TCP behaves the same on the patched and the control kernel: run
# selftests/tcp-regress.list (in-tree TCP and socket kselftests, built from
# the series' tree) on both kernels and compare test by test.
#
#   ci/tcp-regress.sh [LIST]
#
# A test passes here when its result (ok, not ok, skip) is the same on both
# kernels; a test that fails or skips on both is reported as such, with the
# reason, since it says nothing about the series.  Results go to $RESULTS
# when set.  Takes about 15 minutes (two guest runs, each building nothing
# new after the first).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

list=${1:-$TOP/selftests/tcp-regress.list}
dir=$BUILD/tcp-regress
mkdir -p "$dir"
for k in patched control; do
	: > "$dir/$k.tsv"
	log "tcp-regress: $k kernel"
	RESULTS=$dir/$k.tsv bash "$TOP/ci/kselftest.sh" "$k" "$list" || true
done

python3 - "$dir/patched.tsv" "$dir/control.tsv" "${RESULTS:-/dev/null}" <<'PY'
import sys
def load(p, k):
    r = {}
    for line in open(p):
        f = line.rstrip("\n").split("\t")
        if len(f) < 2 or not f[1].startswith(f"kselftest {k} "):
            continue
        r[f[1][len(f"kselftest {k} "):]] = (f[0], f[2] if len(f) > 2 else "")
    return r
p, c = load(sys.argv[1], "patched"), load(sys.argv[2], "control")
out = open(sys.argv[3], "a")
same = differ = 0
print(f"{'test':40} {'patched':8} {'control':8}")
for t in sorted(set(p) | set(c)):
    ps, pw = p.get(t, ("none", "no result"))
    cs, cw = c.get(t, ("none", "no result"))
    print(f"{t:40} {ps:8} {cs:8}" + (f"  ({pw or cw})" if ps != "pass" or cs != "pass" else ""))
    name = f"tcp-regress {t}"
    if ps != cs:
        differ += 1
        out.write(f"fail\t{name}\tpatched {ps}, control {cs}: {pw or cw}\tbash ci/tcp-regress.sh\n")
    elif ps == "pass":
        same += 1
        out.write(f"pass\t{name}\t\t\n")
    else:
        same += 1
        out.write(f"skip\t{name}\t{ps} on both kernels: {pw or cw}\tbash ci/tcp-regress.sh\n")
print(f"tcp-regress: {same} same, {differ} different")
sys.exit(1 if differ else 0)
PY
