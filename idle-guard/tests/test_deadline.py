"""The Deadline question, against stand-in programs (no Deadline here)."""
import os
import shutil
import stat
import sys
import tempfile
import unittest

import _path  # noqa: F401
import deadline


class AskDeadline(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.logged = []

    def tearDown(self):
        shutil.rmtree(self.dir)

    def fake_deadlinecommand(self, body):
        path = os.path.join(self.dir, "deadlinecommand")
        with open(path, "w") as f:
            f.write("#!%s\nimport sys\nargs = sys.argv[1:]\n%s\n" % (sys.executable, body))
        os.chmod(path, stat.S_IRWXU)
        return path

    def test_counts_job_ids_and_passes_the_active_filters(self):
        argfile = os.path.join(self.dir, "args")
        cmd = self.fake_deadlinecommand(
            "open(%r, 'w').write(' '.join(args))\n"
            "print('5b747b30c3ca512de42d01d2')\nprint('5d434e08c3ca51565c1b44cb')\nprint('')\n"
            "print('Warning: some banner line')\nprint('5d434e08c3ca51565c1b44cb')" % argfile)
        n = deadline.active_jobs({"DEADLINE_QUERY": "deadlinecommand", "DEADLINECOMMAND": cmd}, self.logged.append)
        self.assertEqual(n, 2)
        with open(argfile) as f:
            self.assertEqual(f.read(), "-GetJobIdsFilter Status=Active Status=Queued Status=Rendering")

    def test_no_jobs_is_zero(self):
        cmd = self.fake_deadlinecommand("pass")
        self.assertEqual(deadline.active_jobs({"DEADLINE_QUERY": "deadlinecommand", "DEADLINECOMMAND": cmd}, self.logged.append), 0)

    def test_failing_deadlinecommand_is_unknown(self):
        cmd = self.fake_deadlinecommand("sys.stderr.write('Could not connect to the database\\n'); sys.exit(1)")
        self.assertIsNone(deadline.active_jobs({"DEADLINE_QUERY": "deadlinecommand", "DEADLINECOMMAND": cmd}, self.logged.append))
        self.assertIn("Could not connect", self.logged[0])

    def test_missing_deadlinecommand_is_unknown(self):
        cfg = {"DEADLINE_QUERY": "deadlinecommand", "DEADLINECOMMAND": os.path.join(self.dir, "nope")}
        self.assertIsNone(deadline.active_jobs(cfg, self.logged.append))

    def test_hanging_deadlinecommand_times_out_as_unknown(self):
        cmd = self.fake_deadlinecommand("import time; time.sleep(10)")
        self.assertIsNone(deadline.active_jobs({"DEADLINE_QUERY": "deadlinecommand", "DEADLINECOMMAND": cmd}, self.logged.append, timeout=0.5))

    def test_command_backend(self):
        py = sys.executable
        self.assertEqual(deadline.active_jobs(
            {"DEADLINE_QUERY": "command", "ACTIVE_JOBS_COMMAND": "%s -c 'print(3)'" % py}, self.logged.append), 3)
        self.assertIsNone(deadline.active_jobs(
            {"DEADLINE_QUERY": "command", "ACTIVE_JOBS_COMMAND": "%s -c 'print(\"many\")'" % py}, self.logged.append))
        self.assertIsNone(deadline.active_jobs({"DEADLINE_QUERY": "command"}, self.logged.append))
        self.assertIsNone(deadline.active_jobs({"DEADLINE_QUERY": "carrier-pigeon"}, self.logged.append))


if __name__ == "__main__":
    unittest.main()
