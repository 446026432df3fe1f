#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of the interop suite (ci/interop.sh): runs in guest "a"
# (the patched kernel) and guest "b" (the control kernel) at the same time,
# joined by eth0.  Both walk the same list of cases in order; in each, one
# guest serves and the other connects with mptcp_meta_connect (an
# IPPROTO_MPTCP socket on both kernels), then both record the exit status,
# the tool's output and the MPTcpExt counters before and after, in
# /mnt/results/CASE.{rc,out,mib0,mib1} (and tcp-socks0/1, the full TCP
# sockets in use before the first case and after the last), and guest b
# samples upstream's view of its MPTCP sockets (ss -M with MPTCP_INFO) as
# fast as ss runs while the case runs, in CASE.ssM (a short case may end
# between two samples: the tool's -I prints MPTCP_INFO of the connection
# itself, in CASE.out).  The client connects once: the server
# raises a plain-TCP readiness listener (PORT + 1000, nc) only once
# its MPTCP socket listens, and the client waits for it, so that no SYN is
# refused and retried and the counters count exactly one connection.
#
#   guest.sh a|b TOOL BYTES
set -u

me=$1 tool=$2 bytes=$3
res=/mnt/results

if [ "$me" = a ]; then n=1; else n=2; fi
ip addr add "10.9.0.$n/24" dev eth0
ip addr add "fd00:9::$n/64" dev eth0 nodad
ip link set eth0 up
ip link set lo up

mib()
{
	awk '$1 != "MPTcpExt:" { next }
	     !n { for (i = 2; i <= NF; i++) f[i] = $i; n = 1; next }
	     { for (i = 2; i <= NF; i++) print f[i], $i }' /proc/net/netstat
}

# case NAME FAMILY(ipv4|ipv6|v4-mapped) SERVER(a|b) PORT [NETEM [ORDER]]
#   NETEM: netem's options for both guests' egress during the case
#   ORDER: the tool's -o (default client); with reset, the server closes
#   with the client's data unread, and MPTCP_INFO is not asked for
run()
{
	local name=$1 fam=$2 server=$3 port=$4 netem=${5:-} v6="" peer pid
	local sampler order=${6:-client} info=-I

	[ "$order" = reset ] && info=""

	[ "$fam" != ipv4 ] && v6=-6
	# shellcheck disable=SC2086 # netem's options are words
	[ -n "$netem" ] && tc qdisc add dev eth0 root netem $netem
	mib > "$res/$name.mib0"
	if [ "$me" = b ]; then
		while :; do
			ss -HnMi "sport = :$port or dport = :$port"
		done > "$res/$name.ssM" 2>&1 &
		sampler=$!
	fi
	if [ "$me" = "$server" ]; then
		if [ -n "$v6" ]; then peer=::; else peer=0.0.0.0; fi
		"$tool" -l "$peer" $v6 -p "$port" -n "$bytes" -w 16384 -t 120 \
			-o "$order" $info > "$res/$name.out" 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			ss -Hltn "sport = :$port" | grep -q LISTEN && break
			sleep 0.1
		done
		nc -l 0.0.0.0 $((port + 1000)) < /dev/null > /dev/null 2>&1 &
		wait "$pid"
	else
		if [ "$server" = a ]; then n=1; else n=2; fi
		for _ in $(seq 300); do
			nc -z "10.9.0.$n" $((port + 1000)) 2> /dev/null && break
			sleep 0.2
		done
		case "$fam" in
		ipv6) peer=fd00:9::$n ;;
		v4-mapped) peer=::ffff:10.9.0.$n ;;
		*) peer=10.9.0.$n ;;
		esac
		"$tool" -c "$peer" $v6 -p "$port" -n "$bytes" -w 16384 -t 120 \
			-o "$order" $info > "$res/$name.out" 2>&1
	fi
	echo $? > "$res/$name.rc"
	if [ "$me" = b ]; then
		kill "$sampler"
		wait "$sampler" 2> /dev/null
	fi
	# let the last ACKs and FINs of this case cross before counting
	sleep 1
	mib > "$res/$name.mib1"
	[ -n "$netem" ] && tc qdisc del dev eth0 root
}

# full TCP sockets allocated, IPv4 and IPv6 (sockstat's TCP alloc)
tcp_socks()
{
	awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "alloc") print $(i + 1) }' \
		/proc/net/sockstat
}

tcp_socks > "$res/tcp-socks0"
# the same list as ci/interop.sh
run v4-control-to-patched ipv4 a 6001
run v4-patched-to-control ipv4 b 6002
run v6-control-to-patched ipv6 a 6003
run v6-patched-to-control ipv6 b 6004
run v4mapped-patched-to-control v4-mapped b 6006
run v4mapped-control-to-patched v4-mapped a 6007
run v4-patched-to-control-lossy ipv4 b 6005 \
	"delay 1ms loss 1% duplicate 1% reorder 25% 50%"
run v4-control-to-patched-lossy ipv4 a 6008 \
	"delay 1ms loss 1% duplicate 1% reorder 25% 50%"
# the server aborts: MP_FASTCLOSE each way
run v4-control-to-patched-fastclose ipv4 a 6009 "" reset
run v6-patched-to-control-fastclose ipv6 b 6010 "" reset
# a middlebox in front of the receiving guest takes the MPTCP option off
# the data segments it lets in (not SYNs, RSTs or pure ACKs): both ends
# fall back to TCP after the handshake; its counter goes to CASE.nft
strip() {
	nft add table inet mbox
	nft add chain inet mbox pre \
		"{ type filter hook prerouting priority -300; }"
	nft add rule inet mbox pre tcp flags \& \(syn \| rst\) == 0 \
		meta length \> 200 counter reset tcp option mptcp
}
unstrip() {
	nft list chain inet mbox pre |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p' > "$res/$1.nft"
	nft delete table inet mbox
}
[ "$me" = a ] && strip
run v4-control-to-patched-fallback ipv4 a 6011
[ "$me" = a ] && unstrip v4-control-to-patched-fallback
[ "$me" = b ] && strip
run v4-patched-to-control-fallback ipv4 b 6012
[ "$me" = b ] && unstrip v4-patched-to-control-fallback
# every socket of the cases is gone once the last close work has run
# (the sockets that closed first are in TIME_WAIT, which is no full socket)
for _ in $(seq 50); do
	[ "$(tcp_socks)" -le "$(cat "$res/tcp-socks0")" ] && break
	sleep 0.1
done
tcp_socks > "$res/tcp-socks1"
exit 0
