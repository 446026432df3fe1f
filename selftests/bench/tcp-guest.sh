#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One benchmark round inside a guest: plain TCP over veth between two
# network namespaces, iperf3 bulk and many small writes.  Writes one
# "name bits_per_second" line per test to /mnt/results/bench.txt.
set -eu
secs=${BENCH_SECS:-5}
ip netns add bs
ip netns add bc
ip link add veth0 netns bc type veth peer name veth1 netns bs
ip -n bc addr add 10.77.0.1/24 dev veth0
ip -n bs addr add 10.77.0.2/24 dev veth1
for n in bs bc; do ip -n $n link set lo up; done
ip -n bc link set veth0 up
ip -n bs link set veth1 up
ip netns exec bs iperf3 -s -D -1 -p 5201 >/dev/null
ip netns exec bs iperf3 -s -D -p 5202 >/dev/null
sleep 0.5
run() {
	local name=$1 port=$2; shift 2
	ip netns exec bc iperf3 -c 10.77.0.2 -p "$port" -t "$secs" -J "$@" > /tmp/$name.json
	python3 -c 'import json,sys; print(sys.argv[2], json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"])' \
		/tmp/$name.json "$name" >> /mnt/results/bench.txt
}
run bulk 5201
run small 5202 -l 256 -N
