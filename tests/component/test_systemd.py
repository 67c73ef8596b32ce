"""The systemd units, tmpfiles.d and sysusers.d files, as `make install`
lays them out, pass systemd's own checks (including that every man page
they reference is installed)."""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import TOP


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nfvcap-install-")
        cls.prefix = os.path.join(cls.tmp, "usr")
        cls.unitdir = os.path.join(cls.tmp, "lib/systemd/system")
        # A PREFIX outside / (not DESTDIR) so that ExecStart= names a binary that exists.
        p = subprocess.run(["make", "-s", "-C", TOP, "install", "PREFIX=" + cls.prefix,
                            "SYSCONFDIR=" + os.path.join(cls.tmp, "etc"),
                            "UNITDIR=" + cls.unitdir,
                            "BUILD=" + os.environ.get("NFVCAP_BUILD", "build")],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError("make install failed:\n" + p.stdout + p.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_installed_files(self):
        for rel in ("usr/sbin/nfvcapd", "usr/bin/nfvcapctl", "lib/systemd/system/nfvcapd.service",
                    "lib/systemd/system/nfvcapd.socket", "usr/lib/tmpfiles.d/nfvcap.conf",
                    "usr/lib/sysusers.d/nfvcap.conf", "usr/share/man/man8/nfvcapd.8",
                    "usr/share/man/man5/nfvcapd.conf.5", "usr/share/man/man1/nfvcapctl.1",
                    "etc/nfvcap/nfvcapd.conf"):
            self.assertTrue(os.path.exists(os.path.join(self.tmp, rel)), rel)
        self.assertTrue(os.access(os.path.join(self.tmp, "usr/sbin/nfvcapd"), os.X_OK))

    def test_systemd_analyze_verify(self):
        env = dict(os.environ, MANPATH=os.path.join(self.prefix, "share/man"))
        p = subprocess.run(["systemd-analyze", "verify", "nfvcapd.service", "nfvcapd.socket"],
                           cwd=self.unitdir, capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stderr.strip(), "")

    def test_service_shape(self):
        with open(os.path.join(self.unitdir, "nfvcapd.service")) as f:
            text = f.read()
        for line in ("Type=notify", "WatchdogSec=", "ExecStart=%s/sbin/nfvcapd" % self.prefix,
                     "ProtectSystem=strict", "RestrictAddressFamilies=AF_UNIX AF_NETLINK"):
            self.assertIn(line, text)
        # sysfs must stay writable (sriov_numvfs): this setting would make it read-only.
        self.assertNotIn("ProtectKernelTunables=yes", text)

    def test_shipped_config_file_is_accepted(self):
        p = subprocess.run([os.path.join(self.prefix, "sbin/nfvcapd"), "--config",
                            os.path.join(self.tmp, "etc/nfvcap/nfvcapd.conf"), "--dump-config"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_tmpfiles(self):
        root = os.path.join(self.tmp, "root")
        os.makedirs(root)
        p = subprocess.run(["systemd-tmpfiles", "--root=" + root, "--create",
                            os.path.join(self.prefix, "lib/tmpfiles.d/nfvcap.conf")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.stat(os.path.join(root, "run/nfvcap")).st_mode & 0o777, 0o755)
        self.assertEqual(os.stat(os.path.join(root, "var/lib/nfvcap")).st_mode & 0o777, 0o750)

    def test_sysusers(self):
        p = subprocess.run(["systemd-sysusers", "--dry-run",
                            os.path.join(self.prefix, "lib/sysusers.d/nfvcap.conf")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout + p.stderr
        for g in ("nfvcap", "nfvcap-admin"):
            if "'%s'" % g not in out:
                # Already present on this machine: then it must really exist.
                import grp
                grp.getgrnam(g)


class DestDir(unittest.TestCase):
    def test_install_honours_destdir_and_prefix(self):
        tmp = tempfile.mkdtemp(prefix="nfvcap-destdir-")
        self.addCleanup(shutil.rmtree, tmp, True)
        p = subprocess.run(["make", "-s", "-C", TOP, "install", "DESTDIR=" + tmp, "PREFIX=/opt/nfv",
                            "BUILD=" + os.environ.get("NFVCAP_BUILD", "build")],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        for rel in ("opt/nfv/sbin/nfvcapd", "opt/nfv/bin/nfvcapctl",
                    "opt/nfv/lib/systemd/system/nfvcapd.service", "etc/nfvcap/nfvcapd.conf",
                    "opt/nfv/share/man/man8/nfvcapd.8"):
            self.assertTrue(os.path.exists(os.path.join(tmp, rel)), rel)
        with open(os.path.join(tmp, "opt/nfv/lib/systemd/system/nfvcapd.service")) as f:
            self.assertIn("ExecStart=/opt/nfv/sbin/nfvcapd\n", f.read())
