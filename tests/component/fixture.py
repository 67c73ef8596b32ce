"""Faithful sysfs fixture trees for running the real nfvcapd with --sysfs-root.

A fixture reproduces what the kernel exposes for SR-IOV NICs, and nothing
else: PCI functions under devices/pci0000:00/<bridge>/<BDF>/ with their
attribute files (vendor, device, class, irq, resource, numa_node, config),
bus/pci/devices/<BDF> symlinks, driver links into bus/pci/drivers/, the
sriov_* attributes, virtfnN and physfn links, and net/<ifname>/ with
address, operstate and speed. Config space is built byte by byte with a real
capability chain: legacy capabilities (PM, MSI, MSI-X, PCIe) and the extended
list (AER, DSN, ARI, SR-IOV) at the offsets an 82599 uses.

It stands in for /sys on machines that have no SR-IOV NICs: the daemon reads
it through the same code paths (libpci's sysfs method, openat under the root).
"""

import os
import struct

PCI_EXT_CAP_AER = 0x0001
PCI_EXT_CAP_DSN = 0x0003
PCI_EXT_CAP_ARI = 0x000E
PCI_EXT_CAP_SRIOV = 0x0010


def rid(domain_bus_dev_fn):
    d, b, dev, fn = domain_bus_dev_fn
    return b << 8 | dev << 3 | fn


def parse_bdf(addr):
    dom, bus, devfn = addr.split(":")
    dev, fn = devfn.split(".")
    return int(dom, 16), int(bus, 16), int(dev, 16), int(fn, 16)


def fmt_bdf(domain, r):
    return "%04x:%02x:%02x.%x" % (domain, r >> 8, (r >> 3) & 0x1F, r & 7)


def vf_address(pf_addr, offset, stride, n):
    dom, bus, dev, fn = parse_bdf(pf_addr)
    return fmt_bdf(dom, (bus << 8 | dev << 3 | fn) + offset + n * stride)


def config_space(vendor, device, class_code=0x020000, sriov=None, size=4096, is_vf=False):
    """Config space bytes of an Ethernet function. sriov: dict with total,
    initial, num, offset, stride, vf_device (PF only)."""
    cfg = bytearray(size if size >= 64 else 64)
    # VFs read 0xffff in their vendor/device registers (PCIe SR-IOV spec 3.4.1.1);
    # the kernel fills the sysfs files from the PF's capability instead.
    if is_vf:
        struct.pack_into("<HH", cfg, 0x00, 0xFFFF, 0xFFFF)
    else:
        struct.pack_into("<HH", cfg, 0x00, vendor, device)
    struct.pack_into("<HH", cfg, 0x04, 0x0006, 0x0010)  # MEM|MASTER; status: capability list
    struct.pack_into("<I", cfg, 0x08, class_code << 8 | 0x01)
    cfg[0x0E] = 0x00  # header type 0
    struct.pack_into("<HH", cfg, 0x2C, vendor, 0x0000)
    cfg[0x34] = 0x40
    if len(cfg) >= 0xC0:
        # Legacy capability chain: PM (0x01) -> MSI (0x05) -> MSI-X (0x11) -> PCIe (0x10)
        for off, cap_id, nxt in ((0x40, 0x01, 0x50), (0x50, 0x05, 0x70), (0x70, 0x11, 0xA0),
                                 (0xA0, 0x10, 0x00)):
            cfg[off] = cap_id
            cfg[off + 1] = nxt
        struct.pack_into("<H", cfg, 0xA2, 0x0002)  # PCIe cap version 2, endpoint
    if len(cfg) < 0x104:
        return bytes(cfg[:size])
    chain = [(0x100, PCI_EXT_CAP_AER, 2), (0x140, PCI_EXT_CAP_DSN, 1), (0x150, PCI_EXT_CAP_ARI, 1)]
    if sriov is not None:
        chain.append((0x160, PCI_EXT_CAP_SRIOV, 1))
    for i, (off, cap_id, ver) in enumerate(chain):
        nxt = chain[i + 1][0] if i + 1 < len(chain) else 0
        struct.pack_into("<I", cfg, off, cap_id | ver << 16 | nxt << 20)
    if sriov is not None:
        s = 0x160
        ctrl = 0x0001 | 0x0008 | 0x0010 if sriov["num"] else 0x0010  # VFE, MSE, ARI hierarchy
        struct.pack_into("<I", cfg, s + 0x04, 0x00000002)  # capabilities
        struct.pack_into("<HH", cfg, s + 0x08, ctrl, 0)
        struct.pack_into("<HHH", cfg, s + 0x0C, sriov["initial"], sriov["total"], sriov["num"])
        struct.pack_into("<HH", cfg, s + 0x14, sriov["offset"], sriov["stride"])
        struct.pack_into("<H", cfg, s + 0x1A, sriov["vf_device"])
        struct.pack_into("<II", cfg, s + 0x1C, 0x553, 0x1)  # page sizes
    return bytes(cfg[:size])


