"""nfvcapd with real agents: the agent listens on a unix socket as QEMU does
for a VM's channel, nfvcapd connects to it, and the counts nfvcapd reports
(API, metrics, event stream, nfvcapctl) equal what was sent through a veth
pair or read from a pcap of real traffic."""

import json
import os
import re
import signal

from agentkit import (MonitoredTestCase, PortRelay, capture_real_traffic, frames,
                      http_get_stream, metric_value, read_events, require_root, send_frames,
                      wait_for)
from harness import TOP

PLACEMENT = "vm=vm-mon0 pf=0000:01:00.0 vf=1 interval_ms=100"


@require_root
class CountsThroughTheDaemon(MonitoredTestCase):
    def setUp(self):
        super().setUp()
        self.ns = self.netns("dm")
        self.a = self.agent(netns=self.ns)
        self.d = self.daemon(["mon0 %s %s" % (self.a.socket, PLACEMENT)])
        self.wait_monitor(self.d, "mon0", lambda m: m["state"] == "ready", what="handshake")

    def start_capture(self, **body):
        r = self.d.request("PUT", "/v1/monitors/mon0/capture",
                           body=dict({"engine": "afpacket", "device": self.ns.rx}, **body),
                           headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        self.wait_monitor(self.d, "mon0", lambda m: m["capture"]["state"] == "running",
                          what="the capture to run")

    def test_api_counts_equal_what_was_sent(self):
        self.start_capture(queues=2)
        sent = frames(4000, seed=11)
        self.assertEqual(send_frames(self.ns, sent), 4000)
        doc = self.wait_stats(self.d, "mon0", lambda s: s["engine"]["packets"] >= 4000)
        latest = doc["latest"]
        self.assertEqual(latest["engine"]["packets"], 4000)
        self.assertEqual(latest["engine"]["bytes"], sum(len(f) for f in sent))
        self.assertEqual(sum(q["packets"] for q in latest["queues"]), 4000)
        # Labelled by where each figure comes from, and placed by nfvcapd's configuration.
        self.assertIn("PACKET_STATISTICS", latest["engine"]["source"])
        self.assertIn("netdev " + self.ns.rx, latest["nic"]["source"])
        self.assertEqual((doc["monitor"], doc["vm"], doc["pf"], doc["vf"]),
                         ("mon0", "vm-mon0", "0000:01:00.0", 1))
        self.assertGreater(len(doc["history"]), 0)
        m = self.metrics(self.d)
        labels = dict(monitor="mon0", vm="vm-mon0", pf="0000:01:00.0", vf="1", engine="afpacket")
        self.assertEqual(metric_value(m, "nfvcap_capture_packets_total", **labels), 4000)
        self.assertEqual(metric_value(m, "nfvcap_capture_bytes_total", **labels),
                         sum(len(f) for f in sent))
        self.assertEqual(metric_value(m, "nfvcap_capture_drops_total", cause="socket_ring_full",
                                      **labels), 0)
        # A veth has no missed-frame counter: absent, not 0.
        self.assertIsNone(metric_value(m, "nfvcap_guest_nic_rx_missed_total", monitor="mon0"))
        self.assertEqual(metric_value(m, "nfvcap_monitor_up", monitor="mon0"), 1)

    def test_every_documented_metric_exists(self):
        with open(os.path.join(TOP, "docs", "agent-protocol.md")) as f:
            doc = f.read()
        section = doc[doc.index("## Metrics"):]
        names = re.findall(r"^\| `(nfvcap_[a-z_]+)`", section, re.M)
        self.assertGreater(len(names), 15)
        self.start_capture(queues=2)
        send_frames(self.ns, frames(10))
        self.wait_stats(self.d, "mon0", lambda s: s["engine"]["packets"] == 10)
        text = self.metrics(self.d)
        typed = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
        sampled = set(re.findall(r"^(nfvcap_[a-z_]+)[{ ]", text, re.M))
        self.assertEqual(set(names) - typed, set(), "documented but not served")
        self.assertEqual(typed - set(names), set(), "served but not documented")
        # With an afpacket capture on a veth, only hpcapvf's backlog and the
        # NIC's missed counter have no source, so no sample.
        self.assertEqual(set(names) - sampled,
                         {"nfvcap_capture_backlog_bytes", "nfvcap_guest_nic_rx_missed_total"})

    def test_event_stream_carries_state_changes_and_live_statistics(self):
        resp, conn = http_get_stream(self.d.socket, "/v1/events")
        try:
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.getheader("Content-Type"), "text/event-stream")
            self.start_capture()
            read_events(resp, lambda ev: any(k == "monitor" and d["capture"]["state"] == "running"
                                             for k, d in ev))
            send_frames(self.ns, frames(300))
            ev = read_events(resp, lambda ev: any(k == "stats" and
                                                  d["stats"]["engine"]["packets"] == 300
                                                  for k, d in ev))
            kind, data = ev[-1]
            self.assertEqual((data["monitor"], data["vm"]), ("mon0", "vm-mon0"))
        finally:
            conn.close()

    def test_documents_match_the_api_reference(self):
        from openapi import Validator
        with open(os.path.join(TOP, "docs", "openapi.json")) as f:
            spec = json.load(f)
        v = Validator(spec)
        self.start_capture(queues=2, output={"format": "pcap", "name": "ref"})
        send_frames(self.ns, frames(20))
        self.wait_stats(self.d, "mon0", lambda s: s["engine"]["packets"] == 20)
        for path, url in (("/v1/monitors", "/v1/monitors"),
                          ("/v1/monitors/{id}", "/v1/monitors/mon0"),
                          ("/v1/monitors/{id}/stats", "/v1/monitors/mon0/stats")):
            r = self.d.get(url)
            self.assertEqual(v.validate(r.json, v.response_schema(path, "GET", 200)), [], url)
        # The two answers that are not JSON carry the documented types.
        for path in ("/metrics", "/v1/events"):
            types = list(spec["paths"][path]["get"]["responses"]["200"]["content"])
            resp, conn = http_get_stream(self.d.socket, path)
            self.assertEqual(resp.getheader("Content-Type").split(";")[0], types[0])
            conn.close()
            for method in ("PUT", "POST", "DELETE"):
                self.assertEqual(self.d.request(method, path).status, 405)
        # An event's data validates too.
        resp, conn = http_get_stream(self.d.socket, "/v1/events")
        ev = read_events(resp, lambda ev: any(k == "stats" for k, _ in ev))
        conn.close()
        stats = [d for k, d in ev if k == "stats"][0]["stats"]
        self.assertEqual(v.validate(stats, {"$ref": "#/components/schemas/AgentStats"}), [])

    def test_cli_stats_table_and_json(self):
        self.start_capture()
        send_frames(self.ns, frames(123))
        self.wait_stats(self.d, "mon0", lambda s: s["engine"]["packets"] == 123)
        p = self.d.ctl("stats")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["MONITOR", "VM", "ENGINE", "CAPTURE", "SOURCE",
                                            "PACKETS", "PPS", "BPS", "DROPS", "DROP%", "AGE"])
        self.assertRegex(lines[1], r"^mon0 +vm-mon0 +afpacket +running +engine: AF_PACKET.* 123 ")
        self.assertIn("guest NIC: netdev " + self.ns.rx, lines[2])
        p = self.d.ctl("stats", "mon0", "--json")
        self.assertEqual(json.loads(p.stdout)["latest"]["engine"]["packets"], 123)
        p = self.d.ctl("stats", "--watch", "--count", "2", "--interval", "0.2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.count("MONITOR  VM"), 2)
        p = self.d.ctl("monitor", "list")
        self.assertRegex(p.stdout, r"mon0 +vm-mon0 +0000:01:00.0 +1 +ready +0\.1\.0 +running afpacket")

    def test_cli_capture_start_and_stop(self):
        p = self.d.ctl("capture", "start", "mon0", "afpacket", self.ns.rx, "--queues", "2",
                       "--pcap", "cli")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.wait_monitor(self.d, "mon0", lambda m: m["capture"]["state"] == "running")
        m = self.d.get("/v1/monitors/mon0").json
        self.assertEqual(m["desired_capture"]["queues"], 2)
        self.assertEqual(m["desired_capture"]["output"]["name"], "cli")
        self.assertTrue(os.path.exists(os.path.join(self.a.output_dir, "cli-q1-0.pcap")))
        self.assertEqual(self.d.ctl("capture", "stop", "mon0").returncode, 0)
        self.wait_monitor(self.d, "mon0", lambda m: m["capture"]["state"] == "idle")
        # Refusals name the field and exit 1.
        p = self.d.ctl("capture", "start", "mon0", "afpacket", self.ns.rx, "--queues", "99")
        self.assertEqual(p.returncode, 1)
        self.assertIn("(field queues)", p.stderr)
        p = self.d.ctl("capture", "start", "mon0", "hpcapvf", "0000:00:05.0")
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot run hpcapvf", p.stderr)

    def test_capture_requests_are_checked(self):
        def put(body, mid="mon0"):
            return self.d.request("PUT", "/v1/monitors/%s/capture" % mid, body=body,
                                  headers={"Content-Type": "application/json"})
        r = put({"engine": "afpacket", "device": self.ns.rx, "queues": 65})
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "queues"))
        r = put({"engine": "afpacket", "device": "a b"})
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "device"))
        r = put({"engine": "afpacket", "device": "x", "output": {"format": "pcap", "name": "/etc/x"}})
        self.assertEqual(r.status, 400)
        # The agent said hpcapvf cannot run in this guest: refused with its reason.
        r = put({"engine": "hpcapvf", "device": "0000:00:05.0"})
        self.assertEqual(r.status, 422)
        self.assertIn("not installed", r.json["error"]["message"])
        self.assertEqual(put({"engine": "afpacket", "device": "x"}, mid="nosuch").status, 404)
        self.assertEqual(self.d.get("/v1/monitors/bad%20id").status, 400)
        self.assertEqual(self.d.request("DELETE", "/v1/monitors/mon0/capture").status, 404)
        # Nothing changed.
        self.assertIsNone(self.d.get("/v1/monitors/mon0").json["desired_capture"])

    def test_an_engine_that_cannot_start_sends_an_error_event(self):
        resp, conn = http_get_stream(self.d.socket, "/v1/events")
        try:
            r = self.d.request("PUT", "/v1/monitors/mon0/capture",
                               body={"engine": "afpacket", "device": "nosuch0"},
                               headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 200)
            ev = read_events(resp, lambda ev: any(k == "error" for k, _ in ev))
            err = [d for k, d in ev if k == "error"][0]
            self.assertEqual((err["monitor"], err["code"], err["command"]),
                             ("mon0", "invalid_argument", "start_capture"))
            self.assertIn("nosuch0", err["message"])
        finally:
            conn.close()
        m = self.d.get("/v1/monitors/mon0").json
        self.assertIn("does not exist", m["last_error"]["message"])
        self.assertEqual(m["capture"]["state"], "idle")

    def test_capture_restarts_when_the_agent_comes_back(self):
        self.start_capture()
        self.a.stop()
        self.wait_monitor(self.d, "mon0", lambda m: m["state"] == "disconnected")
        self.a = self.agent(netns=self.ns)  # a new agent process on the same socket
        self.wait_monitor(self.d, "mon0", lambda m: m["capture"]["state"] == "running",
                          timeout=15, what="the capture to be restarted")
        send_frames(self.ns, frames(77))
        self.wait_stats(self.d, "mon0", lambda s: s["engine"]["packets"] == 77)
        self.assertGreaterEqual(self.d.get("/v1/monitors/mon0").json["channel"]["connects"], 2)

    def test_a_silent_agent_is_shown_stale(self):
        self.start_capture()
        self.a.proc.send_signal(signal.SIGSTOP)
        try:
            self.wait_monitor(self.d, "mon0", lambda m: m["state"] == "stale", timeout=10)
            self.assertEqual(metric_value(self.metrics(self.d), "nfvcap_monitor_up",
                                          monitor="mon0"), 0)
        finally:
            self.a.proc.send_signal(signal.SIGCONT)
        self.wait_monitor(self.d, "mon0", lambda m: m["state"] == "ready")


