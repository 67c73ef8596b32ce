"""The API's errors, the socket, and nfvcapd as a systemd service process:
socket activation, sd_notify, watchdog, SIGTERM, configuration file."""

import grp
import os
import signal
import socket
import stat
import subprocess
import tempfile
import time

import fixture
from harness import NFVCAPD, Daemon, DaemonTestCase, Reply


def error_of(r):
    return r.json["error"]


class ApiErrors(DaemonTestCase):
    def setUp(self):
        super().setUp()
        fixture.qemu_82576(self.fs, num_vfs=3)
        self.d = self.start()

    def assertError(self, r, status, code, field=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.headers.get("Content-Type"), "application/json")
        e = error_of(r)
        self.assertEqual(e["code"], code)
        self.assertTrue(e["message"])
        if field:
            self.assertEqual(e.get("field"), field)

    def test_malformed_addresses_are_400(self):
        for path in ("/v1/pfs/../../etc", "/v1/pfs/0000:zz:00.0", "/v1/pfs/" + "a" * 300,
                     "/v1/pfs/..%2F..%2Fetc", "/v1/pfs/0000:01:00.0%00"):
            self.assertError(self.d.get(path), 400, "invalid_argument", "addr")
        # The same through a raw request line, with nothing normalising the path.
        text = self.d.raw(b"GET /v1/pfs/../../etc/passwd HTTP/1.1\r\nHost: x\r\n"
                          b"Connection: close\r\n\r\n")
        self.assertTrue(text.startswith("HTTP/1.1 400"), text)
        self.assertIn('"field":"addr"', text)

    def test_unknown_pf_and_vf_are_404(self):
        self.assertError(self.d.get("/v1/pfs/0000:42:00.0"), 404, "not_found", "addr")
        self.assertError(self.d.get("/v1/pfs/0000:42:00.0/vfs"), 404, "not_found", "addr")
        r = self.d.get("/v1/pfs/0000:01:00.0/vfs/3")
        self.assertError(r, 404, "not_found", "index")
        self.assertIn("has no VF 3 (it has 3)", error_of(r)["message"])
        self.assertError(self.d.get("/v1/nothing"), 404, "not_found")
        # A VF is a PCI function but not a PF.
        self.assertError(self.d.get("/v1/pfs/0000:01:10.0"), 404, "not_found", "addr")

    def test_bad_vf_index_is_400(self):
        self.assertError(self.d.get("/v1/pfs/0000:01:00.0/vfs/-1"), 400, "invalid_argument", "index")
        self.assertError(self.d.get("/v1/pfs/0000:01:00.0/vfs/1x"), 400, "invalid_argument", "index")

    def test_wrong_method_is_405_with_allow(self):
        for method, path in (("DELETE", "/v1/pfs"), ("POST", "/v1/pfs/0000:01:00.0"),
                             ("PUT", "/v1/version"), ("POST", "/v1/pfs/0000:01:00.0/vfs/0")):
            r = self.d.request(method, path)
            self.assertError(r, 405, "method_not_allowed")
            self.assertIn("GET", r.headers.get("Allow"))
            self.assertNotIn(method, r.headers.get("Allow"))

    def test_oversized_body_is_413(self):
        # Announced with Content-Length: refused before the body is read (the
        # daemon may close before the client has sent it all: raw socket).
        text = self.d.raw(b"POST /v1/pfs HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                          b"x" * 100000)
        self.assertTrue(text.startswith("HTTP/1.1 413"), text[:200])
        self.assertIn('"code":"payload_too_large"', text)
        # Chunked, with no length announced.
        head = (b"POST /v1/pfs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                b"Connection: close\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (32768, b"y" * 32768)
        text = self.d.raw(head + chunk * 3 + b"0\r\n\r\n")
        self.assertTrue(text.startswith("HTTP/1.1 413"), text[:200])
        self.assertIn('"code":"payload_too_large"', text)
        # The daemon is still serving.
        self.assertEqual(self.d.get("/v1/version").status, 200)

    def test_body_limit_is_configurable(self):
        d = self.start(extra_args=["--max-body-bytes", "10"])
        self.assertError(d.request("POST", "/v1/pfs", body="x" * 11), 413, "payload_too_large")
        # Within the limit, the body is accepted and the route decides (405 here).
        self.assertError(d.request("POST", "/v1/pfs", body="x" * 10), 405, "method_not_allowed")

    def test_each_request_is_logged_with_peer_credentials(self):
        self.assertEqual(self.d.get("/v1/version").status, 200)
        log = self.d.read_log()
        self.assertIn("GET /v1/version -> 200 (uid=%d pid=%d" % (os.getuid(), os.getpid()), log)

    def test_version_and_health(self):
        v = self.d.get("/v1/version").json
        self.assertEqual(v["api"], "v1")
        self.assertRegex(v["version"], r"^\d+\.\d+\.\d+$")
        h = self.d.get("/v1/health").json
        self.assertEqual((h["status"], h["pf_count"], h["problems"]), ("ok", 1, []))

    def test_garbage_requests_do_not_hurt(self):
        for junk in (b"\x00\xff\x00\xff\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"GET /v1/pfs HTTP/1.1\r\n" + b"X: " + b"a" * 100000 + b"\r\n\r\n"):
            self.d.raw(junk, read_timeout=2)
        self.assertEqual(self.d.get("/v1/pfs").status, 200)


class Socket(DaemonTestCase):
    def test_socket_is_0660(self):
        d = self.start()
        st = os.stat(d.socket)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)

    def test_socket_group(self):
        gid = grp.getgrnam("nogroup").gr_gid
        d = self.start(extra_args=["--socket-group", "nogroup"])
        self.assertEqual(os.stat(d.socket).st_gid, gid)

    def test_sigterm_exits_cleanly_and_removes_the_socket(self):
        d = self.start()
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(10), 0)
        self.assertFalse(os.path.exists(d.socket))
        self.assertIn("shutting down", d.read_log())

    def test_stale_socket_is_replaced(self):
        d = self.start()
        path = d.socket
        d.proc.kill()  # no cleanup: the socket file stays behind
        d.proc.wait()
        self.assertTrue(os.path.exists(path))
        d2 = self.start(socket_path=path)
        self.assertEqual(d2.get("/v1/version").status, 200)

    def test_second_daemon_on_a_live_socket_refuses(self):
        d = self.start()
        p = subprocess.run([NFVCAPD, "--sysfs-root", self.fs.root, "--socket", d.socket,
                            "--state-dir", os.path.join(self.tmp, "state"),
                            "--config", os.devnull, "--log-target", "stderr"],
                           capture_output=True, text=True, timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("another nfvcapd is already serving", p.stderr)
        self.assertEqual(d.get("/v1/version").status, 200)

    def test_non_socket_at_the_path_is_left_alone(self):
        path = os.path.join(self.tmp, "not-a-socket")
        with open(path, "w") as f:
            f.write("precious")
        p = subprocess.run([NFVCAPD, "--sysfs-root", self.fs.root, "--socket", path,
                            "--state-dir", os.path.join(self.tmp, "state"),
                            "--config", os.devnull, "--log-target", "stderr"],
                           capture_output=True, text=True, timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("is not a socket", p.stderr)
        with open(path) as f:
            self.assertEqual(f.read(), "precious")


class Systemd(DaemonTestCase):
    def notify_socket(self):
        path = os.path.join(self.tmp, "notify")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        s.settimeout(5)
        self.addCleanup(s.close)
        return s, path

    def test_ready_status_and_watchdog(self):
        s, path = self.notify_socket()
        env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="200000")
        sock = os.path.join(self.tmp, "api.sock")
        p = subprocess.Popen([NFVCAPD, "--sysfs-root", self.fs.root, "--socket", sock,
                              "--state-dir", os.path.join(self.tmp, "state"),
                              "--config", os.devnull, "--log-target", "stderr"], env=env,
                             stderr=subprocess.DEVNULL)
        try:
            msgs = []
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and sum("WATCHDOG=1" in m for m in msgs) < 2:
                msgs.append(s.recv(4096).decode())
            text = "\n".join(msgs)
            self.assertIn("READY=1", text)
            self.assertIn("STATUS=Serving 0 SR-IOV PF(s) on " + sock, text)
            self.assertGreaterEqual(text.count("WATCHDOG=1"), 2)
            p.terminate()
            self.assertEqual(p.wait(10), 0)
            self.assertIn("STOPPING=1", s.recv(4096).decode())
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()

    def test_socket_activation(self):
        fixture.qemu_82576(self.fs, num_vfs=1)
        sock = os.path.join(self.tmp, "activated.sock")
        log = open(os.path.join(self.tmp, "log"), "w")
        p = subprocess.Popen(["systemd-socket-activate", "-l", sock, NFVCAPD, "--sysfs-root",
                              self.fs.root, "--config", os.devnull, "--log-target", "stderr",
                              "--state-dir", os.path.join(self.tmp, "state"),
                              "--socket", "/nonexistent/ignored.sock"],
                             stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(100):
                if os.path.exists(sock):
                    break
                time.sleep(0.05)
            from harness import UnixHTTPConnection
            c = UnixHTTPConnection(sock)
            c.request("GET", "/v1/pfs")
            r = c.getresponse()
            self.assertEqual(r.status, 200)
            import json
            self.assertEqual(len(json.loads(r.read())["pfs"]), 1)
            c.close()
            log.flush()
            with open(log.name) as f:
                self.assertIn("using the API socket passed by systemd", f.read())
        finally:
            p.terminate()
            p.wait(10)
            log.close()


class Configuration(DaemonTestCase):
    def test_file_keys_apply_and_the_command_line_wins(self):
        sock_from_file = os.path.join(self.tmp, "from-file.sock")
        conf = "[nfvcapd]\nsocket = %s\nmax_body_bytes = 5\nlog_level = debug\n" % sock_from_file
        d = Daemon(self.fs.root, config=conf)  # the harness passes its own --socket: it wins
        self.daemons.append(d)
        self.assertFalse(os.path.exists(sock_from_file))
        self.assertEqual(d.request("POST", "/v1/pfs", body="123456").status, 413)

    def test_bad_file_stops_start_with_the_line(self):
        path = os.path.join(self.tmp, "bad.conf")
        with open(path, "w") as f:
            f.write("# ok\nsysfs_rot = /sys\n")
        p = subprocess.run([NFVCAPD, "--config", path], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertIn("bad.conf:2: unknown setting \"sysfs_rot\"", p.stderr)

    def test_missing_named_file_is_an_error(self):
        p = subprocess.run([NFVCAPD, "--config", "/nonexistent.conf"], capture_output=True,
                           text=True, timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertIn("/nonexistent.conf", p.stderr)

    def test_bad_option_value(self):
        p = subprocess.run([NFVCAPD, "--config", os.devnull, "--log-level", "loud"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertIn("log_level: \"loud\" is not one of", p.stderr)

    def test_dump_config_shows_overrides(self):
        p = subprocess.run([NFVCAPD, "--config", os.devnull, "--sysfs-root", "/srv/sys",
                            "--dump-config"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0)
        self.assertIn("sysfs_root = /srv/sys\n", p.stdout)
        self.assertIn("socket = /run/nfvcap/nfvcapd.sock\n", p.stdout)

    def test_help_lists_every_option(self):
        p = subprocess.run([NFVCAPD, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0)
        for opt in ("--socket", "--sysfs-root", "--config", "--log-level", "--log-target",
                    "--socket-group", "--admin-group", "--inventory-max-age-ms",
                    "--max-body-bytes", "--dump-config", "--version"):
            self.assertIn(opt, p.stdout)
