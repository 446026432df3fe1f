#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The static checks netdev runs, on the series.
#
#   ci/check.sh [series|checkpatch|build-warnings|kdoc|cocci|all] [PATCH...]
#
#   series          Signed-off-by, [PATCH net-next] subjects, series and
#                   patches/ agree; per part of patches/parts a cover letter
#                   with the base (and the earlier parts as prerequisites),
#                   at most 15 patches
#   checkpatch      --strict --codespell --max-line-length=80 with netdev's
#                   ignore list less NO_AUTHOR_SIGN_OFF (the author must sign
#                   off); any ERROR, WARNING or CHECK fails but those that
#                   ci/checkpatch-exceptions accepts, each with its reason
#   build-warnings  W=1 C=1 (gcc and sparse) on every touched .c file that the
#                   guest config builds, compared with the same file in the
#                   base: a new warning fails
#   kdoc            scripts/kernel-doc -Wall -none on touched .c/.h files,
#                   compared with the base
#   cocci           coccinelle's report-mode scripts on touched .c files;
#                   a report on a line the series adds fails
#
# PATCH... (checkpatch only) checks those files instead of the series.
# "Touched" means changed between the base and the applied series in
# $KERNEL_TREE (run 'make apply' first).  Results go to $RESULTS as in
# ci/kselftest.sh, and a summary line ends the output.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

what=${1:-all}
shift || true
pass=0 fail=0
record() {
	local st=$1 name=$2 why=${3:-} rerun="make check-${2#check }"
	[ -n "${RESULTS:-}" ] && printf '%s\t%s\t%s\t%s\n' "$st" "$name" "$why" "$rerun" >> "$RESULTS"
	if [ "$st" = pass ]; then
		pass=$((pass + 1)); echo "ok: $name"
	elif [ "$st" = skip ]; then
		echo "SKIP: $name: $why"
	else
		fail=$((fail + 1)); echo "FAIL: $name: $why"
	fi
}

base_repo=$BASE_REPO
[ -d "$base_repo/.git" ] || base_repo=$(bash "$TOP/ci/base.sh")
base=$(git -C "$base_repo" rev-parse base)
patches=()
while read -r p _; do
	case "$p" in ''|'#'*) continue ;; esac
	patches+=("$TOP/patches/$p")
done < "$TOP/series"

touched() {
	[ -d "$KERNEL_TREE/.git" ] || return 0
	git -C "$KERNEL_TREE" diff --name-only --diff-filter=AM "$base" HEAD -- "$@"
}

