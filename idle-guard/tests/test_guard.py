"""One tick of the guard end to end: state file, a stand-in for Deadline, the fake Hetzner API."""
import io
import json
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

import _path  # noqa: F401
import guard
from fake_hetzner import FakeHetzner, server

TOKEN = "guard-test-token"
T0 = 1_700_000_000.0


class GuardRun(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.token_file = os.path.join(self.dir, "hcloud.token")
        with open(self.token_file, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(self.token_file, 0o600)
        self.state_file = os.path.join(self.dir, "state", "idle-since")
        self.jobs = 0

    def tearDown(self):
        shutil.rmtree(self.dir)

    def cfg(self, url, **extra):
        c = {"CLOUD": "hetzner", "FARM_NAME": "demo", "IDLE_MINUTES": 10.0, "HCLOUD_API_URL": url,
             "HCLOUD_TOKEN_FILE": self.token_file, "STATE_FILE": self.state_file}
        c.update(extra)
        return c

    def ask(self, cfg, log):
        return self.jobs

    def tick(self, cfg, now):
        out = io.StringIO()
        with redirect_stdout(out):
            action = guard.run_once(cfg, now, ask_deadline=self.ask)
        return action, out.getvalue()

    def test_idle_farm_loses_its_workers_after_the_limit_and_keeps_its_hub(self):
        servers = [server(1, "demo-hub", "demo", "hub"), server(2, "demo-w1", "demo", "worker"),
                   server(3, "demo-w2", "demo", "worker")]
        with FakeHetzner(TOKEN, servers) as api:
            cfg = self.cfg(api.url)
            actions = [self.tick(cfg, T0 + m * 60)[0] for m in range(0, 10)]
            self.assertEqual(actions, ["wait"] * 10)
            self.assertEqual(api.deleted, [])
            action, out = self.tick(cfg, T0 + 600)
            self.assertEqual(action, "delete")
            self.assertEqual(sorted(api.deleted), [2, 3])
            self.assertIn("deleted worker server demo-w1", out)
            # The count restarts after a clean removal: workers brought back get a full window.
            with open(self.state_file) as f:
                self.assertEqual(json.load(f), {"idle_since": T0 + 600, "last_seen": T0 + 600})
            self.assertEqual(self.tick(cfg, T0 + 660)[0], "wait")
        self.assertEqual([s["id"] for s in api.servers], [1])

    def test_work_resets_the_count(self):
        with FakeHetzner(TOKEN, [server(2, "demo-w1", "demo", "worker")]) as api:
            cfg = self.cfg(api.url)
            for m in range(0, 9):
                self.tick(cfg, T0 + m * 60)
            self.jobs = 2
            self.assertEqual(self.tick(cfg, T0 + 9 * 60)[0], "busy")
            self.jobs = 0
            for m in range(10, 19):
                self.assertEqual(self.tick(cfg, T0 + m * 60)[0], "wait")
            self.assertEqual(self.tick(cfg, T0 + 20 * 60)[0], "delete")
            self.assertEqual(api.deleted, [2])

    def test_api_error_is_logged_and_retried_next_run(self):
        with FakeHetzner(TOKEN, [server(2, "demo-w1", "demo", "worker")]) as api:
            cfg = self.cfg(api.url)
            for m in range(0, 10):
                self.tick(cfg, T0 + m * 60)
            api.fail_with = 500
            action, out = self.tick(cfg, T0 + 600)
            self.assertEqual(action, "delete")
            self.assertIn("cloud API error (will retry next run)", out)
            self.assertEqual(api.deleted, [])
            with open(self.state_file) as f:
                self.assertEqual(json.load(f)["idle_since"], T0)  # not reset: retry at once
            api.fail_with = None
            self.assertEqual(self.tick(cfg, T0 + 660)[0], "delete")
            self.assertEqual(api.deleted, [2])

    def test_state_survives_a_restart_and_a_corrupt_file_only_delays(self):
        with FakeHetzner(TOKEN, [server(2, "demo-w1", "demo", "worker")]) as api:
            cfg = self.cfg(api.url)
            self.tick(cfg, T0)
            with open(self.state_file, "w") as f:
                f.write("{not json")
            self.assertEqual(self.tick(cfg, T0 + 60)[0], "wait")   # counting restarts at T0+60
            self.assertEqual(self.tick(cfg, T0 + 600)[0], "wait")  # gap > 5 min: restart again
            for m in range(11, 20):
                self.tick(cfg, T0 + m * 60)
            self.assertEqual(api.deleted, [])
            self.assertEqual(self.tick(cfg, T0 + 20 * 60)[0], "delete")

    def test_main_exits_2_on_bad_config_and_0_on_api_trouble(self):
        env_file = os.path.join(self.dir, "idle-guard.env")
        farm_env = os.path.join(self.dir, "farm.env")
        with open(farm_env, "w") as f:
            f.write("FARM_NAME='demo'\nROLE='hub'\n")
        os.environ["IDLE_GUARD_FARM_ENV"] = farm_env
        try:
            with open(env_file, "w") as f:
                f.write("CLOUD='gcp'\n")
            with redirect_stdout(io.StringIO()) as out:
                self.assertEqual(guard.main([env_file]), 2)
            self.assertIn("CLOUD must be hetzner or aws", out.getvalue())

            with open(env_file, "w") as f:
                f.write("# comment\nCLOUD='hetzner'\nIDLE_MINUTES='10'\nHCLOUD_API_URL='http://127.0.0.1:9/v1'\n"
                        "HCLOUD_TOKEN_FILE='%s'\nSTATE_FILE='%s'\nDEADLINE_QUERY='command'\n"
                        "ACTIVE_JOBS_COMMAND='%s -c \"print(0)\"'\n" % (self.token_file, self.state_file, sys.executable))
            cfg = guard.load_config(env_file, farm_env)
            self.assertEqual((cfg["FARM_NAME"], cfg["IDLE_MINUTES"]), ("demo", 10.0))
            with redirect_stdout(io.StringIO()):
                self.assertEqual(guard.main([env_file]), 0)
            with open(self.state_file) as f:
                self.assertIsNotNone(json.load(f)["idle_since"])
        finally:
            del os.environ["IDLE_GUARD_FARM_ENV"]

    def test_token_file_readable_by_others_is_refused(self):
        os.chmod(self.token_file, 0o644)
        with FakeHetzner(TOKEN, [server(2, "demo-w1", "demo", "worker")]) as api:
            with self.assertRaises(guard.ConfigError):
                guard.remove_workers(self.cfg(api.url))
            self.assertEqual(api.requests, [])

    def test_too_short_idle_limit_is_refused(self):
        env_file = os.path.join(self.dir, "idle-guard.env")
        with open(env_file, "w") as f:
            f.write("CLOUD=hetzner\nFARM_NAME=demo\nIDLE_MINUTES=1\n")
        with self.assertRaises(guard.ConfigError):
            guard.load_config(env_file, os.path.join(self.dir, "absent"))


if __name__ == "__main__":
    unittest.main()
