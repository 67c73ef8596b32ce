"""VF count, VF settings, desired state and planning on fixture trees: every
bad input is a 400 (or 409/422) naming the field, and leaves the VFs, the
desired state and the state file exactly as they were. Applying settings for
real needs a PF driver: that is the lab's part (tests/lab/scenarios/vf-*.sh).
"""

import json
import os
import subprocess

import fixture
from harness import NFVCAPCTL, DaemonTestCase

PF = "0000:01:00.0"       # QEMU's 82576 model: 3 VFs, sriov_totalvfs 7
IXGBE = "0000:03:00.0"    # 82599 port 0: 2 VFs


class Validation(DaemonTestCase):
    def setUp(self):
        super().setUp()
        fixture.qemu_82576(self.fs, num_vfs=3)
        fixture.intel_82599_dual_port(self.fs, vfs_on_port0=2)
        self.d = self.start()

    def snapshot(self):
        return (self.d.get("/v1/pfs/%s/vfs" % PF).body, self.d.get("/v1/state").body,
                self.d.state_file(), self.numvfs())

    def numvfs(self):
        with open(os.path.join(self.fs.device_dir(PF), "sriov_numvfs")) as f:
            return f.read()

    def assertRefused(self, method, path, body, status, field, text=None, headers=None):
        before = self.snapshot()
        r = self.d.request(method, path, body=body,
                           headers=headers or {"Content-Type": "application/json"})
        self.assertEqual(r.status, status, r)
        e = r.json["error"]
        if field is not None:
            self.assertEqual(e.get("field"), field, e)
        if text:
            self.assertIn(text, e["message"])
        self.assertEqual(self.snapshot(), before, "%s %s %r changed something" % (method, path, body))
        return e

    def patch(self, body, status=400, field=None, text=None, index=0):
        return self.assertRefused("PATCH", "/v1/pfs/%s/vfs/%d" % (PF, index), body, status, field,
                                  text)

    def test_bad_macs(self):
        self.patch({"mac": "01:00:5e:00:00:01"}, field="mac", text="multicast")
        self.patch({"mac": "00:00:00:00:00:00"}, field="mac")
        self.patch({"mac": "02:00:00:00:00"}, field="mac")
        self.patch({"mac": "02:00:00:00:00:zz"}, field="mac")
        self.patch({"mac": 12}, field="mac")

    def test_bad_vlans_and_qos(self):
        for v in (4095, 4096, 70000, -1):
            self.patch({"vlan": v}, field="vlan")
        self.patch({"vlan": "100"}, field="vlan")
        self.patch({"vlan": 10, "qos": 8}, field="qos")
        self.patch({"qos": 3}, field="qos", text="needs a VLAN")
        self.patch({"vlan": 10, "vlan_proto": "802.1X"}, field="vlan_proto")

    def test_bad_rates(self):
        self.patch({"max_tx_rate": -5}, field="max_tx_rate")
        self.patch({"min_tx_rate": -1}, field="min_tx_rate")
        self.patch({"max_tx_rate": 1.5}, field="max_tx_rate")
        self.patch({"min_tx_rate": 100, "max_tx_rate": 50}, field="min_tx_rate")

    def test_bad_types_and_unknown_fields(self):
        self.patch({"trust": "yes"}, field="trust")
        self.patch({"spoofchk": 1}, field="spoofchk")
        self.patch({"link_state": "up"}, field="link_state")
        self.patch({"vlam": 5}, field="vlam", text="unknown setting")
        self.patch({"vlan": None}, field="vlan")
        self.patch({}, field="body", text="no settings given")

    def test_vf_index_at_or_above_the_count(self):
        self.patch({"vlan": 5}, field="index", index=3, text="has 3 VFs")
        self.patch({"vlan": 5}, field="index", index=60000)
        self.assertRefused("DELETE", "/v1/pfs/%s/vfs/3/settings" % PF, None, 400, "index")

    def test_count_above_the_limit(self):
        e = self.assertRefused("PUT", "/v1/pfs/%s/vfs" % PF, {"count": 8}, 400, "count")
        self.assertIn("at most 7", e["message"])
        self.assertRefused("PUT", "/v1/pfs/%s/vfs" % PF, {"count": 70000}, 400, "count")
        self.assertRefused("PUT", "/v1/pfs/%s/vfs" % PF, {"count": -1}, 400, "count")
        self.assertRefused("PUT", "/v1/pfs/%s/vfs" % PF, {"count": "2"}, 400, "count")
        self.assertRefused("PUT", "/v1/pfs/%s/vfs" % PF, {}, 400, "count")
        self.assertRefused("PUT", "/v1/pfs/%s/vfs" % PF, {"count": 2, "forse": True}, 400, "forse")
        self.assertRefused("PUT", "/v1/pfs/%s/vfs" % PF, {"count": 2, "force": "yes"}, 400, "force")

    def test_bodies_that_are_not_json_objects(self):
        p = "/v1/pfs/%s/vfs/0" % PF
        self.assertRefused("PATCH", p, "{vlan: 5}", 400, "body")
        self.assertRefused("PATCH", p, '{"vlan": 5} trailing', 400, "body")
        self.assertRefused("PATCH", p, "[1, 2]", 400, "body")
        self.assertRefused("PATCH", p, "", 400, "body")
        self.assertRefused("PATCH", p, b'{"mac": "\xff\xfe"}', 400, "body")
        self.assertRefused("PATCH", p, '{"vlan": 5}', 415, None,
                           headers={"Content-Type": "text/plain"})

    def test_unknown_pf(self):
        r = self.d.request("PATCH", "/v1/pfs/0000:42:00.0/vfs/0", body={"vlan": 5},
                           headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 404)

    def test_driver_limits_are_422_naming_the_knob(self):
        e = self.patch({"vlan": 10, "vlan_proto": "802.1ad"}, 422, "vlan_proto")
        self.assertIn("802.1Q", e["message"])
        e = self.assertRefused("PATCH", "/v1/pfs/%s/vfs/0" % IXGBE, {"min_tx_rate": 100}, 422,
                               "min_tx_rate")
        self.assertIn("ixgbe", e["message"])

    def test_capabilities_are_reported(self):
        caps = self.d.get("/v1/pfs/" + PF).json["vf_capabilities"]
        self.assertEqual(caps["mac"], {"supported": True})
        self.assertFalse(caps["vlan_proto"]["supported"])
        self.assertFalse(caps["min_tx_rate"]["supported"])
        self.assertIn("igb", caps["min_tx_rate"]["reason"])

    def test_settings_need_a_reachable_pf_interface(self):
        # The fixture's PF netdev does not exist on this machine: nothing can be
        # read or set through rtnetlink, and the change says so before touching anything.
        e = self.patch({"vlan": 5}, 503, None)
        self.assertIn("rtnetlink", e["message"])
        vf = self.d.get("/v1/pfs/%s/vfs/0" % PF).json
        self.assertIsNone(vf["settings"])
        self.assertIn("no such interface", vf["settings_error"])

    def test_changes_need_root_or_the_admin_group(self):
        d = self.start(extra_args=["--socket-group", "nogroup", "--admin-group", "root"])
        os.chmod(d.tmp, 0o755)
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", NFVCAPCTL,
               "--socket", d.socket]
        p = subprocess.run(cmd + ["vf", "set", PF, "0", "--vlan", "5"], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("changing state needs root", p.stderr)
        p = subprocess.run(cmd + ["vf", "list", PF], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("uid=%d" % 65534, d.read_log())


class Planning(DaemonTestCase):
    def setUp(self):
        super().setUp()
        fixture.qemu_82576(self.fs, num_vfs=3)
        fixture.intel_82599_dual_port(self.fs, vfs_on_port0=2)

    def plan(self, d, doc, query=""):
        return d.request("POST", "/v1/plan" + query, body=doc,
                         headers={"Content-Type": "application/json"})

    def test_plan_lists_actions_and_changes_nothing(self):
        d = self.start()
        doc = {"pfs": {PF: {"vf_count": 2, "vfs": {"1": {"mac": "02:00:00:00:00:01",
                                                         "trust": True, "vlan": 100, "qos": 3}}}}}
        r = self.plan(d, doc)
        self.assertEqual(r.status, 200, r)
        plan = r.json["plans"][0]
        self.assertEqual(plan["pf"], PF)
        acts = plan["actions"]
        self.assertEqual(acts[0], {"action": "set_vf_count", "from": 3, "to": 2,
                                   "through_zero": True})
        self.assertEqual([(a["vf"], a["knobs"]) for a in acts[1:]],
                         [(1, "mac"), (1, "vlan"), (1, "trust")])
        self.assertEqual(acts[2]["to"], {"vlan": 100, "qos": 3, "vlan_proto": "802.1Q"})
        self.assertIsNone(acts[1]["from"])  # VFs are recreated: nothing is known of them yet
        self.assertEqual(r.json["action_count"], 4)
        self.assertIsNone(d.state_file())
        self.assertEqual(d.get("/v1/state").json["pfs"], {})
        with open(os.path.join(self.fs.device_dir(PF), "sriov_numvfs")) as f:
            self.assertEqual(f.read(), "3\n")

    def test_plan_without_count_change(self):
        d = self.start()
        r = self.plan(d, {"pfs": {PF: {"vfs": {"2": {"spoofchk": False}}}}})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["plans"][0]["settings_unknown"])
        self.assertEqual([(a["action"], a["vf"]) for a in r.json["plans"][0]["actions"]],
                         [("set_vf", 2)])

    def test_count_change_refused_while_a_vf_is_in_use(self):
        # VF 1 handed to a guest: bound to vfio-pci.
        vf = self.fs.device_dir("0000:01:10.2")
        os.unlink(os.path.join(vf, "driver"))
        os.makedirs(os.path.join(self.fs.root, "bus/pci/drivers/vfio-pci"), exist_ok=True)
        os.symlink(os.path.relpath(os.path.join(self.fs.root, "bus/pci/drivers/vfio-pci"),
                                   os.path.realpath(vf)), os.path.join(vf, "driver"))
        d = self.start()
        r = self.plan(d, {"pfs": {PF: {"vf_count": 5}}})
        self.assertEqual(r.status, 409, r)
        self.assertIn("VF 1 is in use", r.json["error"]["message"])
        self.assertIn("vfio-pci", r.json["error"]["message"])
        self.assertEqual(r.json["error"]["field"], "pfs.%s.vf_count" % PF)
        r = d.request("PUT", "/v1/pfs/%s/vfs" % PF, body={"count": 5},
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 409, r)
        self.assertIsNone(d.state_file())
        # Forcing is the operator's explicit choice.
        r = self.plan(d, {"pfs": {PF: {"vf_count": 5}}}, "?force=true")
        self.assertEqual(r.status, 200, r)
        vfs = d.get("/v1/pfs/%s/vfs" % PF).json["vfs"]
        self.assertEqual([v["in_use"] for v in vfs], [False, True, False])

    def test_malformed_documents(self):
        d = self.start()
        cases = [
            ({"pfs": {PF: {"vf_count": -1}}}, "pfs.%s.vf_count" % PF),
            ({"pfs": {PF: {"vfs": {"x": {}}}}}, "pfs.%s.vfs.x" % PF),
            ({"pfs": {PF: {"vfs": {"0": {"vlan": 4095}}}}}, "pfs.%s.vfs.0.vlan" % PF),
            ({"pfs": {PF: {"nope": 1}}}, "pfs.%s.nope" % PF),
            ({"pfs": {"zz": {}}}, "pfs"),
            ({"pfs": []}, "pfs"),
            ({"pf": {}}, "pf"),
            ({}, "pfs"),
            ({"pfs": {PF: {"originals": {}}}}, "pfs.%s.originals" % PF),
            ({"pfs": {PF: {"vf_count": 9}}}, "pfs.%s.vf_count" % PF),
            ({"pfs": {PF: {"vfs": {"5": {"vlan": 2}}}}}, "pfs.%s.index" % PF),
        ]
        for doc, field in cases:
            r = self.plan(d, doc)
            self.assertEqual(r.status, 400, (doc, r))
            self.assertEqual(r.json["error"]["field"], field, (doc, r.json))
        r = self.plan(d, {"pfs": {"0000:42:00.0": {"vf_count": 1}}})
        self.assertEqual(r.status, 404, r)
        self.assertIsNone(d.state_file())

    def test_apply_refuses_what_it_cannot_do_and_changes_nothing(self):
        d = self.start()
        r = d.request("PUT", "/v1/state", body={"pfs": {PF: {"vfs": {"0": {"vlan": 7}}}}},
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 503, r)
        self.assertIsNone(d.state_file())
        self.assertEqual(d.get("/v1/state").json["pfs"], {})

    def test_apply_an_empty_state_writes_the_file(self):
        d = self.start()
        r = d.request("PUT", "/v1/state", body={"pfs": {}},
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(json.loads(d.state_file()), {"pfs": {}, "schema_version": 1})


class VfCount(DaemonTestCase):
    def test_vfs_that_never_become_ready_are_undone(self):
        """On a fixture no kernel creates VFs: the write happens, the wait times
        out, and the change is undone (the count written back) and reported."""
        fixture.qemu_82576(self.fs, num_vfs=3)
        d = self.start(extra_args=["--vf-wait-timeout-ms", "300"])
        numvfs = os.path.join(self.fs.device_dir(PF), "sriov_numvfs")
        r = d.request("PUT", "/v1/pfs/%s/vfs" % PF, body={"count": 5},
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 503, r)
        self.assertIn("not ready", r.json["error"]["message"])
        self.assertIn("VF 3 does not exist", r.json["error"]["message"])
        with open(numvfs) as f:
            self.assertEqual(f.read().strip(), "3")
        self.assertEqual(json.loads(d.state_file())["pfs"], {})
        self.assertEqual(d.get("/v1/state").json["pfs"], {})
        log = d.read_log()
        self.assertIn("VF count 3 -> 5 (through 0)", log)
        self.assertIn("undone: VF count", log)


class StateFile(DaemonTestCase):
    def write_state(self, text):
        path = os.path.join(self.tmp, "state")
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "state.json"), "w") as f:
            f.write(text)
        return path

    def test_loaded_state_is_served_and_reconciled(self):
        fixture.qemu_82576(self.fs, num_vfs=3)
        state = self.write_state(json.dumps({"schema_version": 1, "pfs": {PF: {
            "vf_count": 3, "vfs": {"0": {"vlan": 5}},
            "originals": {"0": {"mac": "00:00:00:00:00:00", "vlan": 0, "qos": 0,
                                "vlan_proto": "802.1Q", "spoofchk": True, "trust": False,
                                "link_state": "auto", "min_tx_rate": 0, "max_tx_rate": 0}}}}}))
        d = self.start(state_dir=state)
        st = d.get("/v1/state").json
        self.assertEqual(st["pfs"][PF]["vfs"], {"0": {"vlan": 5}})
        self.assertEqual(st["pfs"][PF]["originals"]["0"]["mac"], "00:00:00:00:00:00")
        status = d.get("/v1/status").json
        self.assertFalse(status["in_sync"])
        p = status["pfs"][0]
        self.assertEqual(p["address"], PF)
        self.assertFalse(p["sync"]["in_sync"])
        self.assertIn("rtnetlink", p["sync"]["last_error"])
        vf0 = d.get("/v1/pfs/%s/vfs/0" % PF).json
        self.assertEqual(vf0["desired"], {"vlan": 5})
        self.assertEqual(vf0["original"]["vlan"], 0)
        ctl = d.ctl("status")
        self.assertEqual(ctl.returncode, 0)
        self.assertIn("Not everything is as desired", ctl.stdout)

    def test_corrupt_file_means_read_only_and_is_kept(self):
        fixture.qemu_82576(self.fs, num_vfs=3)
        text = '{"schema_version": 1, "pfs": {"0000:01:00.0": {"vf_co'
        state = self.write_state(text)
        d = self.start(state_dir=state)
        h = d.get("/v1/status").json
        self.assertIn("not valid JSON", h["read_only"])
        self.assertIn("kept as it is", h["read_only"])
        r = d.request("PATCH", "/v1/pfs/%s/vfs/0" % PF, body={"vlan": 5},
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 503)
        self.assertIn("read-only", r.json["error"]["message"])
        r = d.request("PUT", "/v1/state", body={"pfs": {}},
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 503)
        self.assertEqual(d.state_file(), text)
        self.assertEqual(d.get("/v1/pfs").status, 200)
        self.assertIn("READ-ONLY", d.ctl("status").stdout)

    def test_damaged_content_means_read_only(self):
        state = self.write_state('{"schema_version": 1, "pfs": {"0000:01:00.0": {"vfs": '
                                 '{"0": {"vlan": 99999}}}}}')
        d = self.start(state_dir=state)
        self.assertIn("damaged", d.get("/v1/status").json["read_only"])

    def test_newer_schema_is_refused(self):
        state = self.write_state('{"schema_version": 2, "pfs": {}}')
        from harness import Daemon
        with self.assertRaises(RuntimeError) as e:
            Daemon(self.fs.root, state_dir=state)
        self.assertIn("written by a newer nfvcapd (schema version 2", str(e.exception))
        self.assertIn("Upgrade nfvcapd, or move the file away", str(e.exception))
        with open(os.path.join(state, "state.json")) as f:
            self.assertEqual(f.read(), '{"schema_version": 2, "pfs": {}}')


class Boot(DaemonTestCase):
    def test_start_waits_a_bounded_time_for_desired_pfs(self):
        """A PF named in the desired state but absent (its driver has not probed
        yet) holds READY=1 back for at most boot_wait_ms, then nfvcapd serves
        anyway and reports the PF as not present."""
        fixture.qemu_82576(self.fs, num_vfs=1)
        state = os.path.join(self.tmp, "state")
        os.makedirs(state)
        with open(os.path.join(state, "state.json"), "w") as f:
            json.dump({"schema_version": 1, "pfs": {"0000:42:00.0": {"vf_count": 2}}}, f)
        d = self.start(state_dir=state, extra_args=["--boot-wait-ms", "400"])
        self.assertIn("[0000:42:00.0] not present after 400 ms", d.read_log())
        p = d.get("/v1/status").json["pfs"][0]
        self.assertEqual(p["address"], "0000:42:00.0")
        self.assertFalse(p["sync"]["in_sync"])
        self.assertIn("not present", p["sync"]["last_error"])
