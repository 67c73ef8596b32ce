"""What the lab needs before a guest can boot, found or made on first use.

- QEMU: qemu-system-x86_64 >= 8 with the igb device (scripts/install-lab.sh
  installs it from bookworm-backports). Missing QEMU is a Skip, not an error.
- The guest kernel: a Debian generic amd64 kernel package, fetched with
  `apt-get download`, unpacked with `dpkg-deb -x` and indexed with `depmod -b`
  under CACHE_DIR/kernel. Fetched once; later runs reuse it as it is.
- The initramfs: busybox-static, guest/init and the modules that init needs to
  mount the host root. Rebuilt whenever one of those inputs changes.
"""
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

from . import CACHE_DIR, GUEST_DIR, LabError, Skip

QEMU_MIN_MAJOR = 8  # the igb device appeared in QEMU 8.0

# What stage 1 must load to mount the host root: the virtio-pci transport, 9p
# over virtio, and overlayfs. The rest is loaded by stage 2 from the full
# module tree, which it reaches through the shared root.
INITRAMFS_MODULES = ["virtio_pci", "9pnet_virtio", "9p", "overlay"]

BUSYBOX = "/bin/busybox"


def find_qemu():
    """Path and version of a usable qemu-system-x86_64; raises Skip if there is none."""
    name = os.environ.get("NFVCAP_LAB_QEMU", "qemu-system-x86_64")
    path = shutil.which(name)
    hint = "scripts/install-lab.sh installs QEMU from bookworm-backports"
    if path is None:
        raise Skip(f"{name} is not installed ({hint})")
    out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"version (\d+)\.(\d+)(?:\.(\d+))?", out)
    if m is None:
        raise Skip(f"cannot tell the version of {path}")
    version = m.group(0).split()[1]
    if int(m.group(1)) < QEMU_MIN_MAJOR:
        raise Skip(f"{path} is QEMU {version}; the igb device needs QEMU >= {QEMU_MIN_MAJOR} ({hint})")
    devices = subprocess.run([path, "-device", "help"], capture_output=True, text=True).stdout
    if 'name "igb"' not in devices:
        raise Skip(f"{path} (QEMU {version}) has no igb device")
    return path, version


class Kernel:
    """An unpacked guest kernel package: vmlinuz and its module tree."""

    def __init__(self, kdir):
        with open(os.path.join(kdir, "kernel.json"), encoding="utf-8") as f:
            meta = json.load(f)
        self.package = meta["package"]
        self.package_version = meta["version"]
        self.release = meta["release"]  # `uname -r` in the guest
        self.root = os.path.join(kdir, "root")
        self.vmlinuz = os.path.join(self.root, "boot", "vmlinuz-" + self.release)
        self.moddir = os.path.join(self.root, "lib", "modules", self.release)
        # The kernel QEMU boots: the uncompressed ELF when provisioning could
        # make one (see _extract_vmlinux), else the compressed bzImage.
        vmlinux = os.path.join(kdir, "vmlinux")
        self.boot_image = vmlinux if os.path.exists(vmlinux) else self.vmlinuz

    def __str__(self):
        return f"{self.release} ({self.package} {self.package_version})"


def _run(argv, what, cwd=None):
    r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise LabError(f"{what} failed: {' '.join(argv)}\n{r.stderr.strip()}")
    return r.stdout


def _extract_vmlinux(root, release, dest):
    """Writes the uncompressed kernel (an ELF vmlinux) out of the bzImage.

    Under TCG the bzImage's own xz decompressor takes about 3 s of every boot.
    QEMU boots an ELF vmlinux directly through its PVH entry point (which
    Debian's CONFIG_PVH=y kernels have), so decompressing once here saves those
    seconds on every run. Leaves no file when it cannot do so; the lab then
    boots the bzImage.
    """
    with open(os.path.join(root, "boot", "config-" + release), encoding="utf-8") as f:
        if "CONFIG_PVH=y\n" not in f.read():
            return
    with open(os.path.join(root, "boot", "vmlinuz-" + release), "rb") as f:
        image = f.read()
    # The compressed payload is found by its magic number, as the kernel's
    # scripts/extract-vmlinux does. xz (bookworm's 6.1) and gzip are read by
    # Python; zstd (backports' 6.12) needs the zstd command, if there is one.
    import lzma
    import zlib

    def unzstd(data):
        if shutil.which("zstd") is None:
            return b""
        # zstd complains about the bytes after the payload but writes it out.
        return subprocess.run(["zstd", "-dc"], input=data, capture_output=True).stdout

    for magic, decompress in (
            (b"\xfd7zXZ\x00", lambda data: lzma.LZMADecompressor().decompress(data)),
            (b"\x1f\x8b\x08", lambda data: zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)),
            (b"\x28\xb5\x2f\xfd", unzstd)):
        start = image.find(magic)
        while start >= 0:
            try:
                data = decompress(image[start:])
            except (lzma.LZMAError, zlib.error):
                data = b""
            if data.startswith(b"\x7fELF"):
                with open(dest, "wb") as f:
                    f.write(data)
                return
            start = image.find(magic, start + 1)


def _kernel_package():
    """The package to fetch: $NFVCAP_LAB_KERNEL_PACKAGE, or else the one that the
    linux-image-amd64 metapackage of this Debian release depends on -- the
    generic kernel a Debian 12 host gets, never the cloud flavour (no igb)."""
    pkg = os.environ.get("NFVCAP_LAB_KERNEL_PACKAGE")
    if pkg:
        return pkg
    out = _run(["apt-cache", "depends", "linux-image-amd64"], "looking up the kernel package")
    for line in out.splitlines():
        m = re.match(r"\s*Depends:\s*(linux-image-\S+-amd64)$", line)
        if m:
            return m.group(1)
    raise LabError("linux-image-amd64 depends on no linux-image-*-amd64 package "
                   "(is apt configured? try `apt-get update`)")


