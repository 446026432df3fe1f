#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The regression gate: the subtests of upstream's MPTCP selftests that
# the patched kernel passes, listed in selftests/upstream-mptcp/expected-patched,
# must go on passing.
#
#   ci/gate.sh                    run the scripts that hold listed subtests
#                                 on the patched kernel (ci/upstream-mptcp.sh;
#                                 mptcp_join.sh only for the listed ids),
#                                 then check
#   ci/gate.sh --check LIST TSV   only the check, of results already there
#
# LIST holds one subtest a line, "script<TAB>name", the name as the
# scoreboard has it (mptcp_join.sh's begin with their number).  Each listed
# subtest is one result in $RESULTS: a pass, or a failure that names it and
# the command that reruns it.  A subtest that passes and is not listed is
# printed as new: add it to the list, so that the list grows with the series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check() {
	local list=$1 tsv=$2

	python3 - "$list" "$tsv" "${RESULTS:-}" <<'PY'
import sys

lst, tsv, results = sys.argv[1:]
want = []
for line in open(lst):
    line = line.rstrip("\n")
    if not line.strip() or line.startswith("#"):
        continue
    script, _, name = line.partition("\t")
    if not name:
        sys.exit(f"gate: {lst}: not 'script<TAB>name': {line!r}")
    want.append((script, name))
got = {}
units = {}
for line in open(tsv):
    if line.startswith("#") or not line.strip():
        continue
    unit, num, name, status, reason = line.rstrip("\n").split("\t")
    script = unit.split()[0]
    if num == "-":
        units[script] = (unit, status, reason)
    elif got.get((script, name), (0, "ok"))[1] == "ok":
        # a name twice: the worse result stands
        got[(script, name)] = (unit, status, reason)
# a unit cut short, or whose kernel splatted, fails all it held
BAD = ("timeout", "the guest did not boot", "kernel splat")
out = []
fails = 0
for script, name in want:
    unit, status, reason = got.get((script, name), (None, None, None))
    u = units.get(script)
    if unit is not None and u and u[2].startswith(BAD):
        status, reason = "not ok", f"{u[2]} (the unit {u[0]})"
    if unit is None:
        unit = u[0] if u else script
        status, reason = "not ok", ("not run: the script did not print "
                                    "it" + (f" ({u[1]}: {u[2]})" if u else
                                            " (the script did not run)"))
    if script == "mptcp_join.sh" and name[:3].isdigit():
        unit = f"mptcp_join.sh {int(name[:3])}"
    rerun = ("FORCE=1 bash ci/gate.sh  (this unit alone: "
             "UPSTREAM_TSV=build/gate.tsv FORCE=1 bash "
             f"ci/upstream-mptcp.sh patched '{unit}')")
    what = f"upstream {script}: {name}"
    if status == "ok":
        out.append(f"pass\t{what}\t\t{rerun}")
        print(f"ok: {what}")
    else:
        fails += 1
        out.append(f"fail\t{what}\t{status}: {reason}\t{rerun}")
        print(f"FAIL: {what}: {status}: {reason}\n      rerun: {rerun}")
listed = set(want)
for (script, name), (unit, status, reason) in got.items():
    if status == "ok" and (script, name) not in listed:
        print(f"new: upstream {script}: {name} passes; add it to {lst} "
              f"as '{script}<TAB>{name}'")
if results:
    with open(results, "a") as f:
        for line in out:
            f.write(line + "\n")
print(f"gate: {len(want) - fails} of {len(want)} listed subtests pass")
sys.exit(1 if fails else 0)
PY
}

# a failure of the gate itself, not of a subtest: one result that says so
broken() {
	[ -n "${RESULTS:-}" ] &&
		printf 'fail\tupstream MPTCP gate\t%s\tbash ci/gate.sh\n' "$1" >> "$RESULTS"
	die "$1"
}

list=$TOP/selftests/upstream-mptcp/expected-patched
if [ "${1:-}" = --check ]; then
	[ $# = 3 ] || die "usage: ci/gate.sh --check LIST TSV"
	check "$2" "$3"
	exit
fi
[ -f "$list" ] || broken "no $list"

# the units: each listed script once; mptcp_join.sh with the listed ids
units=()
while IFS= read -r s; do
	units+=("$s")
done < <(awk -F'\t' '!/^#/ && NF >= 2 && $1 != "mptcp_join.sh" { print $1 }' "$list" | sort -u)
# as ranges ("3-9 12"): the unit names a file
ids=$(awk -F'\t' '!/^#/ && $1 == "mptcp_join.sh" { print $2 + 0 }' "$list" |
      sort -un | awk 'NR > 1 && $1 == last + 1 { last = $1; next }
		      NR > 1 { printf "%s ", (first == last ? first : first "-" last) }
		      { first = last = $1 }
		      END { if (NR) print (first == last ? first : first "-" last) }')
[ -z "$ids" ] || units+=("mptcp_join.sh $ids")
[ "${#units[@]}" -gt 0 ] || broken "$list lists no subtest"

tsv=$BUILD/gate.tsv
rm -f "$tsv"
UPSTREAM_TSV=$tsv bash "$TOP/ci/upstream-mptcp.sh" patched "${units[@]}" ||
	broken "ci/upstream-mptcp.sh failed (output above)"
check "$list" "$tsv"
