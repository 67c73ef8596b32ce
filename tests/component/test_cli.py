"""nfvcapctl against the real daemon: tables, --json, help, exit codes and
messages a person can act on."""

import json
import os
import subprocess

import fixture
from harness import NFVCAPCTL, DaemonTestCase

COMMANDS = (("pf", "list"), ("pf", "show"), ("vf", "list"))


def ctl(*args, env=None):
    return subprocess.run([NFVCAPCTL] + list(args), capture_output=True, text=True, timeout=30,
                          env=env)


class Cli(DaemonTestCase):
    def setUp(self):
        super().setUp()
        fixture.intel_82599_dual_port(self.fs, vfs_on_port0=2)
        fixture.mellanox_cx5(self.fs)
        self.d = self.start()

    def test_pf_list_table_is_aligned(self):
        p = self.d.ctl("pf", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["ADDRESS", "ID", "FAMILY", "MODEL", "DRIVER", "NETDEV",
                                            "LINK", "VFS", "NUMA"])
        self.assertEqual(lines[1].split(), ["0000:03:00.0", "8086:10fb", "ixgbe", "82599", "ixgbe",
                                            "enp3s0f0", "up", "2/63", "0"])
        self.assertEqual(lines[3].split(), ["0000:5e:00.0", "15b3:1017", "generic", "-",
                                            "mlx5_core", "enp94s0f0np0", "up", "2/16", "0"])
        # Every column starts at the same offset on every line.
        starts = [lines[0].index(h) for h in ("ID", "FAMILY", "VFS", "NUMA")]
        for line in lines[1:]:
            for s in starts:
                self.assertNotEqual(line[s], " ", line)
                self.assertEqual(line[s - 1], " ", line)

    def test_json_is_the_daemons_document(self):
        p = self.d.ctl("pf", "list", "--json")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(json.loads(p.stdout), self.d.get("/v1/pfs").json)
        p = self.d.ctl("--json", "vf", "list", "0000:03:00.0")
        self.assertEqual(json.loads(p.stdout), self.d.get("/v1/pfs/0000:03:00.0/vfs").json)
        p = self.d.ctl("pf", "show", "03:00.0", "--json")
        doc = json.loads(p.stdout)
        self.assertEqual(doc["address"], "0000:03:00.0")
        self.assertEqual([v["address"] for v in doc["vfs"]], ["0000:03:10.0", "0000:03:10.2"])

    def test_pf_show(self):
        p = self.d.ctl("pf", "show", "0000:03:00.0")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Family:        ixgbe (82599)", p.stdout)
        self.assertIn("TotalVFs 64, InitialVFs 64, NumVFs 2, VF offset 128, stride 2, "
                      "VF device 10ed", p.stdout)
        self.assertIn("sriov_totalvfs 63, sriov_numvfs 2", p.stdout)
        self.assertIn("0000:03:10.2", p.stdout)

    def test_vf_list(self):
        p = self.d.ctl("vf", "list", "0000:03:00.0")
        self.assertEqual(p.returncode, 0)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["INDEX", "ADDRESS", "ID", "DRIVER", "NETDEV", "MAC",
                                            "VLAN", "SPOOFCHK", "TRUST", "SYNC"])
        # On a fixture the driver's settings cannot be read: those columns say "-".
        self.assertEqual(lines[2].split(), ["1", "0000:03:10.2", "8086:10ed", "ixgbevf",
                                            "enp3s0f0v1", "02:00:00:03:00:01", "-", "-", "-", "-"])
        p = self.d.ctl("vf", "list", "0000:03:00.1")
        self.assertEqual((p.returncode, p.stdout), (0, "No virtual functions.\n"))

    def test_api_error_exits_1_with_the_daemons_message(self):
        p = self.d.ctl("pf", "show", "0000:42:00.0")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no SR-IOV physical function at 0000:42:00.0", p.stderr)

    def test_usage_errors_exit_2(self):
        for args in (("pf", "show", "0000:zz:00.0"), ("pf", "show"), ("pf", "list", "extra"),
                     ("pf", "frobnicate"), ("pf",), (), ("--no-such-option", "pf", "list"),
                     ("--timeout", "0", "pf", "list")):
            p = self.d.ctl(*args)
            self.assertEqual(p.returncode, 2, "%s: %s" % (args, p.stderr))
            self.assertTrue(p.stderr.strip(), args)
        self.assertIn("is not a PCI address", self.d.ctl("pf", "show", "zz").stderr)

    def test_bad_monitor_ids_are_refused_before_any_request(self):
        # Ids go into the URL as they are: a slash or a query would reach
        # another resource. The daemon's log shows that nothing was asked.
        before = self.d.read_log().count("send_reply")
        for bad in ("a/b", "x?y", "../pfs", "", "m" * 64, "a b"):
            for args in (("stats", bad), ("monitor", "show", bad), ("capture", "stop", bad),
                         ("capture", "start", bad, "afpacket", "eth0")):
                p = self.d.ctl(*args)
                self.assertEqual(p.returncode, 2, "%s: %s" % (args, p.stderr))
                self.assertIn("is not a monitor id", p.stderr, args)
        self.assertEqual(self.d.read_log().count("send_reply"), before)
        self.assertEqual(self.d.ctl("monitor", "list").returncode, 0)  # and one that is logged
        self.assertEqual(self.d.read_log().count("send_reply"), before + 1)

    def test_unreachable_daemon_exits_3_with_advice(self):
        p = self.d.ctl("pf", "list", socket_path=os.path.join(self.tmp, "absent.sock"))
        self.assertEqual(p.returncode, 3)
        self.assertIn("cannot reach nfvcapd at", p.stderr)
        self.assertIn("is the service running?", p.stderr)

    def test_permission_denied_exits_3_with_advice(self):
        # A user outside the socket's group (nobody) is refused by the kernel.
        p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                            NFVCAPCTL, "--socket", self.d.socket, "pf", "list"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("permission denied", p.stderr)

    def test_socket_from_environment(self):
        env = dict(os.environ, NFVCAP_SOCKET=self.d.socket)
        p = ctl("pf", "list", "--json", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_help_everywhere(self):
        p = ctl("--help")
        self.assertEqual(p.returncode, 0)
        for noun, verb in COMMANDS:
            self.assertIn("%s %s" % (noun, verb), p.stdout)
        for noun, verb in COMMANDS:
            p = ctl(noun, verb, "--help")
            self.assertEqual(p.returncode, 0, (noun, verb))
            self.assertTrue(p.stdout.startswith("Usage: nfvcapctl %s %s" % (noun, verb)))
        self.assertEqual(ctl("--version").stdout.strip().split()[0], "nfvcapctl")

    def test_warnings_are_shown(self):
        os.truncate(os.path.join(self.fs.device_dir("0000:03:00.1"), "config"), 100)
        d = self.start()
        p = d.ctl("pf", "list")
        self.assertEqual(p.returncode, 0)
        self.assertIn("warning: 0000:03:00.1: SR-IOV capability not readable", p.stdout)
