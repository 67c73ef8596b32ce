"""The real nfvcapd lists every SR-IOV PF and VF of faithful fixture trees
exactly as the kernel describes them, and survives broken ones."""

import os
import struct

import fixture
from harness import DaemonTestCase


class FixtureMachines(DaemonTestCase):
    def pf(self, d, addr):
        r = d.get("/v1/pfs/" + addr)
        self.assertEqual(r.status, 200, r)
        return r.json

    def vfs(self, d, addr):
        r = d.get("/v1/pfs/%s/vfs" % addr)
        self.assertEqual(r.status, 200, r)
        return r.json["vfs"]

    def test_82599_dual_port_with_vfs_on_one_port(self):
        fixture.intel_82599_dual_port(self.fs, vfs_on_port0=4)
        d = self.start()
        pfs = d.get("/v1/pfs").json["pfs"]
        self.assertEqual([p["address"] for p in pfs], ["0000:03:00.0", "0000:03:00.1"])
        p0 = self.pf(d, "0000:03:00.0")
        self.assertEqual((p0["vendor_id"], p0["device_id"]), ("8086", "10fb"))
        self.assertEqual(p0["vendor_name"], "Intel Corporation")
        self.assertIn("82599", p0["device_name"])
        self.assertEqual((p0["family"], p0["model"], p0["driver"]), ("ixgbe", "82599", "ixgbe"))
        self.assertEqual(p0["sriov"], {"total_vfs": 64, "initial_vfs": 64, "num_vfs": 4,
                                       "vf_offset": 128, "vf_stride": 2,
                                       "vf_device_id": "10ed", "vf_enable": True})
        self.assertEqual((p0["sriov_totalvfs"], p0["sriov_numvfs"]), (63, 4))
        self.assertEqual(p0["netdev"], {"name": "enp3s0f0", "mac": "90:e2:ba:00:00:10",
                                        "link": "up", "speed_mbps": 10000})
        self.assertEqual(p0["numa_node"], 0)
        self.assertEqual(p0["vf_count"], 4)
        self.assertEqual(p0["warnings"], [])
        vfs = self.vfs(d, "0000:03:00.0")
        self.assertEqual([v["address"] for v in vfs],
                         ["0000:03:10.0", "0000:03:10.2", "0000:03:10.4", "0000:03:10.6"])
        self.assertEqual([v["index"] for v in vfs], [0, 1, 2, 3])
        for i, v in enumerate(vfs):
            self.assertEqual((v["vendor_id"], v["device_id"], v["driver"]),
                             ("8086", "10ed", "ixgbevf"))
            self.assertEqual(v["netdev"], "enp3s0f0v%d" % i)
            self.assertEqual(v["mac"], "02:00:00:03:00:%02x" % i)
            self.assertEqual(v["warnings"], [])
        p1 = self.pf(d, "0000:03:00.1")
        self.assertEqual((p1["sriov_numvfs"], p1["vf_count"]), (0, 0))
        self.assertFalse(p1["sriov"]["vf_enable"])
        self.assertEqual(self.vfs(d, "0000:03:00.1"), [])
        # One VF by index, and the short address form.
        r = d.get("/v1/pfs/03:00.0/vfs/3")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["address"], "0000:03:10.6")

    def test_x550(self):
        fixture.intel_x550(self.fs)
        d = self.start()
        p = self.pf(d, "0000:05:00.0")
        self.assertEqual((p["family"], p["model"]), ("ixgbe", "X550"))
        self.assertEqual(p["sriov"]["vf_device_id"], "1565")
        self.assertEqual([v["address"] for v in self.vfs(d, "0000:05:00.0")],
                         ["0000:05:10.0", "0000:05:10.2"])

    def test_qemu_82576(self):
        fixture.qemu_82576(self.fs, num_vfs=3)
        d = self.start()
        p = self.pf(d, "0000:01:00.0")
        self.assertEqual((p["family"], p["model"], p["driver"]), ("igb", "82576", "igb"))
        self.assertEqual((p["sriov"]["total_vfs"], p["sriov_totalvfs"]), (8, 7))
        self.assertEqual((p["sriov"]["vf_offset"], p["sriov"]["vf_stride"]), (128, 2))
        self.assertEqual(p["sriov"]["vf_device_id"], "10ca")
        self.assertIsNone(p["numa_node"])
        vfs = self.vfs(d, "0000:01:00.0")
        self.assertEqual([v["address"] for v in vfs],
                         ["0000:01:10.0", "0000:01:10.2", "0000:01:10.4"])
        self.assertEqual({v["driver"] for v in vfs}, {"igbvf"})

    def test_i350_vfs_cross_to_the_next_bus(self):
        fixture.intel_i350(self.fs)
        d = self.start()
        p = self.pf(d, "0000:07:00.0")
        self.assertEqual((p["family"], p["model"]), ("igb", "I350"))
        self.assertEqual(p["numa_node"], 1)
        self.assertEqual([v["address"] for v in self.vfs(d, "0000:07:00.0")],
                         ["0000:08:10.0", "0000:08:10.4"])

    def test_generic_pf_is_listed_not_refused(self):
        fixture.mellanox_cx5(self.fs)
        d = self.start()
        p = self.pf(d, "0000:5e:00.0")
        self.assertEqual((p["vendor_id"], p["device_id"]), ("15b3", "1017"))
        self.assertEqual(p["family"], "generic")
        self.assertIsNone(p["model"])
        self.assertIn("Mellanox", p["vendor_name"])
        self.assertEqual(p["driver"], "mlx5_core")
        self.assertEqual([v["address"] for v in self.vfs(d, "0000:5e:00.0")],
                         ["0000:5e:00.2", "0000:5e:00.3"])

    def test_all_machines_together_sorted_and_nothing_else(self):
        fixture.mellanox_cx5(self.fs)
        fixture.intel_i350(self.fs)
        fixture.qemu_82576(self.fs)
        fixture.intel_82599_dual_port(self.fs)
        fixture.intel_x550(self.fs)
        self.fs.add_plain("0000:02:00.0", 0x144D, 0xA808, "nvme")
        d = self.start()
        pfs = d.get("/v1/pfs").json["pfs"]
        self.assertEqual([p["address"] for p in pfs],
                         ["0000:01:00.0", "0000:03:00.0", "0000:03:00.1", "0000:05:00.0",
                          "0000:07:00.0", "0000:5e:00.0"])
        # VFs are functions too, but never PFs.
        self.assertFalse(any(p["device_id"] in ("10ed", "10ca", "1520", "1018") for p in pfs))

    def test_empty_tree(self):
        d = self.start()
        self.assertEqual(d.get("/v1/pfs").json, {"pfs": []})
        self.assertEqual(d.get("/v1/health").json["pf_count"], 0)


