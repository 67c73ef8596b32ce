#!/bin/sh
# Install what the SR-IOV lab (tests/lab, docs/lab.md) needs on a Debian 12 host:
#
#  - QEMU >= 8, for its igb device (an Intel 82576 with SR-IOV). Bookworm has
#    QEMU 7.2, which has no igb; bookworm-backports has 10.x. Only this package
#    (and what it depends on) comes from backports.
#  - busybox-static, cpio and kmod, to build the guest's initramfs; python3 and
#    iproute2, which the guest runs from the host's root.
#
# The guest kernel is not installed here: the lab fetches it with
# `apt-get download` on first use and caches it under build/lab/.
#
# Idempotent: does nothing when everything is already there. Called at the end
# of scripts/install-deps.sh; can be run on its own.
set -eu

[ "$(id -u)" -eq 0 ] || { echo "install-lab: run as root (apt-get needs it)" >&2; exit 1; }

here=$(dirname "$0")
# shellcheck source=scripts/lib-backports.sh
. "$here/lib-backports.sh"

export DEBIAN_FRONTEND=noninteractive
GUEST_PKGS="busybox-static cpio kmod python3 iproute2"

# A QEMU is good enough when it has the igb device (QEMU 8.0 and later).
qemu_has_igb() {
    command -v qemu-system-x86_64 >/dev/null 2>&1 &&
        qemu-system-x86_64 -device help 2>/dev/null | grep -q '^name "igb"'
}

missing=""
for p in $GUEST_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

if [ -n "$missing" ] || ! qemu_has_igb; then
    apt-get update -qq
fi

if [ -n "$missing" ]; then
    echo "install-lab: installing$missing"
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi

if ! qemu_has_igb; then
    echo "install-lab: installing qemu-system-x86 from bookworm-backports (bookworm's QEMU has no igb)"
    ensure_backports
    # --no-install-recommends keeps out ~400 MB of display and audio packages.
    apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86
    qemu_has_igb || { echo "install-lab: the installed QEMU still has no igb device" >&2; exit 1; }
fi

echo "install-lab: ready ($(qemu-system-x86_64 --version | head -n 1))"
