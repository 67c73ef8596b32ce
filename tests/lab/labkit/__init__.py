"""The nfvcap SR-IOV lab: QEMU's igb (82576) under a Debian kernel.

    provision  finds QEMU, fetches and unpacks the guest kernel, builds the initramfs
    hostside   the host ends of the guest's channels: agent echo, control, wires
    guest      one QEMU guest: command line, start, wait with a deadline, kill
    scenario   scenario files, their topology header, results and the summary

tests/lab/run and tests/lab/demo are the entry points; docs/lab.md explains the lab.
"""
import os

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(os.path.dirname(LAB_DIR))
GUEST_DIR = os.path.join(LAB_DIR, "guest")
SCENARIO_DIR = os.path.join(LAB_DIR, "scenarios")

# The build directory of the binaries under test (the Makefile's BUILD), and
# the lab's cache inside it: never committed, removed by `make clean`.
BUILD_NAME = os.environ.get("NFVCAP_BUILD", "build")
BUILD_DIR = os.path.join(REPO_ROOT, BUILD_NAME)
CACHE_DIR = os.environ.get("NFVCAP_LAB_CACHE", os.path.join(REPO_ROOT, "build", "lab"))


class Skip(Exception):
    """The lab cannot run on this machine (no suitable QEMU)."""


class LabError(Exception):
    """The lab could not be set up (kernel download, initramfs, missing binaries)."""
