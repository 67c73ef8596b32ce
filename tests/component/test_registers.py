"""Register features on fixture PFs whose resource0 is a regular file of the
BAR's size: the exact words each API call writes, the audit log, and that a
refused request writes nothing. (What the emulated 82576 does with those bits
is the lab's part: tests/lab/scenarios/rx-mode.sh.)"""

import hashlib
import os
import signal
import struct
import time

import fixture
from harness import DaemonTestCase

IXGBE = "0000:03:00.0"   # 82599, 4 VFs
IGB = "0000:01:00.0"     # 82576, 3 VFs
MLX = "0000:5e:00.0"     # generic
JSON = {"Content-Type": "application/json"}

# 82599 (shared reference nic-registers.md, section 3)
PFVML2FLT = 0x0F000
PFMRCTL, PFMRVLAN, PFMRVM = 0x0F600, 0x0F610, 0x0F630
PFVLVF = 0x0F100
# 82576 (section 7)
VMOLR = 0x05AD0
BAM, MPE, AUPE, ROMPE, ROPE = 1 << 27, 1 << 28, 1 << 24, 1 << 25, 1 << 26


class Registers(DaemonTestCase):
    def setUp(self):
        super().setUp()
        fixture.intel_82599_dual_port(self.fs, vfs_on_port0=4)
        fixture.qemu_82576(self.fs, num_vfs=3)
        fixture.mellanox_cx5(self.fs)
        self.d = self.start(extra_args=["--reconcile-interval-ms", "300"])

    def bar(self, pf):
        return os.path.join(self.fs.device_dir(pf), "resource0")

    def word(self, pf, offset):
        with open(self.bar(pf), "rb") as f:
            f.seek(offset)
            return struct.unpack("<I", f.read(4))[0]

    def poke(self, pf, offset, value):
        with open(self.bar(pf), "r+b") as f:
            f.seek(offset)
            f.write(struct.pack("<I", value))

    def digest(self, pf):
        with open(self.bar(pf), "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    def audit(self, pf):
        return self.d.get("/v1/pfs/%s/audit" % pf).json["records"]

    def put_rx(self, pf, vf, body):
        return self.d.request("PUT", "/v1/pfs/%s/vfs/%d/rx-mode" % (pf, vf), body=body, headers=JSON)

    def refused(self, method, path, body, status, field=None, pf=IXGBE):
        before = (self.digest(pf), len(self.audit(pf)), self.d.get("/v1/state").body)
        r = self.d.request(method, path, body=body, headers=JSON)
        self.assertEqual(r.status, status, r)
        if field:
            self.assertEqual(r.json["error"].get("field"), field, r.json)
        self.assertEqual((self.digest(pf), len(self.audit(pf)), self.d.get("/v1/state").body),
                         before, "%s %s %r wrote something" % (method, path, body))
        return r.json["error"]["message"]

    # -- receive flags --------------------------------------------------------------

    def test_82599_pool_flags_exact_word(self):
        r = self.put_rx(IXGBE, 3, {"multicast_promiscuous": True, "broadcast": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.word(IXGBE, PFVML2FLT + 4 * 3), MPE | BAM)
        for pool in (0, 1, 2, 4, 63):
            self.assertEqual(self.word(IXGBE, PFVML2FLT + 4 * pool), 0, pool)
        self.assertEqual(r.json["flags"]["multicast_promiscuous"], True)
        self.assertEqual(r.json["desired"], {"multicast_promiscuous": True, "broadcast": True})
        # Other bits of the word are the driver's: kept.
        self.poke(IXGBE, PFVML2FLT + 4 * 2, 0x0000_05f2)
        r = self.put_rx(IXGBE, 2, {"accept_untagged": True, "unicast_hash": False})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.word(IXGBE, PFVML2FLT + 4 * 2), 0x0000_05f2 | AUPE)

    def test_82576_pool_flags_exact_word(self):
        r = self.put_rx(IGB, 2, {"multicast_hash": True, "broadcast": False})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.word(IGB, VMOLR + 4 * 2), ROMPE)

    def test_audit_log_has_every_write(self):
        self.put_rx(IXGBE, 1, {"multicast_promiscuous": True})
        recs = self.audit(IXGBE)
        self.assertEqual(len(recs), 1)
        rec = recs[0]
        self.assertEqual(rec["register"], "PFVML2FLT[1]")
        self.assertEqual(rec["offset"], "0x0f004")
        self.assertEqual((rec["old"], rec["new"]), ("0x00000000", "0x%08x" % MPE))
        self.assertEqual(rec["uid"], os.getuid())
        self.assertIn("rx-mode VF 1", rec["why"])
        self.assertIn("register write PFVML2FLT[1] [0x0f004] 0x00000000 -> 0x10000000",
                      self.d.read_log())
        self.assertEqual(self.audit(IGB), [])

    def test_reset_restores_the_original_flags(self):
        self.poke(IXGBE, PFVML2FLT + 4 * 0, BAM | AUPE)  # what the driver had set
        self.put_rx(IXGBE, 0, {"broadcast": False, "multicast_promiscuous": True})
        self.assertEqual(self.word(IXGBE, PFVML2FLT), AUPE | MPE)
        state = self.d.get("/v1/state").json["pfs"][IXGBE]
        self.assertEqual(state["rx_originals"]["0"]["broadcast"], True)
        r = self.d.request("DELETE", "/v1/pfs/%s/vfs/0/rx-mode" % IXGBE)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.word(IXGBE, PFVML2FLT), BAM | AUPE)
        self.assertIsNone(r.json["desired"])
        self.assertNotIn(IXGBE, self.d.get("/v1/state").json["pfs"])

    def test_drift_is_put_back_by_the_reconciler(self):
        self.put_rx(IXGBE, 1, {"multicast_promiscuous": True})
        # The driver rewrote the pool's flags (ixgbe does on receive-mode changes).
        self.poke(IXGBE, PFVML2FLT + 4, BAM)
        for _ in range(50):
            if self.word(IXGBE, PFVML2FLT + 4) == BAM | MPE:
                break
            time.sleep(0.1)
        self.assertEqual(self.word(IXGBE, PFVML2FLT + 4), BAM | MPE)
        by = [r["by"] for r in self.audit(IXGBE)]
        self.assertEqual(by, ["api", "nfvcapd"])

    def test_bad_rx_requests_write_nothing(self):
        p = "/v1/pfs/%s/vfs/%%s/rx-mode" % IXGBE
        self.refused("PUT", p % 4, {"broadcast": True}, 400, "index")   # 4 VFs: 0..3
        self.refused("PUT", p % 0, {"broadcast": 1}, 400, "broadcast")
        self.refused("PUT", p % 0, {"promiscuous": True}, 400, "promiscuous")
        self.refused("PUT", p % 0, {}, 400, "body")
        self.refused("PUT", p % "x", {"broadcast": True}, 400, "index")

    def test_generic_nic_has_no_register_features(self):
        msg = self.refused("PUT", "/v1/pfs/%s/vfs/0/rx-mode" % MLX, {"broadcast": True}, 422,
                           pf=MLX)
        self.assertIn("register model", msg)
        r = self.d.get("/v1/pfs/%s/registers" % MLX)
        self.assertEqual(r.status, 422)

    def test_bar_smaller_than_the_file_says_is_refused(self):
        os.truncate(self.bar(IGB), 0x1000)
        r = self.put_rx(IGB, 0, {"broadcast": True})
        self.assertEqual(r.status, 503, r)
        self.assertIn("refusing to map it", r.json["error"]["message"])

    # -- mirrors ---------------------------------------------------------------------

    def post_mirror(self, body, pf=IXGBE):
        return self.d.request("POST", "/v1/pfs/%s/mirrors" % pf, body=body, headers=JSON)

    def test_pool_mirror_exact_words(self):
        r = self.post_mirror({"type": "pool", "sources": [1, 2], "destination_vf": 0})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["id"], 0)
        self.assertEqual(self.word(IXGBE, PFMRVM + 0), 0b110)
        self.assertEqual(self.word(IXGBE, PFMRVM + 16), 0)
        self.assertEqual(self.word(IXGBE, PFMRCTL) & 0xF, 1)          # VPME
        self.assertEqual((self.word(IXGBE, PFMRCTL) >> 8) & 0x3F, 0)  # destination pool 0
        r = self.post_mirror({"type": "uplink", "destination_vf": 3})
        self.assertEqual((r.status, r.json["id"]), (201, 1))
        self.assertEqual(self.word(IXGBE, PFMRCTL + 4), 1 << 1 | 3 << 8)  # UPME, pool 3
        r = self.post_mirror({"type": "downlink", "destination_vf": 2})
        self.assertEqual(self.word(IXGBE, PFMRCTL + 8), 1 << 2 | 2 << 8)  # DPME, pool 2
        listed = self.d.get("/v1/pfs/%s/mirrors" % IXGBE).json["mirrors"]
        self.assertEqual([m["type"] for m in listed], ["pool", "uplink", "downlink"])
        # Removal clears the rule's control word and bitmaps.
        r = self.d.request("DELETE", "/v1/pfs/%s/mirrors/0" % IXGBE)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((self.word(IXGBE, PFMRCTL), self.word(IXGBE, PFMRVM)), (0, 0))

    def test_vlan_mirror_uses_the_vlan_filter_slot(self):
        msg = self.refused("POST", "/v1/pfs/%s/mirrors" % IXGBE,
                           {"type": "vlan", "sources": [100], "destination_vf": 0}, 409, "sources")
        self.assertIn("VLAN 100 is not in the VLAN filter table", msg)
        self.poke(IXGBE, PFVLVF + 4 * 5, 1 << 31 | 100)  # the driver filters VLAN 100 in slot 5
        r = self.post_mirror({"type": "vlan", "sources": [100], "destination_vf": 1})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.word(IXGBE, PFMRVLAN), 1 << 5)
        self.assertEqual(self.word(IXGBE, PFMRCTL) & 0xFF0F, 1 << 3 | 1 << 8)  # VLME, pool 1

    def test_bad_mirrors_write_nothing(self):
        path = "/v1/pfs/%s/mirrors" % IXGBE
        msg = self.refused("POST", path, {"type": "pool", "sources": [1], "destination_vf": 1}, 400,
                           "destination_vf")
        self.assertIn("both a source and the destination", msg)
        self.refused("POST", path, {"type": "pool", "sources": [9], "destination_vf": 0}, 400,
                     "sources")
        self.refused("POST", path, {"type": "pool", "sources": [], "destination_vf": 0}, 400,
                     "sources")
        self.refused("POST", path, {"type": "span", "destination_vf": 0}, 400, "type")
        msg = self.refused("POST", path, {"type": "uplink", "destination_vf": 0, "snaplen": 128},
                           422, "snaplen")
        self.assertIn("cannot truncate", msg)
        self.refused("POST", path, {"type": "uplink", "destination_vf": 0, "sample_rate": 10}, 422,
                     "sample_rate")
        self.refused("POST", path, {"type": "uplink", "destination_vf": 0,
                                    "encapsulation": "gre"}, 422, "encapsulation")
        for dst in (0, 1, 2, 3):
            self.assertEqual(self.post_mirror({"type": "uplink", "destination_vf": dst}).status,
                             201)
        msg = self.refused("POST", path, {"type": "downlink", "destination_vf": 0}, 422, "id")
        self.assertIn("only 4 mirror rules", msg)

    def test_a_live_rule_nfvcapd_did_not_make_is_left_alone(self):
        self.poke(IXGBE, PFMRCTL, 1 << 1 | 2 << 8)  # someone else's uplink mirror in rule 0
        msg = self.refused("POST", "/v1/pfs/%s/mirrors" % IXGBE,
                           {"type": "downlink", "destination_vf": 0}, 409, "id")
        self.assertIn("in use by something other than nfvcapd", msg)

    # -- dump ------------------------------------------------------------------------

    def test_register_dump(self):
        self.put_rx(IGB, 1, {"broadcast": True})
        r = self.d.get("/v1/pfs/%s/registers" % IGB)
        self.assertEqual(r.status, 200, r)
        regs = {g["name"]: g for g in r.json["registers"]}
        self.assertEqual(r.json["model"], "82576")
        self.assertEqual(regs["VMOLR[1]"]["offset"], "0x05ad4")
        self.assertEqual(regs["VMOLR[1]"]["value"], "0x%08x" % BAM)
        self.assertEqual(self.audit(IGB)[0]["register"], "VMOLR[1]")
        ctl = self.d.ctl("regs", IGB)
        self.assertEqual(ctl.returncode, 0)
        self.assertIn("VMOLR[1]", ctl.stdout)
