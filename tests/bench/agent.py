"""make bench sections for nfvcap-agent (issue 7). Each figure is printed
beside a reference measured in the same run, on this machine; nothing here
asserts a timing. Runs alternate between the two sides (A/B rounds) so that
drift in the machine's load hits both alike.

  dpdk       the dpdk engine on net_null against dpdk-testpmd --forward-mode=rxonly,
             same virtual device, same EAL memory and lcores (one receive core)
  afpacket   the afpacket engine against tcpdump -w /dev/null on the same veth
             load from trafgen at the highest rate it reaches: drop ratios
  agent-cpu  the agent's CPU for statistics at 10 Hz, beside 1 Hz
  staleness  from a counter change (a frame arriving) to nfvcapd's API, at 10 Hz
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

from agentkit import NFVCAP_AGENT, Agent, HostEnd, Netns, wait_for
from harness import Daemon

ROUNDS = 3
EAL = "--no-huge --no-pci --no-shconf --no-telemetry -m 1024 -l 0-1 --log-level=warning"


def have(tool):
    return shutil.which(tool) is not None


def median(v):
    return statistics.median(v) if v else float("nan")


# ---- dpdk ----

def testpmd_pps(seconds):
    """testpmd rxonly on net_null0, driven interactively: its "Rx-pps" over the
    measured seconds (throughput since the previous "show port stats")."""
    p = subprocess.Popen(["dpdk-testpmd"] + EAL.split() + ["--vdev=net_null0", "--", "-i",
                          "--forward-mode=rxonly", "--nb-cores=1"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)

    def cmd(c):
        p.stdin.write(c + "\n")
        p.stdin.flush()
    time.sleep(2)  # EAL start
    cmd("start")
    time.sleep(1)
    cmd("show port stats 0")  # resets "since last show"
    time.sleep(seconds)
    cmd("show port stats 0")
    cmd("stop")
    cmd("quit")
    out = p.communicate(timeout=60)[0]
    rates = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", out)]
    return rates[-1] if len(rates) >= 2 else float("nan")


def agent_dpdk_pps(tmp, seconds):
    """Median of the rates the agent reports (1 s interval) for its dpdk engine on net_null0."""
    a = Agent(tmp, extra_args=["--allow-vdev", "--dpdk-eal", EAL], name="bench-dpdk")
    h = HostEnd(a.socket, timeout=30)
    try:
        h.sync()
        h.command({"type": "set_interval", "interval_ms": 1000})
        r = h.command({"type": "start_capture", "engine": "dpdk", "device": "net_null0"})
        assert r["type"] == "reply", r
        rates = []
        deadline = time.monotonic() + seconds + 1.5
        while time.monotonic() < deadline:
            m = h.wait(lambda m: m["type"] == "stats", timeout=5)
            if m["interval_ms"] >= 900:
                rates.append(m["rates"]["pps"])
        h.command({"type": "stop_capture"})
        return median(rates[1:] or rates)
    finally:
        h.close()
        a.stop()


def bench_dpdk(seconds):
    if not have("dpdk-testpmd"):
        print("== dpdk: SKIPPED (dpdk-testpmd not installed: apt-get install dpdk-dev) ==")
        return
    tmp = tempfile.mkdtemp(prefix="nfvcap-bench-dpdk-")
    try:
        print("== dpdk engine on net_null0 vs dpdk-testpmd --forward-mode=rxonly ==")
        print("   both: EAL %s (main lcore 0, one receive lcore), 64-byte frames;" % EAL)
        print("   %d alternating rounds of %.0fs, medians of per-second rates" % (ROUNDS, seconds))
        agent, ref = [], []
        for _ in range(ROUNDS):
            agent.append(agent_dpdk_pps(tmp, seconds))
            ref.append(testpmd_pps(seconds))
        a, t = median(agent), median(ref)
        print("%-22s %14s" % ("", "Mpps"))
        print("%-22s %14.2f   rounds: %s" % ("nfvcap-agent dpdk", a / 1e6,
                                              " ".join("%.2f" % (x / 1e6) for x in agent)))
        print("%-22s %14.2f   rounds: %s" % ("testpmd rxonly", t / 1e6,
                                              " ".join("%.2f" % (x / 1e6) for x in ref)))
        print("%-22s %14.3f   (aim: >= 0.95)" % ("ratio", a / t if t else float("nan")))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- afpacket ----

TRAFGEN_CFG = "{ 0xff,0xff,0xff,0xff,0xff,0xff, 0x02,0x00,0x00,0x00,0x00,0x01, 0x88,0xb5, fill(0x41, 46) }\n"


def trafgen(ns, cfg, count):
    """Send count 60-byte frames (64 on the wire) as fast as trafgen goes, one
    sender per CPU (its default and its highest rate); returns that rate. The
    senders compete with the capture for the CPUs, as a saturated host would."""
    cpus = os.cpu_count() or 1
    t0 = time.monotonic()
    ns.run("trafgen", "-o", ns.tx, "-i", cfg, "-n", str(count - count % cpus), "-P", str(cpus),
           "-Q", "-C")
    return (count - count % cpus) / (time.monotonic() - t0)


def tcpdump_round(ns, cfg, count, cpu=None):
    pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
    p = subprocess.Popen(ns.prefix() + pin + ["tcpdump", "-i", ns.rx, "-w", "/dev/null", "-n"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    rate = trafgen(ns, cfg, count)
    time.sleep(1.5)  # let libpcap's 1 s block timeout hand over the last frames
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=30)[1]
    got = int(re.search(r"(\d+) packets received by filter", err).group(1))
    dropped = int(re.search(r"(\d+) packets dropped by kernel", err).group(1))
    return rate, got - dropped, dropped


def agent_round(tmp, ns, cfg, count, queues, cpu=None):
    a = Agent(tmp, netns=ns, name="bench-af")
    h = HostEnd(a.socket, timeout=30)
    try:
        if cpu is not None:
            # The receive threads are created at start_capture and inherit this.
            os.sched_setaffinity(a.proc.pid, {cpu})
        h.sync()
        r = h.command({"type": "start_capture", "engine": "afpacket", "device": ns.rx,
                       "queues": queues})
        assert r["type"] == "reply", r
        time.sleep(0.5)
        rate = trafgen(ns, cfg, count)
        time.sleep(0.5)
        h.next_id += 1
        h.send({"type": "stop_capture", "id": h.next_id})
        final = h.wait(lambda m: m["type"] == "stats" and m["capture"]["state"] == "stopped",
                       timeout=30)
        drops = sum(final["engine"]["drops"].values())
        return rate, final["engine"]["packets"], drops
    finally:
        h.close()
        a.stop()


def bench_afpacket(seconds):
    if not have("trafgen") or not have("tcpdump"):
        print("== afpacket: SKIPPED (needs trafgen from netsniff-ng and tcpdump) ==")
        return
    tmp = tempfile.mkdtemp(prefix="nfvcap-bench-af-")
    ns = Netns("bench")
    cfg = os.path.join(tmp, "frames.cfg")
    with open(cfg, "w") as f:
        f.write(TRAFGEN_CFG)
    # Size the burst to the time asked for, at about what trafgen reaches here.
    count = int(max(seconds, 1.0) * 1.5e6)
    try:
        print("== afpacket engine vs tcpdump -w /dev/null, same veth load ==")
        print("   trafgen (one sender per CPU, TX ring) sends %d 64-byte frames as fast as it can"
              " into a veth" % count)
        print("   pair in a network namespace; each capture listens on the other end.")
        print("   %d alternating rounds; sums over the rounds" % ROUNDS)
        # Two loads: the capture free to use any CPU, and the capture confined to
        # one CPU that a sender also uses (a busy monitoring VM).
        last = (os.cpu_count() or 1) - 1
        print("%-40s %12s %12s %12s %10s" % ("", "offered Mpps", "captured", "dropped", "drop %"))
        for label, cpu in (("", None), (" (on CPU %d, shared)" % last, last)):
            rows = {"nfvcap-agent afpacket" + label: [], "tcpdump -w /dev/null" + label: []}
            for _ in range(ROUNDS):
                rows["nfvcap-agent afpacket" + label].append(agent_round(tmp, ns, cfg, count, 1,
                                                                          cpu))
                rows["tcpdump -w /dev/null" + label].append(tcpdump_round(ns, cfg, count, cpu))
            for name, rs in rows.items():
                rate = median([r[0] for r in rs])
                got = sum(r[1] for r in rs)
                dropped = sum(r[2] for r in rs)
                ratio = 100.0 * dropped / (got + dropped) if got + dropped else float("nan")
                print("%-40s %12.2f %12d %12d %9.2f%%" % (name, rate / 1e6, got, dropped, ratio))
        print("   (aim: the agent's drop ratio below tcpdump's at the same load; offered = "
              "trafgen's own rate)")
    finally:
        ns.delete()
        shutil.rmtree(tmp, ignore_errors=True)


# ---- agent CPU and staleness ----

def thread_cpu_seconds(pid, tid):
    with open("/proc/%d/task/%d/stat" % (pid, tid)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    hz = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / hz


def monitored(tmp, interval_ms):
    """An agent capturing with afpacket on an idle veth, with nfvcapd as its host."""
    from fixture import Sysfs
    ns = Netns("cpu%d" % interval_ms)
    a = Agent(tmp, netns=ns, name="cpu%d" % interval_ms)
    d = Daemon(Sysfs(os.path.join(tmp, "sys%d" % interval_ms)).root,
               extra_args=["--log-level", "info", "--monitor",
                           "m %s interval_ms=%d" % (a.socket, interval_ms)],
               state_dir=os.path.join(tmp, "state%d" % interval_ms))
    wait_for(lambda: d.get("/v1/monitors/m").json["state"] == "ready", what="handshake")
    r = d.request("PUT", "/v1/monitors/m/capture", body={"engine": "afpacket", "device": ns.rx},
                  headers={"Content-Type": "application/json"})
    assert r.status == 200, r
    wait_for(lambda: d.get("/v1/monitors/m").json["capture"]["state"] == "running")
    return ns, a, d


def bench_agent_cpu(seconds):
    tmp = tempfile.mkdtemp(prefix="nfvcap-bench-cpu-")
    try:
        print("== agent CPU for statistics: afpacket capture on an idle veth, nfvcapd as host, "
              "%.0fs ==" % max(seconds, 5))
        print("%-14s %22s %22s" % ("interval", "main thread % of a core", "whole agent % of a core"))
        for interval in (1000, 100):
            ns, a, d = monitored(tmp, interval)
            try:
                pid = a.proc.pid
                # The agent runs under "ip netns exec", which execs it: same pid.
                t0 = time.monotonic()
                main0 = thread_cpu_seconds(pid, pid)
                all0 = sum(thread_cpu_seconds(pid, int(t)) for t in os.listdir("/proc/%d/task" % pid))
                time.sleep(max(seconds, 5))
                dt = time.monotonic() - t0
                main1 = thread_cpu_seconds(pid, pid)
                all1 = sum(thread_cpu_seconds(pid, int(t)) for t in os.listdir("/proc/%d/task" % pid))
                print("%-14s %21.2f%% %21.2f%%" % ("%d ms" % interval, 100 * (main1 - main0) / dt,
                                                    100 * (all1 - all0) / dt))
            finally:
                d.cleanup()
                a.stop()
                ns.delete()
        print("   (aim at 100 ms / 10 Hz: <= 1% of a core; clock ticks are 10 ms, so short runs "
              "read coarsely)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


SENDER = r"""
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01\x88\xb5" + b"\x00" * 46
for line in sys.stdin:
    t = time.clock_gettime(time.CLOCK_MONOTONIC)
    s.send(frame)
    print(repr(t), flush=True)
