#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the workbench itself: each proves that a harness check can fail.
#
#   ci/selftest.sh [KERNEL [TEST...]]   (default: the patched bzImage, all)
#
#   apply-broken     a patch that does not apply stops 'apply', named
#   apply-wrong-tree a tree that is not Linux 7.3 is refused, clearly
#   export-stable    apply + export of a branch with a new commit, then
#                    apply + export again: no file changes
#   vm-status        the guest command's exit status comes back (0 and 3)
#   vm-warn          a kernel WARN in the guest (LKDTM) fails the run (126)
#   vm-pair          two guests joined by two links: TCP over each link,
#                    captured to pcap and read back with tshark
#   base-fetch       ci/base.sh prints only the base tree's path while it
#                    downloads the .deb (apt-get's chatter goes to stderr),
#                    and names apt-get when the download fails
#   gate             the upstream-MPTCP gate (ci/gate.sh) passes what passes,
#                    fails on a listed subtest that did not pass or did not
#                    run, or whose unit's kernel splatted, naming it and its
#                    rerun command, and reports a passing subtest that is
#                    not listed as new
set -uo pipefail
. "$(dirname "$0")/lib.sh"

img=${1:-$BUILD/out/patched/arch/x86/boot/bzImage}
st=$CACHE/selftest
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
record() {
	local s=$1 n="workbench $2" why=${3:-}
	[ -n "${RESULTS:-}" ] && printf '%s\t%s\t%s\t%s\n' "$s" "$n" "$why" "bash ci/selftest.sh" >> "$RESULTS"
	if [ "$s" = pass ]; then pass=$((pass + 1)); echo "ok: $n"
	else fail=$((fail + 1)); echo "FAIL: $n: $why"; fi
}

# A copy of the project (its ci/, kconfig-fragments/, patches/, series).
proj=$work/proj
mkdir -p "$proj"
cp -r "$TOP/ci" "$TOP/kconfig-fragments" "$TOP/patches" "$TOP/series" "$proj/"
in_proj() { KERNEL_TREE=$st/linux MPTCP_BUILD=$st bash "$proj/ci/$1" "${@:2}"; }

t_apply_broken() {
	local p=9999-broken.patch out rc
	cat > "$proj/patches/$p" <<'P'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Test <test@example.invalid>
Date: Thu, 1 Jan 2026 00:00:00 +0000
Subject: [PATCH net-next] broken: context that is not in the tree

Signed-off-by: Test <test@example.invalid>
---
 Makefile | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/Makefile b/Makefile
--- a/Makefile
+++ b/Makefile
@@ -1,3 +1,3 @@
 # SPDX-License-Identifier: GPL-2.0
-VERSION = 9
+VERSION = 10
 PATCHLEVEL = 3
P
	cp "$proj/series" "$work/series.orig"
	echo "$p" >> "$proj/series"
	out=$(in_proj apply.sh 2>&1); rc=$?
	cp "$work/series.orig" "$proj/series"
	rm -f "$proj/patches/$p"
	if [ "$rc" != 0 ] && grep -q "patch $p does not apply" <<<"$out" &&
	   grep -q "inspect: git" <<<"$out"; then
		record pass apply-broken
	else
		record fail apply-broken "apply exited $rc; output: $(tail -n3 <<<"$out" | tr '\n' ' ')"
	fi
}

t_apply_wrong_tree() {
	local t=$work/oldtree out rc
	mkdir -p "$t"
	printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n' > "$t/Makefile"
	git -C "$t" init -q && git -C "$t" add Makefile &&
		git -C "$t" -c user.name=t -c user.email=t@t.invalid commit -q -m t
	out=$(KERNEL_TREE=$t bash "$proj/ci/apply.sh" 2>&1); rc=$?
	if [ "$rc" != 0 ] && grep -q "is Linux 6.1, not 7.3" <<<"$out"; then
		record pass apply-wrong-tree
	else
		record fail apply-wrong-tree "apply exited $rc; output: $(tail -n2 <<<"$out" | tr '\n' ' ')"
	fi
}

t_export_stable() {
	local n0 n1 out last
	out=$(in_proj apply.sh 2>&1) || { record fail export-stable "apply failed: $out"; return; }
	n0=$(grep -c '^[^#]' "$proj/series")
	echo "workbench export test" > "$st/linux/Documentation/.mptcp-meta-export-test"
	git -C "$st/linux" add -f Documentation/.mptcp-meta-export-test
	git -C "$st/linux" -c user.name="Work Bench" -c user.email=wb@example.invalid \
		commit -q -s -m "doc: workbench export test" -m "Checks that export is stable."
	last=$(awk '$1 !~ /^#/ && NF { p = $1 } END { print p }' "$proj/patches/parts")
	in_proj export.sh >/dev/null 2>&1 || { record fail export-stable "first export failed"; return; }
	n1=$(grep -c '^[^#]' "$proj/series")
	cp -r "$proj/patches" "$work/p1"; cp "$proj/series" "$work/s1"
	sleep 1	# a later wall-clock second must not show up in any file
	if ! { in_proj apply.sh && in_proj export.sh; } >/dev/null 2>&1; then
		record fail export-stable "re-apply or re-export failed"
		return
	fi
	if [ "$n1" != $((n0 + 1)) ]; then
		record fail export-stable "export wrote $n1 patches, expected $((n0 + 1))"
	elif ! grep -q '^base-commit: ' "$proj/patches/$last/0000-cover-letter.patch"; then
		record fail export-stable "cover letter of $last has no base-commit"
	elif ! tail -n1 "$proj/series" | grep -q "^$last/.*doc-workbench-export-test"; then
		record fail export-stable "the new commit is not the last patch of $last in series"
	elif ! diff -r "$work/p1" "$proj/patches" >/dev/null || ! diff -q "$work/s1" "$proj/series" >/dev/null; then
		record fail export-stable "re-export changed files: $(diff -r "$work/p1" "$proj/patches" | head -n 5 | tr '\n' ' ')"
	else
		record pass export-stable
	fi
}

