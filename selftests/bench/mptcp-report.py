#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize `ci/bench.sh mptcp`: lines "KERNEL NAME VALUE" where KERNEL is
patched (ours) or control (upstream MPTCP), NAME is tcp-bulk, mptcp-bulk,
tcp-small, mptcp-small (bits/s) or mptcp-capable / mptcp-fallback (how
many of the round's MPTCP client connections were answered with
MP_CAPABLE, and how many fell back)."""
import statistics
import sys

rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
kernels = {"patched": "ours", "control": "upstream"}


def values(k, name):
    return [float(v) for kk, n, v in rows if kk == k and n == name]


def spread(v):
    m = statistics.median(v)
    return (max(v) - min(v)) / m * 100 if m else 0.0


def quartiles(r):
    if len(r) < 2:
        return r[0], r[0]
    q = statistics.quantiles(r, n=4)
    return q[0], q[2]


print("MPTCP (one subflow) vs plain TCP, same guest, same kernel")
print(f"{'kernel':9} {'test':6} {'TCP Mbit/s':>11} {'spread':>7} {'MPTCP Mbit/s':>13} "
      f"{'spread':>7} {'MPTCP/TCP':>9} {'per-round (quartiles)':>24}  MPTCP?")
mptcp_med = {}
fell_back = set()
for k, label in kernels.items():
    cap = sum(values(k, "mptcp-capable"))
    fb = sum(values(k, "mptcp-fallback"))
    if not values(k, "tcp-bulk"):
        continue
    if fb or not cap:
        fell_back.add(k)
    state = (f"yes ({cap:.0f} connections)" if cap and not fb else
             f"NO: {fb:.0f} of {cap + fb:.0f} connections fell back to TCP, "
             "so this is not an MPTCP figure")
    for t in ("bulk", "small"):
        tcp, mp = values(k, "tcp-" + t), values(k, "mptcp-" + t)
        per = sorted(a / b for a, b in zip(mp, tcp))
        lo, hi = quartiles(per)
        mptcp_med[k, t] = statistics.median(mp)
        print(f"{label:9} {t:6} {statistics.median(tcp) / 1e6:11.1f} {spread(tcp):6.1f}% "
              f"{statistics.median(mp) / 1e6:13.1f} {spread(mp):6.1f}% "
              f"{statistics.median(mp) / statistics.median(tcp):9.3f} "
              f"{statistics.median(per):10.3f} ({lo:.3f}..{hi:.3f})  {state}")
print()
print("ours vs upstream, MPTCP throughput (ratio of medians)")
for t in ("bulk", "small"):
    if ("patched", t) in mptcp_med and ("control", t) in mptcp_med:
        r = mptcp_med['patched', t] / mptcp_med['control', t]
        why = "".join(f"  ({kernels[k]} fell back to TCP: not an MPTCP comparison)"
                      for k in sorted(fell_back))
        print(f"  {t:6} {r:.3f}{why}")
