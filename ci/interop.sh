#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interop suite: the patched kernel against the control kernel (upstream's
# MPTCP), each as client and as server, over IPv4 and IPv6, in two guests
# joined by one virtual link that is captured (ci/vm.sh --pair --pcap).
#
#   ci/interop.sh [patched|debug]
#
# "debug" puts the debug kernel (KASAN, lockdep, kmemleak, UBSAN) in guest
# a instead of the patched one; a splat in either console fails the run.
#
# Per case: the data crosses intact both ways (mptcp_meta_connect checks
# every byte), the MPTcpExt counters of both kernels moved as the
# handshake says they must, and tshark's MPTCP dissector, with mapping
# analysis on, finds no malformed packet and no error in the case's
# packets, and sees MP_CAPABLE where it must be and nowhere else.
#
# What the cases expect follows the series: its connections fall back to
# TCP at the end of the handshake until the data level lands, so the
# control side counts a fallback (MPCapableFallbackSYNACK as client,
# MPCapableFallbackACK as server).
#
# Results go to $RESULTS as in ci/kselftest.sh; the last line is
# "interop: N passed, N failed".  Guest logs and the capture stay in
# $BUILD/interop.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kind=${1:-patched}
case "$kind" in patched|debug) ;; *) die "usage: ci/interop.sh [patched|debug]" ;; esac
bytes=${INTEROP_BYTES:-4194304}
out=$BUILD/interop-$kind
mem=2G
[ "$kind" = debug ] && mem=4G
pass=0 fail=0
rerun="make interop"
[ "$kind" = debug ] && rerun="make interop-debug"

record() {
	local st=$1 name=$2 why=${3:-}
	[ -n "${RESULTS:-}" ] &&
		printf '%s\tinterop(%s) %s\t%s\t%s\n' "$st" "$kind" "$name" "$why" "$rerun" >> "$RESULTS"
	if [ "$st" = pass ]; then
		pass=$((pass + 1)); echo "ok: interop($kind) $name"
	else
		fail=$((fail + 1)); echo "FAIL: interop($kind) $name: $why"
	fi
}

