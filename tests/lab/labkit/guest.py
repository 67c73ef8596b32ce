"""One lab guest: QEMU's command line for a topology, its start, a wait with a
deadline, and its end -- QEMU is killed on every path out of a Guest, and
dies with the harness even if the harness itself is killed with SIGKILL.
"""
import atexit
import codecs
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass

from . import BUILD_DIR, GUEST_DIR, REPO_ROOT
from .hostside import AgentEcho, Control, HostDaemon, Wire, _die_with_parent

AGENT_PORT = "org.nfvcap.agent.0"
CTL_PORT = "org.nfvcap.lab.ctl"
RESULTS_PORT = "org.nfvcap.lab.results"

# guest/stage2 powers off by writing LAB_EXIT_VALUE to this I/O port of QEMU's
# isa-debug-exit device; QEMU then exits at once with status (value << 1) | 1.
LAB_EXIT_PORT = 0xF4
LAB_EXIT_VALUE = 0x2A
POWERED_OFF = (LAB_EXIT_VALUE << 1) | 1


def describe_exit(status):
    """What QEMU's exit status says about how the guest ended."""
    if status == POWERED_OFF:
        return "powered off by the lab"
    if status == 0:
        # -no-reboot turns a reboot, and a panic (panic=-1), into an exit.
        return "rebooted, panicked or powered off on its own (see console.log)"
    return f"QEMU exited with status {status} (see qemu.log)"


@dataclass
class Topology:
    pfs: int = 1                 # igb PFs, each behind its own pcie-root-port
    iomem_relaxed: bool = False  # iomem=relaxed: lets user space map BAR0 while igb owns it
    iommu: bool = False          # -device intel-iommu + intel_iommu=on (vfio)
    memory_mib: int = 1024
    cpus: int = 1
    timeout: float = 120.0       # seconds from QEMU's start to its exit
    cmdline: str = ""            # extra kernel parameters
    agent: str = "echo"          # host end of org.nfvcap.agent.0: echo | nfvcapd
    # agent=nfvcapd: the labels and interval of the host nfvcapd's monitor "lab"
    # (the guest's first PF is always at 0000:01:00.0).
    monitor_opts: str = "vm=lab-guest pf=0000:01:00.0 vf=0 interval_ms=200"

    def describe(self):
        return ", ".join([
            f"{self.pfs} PF" + ("s" if self.pfs != 1 else ""),
            "iomem=relaxed" if self.iomem_relaxed else "iomem strict",
            "vIOMMU" if self.iommu else "no vIOMMU",
        ] + (["host nfvcapd on the agent port"] if self.agent == "nfvcapd" else []))


_live = set()  # Guests whose QEMU may still run, for the atexit safety net


@atexit.register
def _kill_leftovers():
    for g in list(_live):
        g.close()


