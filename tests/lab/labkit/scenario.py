"""Scenario files, their topology header, and the verdict on a run.

A scenario is a POSIX sh script under tests/lab/scenarios/, run inside the
guest by guest/stage2 with the helpers of guest/lib.sh. Its topology is
declared in comment lines starting with "# lab:", as key=value words:

    # lab: pfs=2 iomem=relaxed iommu=off timeout=90 needs=nfvcap

    pfs       number of igb PFs (default 1)
    iomem     relaxed | strict (default strict, the kernel's own default)
    iommu     on | off (default off)
    memory    guest memory in MiB (default 1024)
    cpus      guest CPUs (default 1)
    timeout   seconds before the guest is killed and the scenario failed (default 120)
    cmdline   one extra kernel parameter (repeat the key for more)
    needs     nfvcap: the scenario runs build/nfvcapd and build/nfvcapctl
    agent     the host end of the agent port: echo (default), a peer that sends
              every line back, or nfvcapd, the real daemon on the host with a
              monitor "lab" on the port (see hostside.HostDaemon)

The guest reports over the results port, one tab-separated line each:
"begin SCRIPT", "pass NAME", "fail NAME DETAIL", "end STATUS".
"""
import os
import re
import shutil
import sys

from . import CACHE_DIR, REPO_ROOT, SCENARIO_DIR
from .guest import Topology, describe_exit

# Longer topologies are not expected to need it, but slow CI machines may:
# every timeout is multiplied by this.
TIMEOUT_FACTOR = float(os.environ.get("NFVCAP_LAB_TIMEOUT_FACTOR", "1"))


class ScenarioError(Exception):
    pass


def _on_off(value, key, path):
    if value not in ("on", "off"):
        raise ScenarioError(f"{path}: {key}={value}: expected on or off")
    return value == "on"


# The guest mounts its own file systems here, hiding the host's: a scenario
# kept under one of them would not be found in the guest.
GUEST_PRIVATE_DIRS = ("/tmp/", "/run/", "/dev/", "/proc/", "/sys/")


class Scenario:
    def __init__(self, path):
        self.path = os.path.abspath(path)
        if self.path.startswith(GUEST_PRIVATE_DIRS):
            raise ScenarioError(f"{self.path}: the guest cannot see the host's "
                                f"{self.path.split('/')[1]}/; keep scenarios elsewhere")
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.script = self.path
        self.topology = Topology()
        self.needs = set()
        extra = []
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"#\s*lab:(.*)", line)
                if not m:
                    continue
                for word in m.group(1).split():
                    key, sep, value = word.partition("=")
                    if not sep:
                        raise ScenarioError(f"{path}: '{word}' in the lab header is not key=value")
                    self._set(key, value, extra)
        self.topology.cmdline = " ".join(extra)
        self.topology.timeout *= TIMEOUT_FACTOR

    def _set(self, key, value, extra):
        t = self.topology
        try:
            if key == "pfs":
                t.pfs = int(value)
            elif key == "iomem":
                if value not in ("relaxed", "strict"):
                    raise ScenarioError(f"{self.path}: iomem={value}: expected relaxed or strict")
                t.iomem_relaxed = value == "relaxed"
            elif key == "iommu":
                t.iommu = _on_off(value, key, self.path)
            elif key == "memory":
                t.memory_mib = int(value)
            elif key == "cpus":
                t.cpus = int(value)
            elif key == "timeout":
                t.timeout = float(value)
            elif key == "agent":
                if value not in ("echo", "nfvcapd"):
                    raise ScenarioError(f"{self.path}: agent={value}: expected echo or nfvcapd")
                t.agent = value
            elif key == "cmdline":
                extra.append(value)
            elif key == "needs":
                self.needs.update(value.split(","))
            else:
                raise ScenarioError(f"{self.path}: unknown lab header key '{key}'")
        except ValueError:
            raise ScenarioError(f"{self.path}: {key}={value}: not a number") from None


def find(names):
    """The scenarios named (by name, e.g. "boot", or by path), or all of them in
    name order when names is empty."""
    if not names:
        return [Scenario(os.path.join(SCENARIO_DIR, f))
                for f in sorted(os.listdir(SCENARIO_DIR)) if f.endswith(".sh")]
    found = []
    for n in names:
        path = n if os.path.exists(n) else os.path.join(SCENARIO_DIR, n + ".sh")
        if not os.path.exists(path):
            raise ScenarioError(f"no scenario '{n}' (looked for {path})")
        found.append(Scenario(path))
    return found


