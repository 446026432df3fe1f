# SPDX-License-Identifier: GPL-2.0
#
# The workbench's front door.  `make help` lists the targets.
#
# Variables: KERNEL_TREE (default build/linux), KIND (patched|control|debug),
# KSFT_LIST (a kselftest list, default selftests/kselftests.list),
# MPTCP_CACHE (downloads, base tree, control kernel, ccache;
# default ~/.cache/mptcp-meta), MPTCP_BUILD (default build/).

SHELL := /bin/bash
KIND ?= patched
ROUNDS ?= 7
export KERNEL_TREE MPTCP_CACHE MPTCP_BUILD

.PHONY: all help setup base apply export build build-patched build-control \
	build-debug kselftest kselftest-debug upstream-mptcp-baseline upstream-mptcp scoreboard vm \
	check check-series check-checkpatch check-build-warnings check-kdoc \
	check-cocci check-sparse check-bisect kunit zero-cost bench bench-mptcp tcp-regress interop interop-debug selftest-workbench test clean

all: ## apply, build, boot the patched kernel, run the kselftests
	bash ci/setup.sh
	bash ci/apply.sh
	bash ci/kselftest.sh patched $(KSFT_LIST)

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 26

setup: ## install host packages (apt), idempotent
	bash ci/setup.sh

base: ## download, check and unpack the pinned base tree
	bash ci/base.sh

apply: ## git am the series onto the base (or onto KERNEL_TREE)
	bash ci/apply.sh

export: ## write patches/ and series from KERNEL_TREE's base..HEAD
	bash ci/export.sh

build: build-patched build-control ## build the patched and control kernels

build-patched: ## build the patched kernel
	bash ci/build.sh patched

build-control: ## build the control kernel (cached)
	bash ci/build.sh control

build-debug: ## build the debug kernel (KASAN, lockdep, kmemleak, UBSAN)
	bash ci/build.sh debug

kselftest: ## run the kselftests in a guest on KIND's kernel
	bash ci/kselftest.sh $(KIND) $(KSFT_LIST)

kselftest-debug: ## the kselftests on the debug kernel
	VM_MEM=4G bash ci/kselftest.sh debug $(KSFT_LIST)

upstream-mptcp-baseline: ## upstream's MPTCP selftests on the control kernel (slow)
	KSFT_TIMEOUT=$${KSFT_TIMEOUT:-7200} KSFT_TEST_TIMEOUT=$${KSFT_TEST_TIMEOUT:-900} \
		bash ci/kselftest.sh control selftests/upstream-mptcp.list

upstream-mptcp: ## the scoreboard's runs on KIND's kernel: UNITS='pm_netlink.sh,mptcp_join.sh 1-20' (default: selftests/upstream-mptcp/units)
	bash ci/upstream-mptcp.sh $(KIND) $(if $(UNITS),"$(UNITS)")

scoreboard: ## selftests/upstream-mptcp/scoreboard.md from both kernels' results
	python3 ci/upstream-mptcp.py scoreboard selftests/upstream-mptcp

vm: ## boot KIND's kernel (built if needed) and run CMD, e.g. make vm CMD='ss -M'
	bash ci/vm.sh "$$(bash ci/build.sh $(KIND) | tail -n1)" -- '$(CMD)'

check: check-series check-checkpatch check-build-warnings check-kdoc check-cocci ## all static checks

check-series: ## cover letter, sign-offs, subject prefixes, series vs patches/
	bash ci/check.sh series
check-checkpatch: ## checkpatch --strict on every patch
	bash ci/check.sh checkpatch
check-build-warnings: ## W=1 + sparse on touched files vs the base
	bash ci/check.sh build-warnings
check-sparse: check-build-warnings ## same as check-build-warnings (C=1 rides along)
check-kdoc: ## kernel-doc -Wall on touched files vs the base
	bash ci/check.sh kdoc
check-cocci: ## coccinelle report mode on touched files vs the base
	bash ci/check.sh cocci
check-bisect: ## every patch builds on its own (slow, not in CI)
	bash ci/bisect.sh

kunit: ## the series' KUnit suites in a guest (kunit.enable=1)
	bash ci/kunit.sh $(KIND)

zero-cost: ## disassembly: no indirect call on the plain TCP push path
	bash ci/zerocost.sh

interop: ## patched <-> control kernel in two guests, captures checked by tshark
	bash ci/interop.sh patched

interop-debug: ## the interop suite with the debug kernel in place of the patched one
	bash ci/interop.sh debug

tcp-regress: ## in-tree TCP kselftests: same results on patched and control (slow)
	bash ci/tcp-regress.sh

bench: ## benchmark (not a test): plain TCP, patched vs control, ROUNDS=7
	bash ci/bench.sh $(ROUNDS)

bench-mptcp: ## benchmark (not a test): MPTCP vs TCP, ours and upstream's, ROUNDS=7
	bash ci/bench.sh mptcp $(ROUNDS)

selftest-workbench: ## tests of the workbench itself
	bash ci/selftest.sh

test: ## the full suite: what CI runs
	bash ci/test.sh

clean: ## remove build/ (the cache in MPTCP_CACHE stays)
	rm -rf build