finish() {
	echo "interop($kind): $pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

patched=$(bash "$TOP/ci/build.sh" "$kind" | tail -n1) || die "$kind kernel build failed"
control=$(bash "$TOP/ci/build.sh" control | tail -n1) || die "control kernel build failed"

rm -rf "$out"
mkdir -p "$out"
tool=$out/mptcp_meta_connect
src=$KERNEL_TREE/tools/testing/selftests/net/mptcp_meta/mptcp_meta_connect.c
if ! gcc -O2 -Wall -o "$tool" "$src"; then
	record fail setup "could not build $src"
	finish
fi

log "interop: $kind (guest a) <-> control (guest b), $bytes bytes each way per case"
bash "$TOP/ci/vm.sh" --quiet --timeout 900 --mem "$mem" --out "$out/vm" --pcap --links 1 \
	--pair "$patched" "$control" \
	--cmd-a "bash $TOP/selftests/interop/guest.sh a $tool $bytes" \
	--cmd-b "bash $TOP/selftests/interop/guest.sh b $tool $bytes"
rc=$?
if [ "$rc" != 0 ]; then
	record fail guests "ci/vm.sh exited $rc (124 timeout, 125 boot, 126 kernel splat); logs in $out/vm"
	finish
fi
pcap=$out/vm/link0.pcap

# delta SIDE CASE COUNTER: how much COUNTER moved on SIDE (a|b) during CASE
delta() {
	local d=$out/vm/$1 v0 v1
	v0=$(awk -v k="$3" '$1 == k { print $2 }' "$d/$2.mib0")
	v1=$(awk -v k="$3" '$1 == k { print $2 }' "$d/$2.mib1")
	echo $((${v1:-0} - ${v0:-0}))
}

# count CASE_PORT FILTER: packets of the case matching a display filter
# (prints "tshark-failed" if the filter or the capture is bad, which fails
# every comparison it meets)
count() {
	local f=$out/tshark.out
	if tshark -r "$pcap" -o mptcp.analyze_mappings:TRUE \
		-o mptcp.relative_sequence_numbers:TRUE \
		-Y "tcp.port == $1 && ($2)" > "$f" 2> "$f.err"; then
		wc -l < "$f"
	else
		echo tshark-failed
	fi
}

# check_case NAME PORT CLIENT(a|b)
check_case() {
	local name=$1 port=$2 client=$3 why="" ca cb n syn synack want
	local -a bad=()

	ca=$(cat "$out/vm/a/$name.rc" 2>/dev/null)
	cb=$(cat "$out/vm/b/$name.rc" 2>/dev/null)
	if [ "$ca" != 0 ] || [ "$cb" != 0 ]; then
		why="exit status patched=${ca:-none} control=${cb:-none}:"
		why+=" $(cat "$out/vm/a/$name.out" "$out/vm/b/$name.out" 2>/dev/null | tr '\n' ' ')"
		record fail "$name: data" "$why"
	else
		record pass "$name: data intact both ways"
	fi

	if [ "$client" = b ]; then
		# upstream client, our listener: our SYN/ACK declines MPTCP
		want="b:MPCapableSYNTX=1 b:MPCapableFallbackSYNACK=1"
	else
		# our client, upstream listener: our third ACK declines it
		want="a:MPCapableSYNTX=1 a:MPCapableSYNACKRX=1 b:MPCapableSYNRX=1 b:MPCapableFallbackACK=1"
	fi
	for w in $want; do
		local side=${w%%:*} k=${w#*:} got
		k=${k%=*}
		got=$(delta "$side" "$name" "$k")
		[ "$got" = "${w#*=}" ] || bad+=("$side:$k moved by $got, want ${w#*=}")
	done
	if [ "${#bad[@]}" = 0 ]; then
		record pass "$name: MPTcpExt counters ($want)"
	else
		record fail "$name: MPTcpExt counters" "$(IFS=';'; echo "${bad[*]}")"
	fi

	bad=()
	n=$(count "$port" "_ws.malformed || _ws.expert.severity >= 8388608")
	[ "$n" = 0 ] || bad+=("$n malformed or error packets")
	n=$(count "$port" "mptcp.dss.missing_mapping || mptcp.connection.echoed_key_mismatch")
	[ "$n" = 0 ] || bad+=("$n packets with mapping or key errors")
	syn="tcp.flags.syn == 1 && tcp.flags.ack == 0"
	synack="tcp.flags.syn == 1 && tcp.flags.ack == 1"
	n=$(count "$port" "$syn && tcp.options.mptcp.subtype == 0 && tcp.options.mptcp.version == 1 && tcp.options.mptcp.sha256.flag == 1")
	[ "$n" -ge 1 ] 2> /dev/null || bad+=("no MP_CAPABLE v1 (HMAC-SHA256) SYN: $n")
	if [ "$client" = b ]; then
		n=$(count "$port" "$synack && tcp.options.mptcp.subtype")
		[ "$n" = 0 ] || bad+=("$n SYN/ACKs from the patched listener carry MPTCP")
	else
		n=$(count "$port" "$synack && tcp.options.mptcp.sendkey")
		[ "$n" -ge 1 ] 2> /dev/null || bad+=("the control listener's SYN/ACK has no key: $n")
		n=$(count "$port" "tcp.flags.syn == 0 && tcp.srcport != $port && tcp.options.mptcp.subtype")
		[ "$n" = 0 ] || bad+=("$n non-SYN packets from the patched client carry MPTCP")
	fi
	if [ "${#bad[@]}" = 0 ]; then
		record pass "$name: capture (tshark MPTCP dissector)"
	else
		record fail "$name: capture" "$(IFS=';'; echo "${bad[*]}"); $pcap"
	fi
}

# the same list as selftests/interop/guest.sh
check_case v4-control-to-patched 6001 b
check_case v4-patched-to-control 6002 a
check_case v6-control-to-patched 6003 b
check_case v6-patched-to-control 6004 a
finish
