#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot workbench guests under QEMU and run a command in them.
#
#   ci/vm.sh [opts] KERNEL -- CMD...
#	one guest; CMD runs as a shell command line in the guest, in the
#	caller's directory (the host's root is the guest's, read-only)
#   ci/vm.sh [opts] --pair KERNEL_A KERNEL_B --cmd-a CMD --cmd-b CMD
#	two guests (a, b) joined by --links N virtual links (default 2):
#	link i is eth<i> in both, a UDP datagram socket pair on 127.0.0.1
#
# Options:
#   --timeout S   wall-clock limit per run (default 900); exit 124 when hit
#   --mem M       guest memory (default 2G)
#   --out DIR     where console logs, results and captures go
#                 (default build/vm/<time>)
#   --pcap        capture every link to DIR/link<i>.pcap (taken on guest a)
#   --quiet       do not echo the console, only log it
#   --prefix P    put P before each echoed console line (default: the
#                 guest's name, for a pair)
#   --append ARGS more kernel command line (e.g. kunit.enable=1)
#
# Environment: VM_ICOUNT=shift=N runs the guest with instruction-counted
# time (see below), for benchmarks.
#
# Exit status: the guest command's, or 124 (timeout), 125 (QEMU or the boot
# failed), 126 (kernel splat in the console: BUG, WARNING, Oops, KASAN,
# UBSAN, lockdep, kmemleak, hung task, RCU stall, soft lockup).
#
# Why not virtme-ng: 1.35/1.41 did not boot a minimal 7.3 config over 9p on
# this machine class, while this plain command line boots to userspace in
# about 4 s of guest time.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

timeout=900 mem=2G out='' pcap=0 quiet=0 links=2 pair=0 append='' prefix0=''
cmd_a='' cmd_b=''
kernels=()
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--pcap) pcap=1; shift ;;
	--quiet) quiet=1; shift ;;
	--prefix) prefix0=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--links) links=$2; shift 2 ;;
	--pair) pair=1; kernels=("$2" "$3"); shift 3 ;;
	--cmd-a) cmd_a=$2; shift 2 ;;
	--cmd-b) cmd_b=$2; shift 2 ;;
	--) shift; cmd_a="$*"; break ;;
	-*) die "ci/vm.sh: unknown option $1" ;;
	*) kernels=("$1"); shift ;;
	esac
done
[ "${#kernels[@]}" -ge 1 ] || die "usage: ci/vm.sh [opts] KERNEL -- CMD  (see the header of ci/vm.sh)"
[ -n "$cmd_a" ] || die "no guest command given"
[ "$pair" = 0 ] || [ -n "$cmd_b" ] || die "--pair needs --cmd-a and --cmd-b"
for k in "${kernels[@]}"; do
	[ -f "$k" ] || die "kernel image $k not found (build it: make build)"
done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run ci/setup.sh)"
out=${out:-$BUILD/vm/$(date +%Y%m%d-%H%M%S)-$$}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Host paths the guest must see although its tmpfs mounts cover their
# parents (see ci/guest-init.sh); no spaces or commas in them.
keep=$(printf '%s\n' "$TOP" "$BUILD" "$CACHE" "$PWD" | sort -u | paste -sd,)

# One UDP port pair per link, on loopback only.
port0=$((20000 + (RANDOM % 2000) * 10))

pids=()
names=(a)
[ "$pair" = 1 ] && names=(a b)

