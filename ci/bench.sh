#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark, not a test: plain TCP throughput on the patched kernel vs the
# control kernel (the unpatched base, same config).
#
#   ci/bench.sh [ROUNDS]      (default 5 rounds of each kernel)
#
# Rounds are interleaved (patched, control, patched, ...), each in a fresh
# guest; a round runs selftests/bench/tcp-guest.sh (iperf3 over veth
# between two namespaces: bulk, and 256-byte writes with TCP_NODELAY).
# Prints per test the median of each kernel, the spread (min..max as a
# percentage of the median) and the ratio patched/control of the medians.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

rounds=${1:-5}
pimg=$(bash "$TOP/ci/build.sh" patched | tail -n1) || exit 1
cimg=$(bash "$TOP/ci/build.sh" control | tail -n1) || exit 1
out=$BUILD/bench/tcp-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
: > "$out/all.txt"
for ((r = 1; r <= rounds; r++)); do
	for k in patched control; do
		img=$pimg
		[ "$k" = control ] && img=$cimg
		log "round $r/$rounds: $k"
		if ! bash "$TOP/ci/vm.sh" --quiet --timeout 600 --out "$out/$k-$r" "$img" -- \
			"bash $TOP/selftests/bench/tcp-guest.sh"; then
			die "round $r on $k failed; console in $out/$k-$r"
		fi
		sed "s/^/$k /" "$out/$k-$r/a/bench.txt" | tee -a "$out/all.txt"
	done
done
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
PY
echo "raw results: $out/all.txt"