class BrokenFixtures(DaemonTestCase):
    def test_truncated_config_gives_a_warning_not_a_crash(self):
        fixture.qemu_82576(self.fs, num_vfs=1)
        cfg = os.path.join(self.fs.device_dir("0000:01:00.0"), "config")
        with open(cfg, "r+b") as f:
            f.truncate(200)
        d = self.start()
        p = d.get("/v1/pfs/0000:01:00.0").json
        self.assertIsNone(p["sriov"])
        self.assertEqual(p["sriov_totalvfs"], 7)  # the kernel still says it is a PF
        self.assertEqual(len(p["warnings"]), 1)
        self.assertIn("config space ends at 192 bytes", p["warnings"][0])
        self.assertEqual(len(d.get("/v1/pfs/0000:01:00.0/vfs").json["vfs"]), 1)

    def test_dangling_virtfn_link(self):
        fixture.qemu_82576(self.fs, num_vfs=3)
        vf1 = self.fs.device_dir("0000:01:10.2")
        real = os.path.realpath(vf1)
        os.unlink(vf1)
        import shutil
        shutil.rmtree(real)
        d = self.start()
        p = d.get("/v1/pfs/0000:01:00.0").json
        self.assertEqual(p["warnings"], [])
        vfs = d.get("/v1/pfs/0000:01:00.0/vfs").json["vfs"]
        self.assertEqual(len(vfs), 3)
        bad = vfs[1]
        self.assertEqual(bad["address"], "0000:01:10.2")
        self.assertIsNone(bad["driver"])
        self.assertEqual(len(bad["warnings"]), 1)
        self.assertIn("does not exist", bad["warnings"][0])
        self.assertEqual(vfs[0]["warnings"], [])
        self.assertEqual(vfs[2]["warnings"], [])

    def test_virtfn_disagreeing_with_offset_and_stride(self):
        fixture.qemu_82576(self.fs, num_vfs=2)
        pfdir = self.fs.device_dir("0000:01:00.0")
        # Swap the two links: each now contradicts offset 128 / stride 2.
        a, b = (os.readlink(os.path.join(pfdir, "virtfn%d" % i)) for i in (0, 1))
        for i, t in ((0, b), (1, a)):
            os.unlink(os.path.join(pfdir, "virtfn%d" % i))
            os.symlink(t, os.path.join(pfdir, "virtfn%d" % i))
        d = self.start()
        vfs = d.get("/v1/pfs/0000:01:00.0/vfs").json["vfs"]
        self.assertEqual(vfs[0]["address"], "0000:01:10.2")
        self.assertIn("VF offset 128 and stride 2 put it at 0000:01:10.0",
                      vfs[0]["warnings"][0])

    def test_numvfs_disagreeing_with_links(self):
        fixture.qemu_82576(self.fs, num_vfs=2)
        with open(os.path.join(self.fs.device_dir("0000:01:00.0"), "sriov_numvfs"), "w") as f:
            f.write("3\n")
        d = self.start()
        w = d.get("/v1/pfs/0000:01:00.0").json["warnings"]
        self.assertTrue(any("sriov_numvfs is 3 but 2 virtfn links exist" in x for x in w), w)

    def test_malformed_capability_list(self):
        fixture.qemu_82576(self.fs, num_vfs=0)
        cfg = os.path.join(self.fs.device_dir("0000:01:00.0"), "config")
        with open(cfg, "r+b") as f:
            f.seek(0x150)
            f.write(struct.pack("<I", 0x000E | 1 << 16 | 0x100 << 20))  # ARI -> back to AER
        d = self.start()
        p = d.get("/v1/pfs/0000:01:00.0").json
        self.assertIsNone(p["sriov"])
        self.assertIn("malformed", p["warnings"][0])

    def test_missing_sysfs_root_fails_start_clearly(self):
        from harness import Daemon
        with self.assertRaises(RuntimeError) as e:
            Daemon(os.path.join(self.tmp, "nope"))
        self.assertIn("cannot open sysfs root", str(e.exception))