class Verdict:
    """What one run of a script produced: checks, and problems with the run
    itself (a timeout, a crash, an early exit), which count as failures."""

    def __init__(self, label, quiet=False):
        self.label = label
        self.quiet = quiet  # no PASS/FAIL lines as results come (the demo)
        self.passed = 0
        self.failed = 0
        self.begun = False
        self.end_status = None
        self.problems = []

    def on_result(self, line):
        kind, _, rest = line.partition("\t")
        name, _, detail = rest.partition("\t")
        if kind == "begin":
            self.begun = True
        elif kind == "pass":
            self.passed += 1
            self.say(f"PASS {self.label}: {name}")
        elif kind == "fail":
            self.failed += 1
            self.say(f"FAIL {self.label}: {name}: {detail}")
        elif kind == "end":
            self.end_status = int(name) if name.lstrip("-").isdigit() else name
        elif line.strip():
            self.problem(f"unexpected results line {line!r}")

    def problem(self, text):
        self.problems.append(text)
        self.failed += 1
        self.say(f"FAIL {self.label}: {text}")

    def say(self, line):
        if not self.quiet:
            print(line, flush=True)

    def finish(self, qemu_status, timeout):
        """Judges the run once QEMU is gone (qemu_status None: killed at timeout)."""
        if qemu_status is None:
            self.problem(f"timed out after {timeout:.0f} s: the guest was killed")
        elif not self.begun:
            self.problem(f"the guest never started the script: {describe_exit(qemu_status)}")
        elif self.end_status is None:
            self.problem(f"the guest stopped before the script ended: {describe_exit(qemu_status)}")
        elif self.end_status != 0:
            self.problem(f"the script exited with status {self.end_status}")
        if self.begun and self.passed + self.failed == 0:
            self.problem("no checks ran")

    @property
    def ok(self):
        return self.failed == 0


def show_logs(guest, lines=60):
    """Prints where a failed run's logs are, and the end of its console."""
    print(f"  logs: {os.path.relpath(guest.rundir)}/ (console.log, qemu.log, results.txt, "
          "agent.log or host-nfvcapd.log, ctl.log, wire*.pcap)")
    try:
        with open(guest.console_log, encoding="utf-8", errors="replace") as f:
            tail = f.read().splitlines()[-lines:] if lines else []
    except OSError:
        tail = []
    if tail:
        print(f"  --- last {len(tail)} lines of the console ---")
        for line in tail:
            print(f"  | {line}")
    try:
        with open(guest.qemu_log, encoding="utf-8", errors="replace") as f:
            qemu_out = f.read().split("\n\n", 1)[-1].strip()  # after the command line
    except OSError:
        qemu_out = ""
    if qemu_out:
        print("  --- QEMU said ---")
        for line in qemu_out.splitlines()[-20:]:
            print(f"  | {line}")
    sys.stdout.flush()


def run_one(lab, scenario, verbose=False):
    """Boots a guest for scenario, runs it, powers it off. Returns its Verdict."""
    rundir = os.path.join(CACHE_DIR, "runs", scenario.name)
    shutil.rmtree(rundir, ignore_errors=True)
    verdict = Verdict(scenario.name)
    print(f"== {scenario.name} ({scenario.topology.describe()})", flush=True)
    echo = (lambda text: print(text, end="", flush=True)) if verbose else None
    with lab.guest(scenario.topology, scenario.script, rundir) as guest:
        status = guest.wait(on_console=echo, on_result=verdict.on_result)
        verdict.finish(status, scenario.topology.timeout)
        host_status = guest.stop_host_daemon()
        if host_status not in (None, 0):
            verdict.problem(f"the host nfvcapd exited with status {host_status} "
                            "(host-nfvcapd.log)")
        print(f"== {scenario.name}: {'ok' if verdict.ok else 'FAILED'} in {guest.elapsed:.1f} s",
              flush=True)
        if not verdict.ok:
            show_logs(guest)
    return verdict
