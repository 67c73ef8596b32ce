"""nfvcap-agent on its own, spoken to over its channel as nfvcapd would: the
engines on real traffic (afpacket on a veth pair in a network namespace, dpdk
on net_pcap with a pcap of real traffic and on net_null), exact counts where
the path is lossless, and what the agent does with bad commands."""

import os
import subprocess

from agentkit import (AgentTestCase, capture_real_traffic, frames, read_pcap, require_root,
                      send_frames, wait_for)


@require_root
class Handshake(AgentTestCase):
    def test_hello_lists_engines_devices_and_the_protocol(self):
        ns = self.netns()
        h = self.host(self.agent(netns=ns))
        hello = h.sync()
        self.assertEqual(hello["protocol"], 1)
        engines = {e["name"]: e for e in hello["engines"]}
        self.assertEqual(set(engines), {"afpacket", "dpdk", "hpcapvf"})
        self.assertTrue(engines["afpacket"]["available"])
        self.assertTrue(engines["dpdk"]["available"])
        self.assertIn(ns.rx, [d["name"] for d in hello["devices"]])
        self.assertEqual(hello["capture"]["state"], "idle")

    def test_hpcapvf_is_unavailable_and_says_why(self):
        # The real lookup in this kernel's module index: no hpcapvf here.
        h = self.host(self.agent())
        hello = h.sync()
        hp = [e for e in hello["engines"] if e["name"] == "hpcapvf"][0]
        self.assertFalse(hp["available"])
        self.assertIn("module hpcapvf is not installed for kernel " + os.uname().release,
                      hp["reason"])
        self.assertIn("hpcap_ixgbevf", hp["reason"])
        # Asking for it anyway: an error event with that reason, and nothing runs.
        r = h.command({"type": "start_capture", "engine": "hpcapvf", "device": "0000:00:05.0"})
        self.assertEqual((r["type"], r["code"]), ("error", "engine_unavailable"))
        self.assertIn("not installed", r["message"])
        self.assertEqual(h.sync()["capture"]["state"], "idle")

    def test_resync_byte_discards_a_torn_command(self):
        h = self.host(self.agent())
        h.send_raw(b'{"type":"start_capture","id":1,"engine":"afp')  # torn off mid-line
        hello = h.sync()  # 0xFF first: the torn bytes are dropped, the sync is read whole
        self.assertEqual(hello["type"], "hello")

    def test_a_new_host_end_gets_a_fresh_hello_and_the_capture_goes_on(self):
        ns = self.netns()
        a = self.agent(netns=ns)
        h = self.host(a)
        h.sync()
        self.assertEqual(h.command({"type": "start_capture", "engine": "afpacket",
                                    "device": ns.rx})["type"], "reply")
        h.close()
        self.hosts.remove(h)
        send_frames(ns, frames(50))
        h2 = self.host(a)
        hello = h2.sync()
        self.assertEqual(hello["capture"], {"state": "running", "engine": "afpacket",
                                            "device": ns.rx})
        s = h2.stats_until(lambda m: m["engine"]["packets"] == 50)
        self.assertEqual(s["capture"]["state"], "running")


