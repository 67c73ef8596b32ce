"""Run the real nfvcapd and nfvcapctl as processes for component tests.

Daemon starts nfvcapd on a fixture tree (or the machine's /sys) with its own
socket in a temporary directory and waits until the socket answers. Requests
go over the unix socket with http.client; nfvcapctl and curl are run as the
operator would run them.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(TOP, os.environ.get("NFVCAP_BUILD", "build"))
NFVCAPD = os.path.join(BUILD, "nfvcapd")
NFVCAPCTL = os.path.join(BUILD, "nfvcapctl")



def terminate(proc, timeout):
    """SIGTERM, then SIGKILL if proc has not exited within timeout seconds.
    Returns its exit status."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return "Reply(%d, %r)" % (self.status, self.body[:200])


class Daemon:
    def __init__(self, sysfs_root, extra_args=(), config=None, socket_path=None, state_dir=None):
        self.tmp = tempfile.mkdtemp(prefix="nfvcapd-test-")
        self.socket = socket_path or os.path.join(self.tmp, "nfvcapd.sock")
        self.log_path = os.path.join(self.tmp, "nfvcapd.log")
        # Never the machine's /var/lib/nfvcap: each daemon keeps its state in the test's tree.
        self.state_dir = state_dir or os.path.join(self.tmp, "state")
        args = [NFVCAPD, "--sysfs-root", sysfs_root, "--socket", self.socket,
                "--state-dir", self.state_dir, "--log-target", "stderr", "--log-level", "debug"]
        if config is not None:
            cpath = os.path.join(self.tmp, "nfvcapd.conf")
            with open(cpath, "w") as f:
                f.write(config)
            args += ["--config", cpath]
        else:
            # Never read the machine's /etc/nfvcap/nfvcapd.conf in tests.
            args += ["--config", os.devnull]
        args += list(extra_args)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nfvcapd exited with %d:\n%s" % (self.proc.returncode,
                                                                    self.read_log()))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.socket)
                s.close()
                return
            except OSError:
                time.sleep(0.02)
        log = self.read_log()
        self.stop()
        raise RuntimeError("nfvcapd did not listen within %ds:\n%s" % (timeout, log))

    def read_log(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def request(self, method, path, body=None, headers=None):
        c = UnixHTTPConnection(self.socket)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return Reply(r.status, dict(r.getheaders()), r.read().decode())
        finally:
            c.close()

    def get(self, path):
        return self.request("GET", path)

    def state_file(self):
        """The state file's text, or None when there is none."""
        try:
            with open(os.path.join(self.state_dir, "state.json")) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def raw(self, data, read_timeout=5):
        """Send raw bytes (for requests http.client would not produce); return the reply text."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(read_timeout)
        s.connect(self.socket)
        try:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer and close before reading everything
            chunks = []
            while True:
                try:
                    b = s.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    break
                if not b:
                    break
                chunks.append(b)
            return b"".join(chunks).decode(errors="replace")
        finally:
            s.close()

    def ctl(self, *args, socket_path=None):
        p = subprocess.run([NFVCAPCTL, "--socket", socket_path or self.socket] + list(args),
                           capture_output=True, text=True, timeout=30)
        return p

    def stop(self):
        terminate(self.proc, 10)
        self.log.close()
        return self.proc.returncode

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


class DaemonTestCase(unittest.TestCase):
    """A test case with a fresh fixture tree in self.fs and helpers to start
    the daemon on it. Subclasses build the fixture in build_fixture()."""

    def setUp(self):
        from fixture import Sysfs
        self.tmp = tempfile.mkdtemp(prefix="nfvcap-sysfs-")
        self.fs = Sysfs(os.path.join(self.tmp, "sys"))
        self.daemons = []

    def tearDown(self):
        problems = []
        for d in self.daemons:
            d.stop()
            log = d.read_log()
            # Under the sanitizer build, a report in the daemon's output fails the test.
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                if marker in log:
                    problems.append(log[log.index(marker) - 200 if log.index(marker) > 200 else 0:][:3000])
            d.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if problems:
            self.fail("sanitizer report from nfvcapd:\n" + "\n".join(problems))

    def start(self, root=None, **kw):
        d = Daemon(root or self.fs.root, **kw)
        self.daemons.append(d)
        return d
