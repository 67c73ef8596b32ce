"""Helpers for the nfvcap-agent component tests: the real agent as a process,
veth pairs in their own network namespace with real frames sent through them,
a host end of the agent protocol for talking to an agent directly, and pcap
files read and written with the standard library.

Nothing here stands in for nfvcap code. HostEnd is a client of the protocol
(as nfvcapd is) so that the agent can be tested alone; the hostile agent of
test_agent_hostile.py is a test script on purpose. PortRelay stands in for
QEMU's end of a VM's virtio-serial port, which no test here can boot (the
lab's agent scenarios run the real one).
"""

import json
import os
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

from harness import BUILD, terminate

NFVCAP_AGENT = os.path.join(BUILD, "nfvcap-agent")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
# EAL arguments that need no hugepages and no PCI access, for virtual devices.
TEST_EAL = "--no-huge --no-pci --no-shconf --no-telemetry -m 512 -l 0-1 --log-level=warning"


def require_root(test):
    return unittest.skipUnless(os.geteuid() == 0, "needs root (network namespaces)")(test)


def wait_for(pred, timeout=10.0, step=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))


class Netns:
    """A network namespace with a veth pair: frames sent on `tx` arrive on
    `rx`. IPv6 is off and no address is set, so the kernel itself sends
    nothing: every frame on the wire is one the test sent."""

    def __init__(self, tag):
        self.name = "nfvcap-%s-%d" % (tag, os.getpid())
        self.tx, self.rx = "vtx0", "vrx0"
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        self.run("ip", "netns", "add", self.name, netns=False)
        self.run("ip", "link", "add", self.tx, "type", "veth", "peer", "name", self.rx)
        for dev in (self.tx, self.rx):
            self.run("sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % dev)
            self.run("ip", "link", "set", dev, "up")

    def run(self, *cmd, netns=True, check=True, **kw):
        prefix = ["ip", "netns", "exec", self.name] if netns else []
        return subprocess.run(prefix + list(cmd), check=check, capture_output=True, text=True,
                              **kw)

    def prefix(self):
        return ["ip", "netns", "exec", self.name]

    def rx_counters(self):
        out = {}
        for k in ("rx_packets", "rx_bytes", "rx_dropped"):
            out[k] = int(self.run("cat", "/sys/class/net/%s/statistics/%s" % (self.rx, k)).stdout)
        return out

    def delete(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


def frames(count, seed=1):
    """count Ethernet frames of varied sizes (60..1514 bytes) with a
    locally administered source and a payload that numbers them."""
    out = []
    for i in range(count):
        size = 60 + (i * 37 + seed) % 1455
        head = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x88\xb5"  # local experimental type
        body = struct.pack("!I", i) + bytes([(i + seed) & 0xFF]) * (size - 18)
        out.append(head + body)
    return out


SENDER = r"""
import socket, sys, struct
dev, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
off = n = 0
while off < len(data):
    (size,) = struct.unpack_from("!H", data, off)
    s.send(data[off + 2:off + 2 + size])
    off += 2 + size
    n += 1
print(n)
"""


def send_frames(ns, frame_list, dev=None):
    """Send the frames on the veth's tx end, one send() each, from inside the
    namespace. Returns the number sent."""
    with tempfile.NamedTemporaryFile(delete=False) as f:
        for fr in frame_list:
            f.write(struct.pack("!H", len(fr)) + fr)
        path = f.name
    try:
        out = ns.run("python3", "-c", SENDER, dev or ns.tx, path).stdout
        return int(out)
    finally:
        os.unlink(path)


def read_pcap(path):
    """[(caplen, len, data)] of a pcap file (micro or nanosecond, little-endian)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "not a little-endian pcap: %x" % magic
    off, out = 24, []
    while off < len(data):
        _, _, caplen, length = struct.unpack_from("<IIII", data, off)
        out.append((caplen, length, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return out


def capture_real_traffic(path, tag="pcap"):
    """A pcap of real traffic: a TCP connection and UDP datagrams between two
    network namespaces joined by a veth pair, as their kernels send them,
    captured by tcpdump where it arrives. Returns (packets, bytes)."""
    ns = Netns(tag)
    peer = "nfvcap-%s-peer-%d" % (tag, os.getpid())
    subprocess.run(["ip", "netns", "del", peer], capture_output=True)
    try:
        subprocess.run(["ip", "netns", "add", peer], check=True)
        ns.run("ip", "link", "set", ns.rx, "netns", peer)
        in_peer = ["ip", "netns", "exec", peer]
        ns.run("ip", "addr", "add", "10.77.0.1/24", "dev", ns.tx)
        for cmd in (["ip", "addr", "add", "10.77.0.2/24", "dev", ns.rx],
                    ["ip", "link", "set", ns.rx, "up"], ["ip", "link", "set", "lo", "up"]):
            subprocess.run(in_peer + cmd, check=True)
        dump = subprocess.Popen(in_peer + ["tcpdump", "-i", ns.rx, "-w", path, "-U", "-s", "0",
                                           "--immediate-mode"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)
        server = subprocess.Popen(in_peer + ["python3", "-c", r"""
import socket
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("10.77.0.2", 7000)); srv.listen(1)
c, _ = srv.accept()
while True:
    b = c.recv(65536)
    if not b: break
    c.sendall(b[:100])
c.close()
"""])
        ns.run("python3", "-c", r"""
import socket, time
for i in range(50):
    try:
        c = socket.create_connection(("10.77.0.2", 7000), timeout=5); break
    except OSError:
        time.sleep(0.1)
for i in range(20):
    c.sendall(bytes([i]) * (100 + 300 * i)); c.recv(100)
c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(30):
    u.sendto(bytes([i]) * (20 + 40 * i), ("10.77.0.2", 9))
""", timeout=30)
        server.wait(10)
        time.sleep(0.5)
        dump.terminate()
        err = dump.communicate(timeout=10)[1]
        if os.environ.get("NFVCAP_DEBUG"):
            print(err.decode(errors="replace"))
    finally:
        subprocess.run(["ip", "netns", "del", peer], capture_output=True)
        ns.delete()
    pkts = read_pcap(path)
    return len(pkts), sum(p[1] for p in pkts)


class Agent:
    """nfvcap-agent as a process, listening on a unix socket (listen:PATH),
    optionally inside a network namespace."""

    def __init__(self, tmp, netns=None, extra_args=(), name="agent"):
        self.socket = os.path.join(tmp, name + ".sock")
        self.output_dir = os.path.join(tmp, name + "-out")
        os.makedirs(self.output_dir, exist_ok=True)
        self.log_path = os.path.join(tmp, name + ".log")
        args = [NFVCAP_AGENT, "--channel", "listen:" + self.socket, "--output-dir",
                self.output_dir, "--log-target", "stderr", "--log-level", "debug",
                "--dpdk-eal", TEST_EAL] + list(extra_args)
        if netns:
            args = netns.prefix() + args
        self.log = open(self.log_path, "w")
        # DPDK's EAL keeps its memory for the process's life by design (there is
        # no second rte_eal_init to give it back for): leak checking is for
        # agents that never start the EAL.
        env = dict(os.environ)
        if "--allow-vdev" in extra_args:
            env["ASAN_OPTIONS"] = "detect_leaks=0"
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_for(lambda: os.path.exists(self.socket) or self.proc.poll() is not None,
                 what="the agent's socket")
        if self.proc.poll() is not None:
            raise RuntimeError("nfvcap-agent exited:\n" + self.read_log())

    def read_log(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def sanitizer_report(self):
        log = self.read_log()
        for m in SANITIZER_MARKERS:
            if m in log:
                i = log.index(m)
                return log[max(0, i - 200):i + 3000]
        return None

    def stop(self):
        terminate(self.proc, 15)
        self.log.close()
        return self.proc.returncode


class HostEnd:
    """The host's end of the agent protocol over the agent's listening socket,
    for tests of the agent alone."""

    def __init__(self, path, timeout=10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        wait_for(lambda: self._try_connect(path), what="connecting to the agent")
        self.buf = b""
        self.next_id = 100

    def _try_connect(self, path):
        try:
            self.sock.connect(path)
            return True
        except OSError:
            return False

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, msg, resync=False):
        self.send_raw((b"\xff" if resync else b"") + json.dumps(msg).encode() + b"\n")

    def recv(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the agent closed the channel")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line.lstrip(b"\xff").decode())

    def wait(self, pred, timeout=10, what="message"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                m = self.recv()
            except socket.timeout:
                break
            if pred(m):
                return m
        raise AssertionError("no %s within %ss" % (what, timeout))

    def sync(self):
        self.next_id += 1
        sid = self.next_id
        self.send({"type": "sync", "id": sid, "protocol": 1}, resync=True)
        return self.wait(lambda m: m["type"] == "hello" and m.get("id") == sid, what="hello")

    def command(self, msg):
        """Send a command; return its reply or error."""
        self.next_id += 1
        msg = dict(msg, id=self.next_id)
        self.send(msg)
        return self.wait(lambda m: m["type"] in ("reply", "error") and m.get("id") == msg["id"],
                         what="answer to %s" % msg["type"])

    def stats_until(self, pred, timeout=10):
        return self.wait(lambda m: m["type"] == "stats" and pred(m), timeout,
                         what="statistics matching the test")

    def close(self):
        self.sock.close()


class PortRelay:
    """What QEMU does with a VM's channel, in small: it listens on a unix
    socket for the host (nfvcapd), and that connection stays up whether or not
    anything in the guest has the port open. Bytes from the host wait, unread,
    while no agent is there; the guest side here is a connection to an agent
    in listen: mode, made again whenever that agent goes away and one is
    listening on agent_socket again."""

    def __init__(self, path, agent_socket):
        self.path, self.agent_socket = path, agent_socket
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(1)
        self.closed = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _guest(self):
        while not self.closed:
            g = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                g.connect(self.agent_socket)
                return g
            except OSError:
                g.close()
                time.sleep(0.05)
        return None

    def _run(self):
        try:
            host, _ = self.listener.accept()
        except OSError:
            return
        with host:
            while not self.closed:
                guest = self._guest()
                if guest is None:
                    return
                with guest:
                    while not self.closed:
                        ready, _, _ = select.select([host, guest], [], [], 0.1)
                        if guest in ready:
                            try:
                                data = guest.recv(65536)
                            except OSError:  # reset: the agent went with bytes unread
                                data = b""
                            if not data:
                                break  # the agent went: keep the host's connection
                            host.sendall(data)
                        if host in ready:
                            data = host.recv(65536)
                            if not data:
                                return
                            try:
                                guest.sendall(data)
                            except OSError:
                                break  # lost, as QEMU loses what a closing guest had not read

    def close(self):
        self.closed = True
        self.listener.close()
        self.thread.join(5)


class AgentTestCase(unittest.TestCase):
    """Temporary directory, namespaces and agents cleaned up after each test;
    a sanitizer report in an agent's output fails the test."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="nfvcap-agent-test-")
        self.agents, self.namespaces, self.hosts = [], [], []

    def tearDown(self):
        problems = []
        for h in self.hosts:
            h.close()
        for a in self.agents:
            a.stop()
            r = a.sanitizer_report()
            if r:
                problems.append(r)
        for ns in self.namespaces:
            ns.delete()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if problems:
            self.fail("sanitizer report from nfvcap-agent:\n" + "\n".join(problems))

    def netns(self, tag="t"):
        ns = Netns(tag)
        self.namespaces.append(ns)
        return ns

    def agent(self, **kw):
        a = Agent(self.tmp, **kw)
        self.agents.append(a)
        return a

    def host(self, agent):
        h = HostEnd(agent.socket)
        self.hosts.append(h)
        return h


def http_get_stream(socket_path, path, timeout=10):
    """Open GET path and return (response, connection) to read a stream from."""
    from harness import UnixHTTPConnection
    c = UnixHTTPConnection(socket_path, timeout=timeout)
    c.request("GET", path)
    return c.getresponse(), c


def read_events(resp, want, timeout=10):
    """Read server-sent events until want(events) is true; return the events
    as [(event, data-as-JSON)]."""
    events, cur = [], {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = resp.fp.readline()
        if not raw:
            break
        text = raw.decode().rstrip("\n")
        if text == "":
            if "event" in cur:
                events.append((cur["event"], json.loads(cur["data"])))
                if want(events):
                    return events
            cur = {}
        elif not text.startswith(":"):
            k, _, v = text.partition(": ")
            cur[k] = v
    raise AssertionError("the wanted events did not come within %ss: %r" % (timeout, events[-5:]))


class MonitoredTestCase(AgentTestCase):
    """The real nfvcapd connected to real agents over unix sockets, as it
    connects to a VM's channel socket. Daemon logs are checked for sanitizer
    reports like the other component tests do."""

    def setUp(self):
        super().setUp()
        from fixture import Sysfs
        self.fs = Sysfs(os.path.join(self.tmp, "sys"))
        self.daemons = []

    def tearDown(self):
        problems = []
        for d in self.daemons:
            d.stop()
            log = d.read_log()
            for m in SANITIZER_MARKERS:
                if m in log:
                    i = log.index(m)
                    problems.append(log[max(0, i - 200):i + 3000])
            d.cleanup()
        super().tearDown()
        if problems:
            self.fail("sanitizer report from nfvcapd:\n" + "\n".join(problems))

    def daemon(self, monitors, extra_args=()):
        from harness import Daemon
        args = []
        for m in monitors:
            args += ["--monitor", m]
        d = Daemon(self.fs.root, extra_args=args + list(extra_args),
                   state_dir=os.path.join(self.tmp, "state"))
        self.daemons.append(d)
        return d

    def wait_monitor(self, d, mid, pred, timeout=10, what="monitor state"):
        def check():
            r = d.get("/v1/monitors/%s" % mid)
            return r.json if r.status == 200 and pred(r.json) else None
        return wait_for(check, timeout=timeout, what=what)

    def wait_stats(self, d, mid, pred, timeout=10, what="statistics"):
        def check():
            r = d.get("/v1/monitors/%s/stats" % mid)
            latest = r.json.get("latest") if r.status == 200 else None
            return r.json if latest and pred(latest) else None
        return wait_for(check, timeout=timeout, what=what)

    def metrics(self, d):
        r = d.get("/metrics")
        assert r.status == 200, r
        return r.body


def metric_value(text, name, **labels):
    """The value of the sample of `name` whose labels include `labels`; None if absent."""
    for ln in text.splitlines():
        if not ln.startswith(name + "{"):
            continue
        lab, _, value = ln[len(name) + 1:].rpartition("} ")
        pairs = dict(p.split("=", 1) for p in lab.split('",') if "=" in p)
        pairs = {k: v.strip('"') for k, v in pairs.items()}
        if all(pairs.get(k) == str(v) for k, v in labels.items()):
            return float(value)
    return None
