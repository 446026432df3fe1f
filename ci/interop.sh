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
# What the cases expect follows the series.  Every case is MPTCP with
# one subflow, our kernel as client or as server, over IPv4, IPv6 and
# v4-mapped IPv6: upstream counts the handshake's MP_CAPABLE steps and no
# fallback, its MPTCP_INFO of the connection (and ss -M, when a sample
# caught it) shows the remote key and no fallback flag, and so does ours
# of the meta socket, the client's
# third ACK carries both keys, every data segment of ours carries a
# mapping (MP_CAPABLE with data, or DSS), and DATA_FIN goes both ways.
# Counters per role: our client, upstream's listener: a:MPCapableSYNTX,
# a:MPCapableSYNACKRX, b:MPCapableSYNRX, b:MPCapableACKRX; upstream's
# client, our listener: the same with a and b swapped; and neither side
# falls back after the handshake (DssFallback stays).  A case marked
# "no" expects a fallback instead (none is in the list today).
#
# The lossy cases repeat IPv4 ones with netem on both guests' egress
# (1 ms delay, 1% loss, 1% duplication, 25% reordering), where subflow
# recovery and the data-level retransmission timer are at work.  In the
# two fast-close cases the server (ours, then upstream's) closes with the
# client's data unread: its RST carries MP_FASTCLOSE and MP_TCPRST, both
# ends count them, and the client sees ECONNRESET.  In the two fallback
# cases an nft middlebox in front of the receiving guest (ours, then
# upstream's) takes the MPTCP option off the data it lets in: both
# kernels fall back after the handshake (RFC 8684 3.7) and the data
# still crosses intact both ways.
#
# tshark's mapping analysis warns "No mapping available" on pure ACKs
# (upstream-to-upstream captures have them too: INTEROP_A_IMG=<control
# bzImage> shows it); a mapping is required of data, so the check counts
# data segments without one.
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

# INTEROP_A_IMG: another image for guest a (the control image there gives
# the upstream-to-upstream baseline of the capture checks)
patched=${INTEROP_A_IMG:-$(bash "$TOP/ci/build.sh" "$kind" | tail -n1)} || die "$kind kernel build failed"
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
	# the payload is random data: decode it as such, not as X11 (ports
	# 6000-6063) or whatever a heuristic dissector guesses
	if tshark -r "$pcap" -d tcp.port==6001-6012,data -o mptcp.analyze_mappings:TRUE \
		-o mptcp.relative_sequence_numbers:TRUE \
		-Y "tcp.port == $1 && ($2)" > "$f" 2> "$f.err"; then
		wc -l < "$f"
	else
		echo tshark-failed
	fi
}

# unmapped PORT: data packets of the case that tshark's mapping analysis
# finds no mapping for.  The analysis also flags some segments that
# netem's reordering delivered out of order although they carry a DSS
# whose mapping covers them (a limitation of the dissector's analysis:
# it happens to upstream-to-upstream captures too); a flagged segment
# whose own mapping covers it, by relative subflow sequence numbers, is
# not counted.
unmapped() {
	local f=$out/tshark.out
	if tshark -r "$pcap" -d tcp.port==6001-6012,data -o mptcp.analyze_mappings:TRUE \
		-o mptcp.relative_sequence_numbers:TRUE \
		-Y "tcp.port == $1 && tcp.len > 0 && mptcp.dss.missing_mapping" \
		-T fields -e tcp.seq -e tcp.len -e tcp.options.mptcp.subflowseqno \
		-e tcp.options.mptcp.datalvllen > "$f" 2> "$f.err"; then
		awk -F'\t' '!($3 != "" && $3 <= $1 && $1 + $2 <= $3 + $4) { n++ }
			     END { print n + 0 }' "$f"
	else
		echo tshark-failed
	fi
}

