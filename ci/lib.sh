# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: GPL-2.0
# Shared helpers and settings for the workbench scripts. Sourced, not run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Pinned base: Debian's linux-source-7.3 (trixie-backports).
BASE_PKG=linux-source-7.3
BASE_PKG_VERSION=7.3.4-1~bpo13+1
BASE_PKG_SHA256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3
BASE_VERSION=7.3.4

# Caches live outside the clone so that a fresh clone (CI) reuses them.
CACHE=${MPTCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mptcp-meta}
BUILD=${MPTCP_BUILD:-$TOP/build}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
BASE_REPO=$CACHE/base/linux
KERNEL_TREE=${KERNEL_TREE:-$BUILD/linux}
