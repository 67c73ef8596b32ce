#!/bin/sh
# Install every Debian package nfvcap needs to build, test and run its lab.
# Idempotent: packages already present are left alone; the backports source is
# added once, derived from the machine's own Debian source (no host is named here).
set -eu

[ "$(id -u)" -eq 0 ] || { echo "install-deps: run as root (apt-get needs it)" >&2; exit 1; }

BUILD_PKGS="build-essential pkg-config
    libpci-dev pciutils libnl-3-dev libnl-route-3-dev libvirt-dev libjson-c-dev
    libsystemd-dev libmicrohttpd-dev libcurl4-openssl-dev libcmocka-dev
    libdpdk-dev"
TEST_PKGS="curl iproute2 systemd python3 libvirt-clients libvirt-daemon
    tcpdump dpdk busybox-static cpio kmod man-db"
# nfvcap-agent: libpcap (pcap output), libkmod (loading hpcapvf and vfio-pci);
# dpdk-dev for dpdk-testpmd and netsniff-ng for trafgen (make bench).
BUILD_PKGS="$BUILD_PKGS libpcap-dev libkmod-dev"
TEST_PKGS="$TEST_PKGS dpdk-dev netsniff-ng"

. "$(dirname "$0")/lib-backports.sh"

missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi

# The lab needs QEMU >= 8 (for the igb device); bookworm has 7.2, backports has 10.x.
"$(dirname "$0")/install-lab.sh"