check_series() {
	local errs=() f s part n parts_seen=()
	for f in "${patches[@]}"; do
		[ -f "$f" ] || { errs+=("series names missing ${f#"$TOP"/patches/}"); continue; }
		grep -q '^Signed-off-by: ' "$f" || errs+=("${f#"$TOP"/patches/}: no Signed-off-by")
		s=$(grep -m1 '^Subject: ' "$f")
		grep -Eq '^Subject: \[PATCH net-next( v[0-9]+)?( [0-9]+/[0-9]+)?\] ' <<<"$s" ||
			errs+=("${f#"$TOP"/patches/}: subject prefix is not [PATCH net-next ...]: $s")
	done
	for f in "$TOP"/patches/*/[0-9]*.patch; do
		[ -e "$f" ] || continue
		case "$f" in */0000-cover-letter.patch|"$TOP"/patches/wip/*) continue ;; esac
		grep -qxF "${f#"$TOP"/patches/}" "$TOP/series" || errs+=("${f#"$TOP"/patches/} is in patches/ but not in series (move it to patches/wip/)")
	done
	# Each part is a series of its own on netdev: a cover letter, at most
	# 15 patches, the base; a later part lists its prerequisites.
	while read -r part _; do
		case "$part" in ''|'#'*) continue ;; esac
		n=$(grep -c "^$part/" "$TOP/series")
		[ "$n" -gt 0 ] || continue
		parts_seen+=("$part")
		f=$TOP/patches/$part/0000-cover-letter.patch
		if [ ! -f "$f" ]; then
			errs+=("$part: no cover letter ($part/0000-cover-letter.patch)")
		else
			grep -q 'SUBJECT HERE\|BLURB HERE' "$f" && errs+=("$part: cover letter has format-patch placeholders")
			grep -q "^base-commit: $base\$" "$f" || errs+=("$part: cover letter lacks 'base-commit: $base'")
			if [ "${#parts_seen[@]}" -gt 1 ] && ! grep -q '^prerequisite-patch-id: ' "$f"; then
				errs+=("$part: cover letter names no prerequisite patches")
			fi
		fi
		[ "$n" -le 15 ] || errs+=("$part: $n patches: netdev takes at most 15 per series")
	done < "$TOP/patches/parts"
	n=$(grep -c '^[^#]' "$TOP/series")
	[ "$n" = "$(grep -cE "^($(IFS='|'; echo "${parts_seen[*]:-none}"))/" "$TOP/series")" ] ||
		errs+=("series names patches outside the parts of patches/parts")
	if [ "${#errs[@]}" = 0 ]; then
		record pass "check series" ""
	else
		printf '  %s\n' "${errs[@]}"
		record fail "check series" "${errs[*]}"
	fi
}

# Results of checkpatch and coccinelle are kept in $CACHE/checks by what
# they depend on (the tool and its data, the options, the content checked
# and, for coccinelle, the file's path), so that a run repeats only the
# checks whose input changed; a run that did not finish is not kept.
# CHECK_CACHE=0 turns the cache off.  Two checks run at a time.
cdir=$CACHE/checks
check_cache=${CHECK_CACHE:-1}
njobs=$(nproc)
hash_of() { sha256sum | cut -d' ' -f1; }
cache_get() { [ "$check_cache" = 1 ] && [ -f "$cdir/$1" ] && cat "$cdir/$1"; }
cache_put() {
	mkdir -p "$(dirname "$cdir/$1")" || return
	if [ -n "$2" ]; then printf '%s\n' "$2"; fi > "$cdir/$1.$BASHPID" &&
		mv "$cdir/$1.$BASHPID" "$cdir/$1"
}

# Drop the reports that ci/checkpatch-exceptions accepts, each with its
# reason: lines "TYPE FILE", matched against "FILE:LINE: LEVEL:TYPE: ...".
checkpatch_allowed() {
	local line typ file ok
	while IFS= read -r line; do
		ok=0
		while read -r typ file _; do
			case "$typ" in ''|'#'*) continue ;; esac
			case "$line" in "$file:"*":"*":$typ:"*) ok=1 ;; esac
		done < "$TOP/ci/checkpatch-exceptions"
		[ "$ok" = 1 ] || printf '%s\n' "$line"
	done
}

cp_dict=/usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt
cp_opts=(--strict --codespell --codespellfile "$cp_dict" --max-line-length=80
	--terse --showfile --show-types
	--ignore COMMIT_LOG_LONG_LINE,MACRO_ARG_REUSE,ALLOC_SIZEOF_STRUCT,GIT_COMMIT_ID,CAMELCASE,FILE_PATH_CHANGES,BAD_REPORTED_BY_LINK)

# checkpatch's reports on patch $2 (an absolute path), before the
# exceptions, into file $3; $1 is the key of the tool, its data and options
cp_one() {
	local tool=$1 f=$2 res=$3 key out rc
	key=checkpatch/$({ echo "$tool"; cat "$f"; } | hash_of)
	if cache_get "$key" > "$res"; then
		return
	fi
	# checkpatch runs in the base tree: a relative path would not be
	# found there, and its complaint is none of the reports below
	out=$(cd "$base_repo" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl "${cp_opts[@]}" "$f" 2>&1)
	rc=$?
	out=$(grep -E '(ERROR|WARNING|CHECK):' <<<"$out")
	# 0: clean, 1: reports; anything else is checkpatch failing
	if [ "$rc" -le 1 ]; then
		cache_put "$key" "$out"
	else
		out+=$'\n'":0: ERROR:CHECKPATCH_FAILED: checkpatch.pl exited $rc"
	fi
	printf '%s' "$out" > "$res"
}

check_checkpatch() {
	local files=("$@") f out bad=0 tool i=0 res=$(mktemp -d)
	[ "${#files[@]}" -gt 0 ] || files=("${patches[@]}")
	if [ "${#files[@]}" = 0 ]; then
		record pass "check checkpatch" ""
		return
	fi
	tool=$({ printf '%s\n' "${cp_opts[@]}"; cat "$base_repo/scripts/checkpatch.pl" \
		"$base_repo/scripts/spelling.txt" "$cp_dict" \
		"$base_repo/scripts/const_structs.checkpatch" 2>/dev/null; } | hash_of)
	for f in "${files[@]}"; do
		[ -f "$f" ] || die "checkpatch: no patch $f"
		while [ "$(jobs -rp | wc -l)" -ge "$njobs" ]; do wait -n; done
		cp_one "$tool" "$(realpath "$f")" "$res/$i" &
		i=$((i + 1))
	done
	wait
	i=0
	for f in "${files[@]}"; do
		# (the reports end without a newline)
		out=$({ cat "$res/$i"; echo; } | checkpatch_allowed | sed '/^$/d')
		i=$((i + 1))
		if [ -n "$out" ]; then
			echo "$(basename "$f"):"
			sed 's/^/  /' <<<"$out"
			bad=1
		fi
	done
	rm -rf "$res"
	if [ "$bad" = 0 ]; then
		record pass "check checkpatch" ""
	else
		record fail "check checkpatch" "checkpatch --strict reported problems (listed above)"
	fi
}

# Warnings of one object, with line and column numbers removed so that code
# moving within a file does not count as a new warning.
obj_warnings() {
	local tree=$1 out=$2 obj=$3
	# under ci/build.sh's lock of that output tree
	(
		flock 9
		rm -f "$out/$obj"
		make -C "$tree" O="$out" W=1 C=1 CC="ccache gcc" "$obj" 2>&1
	) 9>"$out/.mptcp-meta.lock" |
		grep -E 'warning:|error:' | sed -E 's/:[0-9]+(:[0-9]+)?:/:/; s#^.*/(net|include|kernel|lib|arch)/#\1/#' | sort
}

