"""The host ends of a lab guest's channels, each served by a daemon thread.

- AgentEcho: the host end of virtio-serial port org.nfvcap.agent.0. Until the
  lab tests nfvcap-agent itself, it is an echo peer: every line the guest
  sends comes back, and is logged to agent.log. One round trip proves the
  port works in both directions.
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
import socket
import struct
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
    """

    def __init__(self, path, wires, log_path=None):
        self.wires = wires
        super().__init__(path, log_path)

    def answer(self, line):
        words = line.split()
        if not words:
            return "error empty request"
        try:
            op, args = words[0], words[1:]
            if op == "ping":
                return "pong " + " ".join(args)
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