def exit_on_signals():
    """Turns SIGTERM and SIGHUP into SystemExit (Ctrl-C already raises
    KeyboardInterrupt), so `with Guest(...)` blocks unwind and kill QEMU."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


class Guest:
    """Use as a context manager: QEMU does not outlive the `with` block."""

    def __init__(self, qemu, kernel, initrd, topology, script, rundir):
        self.qemu, self.kernel, self.initrd = qemu, kernel, initrd
        self.topology, self.script, self.rundir = topology, script, rundir
        self.proc = None
        self.started = self.ended = None
        self.sockdir = None
        self.servers = []
        self.wires = []
        self.daemon = None
        self.console_log = os.path.join(rundir, "console.log")
        self.results_file = os.path.join(rundir, "results.txt")
        self.qemu_log = os.path.join(rundir, "qemu.log")

    # -- command line ------------------------------------------------------

    def kernel_cmdline(self):
        t = self.topology
        params = [
            "console=ttyS0", "quiet", "panic=-1",
            # Read by guest/init and guest/stage2 (see there).
            f"lab_root={REPO_ROOT}",
            f"lab_stage2={os.path.join(GUEST_DIR, 'stage2')}",
            f"lab_moddir={self.kernel.moddir}",
            f"lab_build={BUILD_DIR}",
            f"lab_script={self.script}",  # absolute: the guest sees the host root
        ]
        if t.iomem_relaxed:
            params.append("iomem=relaxed")
        if t.iommu:
            params.append("intel_iommu=on")
        if t.cmdline:
            params.append(t.cmdline)
        return " ".join(params)

    def argv(self):
        t = self.topology
        s = self.sockdir
        argv = [
            self.qemu,
            "-nodefaults", "-display", "none", "-no-reboot",
            # Single-threaded TCG: the default multi-threaded TCG crashed or hung
            # about once in a hundred runs here (docs/lab.md).
            "-machine", "q35", "-accel", "tcg,thread=single", "-cpu", "max",
            "-m", str(t.memory_mib), "-smp", str(t.cpus),
            "-kernel", self.kernel.boot_image, "-initrd", self.initrd,
            "-append", self.kernel_cmdline(),
            "-chardev", f"file,id=console,path={self.console_log}",
            "-serial", "chardev:console",
            # The host root, read-only; the guest puts a tmpfs overlay on it.
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,"
                       "readonly=on,multidevs=remap",
        ]
        if t.iommu:
            argv += ["-device", "intel-iommu"]
        for i in range(t.pfs):
            # Behind a root port: on pcie.0 itself, VF creation takes seconds
            # and igbvf finds the PF "still resetting".
            argv += [
                "-device", f"pcie-root-port,id=rp{i},chassis={i + 1},slot={i + 1}",
                "-netdev", f"dgram,id=wire{i},local.type=unix,local.path={s}/wire{i}.qemu,"
                           f"remote.type=unix,remote.path={s}/wire{i}.host",
                "-device", f"igb,bus=rp{i},netdev=wire{i},mac=52:54:00:ab:00:{i + 1:02x}",
            ]
        argv += ["-device", f"isa-debug-exit,iobase={LAB_EXIT_PORT:#x},iosize=1"]
        argv += ["-device", "virtio-serial-pci,id=vser"]
        # agent=nfvcapd: QEMU listens, as for a libvirt channel, and nfvcapd
        # connects; otherwise QEMU connects to the harness's echo peer.
        agent_backend = f"socket,path={s}/agent.sock"
        if t.agent == "nfvcapd":
            agent_backend += ",server=on,wait=off"
        for cid, name, backend in (
                ("agent", AGENT_PORT, agent_backend),
                ("ctl", CTL_PORT, f"socket,path={s}/ctl.sock"),
                ("results", RESULTS_PORT, f"file,path={self.results_file}")):
            argv += ["-chardev", f"{backend},id={cid}",
                     "-device", f"virtserialport,bus=vser.0,chardev={cid},name={name}"]
        return argv

    # -- life cycle --------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        os.makedirs(self.rundir, exist_ok=True)
        for f in (self.console_log, self.results_file):
            open(f, "w").close()
        # Unix socket paths are limited to 108 bytes: keep them short, in /tmp.
        self.sockdir = tempfile.mkdtemp(prefix="nfvcap-lab-")
        _live.add(self)
        for i in range(self.topology.pfs):
            self.wires.append(Wire(f"{self.sockdir}/wire{i}.host", f"{self.sockdir}/wire{i}.qemu",
                                   os.path.join(self.rundir, f"wire{i}.pcap")))
        if self.topology.agent == "nfvcapd":
            # Started before QEMU listens on the port: nfvcapd retries.
            self.daemon = HostDaemon(BUILD_DIR, self.sockdir, self.rundir,
                                     f"{self.sockdir}/agent.sock", self.topology.monitor_opts)
            self.servers = []
        else:
            self.servers = [AgentEcho(f"{self.sockdir}/agent.sock",
                                      os.path.join(self.rundir, "agent.log"))]
        self.servers.append(Control(f"{self.sockdir}/ctl.sock", self.wires,
                                    os.path.join(self.rundir, "ctl.log"), self.daemon))
        argv = self.argv()
        with open(self.qemu_log, "w") as log:
            log.write(" ".join(argv) + "\n\n")
            log.flush()
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
                                         start_new_session=True)
        self.started = time.monotonic()

    def wait(self, on_console=None, on_result=None):
        """Waits for QEMU to exit, at most topology.timeout seconds from start.
        Calls on_console(text) with new console output and on_result(line)
        with each new results line as they come. Returns QEMU's exit status,
        or None when the deadline passed (QEMU is then killed)."""
        deadline = self.started + self.topology.timeout
        # Incremental: a read may end in the middle of a UTF-8 character.
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        with open(self.console_log, "rb") as con, open(self.results_file, "rb") as res:
            partial = b""

            def drain():
                nonlocal partial
                text = decoder.decode(con.read())
                if text and on_console:
                    on_console(text)
                partial += res.read()
                *lines, partial = partial.split(b"\n")
                for line in lines:
                    if on_result:
                        on_result(line.decode("utf-8", errors="replace"))

            try:
                while True:
                    status = self.proc.poll()
                    drain()
                    if status is not None:
                        return status
                    if time.monotonic() >= deadline:
                        self.kill()
                        drain()
                        return None
                    time.sleep(0.1)
            finally:
                self.ended = time.monotonic()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop_host_daemon(self):
        """Stops the host nfvcapd (agent=nfvcapd); its exit status, or None
        when the topology has none."""
        return self.daemon.close() if self.daemon else None

    def close(self):
        self.kill()
        self.stop_host_daemon()
        for s in self.servers + self.wires:
            s.close()
        self.servers, self.wires = [], []
        if self.sockdir:
            shutil.rmtree(self.sockdir, ignore_errors=True)
            self.sockdir = None
        _live.discard(self)

    @property
    def elapsed(self):
        """Seconds from QEMU's start to its end (or to now, while it runs)."""
        return (self.ended or time.monotonic()) - self.started
