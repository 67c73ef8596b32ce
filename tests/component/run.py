#!/usr/bin/env python3
"""Run the component tests: the real nfvcapd and nfvcapctl, as processes,
on fixture sysfs trees and on this machine's /sys. Prints one line per test
and a summary line; exits non-zero on any failure."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import NFVCAPCTL, NFVCAPD  # noqa: E402

if __name__ == "__main__":
    for b in (NFVCAPD, NFVCAPCTL):
        if not os.access(b, os.X_OK):
            sys.exit("component: %s is not built; run make first" % b)
    pattern = sys.argv[1] if len(sys.argv) > 1 else "test_*.py"
    suite = unittest.defaultTestLoader.discover(HERE, pattern=pattern)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    run = result.testsRun
    failed = len(result.failures) + len(result.errors)
    # An error in setUpClass is reported without a test having run.
    in_tests = len(result.failures) + sum(isinstance(t, unittest.TestCase) for t, _ in result.errors)
    skipped = len(result.skipped)
    print("component: %d passed, %d failed, %d skipped (%s)"
          % (run - in_tests - skipped, failed, skipped, os.path.basename(os.path.dirname(NFVCAPD))))
    sys.exit(0 if result.wasSuccessful() else 1)