@require_root
class BehindAVmPort(MonitoredTestCase):
    """A VM's port: nfvcapd's connection is to QEMU and outlives the agent in
    the guest, so only silence says the agent went; nfvcapd then asks for a
    hello until one comes, and sets the new agent up as it did the old."""

    def test_an_agent_restarted_behind_the_port_is_set_up_again(self):
        ns = self.netns("vp")
        a = self.agent(netns=ns)
        relay = PortRelay(os.path.join(self.tmp, "vm-port.sock"), a.socket)
        self.addCleanup(relay.close)
        d = self.daemon(["vm1 %s vm=vm1 interval_ms=100" % relay.path])
        self.wait_monitor(d, "vm1", lambda m: m["state"] == "ready", what="handshake")
        r = d.request("PUT", "/v1/monitors/vm1/capture",
                      body={"engine": "afpacket", "device": ns.rx},
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        self.wait_monitor(d, "vm1", lambda m: m["capture"]["state"] == "running")
        a.stop()
        self.wait_monitor(d, "vm1", lambda m: m["state"] == "stale", timeout=10)
        a = self.agent(netns=ns, name="agent2")
        relay.agent_socket = a.socket
        self.wait_monitor(d, "vm1", lambda m: m["state"] == "ready" and
                          m["capture"]["state"] == "running", timeout=20,
                          what="the new agent to be synced and capturing")
        send_frames(ns, frames(55))
        self.wait_stats(d, "vm1", lambda s: s["engine"]["packets"] == 55)
        self.assertEqual(d.get("/v1/monitors/vm1").json["channel"]["connects"], 1,
                         "nfvcapd never had to reconnect")
        self.assertIn("asking it for a hello", d.read_log())


@require_root
class DpdkThroughTheDaemon(MonitoredTestCase):
    def test_net_pcap_counts_reach_the_api_exactly(self):
        path = os.path.join(self.tmp, "real.pcap")
        npkts, nbytes = capture_real_traffic(path, tag="dd")
        a = self.agent(extra_args=["--allow-vdev"])
        d = self.daemon(["mon1 %s vm=vm1 interval_ms=100" % a.socket])
        self.wait_monitor(d, "mon1", lambda m: m["state"] == "ready")
        r = d.request("PUT", "/v1/monitors/mon1/capture",
                      body={"engine": "dpdk", "device": "net_pcap0,rx_pcap=" + path},
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        doc = self.wait_stats(d, "mon1", lambda s: s["engine"]["packets"] == npkts)
        self.assertEqual(doc["latest"]["engine"]["bytes"], nbytes)
        m = self.metrics(d)
        self.assertEqual(metric_value(m, "nfvcap_capture_packets_total", monitor="mon1",
                                      engine="dpdk"), npkts)
        self.assertEqual(metric_value(m, "nfvcap_guest_nic_rx_packets_total", monitor="mon1"),
                         npkts)
        # Stopped through the API: the final report has the same totals.
        self.assertEqual(d.request("DELETE", "/v1/monitors/mon1/capture").status, 200)
        wait_for(lambda: d.get("/v1/monitors/mon1").json["capture"]["state"] == "idle")
        self.assertEqual(d.get("/v1/monitors/mon1/stats").json["latest"]["engine"]["packets"],
                         npkts)


@require_root
class MonitorConfiguration(MonitoredTestCase):
    def test_bad_monitor_lines_stop_the_start_with_a_reason(self):
        import subprocess
        from harness import NFVCAPD
        for spec, words in (("bad/id /x.sock", "is not a monitor id"),
                            ("m relative.sock", "absolute path"),
                            ("m /x.sock pf=zz", "not a PCI address"),
                            ("m /x.sock colour=blue", "is not one of"),
                            ("m", "expected")):
            p = subprocess.run([NFVCAPD, "--config", os.devnull, "--sysfs-root", self.fs.root,
                                "--socket", os.path.join(self.tmp, "s.sock"), "--state-dir",
                                self.tmp, "--log-target", "stderr", "--monitor", spec],
                               capture_output=True, text=True, timeout=10)
            self.assertEqual(p.returncode, 1, spec)
            self.assertIn(words, p.stderr)

    def test_a_monitor_without_an_agent_is_disconnected_and_says_why(self):
        d = self.daemon(["lonely %s/none.sock" % self.tmp])
        m = self.wait_monitor(d, "lonely", lambda m: m["state_reason"])
        self.assertEqual(m["state"], "disconnected")
        self.assertIn("cannot connect", m["state_reason"])
        self.assertEqual(d.get("/v1/monitors/lonely/stats").json["latest"], None)