@require_root
class Afpacket(AgentTestCase):
    def start(self, queues=1, **extra):
        self.ns = self.netns("af")
        self.a = self.agent(netns=self.ns)
        self.h = self.host(self.a)
        self.h.sync()
        self.assertEqual(self.h.command({"type": "set_interval", "interval_ms": 100})["type"],
                         "reply")
        r = self.h.command(dict({"type": "start_capture", "engine": "afpacket",
                                 "device": self.ns.rx, "queues": queues}, **extra))
        self.assertEqual(r["type"], "reply", r)

    def test_counts_equal_what_was_sent_over_two_queues(self):
        self.start(queues=2)
        sent = frames(3000)
        self.assertEqual(send_frames(self.ns, sent), len(sent))
        total = sum(len(f) for f in sent)
        s = self.h.stats_until(lambda m: m["engine"]["packets"] >= len(sent))
        self.assertEqual(s["engine"]["packets"], len(sent))
        self.assertEqual(s["engine"]["bytes"], total)
        self.assertEqual(s["engine"]["drops"], {"socket_ring_full": 0, "socket_freeze": 0})
        self.assertEqual(len(s["queues"]), 2)
        self.assertEqual(sum(q["packets"] for q in s["queues"]), len(sent))
        # The NIC's own counters, labelled as such; a veth has no "missed" counter.
        self.assertIn("netdev %s" % self.ns.rx, s["nic"]["source"])
        self.assertEqual(s["nic"]["rx_packets"], self.ns.rx_counters()["rx_packets"])
        self.assertIsNone(s["nic"]["rx_missed"])
        # The final report of a stopped capture has the same totals.
        r = self.h.command({"type": "stop_capture"})
        self.assertEqual(r["type"], "reply")

    def test_final_report_on_stop_counts_every_frame(self):
        self.start()
        sent = frames(500, seed=3)
        send_frames(self.ns, sent)
        # Stop at once: frames still in the ring must be counted in the final report.
        self.h.next_id += 1
        self.h.send({"type": "stop_capture", "id": self.h.next_id})
        final = self.h.stats_until(lambda m: m["capture"]["state"] == "stopped")
        self.assertEqual(final["engine"]["packets"], 500)
        self.assertEqual(final["engine"]["bytes"], sum(len(f) for f in sent))
        self.assertEqual(self.h.sync()["capture"]["state"], "idle")

    def test_pcap_output_holds_the_frames_as_sent(self):
        self.start(output={"format": "pcap", "name": "cap"}, snaplen=128)
        sent = frames(200, seed=5)
        send_frames(self.ns, sent)
        self.h.stats_until(lambda m: m["engine"]["packets"] == 200)
        self.h.command({"type": "stop_capture"})
        got = read_pcap(os.path.join(self.a.output_dir, "cap-q0-0.pcap"))
        self.assertEqual(len(got), 200)
        for (caplen, length, data), frame in zip(got, sent):
            self.assertEqual(length, len(frame))
            self.assertEqual(caplen, min(128, len(frame)))
            self.assertEqual(data, frame[:128])

    def test_rotation_keeps_the_newest_files(self):
        self.start(output={"format": "pcap", "name": "rot", "rotate_bytes": 1 << 20,
                           "keep_files": 2})
        sent = frames(3000, seed=7)  # about 2.3 MB: three files, the oldest removed
        send_frames(self.ns, sent)
        self.h.stats_until(lambda m: m["engine"]["packets"] == 3000)
        self.h.command({"type": "stop_capture"})
        files = sorted(f for f in os.listdir(self.a.output_dir) if f.startswith("rot-q0-"))
        self.assertEqual(files, ["rot-q0-1.pcap", "rot-q0-2.pcap"])

    def test_an_engine_that_cannot_start_says_why(self):
        self.ns = self.netns("af")
        self.h = self.host(self.agent(netns=self.ns))
        self.h.sync()
        r = self.h.command({"type": "start_capture", "engine": "afpacket", "device": "nosuch0"})
        self.assertEqual((r["type"], r["code"]), ("error", "invalid_argument"))
        self.assertIn('"nosuch0" does not exist in this guest', r["message"])
        # Output outside the output directory is refused before anything starts.
        r = self.h.command({"type": "start_capture", "engine": "afpacket", "device": self.ns.rx,
                            "output": {"format": "pcap", "name": "../escape"}})
        self.assertEqual((r["type"], r["code"]), ("error", "invalid_argument"))
        self.assertIn("file name", r["message"])
        self.assertEqual(self.h.sync()["capture"]["state"], "idle")


