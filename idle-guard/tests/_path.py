# Lets the tests import the guard's flat modules (decide, hetzner, ...) from idle-guard/.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GUARD_DIR = os.path.dirname(HERE)
for p in (GUARD_DIR, HERE):
    if p not in sys.path:
        sys.path.insert(0, p)