# check_case NAME PORT CLIENT(a|b) MPTCP(yes|no)
check_case() {
	local name=$1 port=$2 client=$3 mptcp=$4 why="" ca cb n syn synack want info
	local ours="tcp.srcport != $port" ssm=$out/vm/b/$1.ssM
	local -a bad=()

	[ "$client" = b ] && ours="tcp.srcport == $port"
	ca=$(cat "$out/vm/a/$name.rc" 2>/dev/null)
	cb=$(cat "$out/vm/b/$name.rc" 2>/dev/null)
	if [ "$ca" != 0 ] || [ "$cb" != 0 ]; then
		why="exit status patched=${ca:-none} control=${cb:-none}:"
		why+=" $(cat "$out/vm/a/$name.out" "$out/vm/b/$name.out" 2>/dev/null | tr '\n' ' ')"
		record fail "$name: data" "$why"
	else
		record pass "$name: data intact both ways"
	fi

	local srv=a
	[ "$client" = a ] && srv=b
	if [ "$mptcp" = yes ]; then
		want="$client:MPCapableSYNTX=1 $client:MPCapableSYNACKRX=1 $client:MPCapableFallbackSYNACK=0 $srv:MPCapableSYNRX=1 $srv:MPCapableACKRX=1 $srv:MPCapableFallbackACK=0 a:DssFallback=0 b:DssFallback=0"
	else
		# the server declines MPTCP in its SYN/ACK or the client in
		# its third ACK: either way one side counts a fallback
		want="$client:MPCapableSYNTX=1 $srv:MPCapableSYNRX=1"
	fi
	for w in $want; do
		local side=${w%%:*} k=${w#*:} got
		k=${k%=*}
		got=$(delta "$side" "$name" "$k")
		[ "$got" = "${w#*=}" ] || bad+=("$side:$k moved by $got, want ${w#*=}")
	done
	# upstream's own view of the connection: MPTCP_INFO, which the tool
	# prints (flags: 1 fallback, 2 remote key received), and ss -M's
	# samples of it
	info=$(sed -n 's/^[a-z]*: mptcp_info: //p' "$out/vm/b/$name.out" 2>/dev/null)
	if [ "$mptcp" = yes ]; then
		case "$info" in
		"flags 0x2 "*) ;;
		*) bad+=("upstream's MPTCP_INFO: '${info:-none}', want flags 0x2 (remote key, no fallback)") ;;
		esac
		# and ours, of the meta socket
		info=$(sed -n 's/^[a-z]*: mptcp_info: //p' "$out/vm/a/$name.out" 2>/dev/null)
		case "$info" in
		"flags 0x2 "*) ;;
		*) bad+=("our MPTCP_INFO: '${info:-none}', want flags 0x2") ;;
		esac
		if grep -q subflows_max "$ssm" 2>/dev/null &&
		   { ! grep -q remote_key "$ssm" || grep -q fallback "$ssm"; }; then
			bad+=("ss -M on the control side: $(sort -u "$ssm" | grep subflows_max | head -n1)")
		fi
	else
		# a fallen-back socket passes SOL_MPTCP to IP: IPv4 answers
		# EOPNOTSUPP, IPv6 ENOPROTOOPT
		case "$info" in
		EOPNOTSUPP|ENOPROTOOPT) ;;
		*) bad+=("upstream's MPTCP_INFO: '${info:-none}', want EOPNOTSUPP or ENOPROTOOPT (fallback)") ;;
		esac
		if grep -q subflows_max "$ssm" 2>/dev/null && ! grep -q fallback "$ssm"; then
			bad+=("ss -M on the control side shows no fallback")
		fi
	fi
	if [ "${#bad[@]}" = 0 ]; then
		record pass "$name: MPTcpExt counters, both MPTCP_INFOs, ss -M ($want)"
	else
		record fail "$name: MPTcpExt counters, MPTCP_INFO, ss -M" "$(IFS=';'; echo "${bad[*]}")"
	fi

	bad=()
	n=$(count "$port" "_ws.malformed || _ws.expert.severity >= 8388608")
	[ "$n" = 0 ] || bad+=("$n malformed or error packets")
	n=$(count "$port" "mptcp.connection.echoed_key_mismatch")
	[ "$n" = 0 ] || bad+=("$n packets with a key mismatch")
	n=$(unmapped "$port")
	[ "$n" = 0 ] || bad+=("$n data packets without a mapping")
	syn="tcp.flags.syn == 1 && tcp.flags.ack == 0"
	synack="tcp.flags.syn == 1 && tcp.flags.ack == 1"
	n=$(count "$port" "$syn && tcp.options.mptcp.subtype == 0 && tcp.options.mptcp.version == 1 && tcp.options.mptcp.sha256.flag == 1")
	[ "$n" -ge 1 ] 2> /dev/null || bad+=("no MP_CAPABLE v1 (HMAC-SHA256) SYN: $n")
	if [ "$mptcp" = yes ]; then
		n=$(count "$port" "$synack && tcp.options.mptcp.sendkey")
		[ "$n" -ge 1 ] 2> /dev/null || bad+=("the listener's SYN/ACK has no key: $n")
		cli="tcp.dstport == $port"
		n=$(count "$port" "$cli && tcp.flags.syn == 0 && tcp.options.mptcp.sendkey && tcp.options.mptcp.recvkey")
		[ "$n" -ge 1 ] 2> /dev/null || bad+=("no MP_CAPABLE with both keys from the client: $n")
		n=$(count "$port" "$ours && tcp.len > 0 && !tcp.options.mptcp.datalvllen")
		[ "$n" = 0 ] || bad+=("$n data segments of ours carry no mapping")
		n=$(count "$port" "$ours && tcp.options.mptcp.datafin.flag == 1")
		[ "$n" -ge 1 ] 2> /dev/null || bad+=("no DATA_FIN from the patched side: $n")
		n=$(count "$port" "!($ours) && tcp.options.mptcp.datafin.flag == 1")
		[ "$n" -ge 1 ] 2> /dev/null || bad+=("no DATA_FIN from the control side: $n")
		# the lossy case must have lost something, or netem was not there
		if [[ "$name" == *-lossy ]]; then
			n=$(count "$port" "tcp.analysis.retransmission")
			[ "$n" -ge 1 ] 2> /dev/null || bad+=("no retransmission in the lossy case: netem not applied? ($n)")
		fi
	else
		n=$(count "$port" "tcp.flags.syn == 0 && $ours && tcp.options.mptcp.subtype")
		[ "$n" = 0 ] || bad+=("$n non-SYN packets of the patched side carry MPTCP")
	fi
	if [ "${#bad[@]}" = 0 ]; then
		record pass "$name: capture (tshark MPTCP dissector)"
	else
		record fail "$name: capture" "$(IFS=';'; echo "${bad[*]}"); $pcap"
	fi
}

