# Lets the tests import the guard's flat modules (decide, hetzner, ...) from idle-guard/.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GUARD_DIR = os.path.dirname(HERE)
for p in (GUARD_DIR, HERE):
    if p not in sys.path:
        sys.path.insert(0, p)


def need(condition, reason, test):
    """Skip with a reason, except under CI=true where a missing tool is a failure."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        test.fail("required under CI=true: " + reason)
    test.skipTest(reason)