t_base_fetch() {
	local c=$work/cache bin=$work/bin deb out err rc
	deb=$CACHE/dl/${BASE_PKG}_${BASE_PKG_VERSION}_all.deb
	[ -d "$BASE_REPO/.git" ] && [ -f "$deb" ] ||
		{ record fail base-fetch "no base tree or .deb in $CACHE (bash ci/base.sh)"; return; }
	mkdir -p "$c/base" "$c/dl" "$bin"
	ln -s "$BASE_REPO" "$c/base/linux"
	# an apt-get that says what the real one says, where it says it
	cat > "$bin/apt-get" <<SH
#!/bin/sh
[ -n "\$FAKE_APT_FAIL" ] && { echo "E: Unable to locate package" >&2; exit 100; }
echo "Get:1 http://deb.debian.org/debian trixie-backports/main amd64 $BASE_PKG all $BASE_PKG_VERSION [167 MB]"
echo "W: Download is performed unsandboxed as root" >&2
ln -s "$deb" .
SH
	chmod +x "$bin/apt-get"
	out=$(PATH=$bin:$PATH MPTCP_CACHE=$c bash "$proj/ci/base.sh" 2>"$work/base-fetch.err"); rc=$?
	err=$(tr '\n\t' '| ' < "$work/base-fetch.err")
	if [ "$rc" != 0 ] || [ "$out" != "$c/base/linux" ]; then
		record fail base-fetch "a download: exit $rc, stdout '$(tr '\n\t' '| ' <<<"$out")', expected only '$c/base/linux'; stderr: $err"
		return
	fi
	if ! grep -q "^Get:1 " "$work/base-fetch.err"; then
		record fail base-fetch "apt-get's progress did not reach stderr: $err"
		return
	fi
	rm -f "$c/dl/"*
	out=$(FAKE_APT_FAIL=1 PATH=$bin:$PATH MPTCP_CACHE=$c bash "$proj/ci/base.sh" 2>&1); rc=$?
	if [ "$rc" = 0 ] || ! grep -q "apt-get download $BASE_PKG=$BASE_PKG_VERSION failed" <<<"$out" ||
	   ! grep -q "Unable to locate" <<<"$out"; then
		record fail base-fetch "a failed download: exit $rc, or apt-get and its error not named: $(tr '\n\t' '| ' <<<"$out")"
		return
	fi
	record pass base-fetch
}

vm() { bash "$TOP/ci/vm.sh" --quiet --timeout 300 --out "$work/vm-$1" "${@:2}"; }

t_vm_status() {
	local a b
	vm ok "$img" -- 'true' >/dev/null 2>&1; a=$?
	vm three "$img" -- 'exit 3' >/dev/null 2>&1; b=$?
	if [ "$a" = 0 ] && [ "$b" = 3 ]; then
		record pass vm-status
	else
		record fail vm-status "expected exit 0 and 3, got $a and $b (logs: $work/vm-ok, vm-three)"
		cp -r "$work"/vm-ok "$work"/vm-three "$BUILD/" 2>/dev/null
	fi
}

t_vm_warn() {
	local rc out
	out=$(vm warn "$img" -- 'echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT' 2>&1); rc=$?
	if [ "$rc" = 126 ] && grep -q 'kernel splat' <<<"$out" && grep -q 'WARNING:' <<<"$out"; then
		record pass vm-warn
	else
		record fail vm-warn "expected exit 126 with the WARNING named, got $rc: $(tail -n3 <<<"$out" | tr '\n' ' ')"
	fi
}