# check_fastclose NAME PORT CLIENT(a|b): the server closed with the
# client's data unread; the RST that reset the subflow carried
# MP_FASTCLOSE with the client's key (the client counts MPFastcloseRx
# only for its own key) and MP_TCPRST, and the client saw ECONNRESET
check_fastclose() {
	local name=$1 port=$2 client=$3 srv=a ca cb w want got k side n
	local -a bad=()

	[ "$client" = a ] && srv=b
	ca=$(cat "$out/vm/a/$name.rc" 2>/dev/null)
	cb=$(cat "$out/vm/b/$name.rc" 2>/dev/null)
	if [ "$ca" != 0 ] || [ "$cb" != 0 ]; then
		record fail "$name: reset" "exit status patched=${ca:-none} control=${cb:-none}: $(cat "$out/vm/a/$name.out" "$out/vm/b/$name.out" 2>/dev/null | tr '\n' ' ')"
	else
		record pass "$name: the client saw ECONNRESET"
	fi
	want="$client:MPCapableSYNACKRX=1 $srv:MPCapableACKRX=1 $srv:MPFastcloseTx=1 $srv:MPRstTx=1 $client:MPFastcloseRx=1 $client:MPRstRx=1"
	for w in $want; do
		side=${w%%:*} k=${w#*:}
		k=${k%=*}
		got=$(delta "$side" "$name" "$k")
		[ "$got" = "${w#*=}" ] || bad+=("$side:$k moved by $got, want ${w#*=}")
	done
	n=$(count "$port" "_ws.malformed || _ws.expert.severity >= 8388608")
	[ "$n" = 0 ] || bad+=("$n malformed or error packets")
	n=$(count "$port" "tcp.srcport == $port && tcp.flags.reset == 1 && tcp.options.mptcp.subtype == 7")
	[ "$n" -ge 1 ] 2> /dev/null || bad+=("no RST with MP_FASTCLOSE from the server: $n")
	if [ "${#bad[@]}" = 0 ]; then
		record pass "$name: MP_FASTCLOSE and MP_TCPRST counted at both ends, on the wire ($want)"
	else
		record fail "$name: fast close" "$(IFS=';'; echo "${bad[*]}"); $pcap"
	fi
}

# check_fallback NAME PORT CLIENT(a|b) STRIPPER(a|b): a middlebox in
# front of STRIPPER took the MPTCP option off the data it received; the
# data is intact both ways, both kernels fell back after an MPTCP
# handshake (ours counts DssFallback; upstream's DssFallback, or
# MPCapableDataFallback when the first data it got had no mapping), and
# our MPTCP_INFO says fallback
check_fallback() {
	local name=$1 port=$2 client=$3 strip=$4 srv=a ca cb w want got k side n
	local info up
	local -a bad=()

	[ "$client" = a ] && srv=b
	ca=$(cat "$out/vm/a/$name.rc" 2>/dev/null)
	cb=$(cat "$out/vm/b/$name.rc" 2>/dev/null)
	if [ "$ca" != 0 ] || [ "$cb" != 0 ]; then
		record fail "$name: data" "exit status patched=${ca:-none} control=${cb:-none}: $(cat "$out/vm/a/$name.out" "$out/vm/b/$name.out" 2>/dev/null | tr '\n' ' ')"
	else
		record pass "$name: data intact both ways"
	fi
	want="$client:MPCapableSYNACKRX=1 $srv:MPCapableACKRX=1 a:DssFallback=1"
	for w in $want; do
		side=${w%%:*} k=${w#*:}
		k=${k%=*}
		got=$(delta "$side" "$name" "$k")
		[ "$got" = "${w#*=}" ] || bad+=("$side:$k moved by $got, want ${w#*=}")
	done
	up=$(($(delta b "$name" DssFallback) + $(delta b "$name" MPCapableDataFallback)))
	[ "$up" = 1 ] || bad+=("upstream's DssFallback + MPCapableDataFallback moved by $up, want 1")
	info=$(sed -n 's/^[a-z]*: mptcp_info: //p' "$out/vm/a/$name.out" 2>/dev/null)
	case "$info" in
	"flags 0x3 "*) ;;
	*) bad+=("our MPTCP_INFO: '${info:-none}', want flags 0x3 (remote key, fallback)") ;;
	esac
	n=$(cat "$out/vm/$strip/$name.nft" 2>/dev/null)
	[ "${n:-0}" -ge 1 ] 2> /dev/null || bad+=("the middlebox stripped no segment: ${n:-none}")
	n=$(count "$port" "_ws.malformed || _ws.expert.severity >= 8388608")
	[ "$n" = 0 ] || bad+=("$n malformed or error packets")
	if [ "${#bad[@]}" = 0 ]; then
		record pass "$name: both fell back after the handshake ($want, upstream 1; middlebox in $strip)"
	else
		record fail "$name: fallback" "$(IFS=';'; echo "${bad[*]}"); $pcap"
	fi
}

# the same list as selftests/interop/guest.sh
check_case v4-control-to-patched 6001 b yes
check_case v4-patched-to-control 6002 a yes
check_case v6-control-to-patched 6003 b yes
check_case v6-patched-to-control 6004 a yes
check_case v4mapped-patched-to-control 6006 a yes
check_case v4mapped-control-to-patched 6007 b yes
check_case v4-patched-to-control-lossy 6005 a yes
check_case v4-control-to-patched-lossy 6008 b yes
check_fastclose v4-control-to-patched-fastclose 6009 b
check_fastclose v6-patched-to-control-fastclose 6010 a
check_fallback v4-control-to-patched-fallback 6011 b a
check_fallback v4-patched-to-control-fallback 6012 a b

# teardown: the patched kernel freed every socket the cases made
s0=$(cat "$out/vm/a/tcp-socks0" 2>/dev/null)
s1=$(cat "$out/vm/a/tcp-socks1" 2>/dev/null)
if [ -n "$s0" ] && [ "$s0" = "$s1" ]; then
	record pass "teardown: full TCP sockets allocated before and after: $s0"
else
	record fail "teardown" "full TCP sockets allocated (sockstat) before the cases: ${s0:-?}, after: ${s1:-?}"
fi
finish
