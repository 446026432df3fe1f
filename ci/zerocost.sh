#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Zero-cost check of the tcp_sock_ops dispatch, on the disassembly.
#
#   ci/zerocost.sh [PATCHED_VMLINUX [CONTROL_VMLINUX]]
#
# 1. __tcp_push_pending_frames() and tcp_push_one() contain no indirect
#    call or jump (no "call *", no retpoline thunk) and do reach the
#    out-of-line dispatch __tcp_ops_write_xmit() (the static branch).
# 2. Every converted caller, and every TCP function that calls an MPTCP
#    hook of the series (tcp_finish_connect(), the RTO's SYN check), has
#    no more indirect calls than the same function in the control kernel.
# 3. Positive control: __tcp_ops_write_xmit() itself does contain the
#    retpolined call, so the detector does see one when it is there.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

pv=${1:-$BUILD/out/patched/vmlinux}
cv=${2:-$CACHE/base/out/control/vmlinux}
[ -f "$pv" ] || die "$pv missing (make build)"
[ -f "$cv" ] || die "$cv missing (make build-control)"

indirect_re='call +\*|jmp +\*|__x86_indirect_(call_|jump_)?thunk'
pass=0 fail=0
record() {
	local s=$1 n="zero-cost $2" why=${3:-}
	[ -n "${RESULTS:-}" ] && printf '%s\t%s\t%s\t%s\n' "$s" "$n" "$why" "bash ci/zerocost.sh" >> "$RESULTS"
	if [ "$s" = pass ]; then pass=$((pass + 1)); echo "ok: $n"
	else fail=$((fail + 1)); echo "FAIL: $n: $why"; fi
}
body() { objdump -d --no-show-raw-insn --disassemble="$2" "$1" 2>/dev/null | sed -n '/>:$/,$p'; }
count() { body "$1" "$2" | grep -Ec "$indirect_re"; }

for f in __tcp_push_pending_frames tcp_push_one; do
	b=$(body "$pv" "$f")
	if [ -z "$b" ]; then
		record fail "$f" "no such symbol in $pv"
	elif grep -Eq "$indirect_re" <<<"$b"; then
		record fail "$f" "indirect call: $(grep -E "$indirect_re" <<<"$b" | head -n1 | tr -s ' \t' ' ')"
	elif ! grep -q '<__tcp_ops_write_xmit>' <<<"$b"; then
		record fail "$f" "does not reach __tcp_ops_write_xmit (dispatch missing?)"
	else
		record pass "$f"
	fi
done

worse=()
for f in tcp_send_loss_probe tcp_tsq_handler tcp_tasklet_func tcp_release_cb \
	 __tcp_transmit_skb __tcp_select_window __tcp_cleanup_rbuf \
	 tcp_recvmsg_locked tcp_read_sock tcp_shutdown __tcp_close tcp_disconnect \
	 tcp_abort tcp_write_timer_handler tcp_keepalive_timer tcp_send_probe0 \
	 tcp_rcv_established tcp_v4_err tcp_ld_RTO_revert \
	 tcp_finish_connect tcp_write_timeout tcp_retransmit_timer; do
	[ -n "$(body "$pv" "$f")" ] || continue
	p=$(count "$pv" "$f")
	c=$(count "$cv" "$f")
	[ "$p" -le "$c" ] || worse+=("$f: $c -> $p")
done
if [ "${#worse[@]}" = 0 ]; then
	record pass "converted callers"
else
	record fail "converted callers" "more indirect calls than control: ${worse[*]}"
fi

if [ "$(count "$pv" __tcp_ops_write_xmit)" -ge 1 ]; then
	record pass "detector sees the dispatch's indirect call"
else
	record fail "detector sees the dispatch's indirect call" \
		"no indirect call found in __tcp_ops_write_xmit: is the detector (or retpoline) broken?"
fi
echo "zero-cost: $pass passed, $fail failed"
[ "$fail" = 0 ]
