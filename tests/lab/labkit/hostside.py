"""The host ends of a lab guest's channels, each served by a daemon thread.

- AgentEcho: the host end of virtio-serial port org.nfvcap.agent.0 for
  scenarios that only test the port: an echo peer, every line the guest sends
  comes back and is logged to agent.log. One round trip proves the port works
  in both directions.
- HostDaemon: for scenarios with `agent=nfvcapd`, the real host end of that
  port: nfvcapd on the host, connected to QEMU's socket for the port exactly
  as it connects to a libvirt VM's channel, with the CLI reachable from the
  guest through the control port (host-ctl).
- Control: the host end of org.nfvcap.lab.ctl, where a scenario asks the
  harness for things only the host can do (drive a wire). One request line,
  one reply line.
- Wire: the other end of a PF's cable. QEMU's `-netdev dgram` exchanges one
  Ethernet frame per unix datagram with a socket bound here, so the harness
  sees every frame the PF sends and can inject frames it receives. Both
  directions are recorded in wire<N>.pcap.

QEMU is the client of the two stream sockets: they listen before QEMU
starts, so QEMU's connect at start-up cannot race the harness.
"""
import base64
import ctypes
import os
import signal
import socket
import struct
import subprocess
import threading
import time


class _LineServer:
    """Accepts QEMU's connection on a unix stream socket and answers line by line."""

    def __init__(self, path, log_path=None):
        self.path = path
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:  # closed before QEMU connected
            return
        with conn, conn.makefile("rwb", buffering=0) as f:
            for raw in f:
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                if self.log:
                    self.log.write(f"guest> {line}\n")
                reply = self.answer(line)
                if reply is not None:
                    if self.log:
                        self.log.write(f"host > {reply}\n")
                    f.write(reply.encode() + b"\n")
                if self.log:
                    self.log.flush()

    def answer(self, line):
        raise NotImplementedError

    def close(self):
        self.sock.close()
        if self.log:
            self.log.close()


class AgentEcho(_LineServer):
    def answer(self, line):
        return line


class Control(_LineServer):
    """Requests (arguments separated by spaces; PF is the PF's index, 0-based):

        ping TEXT                  -> pong TEXT
        wire-send PF HEX           -> ok            inject one frame towards the PF
        wire-expect PF SECS HEX    -> HEX | timeout a frame from the PF containing HEX
        wire-clear PF              -> ok            forget the frames seen so far

    With a HostDaemon (agent=nfvcapd), also:

        host-ctl ARG...            -> rc N B64      the host's nfvcapctl ARG...: its
                                                    exit status, stdout and stderr
        host-log                   -> B64           the host nfvcapd's log, last 8 KiB

    (B64: base64, so that many lines travel as one.)
    """

    def __init__(self, path, wires, log_path=None, daemon=None):
        self.wires = wires
        self.daemon = daemon
        super().__init__(path, log_path)

    def answer(self, line):
        words = line.split()
        if not words:
            return "error empty request"
        try:
            op, args = words[0], words[1:]
            if op == "ping":
                return "pong " + " ".join(args)
            if op in ("host-ctl", "host-log"):
                if self.daemon is None:
                    return f"error {op}: this scenario has no host nfvcapd (agent=nfvcapd)"
                if op == "host-log":
                    return _b64(self.daemon.log_tail())
                rc, out = self.daemon.ctl(args)
                return f"rc {rc} {_b64(out)}"
            wire = self.wires[int(args[0])]
            if op == "wire-send":
                wire.send(bytes.fromhex(args[1]))
                return "ok"
            if op == "wire-expect":
                frame = wire.expect(args[2].lower(), float(args[1]))
                return frame.hex() if frame is not None else "timeout"
            if op == "wire-clear":
                wire.clear()
                return "ok"
            return f"error unknown request {op}"
        except (IndexError, ValueError) as e:
            return f"error {op}: {e}"


def _b64(data):
    return base64.b64encode(data).decode("ascii")


class HostDaemon:
    """nfvcapd on the host with one monitor: the guest's agent port, whose QEMU
    chardev is a listening socket (server=on), as libvirt makes a VM's channel.
    It sees no PFs (an empty sysfs root): the PFs are the guest's, and the
    monitor's pf= and vf= are labels only."""

    MONITOR_ID = "lab"

    def __init__(self, build_dir, sockdir, rundir, agent_socket, monitor_opts):
        self.build_dir = build_dir
        self.socket = os.path.join(sockdir, "nfvcapd.sock")
        sysroot = os.path.join(sockdir, "sys")
        os.makedirs(os.path.join(sysroot, "bus", "pci", "devices"))
        self.log_path = os.path.join(rundir, "host-nfvcapd.log")
        argv = [os.path.join(build_dir, "nfvcapd"), "--socket", self.socket,
                "--sysfs-root", sysroot, "--state-dir", os.path.join(sockdir, "state"),
                "--config", "/dev/null", "--log-target", "stderr", "--log-level", "debug",
                "--monitor", f"{self.MONITOR_ID} {agent_socket} {monitor_opts}"]
        with open(self.log_path, "w") as log:
            log.write(" ".join(argv) + "\n\n")
            log.flush()
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        self.status = None

    def ctl(self, args):
        argv = [os.path.join(self.build_dir, "nfvcapctl"), "--socket", self.socket] + args
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=30)
        except subprocess.TimeoutExpired as e:
            return 124, (e.stdout or b"") + b"nfvcapctl: no answer within 30 s\n"
        return r.returncode, r.stdout

    def log_tail(self, size=8192):
        with open(self.log_path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            return f.read()

    def close(self):
        """SIGTERM, then SIGKILL after 5 s. Returns nfvcapd's exit status."""
        if self.status is None:
            self.proc.terminate()
            try:
                self.status = self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.status = self.proc.wait()
        return self.status


def _die_with_parent():
    """Runs in the child before exec: SIGKILL it when the harness dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Wire:
    """One PF's cable: frames leaving the PF arrive here; send() injects."""

    PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)  # Ethernet

    def __init__(self, host_path, qemu_path, pcap_path):
        self.qemu_path = qemu_path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(host_path)
        self.pcap = open(pcap_path, "wb")
        self.pcap.write(self.PCAP_HEADER)
        self.frames = []  # frames from the PF since the last clear()
        self.cond = threading.Condition()
        threading.Thread(target=self._receive, daemon=True).start()

    def _record(self, frame):
        now = time.time()
        with self.cond:
            if not self.pcap.closed:
                self.pcap.write(struct.pack("<IIII", int(now), int(now % 1 * 1e6),
                                            len(frame), len(frame)) + frame)
                self.pcap.flush()

    def _receive(self):
        while True:
            try:
                frame = self.sock.recv(65536)
            except OSError:
                return
            self._record(frame)
            with self.cond:
                self.frames.append(frame)
                self.cond.notify_all()

    def send(self, frame):
        self._record(frame)
        self.sock.sendto(frame, self.qemu_path)

    def expect(self, hex_fragment, timeout):
        """The first frame from the PF whose hex contains hex_fragment, or None."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for frame in self.frames:
                    if _contains_bytes(frame.hex(), hex_fragment):
                        return frame
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def clear(self):
        with self.cond:
            self.frames.clear()

    def close(self):
        self.sock.close()
        with self.cond:
            self.pcap.close()


def _contains_bytes(hex_text, fragment):
    """Whether fragment occurs in hex_text on a byte boundary (an even offset)."""
    at = hex_text.find(fragment)
    while at >= 0:
        if at % 2 == 0:
            return True
        at = hex_text.find(fragment, at + 1)
    return False
