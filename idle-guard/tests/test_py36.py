"""The guard runs on EL8's platform-python 3.6: check syntax and avoid later-only APIs."""
import ast
import glob
import os
import re
import unittest

import _path

SOURCES = sorted(glob.glob(os.path.join(_path.GUARD_DIR, "*.py")))
# stdlib names that do not exist in 3.6
LATER_ONLY = [r"capture_output\s*=", r"\btext\s*=\s*True", r"fromisoformat", r"\bdataclass", r"asyncio\.run\(",
              r"ThreadingHTTPServer", r"from __future__ import annotations", r":=", r"removeprefix", r"removesuffix"]


class Python36(unittest.TestCase):
    def test_sources_found(self):
        names = [os.path.basename(p) for p in SOURCES]
        for n in ["guard.py", "decide.py", "state.py", "hetzner.py", "deadline.py", "deadline_mongo.py", "sigv4.py", "aws_ec2.py"]:
            self.assertIn(n, names)

    def test_parses_as_python_3_6(self):
        for path in SOURCES:
            with open(path) as f:
                ast.parse(f.read(), filename=path, feature_version=(3, 6))

    def test_no_later_only_stdlib(self):
        for path in SOURCES:
            with open(path) as f:
                src = f.read()
            for pattern in LATER_ONLY:
                self.assertIsNone(re.search(pattern, src), "%s uses %s" % (path, pattern))


if __name__ == "__main__":
    unittest.main()