class Sysfs:
    """A sysfs tree under root. Add devices with add_pf()/add_function()."""

    def __init__(self, root):
        self.root = root
        for d in ("bus/pci/devices", "bus/pci/drivers", "class/net", "devices/pci0000:00"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        self._bridges = {}

    def _path(self, *parts):
        return os.path.join(self.root, *parts)

    def _write(self, path, text, mode="w"):
        with open(path, mode) as f:
            f.write(text)

    def _bridge(self, bus):
        """The root port above bus `bus` (one per bus, as on a real host)."""
        if bus not in self._bridges:
            bdf = "0000:00:%02x.0" % (bus & 0x1F)
            d = self._path("devices/pci0000:00", bdf)
            os.makedirs(d, exist_ok=True)
            self._bridges[bus] = "devices/pci0000:00/" + bdf
        return self._bridges[bus]

    def device_dir(self, addr):
        return self._path("bus/pci/devices", addr)

    def add_function(self, addr, vendor, device, driver=None, config=None, numa_node=-1,
                     netdev=None, mac=None, operstate="up", speed=None, class_code=0x020000,
                     bar0_size=0x80000, resource0=False):
        _, bus, _, _ = parse_bdf(addr)
        rel = self._bridge(bus) + "/" + addr
        d = self._path(rel)
        os.makedirs(d, exist_ok=True)
        self._write(os.path.join(d, "vendor"), "0x%04x\n" % vendor)
        self._write(os.path.join(d, "device"), "0x%04x\n" % device)
        self._write(os.path.join(d, "subsystem_vendor"), "0x%04x\n" % vendor)
        self._write(os.path.join(d, "subsystem_device"), "0x0000\n")
        self._write(os.path.join(d, "class"), "0x%06x\n" % class_code)
        self._write(os.path.join(d, "revision"), "0x01\n")
        self._write(os.path.join(d, "irq"), "0\n")
        self._write(os.path.join(d, "numa_node"), "%d\n" % numa_node)
        # resource: one "start end flags" line per BAR (7 + bridge windows).
        lines = ["0x00000000f0000000 0x%016x 0x0000000000140204" % (0xF0000000 + bar0_size - 1)]
        lines += ["0x0000000000000000 0x0000000000000000 0x0000000000000000"] * 12
        self._write(os.path.join(d, "resource"), "\n".join(lines) + "\n")
        if config is not None:
            self._write(os.path.join(d, "config"), config, "wb")
        if resource0:
            # The BAR as a file: a regular file of the BAR's size (sparse, so all
            # registers read 0) stands in for the device's memory; nfvcapd maps
            # it as it maps the real resource0, and tests read the words back.
            with open(os.path.join(d, "resource0"), "wb") as f:
                f.truncate(bar0_size)
        os.symlink(os.path.relpath(d, self._path("bus/pci/devices")),
                   self._path("bus/pci/devices", addr))
        if driver:
            drv = self._path("bus/pci/drivers", driver)
            os.makedirs(drv, exist_ok=True)
            for f in ("bind", "unbind", "new_id", "remove_id"):
                if not os.path.exists(os.path.join(drv, f)):
                    self._write(os.path.join(drv, f), "")
            os.symlink(os.path.relpath(drv, d), os.path.join(d, "driver"))
            os.symlink(os.path.relpath(d, drv), os.path.join(drv, addr))
        if netdev:
            nd = os.path.join(d, "net", netdev)
            os.makedirs(nd)
            self._write(os.path.join(nd, "address"), (mac or "00:00:00:00:00:00") + "\n")
            self._write(os.path.join(nd, "operstate"), operstate + "\n")
            if speed is not None:
                self._write(os.path.join(nd, "speed"), "%d\n" % speed)
            os.symlink(os.path.relpath(nd, self._path("class/net")),
                       self._path("class/net", netdev))
        return d

    def add_pf(self, addr, vendor, device, driver, total_vfs, offset, stride, vf_device,
               driver_total_vfs=None, num_vfs=0, vf_driver=None, netdev=None, mac=None,
               numa_node=0, speed=None, vf_netdev_prefix=None, config_size=4096,
               bar0_size=0x80000, resource0=True):
        """A PF with num_vfs VFs, laid out as the kernel does after
        `echo num_vfs > sriov_numvfs`."""
        sriov = dict(total=total_vfs, initial=total_vfs, num=num_vfs, offset=offset,
                     stride=stride, vf_device=vf_device)
        d = self.add_function(addr, vendor, device, driver,
                              config_space(vendor, device, sriov=sriov, size=config_size),
                              numa_node=numa_node, netdev=netdev, mac=mac, speed=speed,
                              bar0_size=bar0_size, resource0=resource0)
        attrs = {
            "sriov_totalvfs": driver_total_vfs if driver_total_vfs is not None else total_vfs,
            "sriov_numvfs": num_vfs,
            "sriov_offset": offset,
            "sriov_stride": stride,
            "sriov_vf_device": "%x" % vf_device,
            "sriov_drivers_autoprobe": 1,
        }
        for k, v in attrs.items():
            self._write(os.path.join(d, k), "%s\n" % v)
        vfs = []
        for n in range(num_vfs):
            vaddr = vf_address(addr, offset, stride, n)
            nd = ("%s%d" % (vf_netdev_prefix, n)) if vf_netdev_prefix and vf_driver else None
            vmac = "02:00:00:%02x:%02x:%02x" % (parse_bdf(addr)[1], parse_bdf(addr)[3], n)
            vd = self.add_function(vaddr, vendor, vf_device, vf_driver,
                                   config_space(vendor, vf_device, is_vf=True),
                                   numa_node=numa_node, netdev=nd, mac=vmac, bar0_size=0x4000)
            os.symlink(os.path.relpath(vd, d), os.path.join(d, "virtfn%d" % n))
            os.symlink(os.path.relpath(d, vd), os.path.join(vd, "physfn"))
            vfs.append(vaddr)
        return vfs

    def add_plain(self, addr, vendor, device, driver=None):
        """A function without SR-IOV (a bridge, a disk controller...)."""
        return self.add_function(addr, vendor, device, driver,
                                 config_space(vendor, device, class_code=0x010802),
                                 class_code=0x010802)


# The fixture machines the tests use. Each returns a dict of facts to assert on.

def intel_82599_dual_port(fs, vfs_on_port0=4):
    """An X520-DA2 style 82599ES dual-port SFP+ card: TotalVFs 64 in the
    capability, ixgbe limits sriov_totalvfs to 63, VFs only on port 0; BAR0
    512 KiB as lspci shows on such cards."""
    vfs = fs.add_pf("0000:03:00.0", 0x8086, 0x10FB, "ixgbe", 64, 128, 2, 0x10ED,
                    driver_total_vfs=63, num_vfs=vfs_on_port0, vf_driver="ixgbevf",
                    netdev="enp3s0f0", mac="90:e2:ba:00:00:10", numa_node=0, speed=10000,
                    vf_netdev_prefix="enp3s0f0v")
    fs.add_pf("0000:03:00.1", 0x8086, 0x10FB, "ixgbe", 64, 128, 2, 0x10ED,
              driver_total_vfs=63, num_vfs=0, netdev="enp3s0f1", mac="90:e2:ba:00:00:11",
              numa_node=0, speed=10000)
    return vfs


def intel_x550(fs):
    return fs.add_pf("0000:05:00.0", 0x8086, 0x1563, "ixgbe", 64, 128, 2, 0x1565,
                     driver_total_vfs=63, num_vfs=2, vf_driver="ixgbevf", netdev="eno1",
                     mac="a4:bf:01:00:00:01", numa_node=0, speed=10000, vf_netdev_prefix="eno1v")


def qemu_82576(fs, addr="0000:01:00.0", num_vfs=3):
    """QEMU's igb device: TotalVFs 8, igb keeps one pool so sriov_totalvfs is 7; BAR0 128 KiB."""
    return fs.add_pf(addr, 0x8086, 0x10C9, "igb", 8, 128, 2, 0x10CA, driver_total_vfs=7,
                     num_vfs=num_vfs, vf_driver="igbvf", netdev="enp1s0",
                     mac="52:54:00:12:34:56", numa_node=-1, speed=1000, vf_netdev_prefix="eth",
                     bar0_size=0x20000)


def intel_i350(fs):
    """I350-T4 port 0: VF offset 0x180 and stride 4 (VFs interleave the 4 ports)."""
    return fs.add_pf("0000:07:00.0", 0x8086, 0x1521, "igb", 8, 0x180, 4, 0x1520,
                     driver_total_vfs=7, num_vfs=2, vf_driver="igbvf", netdev="eno2",
                     mac="a0:36:9f:00:00:01", numa_node=1, speed=1000, vf_netdev_prefix="eno2v")


def mellanox_cx5(fs):
    """A ConnectX-5 (15b3:1017), outside nfvcap's register families: generic."""
    return fs.add_pf("0000:5e:00.0", 0x15B3, 0x1017, "mlx5_core", 16, 2, 1, 0x1018,
                     driver_total_vfs=16, num_vfs=2, vf_driver="mlx5_core", netdev="enp94s0f0np0",
                     mac="b8:59:9f:00:00:01", numa_node=0, speed=100000,
                     vf_netdev_prefix="enp94s0f0v", bar0_size=0x2000000)