check_build_warnings() {
	local f obj new bad=0 pout=$BUILD/out/patched cout=$CACHE/base/out/control
	[ -f "$pout/.config" ] && [ -f "$cout/.config" ] ||
		{ record fail "check build-warnings" "build the patched and control kernels first (make build)"; return; }
	for f in $(touched '*.c'); do
		obj=${f%.c}.o
		[ -f "$pout/$obj" ] || { echo "  $f: not built in the guest config, skipped"; continue; }
		new=$(comm -13 <(if [ -f "$base_repo/$f" ]; then obj_warnings "$base_repo" "$cout" "$obj"; fi) \
			<(obj_warnings "$KERNEL_TREE" "$pout" "$obj"))
		if [ -n "$new" ]; then
			echo "  new W=1/sparse warnings in $f:"
			sed 's/^/    /' <<<"$new"
			bad=1
		fi
	done
	if [ "$bad" = 0 ]; then
		record pass "check build-warnings" ""
	else
		record fail "check build-warnings" "new W=1 or sparse warnings (listed above)"
	fi
	# The kernel turns C=1 off by itself when sparse is too old for it.
	if [ "$(bash "$KERNEL_TREE/scripts/checker-valid.sh" sparse --arch=x86 -mlittle-endian -m64 2>/dev/null)" = 1 ]; then
		record pass "check sparse" ""
	else
		record skip "check sparse" "this sparse ($(sparse --version 2>/dev/null || echo none)) is too old for Linux 7.3 (scripts/checker-valid.sh), so C=1 ran no sparse; the W=1 gcc comparison still ran"
	fi
}

kdoc_of() {
	[ -f "$1/$2" ] || return 0
	(cd "$1" && perl scripts/kernel-doc -Wall -none "$2" 2>&1 | sed -E 's/:[0-9]+([: ])/\1/' | sort -u)
}

check_kdoc() {
	local f new bad=0
	for f in $(touched '*.c' '*.h'); do
		new=$(comm -13 <(kdoc_of "$base_repo" "$f") <(kdoc_of "$KERNEL_TREE" "$f"))
		if [ -n "$new" ]; then
			echo "  new kernel-doc warnings in $f:"
			sed 's/^/    /' <<<"$new"
			bad=1
		fi
	done
	if [ "$bad" = 0 ]; then
		record pass "check kdoc" ""
	else
		record fail "check kdoc" "new kernel-doc warnings (listed above)"
	fi
}

# Lines that the series adds to FILE in the patched tree.
added_lines() {
	git -C "$KERNEL_TREE" diff -U0 "$base" HEAD -- "$1" |
		sed -nE 's/^@@ .* \+([0-9]+)(,([0-9]+))? @@.*/\1 \3/p' |
		while read -r start n; do
			n=${n:-1}
			for ((l = start; l < start + n; l++)); do echo "$l"; done
		done
}