@require_root
class Dpdk(AgentTestCase):
    def start(self, device, **kw):
        self.a = self.agent(extra_args=["--allow-vdev"])
        self.h = self.host(self.a)
        self.h.sync()
        self.h.command({"type": "set_interval", "interval_ms": 100})
        r = self.h.command(dict({"type": "start_capture", "engine": "dpdk", "device": device},
                                **kw))
        self.assertEqual(r["type"], "reply", r)

    def test_net_pcap_of_real_traffic_is_counted_exactly(self):
        path = os.path.join(self.tmp, "real.pcap")
        npkts, nbytes = capture_real_traffic(path)
        self.assertGreater(npkts, 40)
        self.start("net_pcap0,rx_pcap=" + path)
        s = self.h.stats_until(lambda m: m["engine"]["packets"] == npkts)
        self.assertEqual(s["engine"]["bytes"], nbytes)
        self.assertIn("rte_eth_stats", s["engine"]["source"])
        # The PMD's counters agree; net_pcap has no missed counter: unknown, not 0.
        self.assertEqual(s["nic"]["rx_packets"], npkts)
        self.assertEqual(s["nic"]["rx_bytes"], nbytes)
        self.assertIsNone(s["nic"]["rx_missed"])
        self.assertEqual(s["engine"]["drops"], {"nombuf": 0, "nic_errors": 0})

    def test_net_pcap_output_matches_the_input_file(self):
        path = os.path.join(self.tmp, "real.pcap")
        npkts, _ = capture_real_traffic(path)
        self.start("net_pcap0,rx_pcap=" + path, output={"format": "pcap", "name": "dp"})
        self.h.stats_until(lambda m: m["engine"]["packets"] == npkts)
        self.h.command({"type": "stop_capture"})
        got = [p[2] for p in read_pcap(os.path.join(self.a.output_dir, "dp-q0-0.pcap"))]
        self.assertEqual(got, [p[2] for p in read_pcap(path)])

    def test_net_null_engine_and_pmd_counts_agree_at_stop(self):
        self.start("net_null0")
        self.h.stats_until(lambda m: m["engine"]["packets"] > 100000)
        self.h.next_id += 1
        self.h.send({"type": "stop_capture", "id": self.h.next_id})
        final = self.h.stats_until(lambda m: m["capture"]["state"] == "stopped")
        # What the loop received is exactly what the PMD says it delivered.
        self.assertEqual(final["engine"]["packets"], final["nic"]["rx_packets"])
        # net_null counts no bytes: unknown, never a silent zero.
        self.assertIsNone(final["nic"]["rx_bytes"])

    def test_virtual_devices_need_allow_vdev(self):
        h = self.host(self.agent())
        h.sync()
        r = h.command({"type": "start_capture", "engine": "dpdk", "device": "net_null0"})
        self.assertEqual((r["type"], r["code"]), ("error", "invalid_argument"))
        self.assertIn("--allow-vdev", r["message"])

    def test_too_many_queues_for_the_lcores(self):
        self.a = self.agent(extra_args=["--allow-vdev"])
        h = self.host(self.a)
        h.sync()
        r = h.command({"type": "start_capture", "engine": "dpdk", "device": "net_null0",
                       "queues": 4})
        self.assertEqual((r["type"], r["code"]), ("error", "invalid_argument"))
        self.assertIn("worker lcores", r["message"])


@require_root
class Hpcapvf(AgentTestCase):
    """The engine's discovery, against a tree laid out as HPCAP's driver lays
    out a VF it drives (module loaded, interface hpcap0, char major 1010 in
    /proc/devices). There is no hpcapvf module on this machine, so the device
    node cannot be opened: the test stops exactly there, and says so."""

    def test_discovery_reaches_the_device_node(self):
        root = os.path.join(self.tmp, "root")
        dev = os.path.join(root, "sys/bus/pci/devices/0000:00:05.0")
        drv = os.path.join(root, "sys/bus/pci/drivers/hpcapvf")
        for d in (dev + "/net/hpcap0", drv, root + "/sys/module/hpcapvf", root + "/sys/class/net",
                  root + "/proc", root + "/dev"):
            os.makedirs(d, exist_ok=True)
        for name, value in (("vendor", "0x8086"), ("device", "0x10ed"), ("class", "0x020000")):
            with open(os.path.join(dev, name), "w") as f:
                f.write(value + "\n")
        os.symlink(os.path.relpath(drv, dev), os.path.join(dev, "driver"))
        os.symlink("../..", os.path.join(dev, "net/hpcap0/device"))
        os.symlink(os.path.relpath(dev + "/net/hpcap0", root + "/sys/class/net"),
                   root + "/sys/class/net/hpcap0")
        with open(root + "/proc/devices", "w") as f:
            f.write("Character devices:\n  1 mem\n1010 hpcap\n\nBlock devices:\n  8 sd\n")
        h = self.host(self.agent(extra_args=["--root", root]))
        hello = h.sync()
        hp = [e for e in hello["engines"] if e["name"] == "hpcapvf"][0]
        self.assertTrue(hp["available"], hp)
        self.assertIn({"name": "hpcap0", "pci": "0000:00:05.0", "driver": "hpcapvf", "mac": None},
                      hello["devices"])
        r = h.command({"type": "start_capture", "engine": "hpcapvf", "device": "0000:00:05.0"})
        self.assertEqual((r["type"], r["code"]), ("error", "engine_failed"))
        # Adapter 0, queue 0: /dev/hpcap_0_0, char 1010:0, made as HPCAP's script makes it.
        self.assertIn("/dev/hpcap_0_0 (char 1010:0)", r["message"])
        self.assertTrue(os.path.exists(root + "/dev/hpcap_0_0"))

    def test_a_vf_it_does_not_drive_is_refused(self):
        root = os.path.join(self.tmp, "root")
        dev = os.path.join(root, "sys/bus/pci/devices/0000:00:06.0")
        os.makedirs(dev)
        os.makedirs(root + "/sys/module/hpcapvf")
        for name, value in (("vendor", "0x8086"), ("device", "0x10ca"), ("class", "0x020000")):
            with open(os.path.join(dev, name), "w") as f:
                f.write(value + "\n")
        h = self.host(self.agent(extra_args=["--root", root]))
        h.sync()
        r = h.command({"type": "start_capture", "engine": "hpcapvf", "device": "00:06.0"})
        self.assertEqual(r["code"], "engine_failed")
        self.assertIn("82599 VF 8086:10ed", r["message"])