start_guest() {
	local idx=$1 name=$2 kernel=$3 cmd=$4
	local res=$out/$name args=() i lp rp mac
	rm -rf "$res"
	mkdir -p "$res"
	{
		echo "cd '$PWD' || exit 125"
		printf '%s\n' "$cmd"
	} > "$res/cmd"
	# no5lvl: -cpu max offers LA57 under TCG, and the debug kernel (KASAN)
	# then reported a wild-memory-access in do_raw_spin_lock from an early
	# interrupt during identify_cpu in 4 of 8 boots, before any code of the
	# series runs; with 4-level paging, 0 of 8.  Every guest gets it, so
	# that patched, control and debug kernels boot the same way.
	# shellcheck disable=SC2054 # commas belong to QEMU options
	args=(-M q35 -cpu max -m "$mem" -smp 2
	      -nodefaults -display none -no-reboot -serial stdio -monitor none
	      -kernel "$kernel"
	      -append "console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro init=$TOP/ci/guest-init.sh panic=-1 no5lvl mptcp_meta.name=$name mptcp_meta.keep=$keep $append"
	      -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	      -device virtio-9p-pci,fsdev=root,mount_tag=/dev/root
	      -fsdev "local,id=res,path=$res,security_model=none,multidevs=remap"
	      -device virtio-9p-pci,fsdev=res,mount_tag=results
	      -device virtio-rng-pci)
	# VM_ICOUNT (e.g. shift=4): guest time counts guest instructions, so
	# a rate measured in the guest is a cost per byte, not a host-load
	# lottery (single-threaded TCG; used by the benchmarks).
	if [ -n "${VM_ICOUNT:-}" ]; then
		args+=(-accel tcg,thread=single -icount "$VM_ICOUNT")
	else
		args+=(-accel tcg,thread=multi)
	fi
	if [ "$pair" = 1 ]; then
		for ((i = 0; i < links; i++)); do
			if [ "$idx" = 0 ]; then
				lp=$((port0 + 2 * i)) rp=$((port0 + 2 * i + 1))
			else
				lp=$((port0 + 2 * i + 1)) rp=$((port0 + 2 * i))
			fi
			mac=$(printf '52:54:00:00:%02x:%02x' "$i" "$((idx + 1))")
			args+=(-netdev "dgram,id=l$i,local.type=inet,local.host=127.0.0.1,local.port=$lp,remote.type=inet,remote.host=127.0.0.1,remote.port=$rp"
			       -device "virtio-net-pci,netdev=l$i,mac=$mac")
			if [ "$pcap" = 1 ] && [ "$idx" = 0 ]; then
				args+=(-object "filter-dump,id=d$i,netdev=l$i,file=$out/link$i.pcap,maxlen=256")
			fi
		done
	fi
	local prefix=$prefix0
	[ "$pair" = 1 ] && prefix="$prefix0$name| "
	prefix=${prefix//\\/\\\\}
	prefix=${prefix//\//\\/}
	prefix=${prefix//&/\\&}
	(
		timeout -k 10 "$timeout" qemu-system-x86_64 "${args[@]}" </dev/null 2>"$out/qemu-$name.err" |
			sed -u 's/\r$//' | tee "$out/console-$name.log" |
			if [ "$quiet" = 1 ]; then cat >/dev/null; else sed -u "s/^/$prefix/"; fi
		exit "${PIPESTATUS[0]}"
	) &
	pids+=($!)
}

log "booting ${#names[@]} guest(s), logs in $out"
start=$SECONDS
for i in "${!names[@]}"; do
	start_guest "$i" "${names[$i]}" "${kernels[$i]}" "$([ "$i" = 0 ] && echo "$cmd_a" || echo "$cmd_b")"
done

qrc=()
for p in "${pids[@]}"; do
	wait "$p"
	qrc+=($?)
done

# A kernel message looks like "[   12.345678] text"; only those are checked,
# so that test output mentioning "WARNING" cannot trip the check.
splat_re='^.*\[ *[0-9]+\.[0-9]+\] .*(BUG: |WARNING: |Oops|general protection fault|Kernel panic|kernel BUG at|KASAN: |UBSAN: |possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|INFO: task .* blocked for more than|rcu: INFO: |detected stall|soft lockup|hard LOCKUP|kmemleak: [0-9]+ new suspected|refcount_t: |list_add corruption|list_del corruption|ODEBUG: |Call Trace:)|^guest-init: kmemleak: unreferenced object'

status=0
for i in "${!names[@]}"; do
	n=${names[$i]}
	con=$out/console-$n.log
	rc=$(cat "$out/$n/rc" 2>/dev/null || true)
	if [ "${qrc[$i]}" = 124 ] || [ "${qrc[$i]}" = 137 ]; then
		echo "vm: guest $n timed out after $timeout s; console: $con" >&2
		status=124
		continue
	fi
	if [ -z "$rc" ]; then
		echo "vm: guest $n reported no exit status (QEMU exit ${qrc[$i]}); the boot failed?" >&2
		echo "vm:   console: $con" >&2
		[ -s "$out/qemu-$n.err" ] && sed 's/^/vm:   qemu: /' "$out/qemu-$n.err" >&2
		grep -E 'Kernel panic|VFS: Unable|No working init|Run .* as init process' "$con" | head -n 5 | sed 's/^/vm:   /' >&2
		[ "$status" = 0 ] && status=125
		continue
	fi
	if grep -Eq "$splat_re" "$con"; then
		echo "vm: kernel splat in guest $n's console ($con):" >&2
		grep -En -m 10 "$splat_re" "$con" | sed 's/^/vm:   /' >&2
		status=126
	fi
	if [ "$rc" != 0 ]; then
		echo "vm: guest $n command exited with $rc" >&2
		[ "$status" = 0 ] && status=$rc
	fi
done
log "guests done in $((SECONDS - start)) s, status $status"
exit "$status"
