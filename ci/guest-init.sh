#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of a workbench guest (see ci/vm.sh).  The root is the host's file
# system, read-only over 9p; /tmp, /run, /var/tmp and /root are tmpfs.  The
# host shares a results directory (9p tag "results"), holding "cmd", the
# script to run; its exit status is written back to results/rc.  The kernel
# command line carries mptcp_meta.name=NAME for a two-guest run.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sys /sys
# kmemleak's control file, for the scan after the command (debug kernel)
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm 2>/dev/null
# devtmpfs has none of the links udev would make; tests write to /dev/stdout.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs shm /dev/shm
# The tmpfs mounts below would hide host paths the run needs (a clone under
# /tmp, the cache under /root/.cache): vm.sh names them in mptcp_meta.keep=,
# and each is bind-mounted back, read-only like the rest of the root.
keep=$(sed -n 's/.*mptcp_meta.keep=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p /dev/.keep
i=0
for p in $(echo "$keep" | tr ',' ' '); do
	[ -d "$p" ] || continue
	i=$((i + 1))
	mkdir /dev/.keep/$i && mount --bind "$p" /dev/.keep/$i && echo "$p" > /dev/.keep/$i.path
done
for d in /tmp /run /var/tmp /root /mnt; do
	mount -t tmpfs -o mode=1777 tmpfs "$d"
done
for f in /dev/.keep/*.path; do
	[ -f "$f" ] || continue
	p=$(cat "$f")
	mountpoint -q "$p" && continue
	if ! [ -d "$p" ] || ! [ -r "$p/." ] || [ -z "$(ls -A "$p" 2>/dev/null)" ]; then
		mkdir -p "$p" && mount --bind "${f%.path}" "$p"
	fi
done
mkdir -p /run/netns 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p /mnt/results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /mnt/results ||
	echo "guest-init: cannot mount the results share"
hostname "$(sed -n 's/.*mptcp_meta.name=\([^ ]*\).*/\1/p' /proc/cmdline)" 2>/dev/null
ip link set lo up
echo "guest-init: up in $(cut -d' ' -f1 /proc/uptime) s, kernel $(uname -r)"

rc=1
if [ -f /mnt/results/cmd ]; then
	cd /mnt/results && sh /mnt/results/cmd
	rc=$?
else
	echo "guest-init: no command in the results share"
fi
echo "guest-init: command exited with $rc"

if [ -w /sys/kernel/debug/kmemleak ]; then
	# Two scans: an object must look unreferenced twice to be reported,
	# and be older than kmemleak's minimum age (5 s) at the first: with
	# 1 s between them, a key leaked at the command's end went unseen.
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	sed 's/^/guest-init: kmemleak: /' /sys/kernel/debug/kmemleak
fi
echo "$rc" > /mnt/results/rc
sync
echo "guest-init: done"
echo b > /proc/sysrq-trigger
sleep 10
