#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the workbench needs on a Debian 12 (or newer) machine.
# Idempotent: a second run changes nothing and downloads nothing.
#
# trixie-backports is added for one package only (linux-source-7.3, fetched
# with "apt-get download", never installed) and pinned at priority 1 so that
# nothing else on the machine is ever upgraded from it.
set -euo pipefail

# shellcheck source=ci/lib.sh
. "$(dirname "$0")/lib.sh"

PKGS=(
	bc bison flex libelf-dev libssl-dev dwarves cpio kmod xz-utils zstd
	ccache make gcc perl python3 git rsync
	qemu-system-x86 qemu-utils
	iproute2 iputils-ping ethtool iperf3 tcpdump tshark nftables iptables mptcpize
	python3-scapy
	sparse coccinelle ocaml-nox codespell b4 shellcheck
	busybox-static socat netcat-openbsd procps psmisc
	libcap-dev libmnl-dev libnuma-dev
)

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

src=/etc/apt/sources.list.d/mptcp-meta-trixie-backports.sources
pin=/etc/apt/preferences.d/mptcp-meta-trixie-backports
want_src='Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
want_pin='Package: *
Pin: release n=trixie-backports
Pin-Priority: 1'

changed=0
if [ "$(cat "$src" 2>/dev/null)" != "$want_src" ]; then
	printf '%s\n' "$want_src" | as_root tee "$src" >/dev/null
	changed=1
fi
if [ "$(cat "$pin" 2>/dev/null)" != "$want_pin" ]; then
	printf '%s\n' "$want_pin" | as_root tee "$pin" >/dev/null
	changed=1
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done

stamp=/var/lib/apt/lists/mptcp-meta-updated
if [ "$changed" = 1 ] || [ ! -e "$stamp" ] || [ "${#missing[@]}" -gt 0 ]; then
	if [ "$changed" = 1 ] || [ ! -e "$stamp" ] || [ "${#missing[@]}" -gt 0 ]; then
		log "apt-get update"
		as_root apt-get update -qq
		as_root touch "$stamp"
	fi
fi
if [ "${#missing[@]}" -gt 0 ]; then
	log "installing: ${missing[*]}"
	echo 'wireshark-common wireshark-common/install-setuid boolean false' |
		as_root debconf-set-selections
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}"
fi
log "host packages ok"