t_vm_pair() {
	local rc a b n
	# Guest a serves on both links; b sends 1 MiB over each and both sides
	# compare SHA-256 sums.  Addresses exist only inside the two guests.
	a='set -e
for i in 0 1; do ip addr add 10.9.$i.1/24 dev eth$i; ip link set eth$i up; done
head -c 1048576 /dev/urandom > /tmp/data; sha256sum < /tmp/data > /mnt/results/sent
for i in 0 1; do socat -u OPEN:/tmp/data TCP-LISTEN:5000,bind=10.9.$i.1,reuseaddr & done
wait'
	b='set -e
for i in 0 1; do ip addr add 10.9.$i.2/24 dev eth$i; ip link set eth$i up; done
for i in 0 1; do
	n=0; until socat -u TCP:10.9.$i.1:5000,connect-timeout=2 - > /tmp/got$i 2>/dev/null && [ -s /tmp/got$i ]; do
		n=$((n + 1)); [ $n -lt 30 ] || exit 7; sleep 1; done
	sha256sum < /tmp/got$i > /mnt/results/got$i
done'
	bash "$TOP/ci/vm.sh" --quiet --timeout 300 --out "$work/vm-pair" --pcap --links 2 \
		--pair "$img" "$img" --cmd-a "$a" --cmd-b "$b" >/dev/null 2>&1
	rc=$?
	local d=$work/vm-pair
	if [ "$rc" != 0 ]; then
		record fail vm-pair "vm.sh exited $rc"
		cp -r "$d" "$BUILD/vm-pair-failed" 2>/dev/null
		return
	fi
	if ! cmp -s "$d/a/sent" "$d/b/got0" || ! cmp -s "$d/a/sent" "$d/b/got1"; then
		record fail vm-pair "checksums differ"
		return
	fi
	for i in 0 1; do
		n=$(tshark -r "$d/link$i.pcap" -Y "tcp.port == 5000 && ip.src == 10.9.$i.1" 2>/dev/null | wc -l)
		if [ "$n" -lt 10 ]; then
			record fail vm-pair "capture of link $i has $n TCP segments from the server"
			return
		fi
	done
	record pass vm-pair
}

t_gate() {
	local d=$work/gate out rc1 rc2 rc3
	mkdir -p "$d"
	{
		printf '# unit\tnumber\tname\tstatus\treason\n'
		printf 'pm_netlink.sh\t1\tdefaults addr list\tok\t\n'
		printf 'pm_netlink.sh\t2\tsimple add/get addr\tnot ok\tgot nothing\n'
		printf 'pm_netlink.sh\t3\tdump addrs\tok\t\n'
		printf 'pm_netlink.sh\t-\t(script)\tnot ok\texit 1; 9 s\n'
	} > "$d/res.tsv"
	printf 'pm_netlink.sh\tdefaults addr list\n' > "$d/good"
	printf 'pm_netlink.sh\tdefaults addr list\npm_netlink.sh\tsimple add/get addr\n' > "$d/failing"
	printf 'pm_netlink.sh\tdefaults addr list\nmptcp_join.sh\t007 no such\n' > "$d/missing"
	out=$(RESULTS='' bash "$TOP/ci/gate.sh" --check "$d/good" "$d/res.tsv" 2>&1); rc1=$?
	if [ "$rc1" != 0 ] || ! grep -q '^new: upstream pm_netlink.sh: dump addrs' <<<"$out"; then
		record fail gate "all listed passing: exit $rc1, or 'dump addrs' not reported new: $out"
		return
	fi
	out=$(RESULTS='' bash "$TOP/ci/gate.sh" --check "$d/failing" "$d/res.tsv" 2>&1); rc2=$?
	if [ "$rc2" = 0 ] || ! grep -q "^FAIL: upstream pm_netlink.sh: simple add/get addr: not ok: got nothing" <<<"$out" ||
	   ! grep -q "rerun: FORCE=1 bash ci/gate.sh .*patched 'pm_netlink.sh'" <<<"$out"; then
		record fail gate "a listed failing subtest: exit $rc2 or not named with its rerun: $out"
		return
	fi
	out=$(RESULTS='' bash "$TOP/ci/gate.sh" --check "$d/missing" "$d/res.tsv" 2>&1); rc3=$?
	if [ "$rc3" = 0 ] || ! grep -q "^FAIL: upstream mptcp_join.sh: 007 no such: not ok: not run" <<<"$out" ||
	   ! grep -q "patched 'mptcp_join.sh 7'" <<<"$out"; then
		record fail gate "a listed subtest that did not run: exit $rc3 or not named: $out"
		return
	fi
	sed 's/^\(pm_netlink.sh\t-\t(script)\t\)not ok\texit 1/\1not ok\tkernel splat in the console/' \
		"$d/res.tsv" > "$d/splat.tsv"
	out=$(RESULTS='' bash "$TOP/ci/gate.sh" --check "$d/good" "$d/splat.tsv" 2>&1); rc1=$?
	if [ "$rc1" = 0 ] || ! grep -q "^FAIL: upstream pm_netlink.sh: defaults addr list: not ok: kernel splat" <<<"$out"; then
		record fail gate "a passing subtest of a unit whose kernel splatted: exit $rc1 or not failed: $out"
		return
	fi
	record pass gate
}

shift || true
tests=("$@")
[ "${#tests[@]}" -gt 0 ] ||
	tests=(apply-broken apply-wrong-tree export-stable base-fetch vm-status vm-warn vm-pair gate)
for t in "${tests[@]}"; do
	case "$t" in
	vm-*) [ -f "$img" ] || { record fail "$t" "kernel $img missing (make build)"; continue; } ;;
	esac
	"t_${t//-/_}"
done
echo "workbench: $pass passed, $fail failed"
[ "$fail" = 0 ]
