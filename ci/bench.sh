#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks, not tests.
#
#   ci/bench.sh [ROUNDS]        plain TCP throughput, patched kernel vs the
#                               control kernel (the unpatched base)
#   ci/bench.sh mptcp [ROUNDS]  one-subflow MPTCP vs plain TCP in the same
#                               guest, on each kernel: ours (patched) and
#                               upstream's (control), apps under mptcpize
#
# ROUNDS defaults to 5 of each kernel.  Rounds are interleaved (patched,
# control, patched, ...), each in a fresh guest; a round runs
# selftests/bench/tcp-guest.sh or mptcp-guest.sh (iperf3 over veth between
# two namespaces: bulk, and 256-byte writes with TCP_NODELAY).  Prints per
# test the median of each kernel, the spread (min..max as a percentage of
# the median) and the ratios of the medians and per round.
#
# Guests run with instruction-counted time (VM_ICOUNT, default shift=4:
# one guest nanosecond per 16 instructions, single-threaded TCG), so a
# rate is bytes per guest instruction: a CPU cost, measured with a spread
# of about 1%.  With VM_ICOUNT= (empty) they run on wall-clock time, where
# host noise gives 20-50% spreads under TCG.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
export VM_ICOUNT=${VM_ICOUNT-shift=4}

mode=tcp
case "${1:-}" in tcp|mptcp) mode=$1; shift ;; esac
rounds=${1:-5}
case "$rounds" in ''|*[!0-9]*) die "usage: ci/bench.sh [tcp|mptcp] [ROUNDS]" ;; esac
# BENCH_PATCHED_IMG: a bzImage to use instead of building the patched kernel
pimg=${BENCH_PATCHED_IMG:-$(bash "$TOP/ci/build.sh" patched | tail -n1)} || exit 1
cimg=$(bash "$TOP/ci/build.sh" control | tail -n1) || exit 1
out=$BUILD/bench/$mode-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
: > "$out/all.txt"
for ((r = 1; r <= rounds; r++)); do
	for k in patched control; do
		img=$pimg
		[ "$k" = control ] && img=$cimg
		log "round $r/$rounds: $k"
		if ! bash "$TOP/ci/vm.sh" --quiet --timeout 600 --out "$out/$k-$r" "$img" -- \
			"bash $TOP/selftests/bench/$mode-guest.sh"; then
			die "round $r on $k failed; console in $out/$k-$r"
		fi
		sed "s/^/$k /" "$out/$k-$r/a/bench.txt" | tee -a "$out/all.txt"
	done
done
if [ "$mode" = mptcp ]; then
	python3 "$TOP/selftests/bench/mptcp-report.py" "$out/all.txt"
	echo "raw results: $out/all.txt"
	exit 0
fi
python3 - "$out/all.txt" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
tests = sorted({t for _, t, _ in rows})
print(f"{'test':8} {'patched Mbit/s':>16} {'spread':>8} {'control Mbit/s':>16} {'spread':>8} {'ratio':>7}")
for t in tests:
    med = {}
    spr = {}
    for k in ("patched", "control"):
        v = [float(x) / 1e6 for kk, tt, x in rows if kk == k and tt == t]
        med[k] = statistics.median(v)
        spr[k] = (max(v) - min(v)) / med[k] * 100
    print(f"{t:8} {med['patched']:16.1f} {spr['patched']:7.1f}% {med['control']:16.1f} {spr['control']:7.1f}% {med['patched']/med['control']:7.3f}")
# Paired view: round r of each kernel ran back to back, so their ratio
# cancels slow drift of the host; its median and quartiles show the noise.
print()
print(f"{'test':8} {'per-round ratio median':>24} {'quartiles':>16} {'rounds':>7}")
for t in tests:
    p = [float(x) for kk, tt, x in rows if kk == "patched" and tt == t]
    c = [float(x) for kk, tt, x in rows if kk == "control" and tt == t]
    r = sorted(a / b for a, b in zip(p, c))
    q = statistics.quantiles(r, n=4) if len(r) > 1 else [r[0]] * 3
    print(f"{t:8} {statistics.median(r):24.3f} {q[0]:7.3f}..{q[2]:.3f} {len(r):7}")
PY
echo "raw results: $out/all.txt"
