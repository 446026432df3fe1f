#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One MPTCP benchmark round inside a guest: iperf3 over veth between two
# network namespaces, plain TCP and then MPTCP (both ends under
# "mptcpize run", which makes their TCP sockets IPPROTO_MPTCP sockets),
# bulk and 256-byte TCP_NODELAY writes, in alternation.
#
# Writes to /mnt/results/bench.txt one "name bits_per_second" line per
# run, and "mptcp-capable N" / "mptcp-fallback N": how many of the MPTCP
# runs' client connections the server answered with MP_CAPABLE
# (MPTcpExtMPCapableSYNACKRX) and how many fell back
# (MPTcpExtMPCapableFallbackSYNACK), so a figure taken over a fallen-back
# connection is never mistaken for an MPTCP one.
set -eu
secs=${BENCH_SECS:-5}
res=/mnt/results/bench.txt
ip netns add bs
ip netns add bc
ip link add veth0 netns bc type veth peer name veth1 netns bs
ip -n bc addr add 10.77.0.1/24 dev veth0
ip -n bs addr add 10.77.0.2/24 dev veth1
for n in bs bc; do ip -n $n link set lo up; done
ip -n bc link set veth0 up
ip -n bs link set veth1 up
ip netns exec bs iperf3 -s -D -p 5201 >/dev/null
ip netns exec bs mptcpize run iperf3 -s -D -p 5211 >/dev/null
sleep 0.5

counter() {
	ip netns exec bc nstat -asz "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

run() {
	local name=$1 port=$2; shift 2
	ip netns exec bc "$@" -c 10.77.0.2 -p "$port" -t "$secs" -J > "/tmp/$name.json"
	python3 -c 'import json,sys; print(sys.argv[2], json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"])' \
		"/tmp/$name.json" "$name" >> $res
}

cap0=$(counter MPTcpExtMPCapableSYNACKRX)
fb0=$(counter MPTcpExtMPCapableFallbackSYNACK)
run tcp-bulk 5201 iperf3
run mptcp-bulk 5211 mptcpize run iperf3
run tcp-small 5201 iperf3 -l 256 -N
run mptcp-small 5211 mptcpize run iperf3 -l 256 -N
echo "mptcp-capable $(($(counter MPTcpExtMPCapableSYNACKRX) - cap0))" >> $res
echo "mptcp-fallback $(($(counter MPTcpExtMPCapableFallbackSYNACK) - fb0))" >> $res