# Script $2's reports on files $4... of the patched tree into file $3, kept
# per file (fh: the hash of each file's path and content); $1 is spatch's
# version.  The files not kept run in one spatch.
cocci_one() {
	local ver=$1 c=$2 res=$3 f sk out rc
	local -a miss=()
	shift 3
	sk=$({ echo "$ver"; cat "$c"; } | hash_of)
	: > "$res"
	for f in "$@"; do
		cache_get "cocci/$sk/${fh[$f]}" >> "$res" || miss+=("$f")
	done
	[ "${#miss[@]}" -gt 0 ] || return 0
	out=$(cd "$KERNEL_TREE" && timeout 300 spatch --very-quiet -D report --no-show-diff \
		--no-includes --include-headers --cocci-file "$c" "${miss[@]}" 2>/dev/null)
	rc=$?
	out=$(grep -E '^[^ :]+\.c:[0-9]+:' <<<"$out")
	[ -n "$out" ] && printf '%s\n' "$out" >> "$res"
	# a run that failed or timed out is not kept: the next run tries
	# again, and this one fails (spatch's own words in the output)
	if [ "$rc" != 0 ]; then
		echo "${c#"$KERNEL_TREE"/} (spatch exit $rc$([ "$rc" = 124 ] && echo ', timed out after 300 s'))" > "$res.err"
		(cd "$KERNEL_TREE" && timeout 60 spatch --very-quiet -D report --no-show-diff \
			--no-includes --include-headers --cocci-file "$c" "${miss[0]}" 2>&1 >/dev/null |
			head -n 3 | sed 's/^/      /') >> "$res.err"
		return 0
	fi
	for f in "${miss[@]}"; do
		cache_put "cocci/$sk/${fh[$f]}" "$(awk -v f="$f:" 'index($0, f) == 1' <<<"$out")"
	done
}

# coccinelle's report-mode scripts, once each over every touched .c file of
# the patched tree (the kernel's own spatch options); a report counts when it
# points at a line the series adds, so the base needs no run of its own.
check_cocci() {
	local c files new f rep res ver i errs
	command -v spatch >/dev/null || { record fail "check cocci" "spatch missing (run ci/setup.sh)"; return; }
	# Kernel C only: selftests under tools/ are userspace, where the
	# scripts' advice (min(), kmalloc_array(), ...) does not apply.
	mapfile -t files < <(touched '*.c' ':!tools/')
	if [ "${#files[@]}" = 0 ]; then
		record pass "check cocci" ""
		return
	fi
	res=$(mktemp -d)
	ver=$(spatch --version 2>&1 | head -n1)
	local -A fh=()
	for f in "${files[@]}"; do
		fh[$f]=$({ echo "$f"; cat "$KERNEL_TREE/$f"; } | hash_of)
	done
	i=0
	for c in "$KERNEL_TREE"/scripts/coccinelle/*/*.cocci; do
		grep -q 'virtual report' "$c" || continue
		while [ "$(jobs -rp | wc -l)" -ge "$njobs" ]; do wait -n; done
		cocci_one "$ver" "$c" "$res/$i" "${files[@]}" &
		i=$((i + 1))
	done
	wait
	rep=$(cat "$res"/* 2>/dev/null | grep -E '^[^ :]+\.c:[0-9]+:')
	errs=$(cat "$res"/*.err 2>/dev/null)
	rm -rf "$res"
	# the reports whose FILE:LINE is a line the series adds
	new=$(awk -F: 'FILENAME == ARGV[1] { add[$0] = 1; next }
		       ($1 ":" $2) in add' \
		<(for f in "${files[@]}"; do added_lines "$f" | sed "s|^|$f:|"; done) \
		<(printf '%s\n' "$rep") | sort -u)
	if [ -n "$new" ]; then
		echo "  coccinelle reports on lines the series adds:"
		sed 's/^/    /' <<<"$new"
	fi
	if [ -n "$errs" ]; then
		echo "  coccinelle scripts that could not run:"
		sed 's/^/    /' <<<"$errs"
		record fail "check cocci" "$(grep -c '^[^ ]' <<<"$errs") coccinelle scripts could not run${new:+, and reports} (listed above)"
	elif [ -z "$new" ]; then
		record pass "check cocci" ""
	else
		record fail "check cocci" "coccinelle reports (listed above)"
	fi
}

case "$what" in
series) check_series ;;
checkpatch) check_checkpatch "$@" ;;
build-warnings) check_build_warnings ;;
kdoc) check_kdoc ;;
cocci) check_cocci ;;
all) check_series; check_checkpatch; check_build_warnings; check_kdoc; check_cocci ;;
*) die "usage: ci/check.sh [series|checkpatch|build-warnings|kdoc|cocci|all]" ;;
esac
echo "checks: $pass passed, $fail failed"
[ "$fail" = 0 ]
