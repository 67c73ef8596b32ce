"""Getting the lab ready, shared by tests/lab/run and tests/lab/demo.

prepare() either returns a Lab (QEMU, guest kernel, initramfs) or ends the
process with the lab's verdict on why it cannot run:

- no suitable QEMU: "lab: SKIPPED: <why>", exit 0 -- unless NFVCAP_LAB_REQUIRED=1
  (CI), where it is "lab: FAILED: <why>", exit 1;
- nfvcap not built, or the kernel/initramfs cannot be made: "lab: FAILED: <why>", exit 1.
"""
import fcntl
import os
import sys

from . import BUILD_DIR, BUILD_NAME, CACHE_DIR, REPO_ROOT, LabError, Skip, provision
from .guest import Guest


def fail(why):
    print(f"lab: FAILED: {why}", flush=True)
    sys.exit(1)


class Lab:
    def __init__(self, qemu, qemu_version, kernel, initrd):
        self.qemu, self.qemu_version = qemu, qemu_version
        self.kernel, self.initrd = kernel, initrd

    def guest(self, topology, script, rundir):
        """A Guest (not yet started) that runs script (an absolute path, which
        the guest sees through the shared host root) under topology, with its
        logs in rundir."""
        return Guest(self.qemu, self.kernel, self.initrd, topology, script, rundir)


_lock = None  # held for the life of the process


def _take_lock():
    """One lab run at a time per cache: runs share build/lab/ (kernel,
    initramfs, run logs), and two TCG guests at once would also slow each
    other into their timeouts on a 2-core machine."""
    global _lock
    os.makedirs(CACHE_DIR, exist_ok=True)
    _lock = open(os.path.join(CACHE_DIR, "lock"), "w")
    try:
        fcntl.flock(_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("lab: another lab run is using this tree; waiting for it to end", flush=True)
        fcntl.flock(_lock, fcntl.LOCK_EX)


def prepare(needs_nfvcap):
    try:
        qemu, version = provision.find_qemu()
    except Skip as e:
        if os.environ.get("NFVCAP_LAB_REQUIRED") == "1":
            fail(f"{e} (and NFVCAP_LAB_REQUIRED=1)")
        print(f"lab: SKIPPED: {e}", flush=True)
        sys.exit(0)

    if needs_nfvcap:
        for prog in ("nfvcapd", "nfvcapctl"):
            if not os.access(os.path.join(BUILD_DIR, prog), os.X_OK):
                fail(f"{BUILD_NAME}/{prog} is missing: run `make` first")

    # Paths travel on the kernel command line, which splits at white space.
    if any(c.isspace() for c in REPO_ROOT + BUILD_DIR):
        fail(f"the repository path {REPO_ROOT!r} contains white space, which the lab cannot pass to the guest")

    _take_lock()
    try:
        kernel = provision.kernel()
        initrd = provision.initramfs(kernel)
    except LabError as e:
        fail(str(e))
    print(f"lab: QEMU {version}, guest kernel {kernel}", flush=True)
    return Lab(qemu, version, kernel, initrd)
