"""A hostile agent against nfvcapd. hostile_agent.py (a test script standing in
for a compromised guest) completes the handshake, then sends random bytes, a
100 MB line, 10,000 messages a second, invalid UTF-8, numbers out of range,
claims to be another VM, and schema violations. For each, nfvcapd stays up
with bounded memory, the rejection is counted in the channel's metric, what
was refused changed nothing, and a second monitor with a real agent and real
traffic is unaffected: its counts stay exact."""

import os
import subprocess
import sys
import time

from agentkit import (MonitoredTestCase, frames, metric_value, require_root, send_frames,
                      wait_for)
from harness import HERE

HOSTILE = os.path.join(HERE, "hostile_agent.py")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    return -1


@require_root
class HostileAgent(MonitoredTestCase):
    def attack(self, name, reason, during=None):
        """Run one attack while the good monitor captures real traffic.
        Returns the metrics text after it."""
        ns = self.netns("ho")
        good = self.agent(netns=ns, name="good")
        evil_sock = os.path.join(self.tmp, "evil.sock")
        evil = subprocess.Popen([sys.executable, HOSTILE, evil_sock, name],
                                stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (evil.kill(), evil.wait()))
        wait_for(lambda: os.path.exists(evil_sock), what="the hostile agent's socket")
        d = self.daemon(["good %s vm=vm-good pf=0000:01:00.0 vf=0 interval_ms=100" % good.socket,
                         "evil %s vm=vm-evil pf=0000:01:00.0 vf=1 interval_ms=100" % evil_sock])
        self.wait_monitor(d, "good", lambda m: m["state"] == "ready")
        r = d.request("PUT", "/v1/monitors/good/capture",
                      body={"engine": "afpacket", "device": ns.rx},
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200)
        self.wait_monitor(d, "good", lambda m: m["capture"]["state"] == "running")
        rss_before = rss_kib(d.proc.pid)

        # Real traffic on the good monitor while the attack runs.
        sent = frames(2000, seed=13)
        send_frames(ns, sent)
        self.assertEqual(evil.stdout.readline().strip(), "done")
        if during:
            during(d)

        # nfvcapd is up and answers.
        self.assertIsNone(d.proc.poll(), d.read_log()[-3000:])
        self.assertEqual(d.get("/v1/version").status, 200)
        # The channel survived: the valid message sent after the attack got through,
        # and nothing the attack sent was recorded.
        doc = self.wait_stats(d, "evil", lambda s: s["engine"]["packets"] == 4242,
                              what="the hostile channel's proof of life")
        self.assertTrue(all(h["packets"] in (1, 4242) for h in doc["history"]), doc["history"])
        # The good monitor is unaffected: exact counts, nothing rejected.
        good_doc = self.wait_stats(d, "good", lambda s: s["engine"]["packets"] == 2000)
        self.assertEqual(good_doc["latest"]["engine"]["bytes"], sum(len(f) for f in sent))
        text = self.metrics(d)
        for reason_name in ("line_too_long", "rate_limited", "invalid_json", "invalid_utf8",
                            "schema", "out_of_range", "identity_claim", "unexpected"):
            self.assertEqual(metric_value(text, "nfvcap_agent_rejected_messages_total",
                                          monitor="good", reason=reason_name), 0)
        # The refusal is counted on the hostile channel, under its reason.
        self.assertGreater(metric_value(text, "nfvcap_agent_rejected_messages_total",
                                        monitor="evil", reason=reason), 0)
        # Memory stays bounded whatever came in.
        self.assertLess(rss_kib(d.proc.pid) - rss_before, 16 * 1024)
        self.assertIn("agent evil: rejected %s" % reason, d.read_log())
        return text, d

    def test_random_bytes(self):
        text, _ = self.attack("random", "invalid_json")

    def test_a_100_megabyte_line(self):
        text, d = self.attack("huge-line", "line_too_long")
        self.assertEqual(metric_value(text, "nfvcap_agent_rejected_messages_total",
                                      monitor="evil", reason="line_too_long"), 1)
        self.assertGreaterEqual(metric_value(text, "nfvcap_agent_received_bytes_total",
                                             monitor="evil"), 100 << 20)

    def test_ten_thousand_messages_a_second(self):
        started = time.monotonic()
        text, _ = self.attack("flood", "rate_limited")
        elapsed = time.monotonic() - started
        limited = metric_value(text, "nfvcap_agent_rejected_messages_total", monitor="evil",
                               reason="rate_limited")
        accepted = metric_value(text, "nfvcap_agent_messages_total", monitor="evil")
        # 20,000 sent; at most 100 a second (plus the first burst of 100) let through.
        self.assertEqual(limited + accepted, 20000 + 2)  # + the hello and the proof of life
        self.assertLessEqual(accepted, 100 * elapsed + 100)

    def test_invalid_utf8(self):
        text, _ = self.attack("bad-utf8", "invalid_utf8")
        self.assertEqual(metric_value(text, "nfvcap_agent_rejected_messages_total",
                                      monitor="evil", reason="invalid_utf8"), 4)

    def test_numbers_out_of_range(self):
        text, _ = self.attack("out-of-range", "out_of_range")
        self.assertEqual(metric_value(text, "nfvcap_agent_rejected_messages_total",
                                      monitor="evil", reason="out_of_range"), 5)

    def test_a_claim_to_be_another_vm(self):
        text, d = self.attack("identity", "identity_claim")
        self.assertEqual(metric_value(text, "nfvcap_agent_rejected_messages_total",
                                      monitor="evil", reason="identity_claim"), 3)
        # Neither monitor took the claimed figures.
        for mid in ("good", "evil"):
            latest = d.get("/v1/monitors/%s/stats" % mid).json["latest"]
            self.assertNotEqual(latest["engine"]["packets"], 999999)
        self.assertEqual(metric_value(text, "nfvcap_capture_packets_total", monitor="good",
                                      vm="vm-good"), 2000)

    def test_schema_violations_and_guest_sent_commands(self):
        text, _ = self.attack("schema", "schema")
        self.assertEqual(metric_value(text, "nfvcap_agent_rejected_messages_total",
                                      monitor="evil", reason="unexpected"), 1)