@require_root
class HostInput(AgentTestCase):
    """What the host sends is checked too: bad commands get an error reply and
    the agent keeps running."""

    def test_unknown_command_gets_an_error_and_the_agent_runs_on(self):
        a = self.agent()
        h = self.host(a)
        h.sync()
        r = h.command({"type": "reformat_disk"})
        self.assertEqual((r["type"], r["code"]), ("error", "unknown_command"))
        self.assertIn('"reformat_disk"', r["message"])
        self.assertEqual(h.command({"type": "ping"})["type"], "reply")
        self.assertIsNone(a.proc.poll())

    def test_malformed_commands_are_answered(self):
        h = self.host(self.agent())
        h.sync()
        cases = [
            ({"type": "set_interval", "interval_ms": 1}, "out of range"),
            ({"type": "start_capture", "engine": "pfring", "device": "x"}, "engine"),
            ({"type": "ping", "vm": "other"}, "identity"),
        ]
        for msg, words in cases:
            r = h.command(msg)
            self.assertEqual((r["type"], r["code"]), ("error", "invalid_argument"), r)
            self.assertIn(words, r["message"])
        h.send_raw(b"\x00\x01garbage\n")
        self.assertEqual(h.wait(lambda m: m["type"] == "error")["code"], "invalid_argument")
        h.send_raw(b"x" * 70000 + b"\n")
        r = h.wait(lambda m: m["type"] == "error")
        self.assertIn("longer than 65536", r["message"])
        self.assertEqual(h.command({"type": "ping"})["type"], "reply")

    def test_stop_without_capture_is_not_running(self):
        h = self.host(self.agent())
        h.sync()
        self.assertEqual(h.command({"type": "stop_capture"})["code"], "not_running")

    def test_sigterm_stops_the_capture_and_exits_cleanly(self):
        ns = self.netns()
        a = self.agent(netns=ns)
        h = self.host(a)
        h.sync()
        h.command({"type": "start_capture", "engine": "afpacket", "device": ns.rx})
        a.proc.terminate()
        self.assertEqual(a.proc.wait(10), 0)
        self.assertIn("stopping the capture before exit", a.read_log())

    def test_help_and_bad_options(self):
        from agentkit import NFVCAP_AGENT
        p = subprocess.run([NFVCAP_AGENT, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0)
        for opt in ("--channel", "--allow-vdev", "--dpdk-eal", "--hpcapvf-module", "--root"):
            self.assertIn(opt, p.stdout)
        p = subprocess.run([NFVCAP_AGENT, "--interval-ms", "5"], capture_output=True, text=True,
                           timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--interval-ms takes a number from 50 to 60000", p.stderr)

    def test_a_missing_port_is_retried_quietly(self):
        path = os.path.join(self.tmp, "no-such-port")
        from agentkit import NFVCAP_AGENT
        p = subprocess.Popen([NFVCAP_AGENT, "--channel", path, "--log-target", "stderr"],
                             stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: p.poll() is None, timeout=1)
            import time
            time.sleep(1.0)
            self.assertIsNone(p.poll())
        finally:
            p.terminate()
            _, err = p.communicate(timeout=10)
        self.assertEqual(err.count("cannot open %s" % path), 1)


class AgentUnit(AgentTestCase):
    def test_installed_unit_passes_systemd_analyze(self):
        from harness import TOP
        prefix = os.path.join(self.tmp, "usr")
        unitdir = os.path.join(self.tmp, "units")
        p = subprocess.run(["make", "-s", "-C", TOP, "install-agent", "PREFIX=" + prefix,
                            "UNITDIR=" + unitdir,
                            "BUILD=" + os.environ.get("NFVCAP_BUILD", "build")],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        env = dict(os.environ, MANPATH=os.path.join(prefix, "share/man"))
        p = subprocess.run(["systemd-analyze", "verify", "nfvcap-agent.service"], cwd=unitdir,
                           capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stderr.strip(), "")
        with open(os.path.join(unitdir, "nfvcap-agent.service")) as f:
            self.assertIn("ExecStart=%s/sbin/nfvcap-agent $NFVCAP_AGENT_OPTS" % prefix, f.read())