def kernel():
    """The cached guest kernel, fetched and unpacked on first use."""
    kdir = os.path.join(CACHE_DIR, "kernel")
    if os.path.exists(os.path.join(kdir, "kernel.json")):
        return Kernel(kdir)
    if os.path.exists(kdir):  # an interrupted earlier attempt
        shutil.rmtree(kdir)

    pkg = _kernel_package()
    print(f"lab: fetching the guest kernel {pkg} (once; cached in {kdir})", flush=True)
    os.makedirs(CACHE_DIR, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="kernel.tmp-", dir=CACHE_DIR)
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache is not secret
    try:
        download = ["apt-get", "download", "-q"]
        if os.geteuid() == 0:
            # apt would try to drop to its _apt user, which cannot write here.
            download += ["-o", "APT::Sandbox::User=root"]
        _run(download + [pkg], f"downloading {pkg}", cwd=tmp)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if len(debs) != 1:
            raise LabError(f"apt-get download {pkg} left {debs!r}")
        deb = os.path.join(tmp, debs[0])
        version = _run(["dpkg-deb", "-f", deb, "Version"], "reading the package version").strip()
        root = os.path.join(tmp, "root")
        _run(["dpkg-deb", "-x", deb, root], f"unpacking {debs[0]}")
        os.unlink(deb)
        releases = os.listdir(os.path.join(root, "lib", "modules"))
        if len(releases) != 1:
            raise LabError(f"{pkg} holds module trees {releases!r}, expected exactly one")
        release = releases[0]
        # The package ships no modules.dep; the guest's modprobe needs one.
        _run(["depmod", "-b", root, release], "depmod")
        _extract_vmlinux(root, release, os.path.join(tmp, "vmlinux"))
        with open(os.path.join(tmp, "kernel.json"), "w", encoding="utf-8") as f:
            json.dump({"package": pkg, "version": version, "release": release}, f)
        os.rename(tmp, kdir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Kernel(kdir)


def _module_files(k):
    """The .ko files for INITRAMFS_MODULES and their dependencies, in load order."""
    files = []
    for mod in INITRAMFS_MODULES:
        out = _run(["modprobe", "-d", k.root, "-S", k.release, "--show-depends", mod],
                   f"resolving module {mod}")
        for line in out.splitlines():
            words = line.split()
            # "builtin NAME" lines need nothing; "insmod PATH [params]" do.
            if words and words[0] == "insmod" and words[1] not in files:
                files.append(words[1])
    return files


def _is_static(path):
    r = subprocess.run(["ldd", path], capture_output=True, text=True)
    return r.returncode != 0 and "not a dynamic executable" in (r.stdout + r.stderr)


def _read_module(path):
    """A module's bytes, uncompressed (busybox insmod takes plain .ko files)."""
    if path.endswith(".xz"):
        import lzma
        with lzma.open(path) as f:
            return f.read()
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    with open(path, "rb") as f:
        return f.read()


def initramfs(k):
    """Path of the initramfs for kernel k, rebuilt when its inputs changed."""
    if not os.path.exists(BUSYBOX) or not _is_static(BUSYBOX):
        raise LabError(f"{BUSYBOX} is missing or not static: install busybox-static "
                       "(scripts/install-lab.sh)")
    init = os.path.join(GUEST_DIR, "init")
    modules = _module_files(k)

    # Everything that goes in, and its content: a change to any of them
    # (a new busybox, an edited init, another kernel) gives a new digest.
    digest = hashlib.sha256()
    for path in [BUSYBOX, init] + modules:
        digest.update(path.encode() + b"\0")
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    digest = digest.hexdigest()

    image = os.path.join(CACHE_DIR, "initrd.gz")
    stamp = image + ".inputs"
    try:
        with open(stamp, encoding="utf-8") as f:
            if f.read().strip() == digest and os.path.exists(image):
                return image
    except FileNotFoundError:
        pass

    os.makedirs(CACHE_DIR, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="initramfs-", dir=CACHE_DIR) as tree:
        os.makedirs(os.path.join(tree, "bin"))
        os.makedirs(os.path.join(tree, "modules"))
        shutil.copy(BUSYBOX, os.path.join(tree, "bin", "busybox"))
        shutil.copy(init, os.path.join(tree, "init"))
        os.chmod(os.path.join(tree, "init"), 0o755)
        names = []
        for path in modules:
            name = re.sub(r"\.(xz|zst)$", "", os.path.basename(path))
            with open(os.path.join(tree, "modules", name), "wb") as f:
                f.write(_read_module(path))
            names.append(name)
        with open(os.path.join(tree, "modules.order"), "w", encoding="utf-8") as f:
            f.write("".join(n + "\n" for n in names))

        entries = sorted(os.path.relpath(os.path.join(d, n), tree)
                         for d, dirs, files in os.walk(tree) for n in dirs + files)
        cpio = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=tree,
                              input=("\n".join(entries) + "\n").encode(), capture_output=True)
        if cpio.returncode != 0:
            raise LabError("cpio failed: " + cpio.stderr.decode(errors="replace"))
        with gzip.open(image + ".tmp", "wb", compresslevel=6) as f:
            f.write(cpio.stdout)
    os.replace(image + ".tmp", image)
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(digest + "\n")
    return image