class RealSysfs(DaemonTestCase):
    def test_this_machine(self):
        """Whatever this machine has: the daemon's list is what the kernel's
        sriov_totalvfs attributes say (on the test machines: nothing)."""
        expected = sorted(a for a in os.listdir("/sys/bus/pci/devices")
                          if os.path.exists("/sys/bus/pci/devices/%s/sriov_totalvfs" % a))
        d = self.start(root="/sys")
        r = d.get("/v1/pfs")
        self.assertEqual(r.status, 200)
        self.assertEqual([p["address"] for p in r.json["pfs"]], expected)
        self.assertEqual(d.get("/v1/health").json["status"], "ok")


class Refresh(DaemonTestCase):
    def test_sighup_rescans(self):
        import signal
        fixture.qemu_82576(self.fs, num_vfs=0)
        d = self.start()
        self.assertEqual(d.get("/v1/pfs").json["pfs"][0]["vf_count"], 0)
        fixture.intel_x550(self.fs)
        # Still cached (default maximum age 10 s) ...
        self.assertEqual(len(d.get("/v1/pfs").json["pfs"]), 1)
        d.proc.send_signal(signal.SIGHUP)
        for _ in range(100):
            if len(d.get("/v1/pfs").json["pfs"]) == 2:
                break
        self.assertEqual(len(d.get("/v1/pfs").json["pfs"]), 2)

    def test_max_age_zero_rescans_every_request(self):
        d = self.start(extra_args=["--inventory-max-age-ms", "0"])
        self.assertEqual(d.get("/v1/pfs").json["pfs"], [])
        fixture.qemu_82576(self.fs, num_vfs=1)
        self.assertEqual(len(d.get("/v1/pfs").json["pfs"]), 1)