"""


def bench_staleness(seconds):
    tmp = tempfile.mkdtemp(prefix="nfvcap-bench-stale-")
    samples = 20
    try:
        for interval in (100,):
            ns, a, d = monitored(tmp, interval)
            sender = subprocess.Popen(ns.prefix() + ["python3", "-c", SENDER, ns.tx],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                lat = []
                from harness import UnixHTTPConnection
                import json
                conn = UnixHTTPConnection(d.socket)

                def packets():
                    conn.request("GET", "/v1/monitors/m/stats")
                    doc = json.loads(conn.getresponse().read())
                    return doc["latest"]["engine"]["packets"]
                for i in range(samples):
                    before = packets()
                    time.sleep(0.05 + (i % 7) * 0.013)  # spread over the interval's phase
                    sender.stdin.write("x\n")
                    sender.stdin.flush()
                    t_sent = float(sender.stdout.readline())
                    while packets() == before:
                        time.sleep(0.002)
                    lat.append((time.clock_gettime(time.CLOCK_MONOTONIC) - t_sent) * 1000)
                conn.close()
                lat.sort()
                print("== staleness: a frame sent -> nfvcapd's GET /v1/monitors/m/stats counts it,"
                      " interval %d ms, %d samples ==" % (interval, samples))
                print("   median %.0f ms, p90 %.0f ms, max %.0f ms; two intervals = %d ms (aim: "
                      "max <= two intervals)" % (median(lat), lat[int(0.9 * (samples - 1))],
                                                 lat[-1], 2 * interval))
                print("   (includes the AF_PACKET block retire time of 10 ms and the API poll "
                      "of 2 ms)")
            finally:
                sender.stdin.close()
                sender.wait(10)
                d.cleanup()
                a.stop()
                ns.delete()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


SECTIONS = {"dpdk": bench_dpdk, "afpacket": bench_afpacket, "agent-cpu": bench_agent_cpu,
            "staleness": bench_staleness}

__all__ = ["SECTIONS", "NFVCAP_AGENT"]
