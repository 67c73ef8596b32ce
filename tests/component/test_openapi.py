"""docs/openapi.json describes the running daemon: every documented path and
method answers with a documented status and a body that validates against
the documented schema, and methods it does not document are refused."""

import json
import os

import fixture
from harness import TOP, DaemonTestCase
from openapi import Validator

METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")


class OpenApi(DaemonTestCase):
    def setUp(self):
        super().setUp()
        with open(os.path.join(TOP, "docs", "openapi.json")) as f:
            self.doc = json.load(f)
        self.v = Validator(self.doc)
        fixture.intel_82599_dual_port(self.fs)
        fixture.qemu_82576(self.fs)
        fixture.mellanox_cx5(self.fs)
        # One PF whose VF link dangles and one with unreadable config, so that
        # warnings and nulls are exercised against the schema too.
        fixture.intel_i350(self.fs)
        cfg = os.path.join(self.fs.device_dir("0000:07:00.0"), "config")
        with open(cfg, "r+b") as f:
            f.truncate(64)
        self.d = self.start()

    def concrete(self, path, addr="0000:03:00.0", index="0", mirror="0", monitor="mon0"):
        return (path.replace("{addr}", addr).replace("{index}", index).replace("{mirror}", mirror)
                .replace("{id}", monitor))

    @staticmethod
    def not_json(op):
        """Operations whose success is not a JSON document (the event stream never
        ends, metrics are text): test_agent_daemon.py checks those against the doc."""
        ok = op["responses"].get("200", {}).get("content", {})
        return ok and "application/json" not in ok

    def check(self, path, method, url):
        r = self.d.request(method, url)
        schema = self.v.response_schema(path, method, r.status)
        self.assertIsNotNone(schema, "%s %s -> %d is not documented" % (method, url, r.status))
        self.assertEqual(r.headers.get("Content-Type"), "application/json")
        problems = self.v.validate(r.json, schema)
        self.assertEqual(problems, [], "%s %s: %s" % (method, url, r.body))
        return r

    def test_documented_operations_match_the_daemon(self):
        for path, item in self.doc["paths"].items():
            for method in METHODS:
                documented = method.lower() in item
                if documented and self.not_json(item[method.lower()]):
                    continue
                r = self.d.request(method, self.concrete(path))
                if not documented:
                    self.assertEqual(r.status, 405, "%s %s is served but undocumented" % (method, path))
                    self.assertEqual(self.v.validate(r.json, {"$ref": "#/components/schemas/Error"}), [])
                    continue
                self.check(path, method, self.concrete(path))

    def test_every_pf_and_vf_validates(self):
        for pf in ("0000:03:00.0", "0000:03:00.1", "0000:01:00.0", "0000:5e:00.0", "0000:07:00.0"):
            self.check("/v1/pfs/{addr}", "GET", "/v1/pfs/" + pf)
            self.check("/v1/pfs/{addr}/vfs", "GET", "/v1/pfs/%s/vfs" % pf)

    def test_documented_errors(self):
        for path, item in self.doc["paths"].items():
            if "{addr}" not in path:
                continue
            for method in (m.upper() for m in item if m in ("get", "put", "patch", "delete")):
                r = self.check(path, method, self.concrete(path, addr="0000:zz:00.0"))
                self.assertEqual(r.status, 400)
                if method == "GET":
                    r = self.check(path, method, self.concrete(path, addr="0000:42:00.0"))
                    self.assertEqual(r.status, 404)
        r = self.check("/v1/pfs/{addr}/vfs/{index}", "GET",
                       self.concrete("/v1/pfs/{addr}/vfs/{index}", index="63"))
        self.assertEqual(r.status, 404)
        r = self.check("/v1/pfs/{addr}/vfs/{index}", "GET",
                       self.concrete("/v1/pfs/{addr}/vfs/{index}", index="x"))
        self.assertEqual(r.status, 400)

    def test_address_pattern_agrees_with_the_daemon(self):
        import re
        pattern = self.doc["components"]["parameters"]["addr"]["schema"]["pattern"]
        for addr in ("0000:03:00.0", "03:00.0", "0000:AF:1f.7", "10000:e1:00.0", "0000:03:00.8",
                     "0000:03:20.0", "zz", "0000:03:00.0.0", "000:03:00.0"):
            doc_ok = re.search(pattern, addr) is not None
            status = self.d.get("/v1/pfs/" + addr).status
            self.assertEqual(doc_ok, status != 400, "%s: doc %s, daemon %d" % (addr, doc_ok, status))

    def test_change_operations_validate(self):
        hdr = {"Content-Type": "application/json"}
        doc = {"pfs": {"0000:01:00.0": {"vf_count": 2, "vfs": {"1": {"vlan": 5, "trust": True}}}}}
        for method, path, body in (("POST", "/v1/plan", doc),
                                   ("PUT", "/v1/state", {"pfs": {}}),
                                   ("GET", "/v1/state", None),
                                   ("GET", "/v1/status", None),
                                   ("PATCH", "/v1/pfs/{addr}/vfs/{index}", {"vlan": 5000}),
                                   ("PUT", "/v1/pfs/{addr}/vfs", {"count": 99})):
            r = self.d.request(method, self.concrete(path), body=body, headers=hdr)
            schema = self.v.response_schema(path, method, r.status)
            self.assertIsNotNone(schema, "%s %s -> %d undocumented" % (method, path, r.status))
            self.assertEqual(self.v.validate(r.json, schema), [], r.body)
        # The request schemas accept what the daemon accepts.
        self.assertEqual(self.v.validate(doc, {"$ref": "#/components/schemas/DesiredState"}), [])
        self.assertNotEqual(self.v.validate({"pfs": {"x": {"bogus": 1}}},
                                            {"$ref": "#/components/schemas/DesiredState"}), [])
