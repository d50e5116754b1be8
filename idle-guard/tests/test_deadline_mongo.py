"""The MongoDB route to Deadline's job list, without a mongod (none can run here): the query
logic against an in-memory Jobs collection, the project's real BSON encoder for our queries,
and the PKCS#12 unpacking with the real openssl."""
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

import _path
import deadline
import deadline_mongo

HELPER = os.path.join(os.path.dirname(_path.GUARD_DIR), "cloud-init", "steps", "mongo-bootstrap.py")


class FakeConn(object):
    """Answers `count` on one collection the way mongod does, for the queries the guard sends."""

    def __init__(self, jobs):
        self.jobs = jobs
        self.sent = []

    def command(self, db, body):
        self.sent.append((db, body))
        cmd = dict(body)
        assert cmd["count"] == "Jobs"
        query = cmd["query"]

        def match(doc):
            for key, cond in query.items():
                if isinstance(cond, dict) and "$exists" in cond:
                    if (key in doc) != cond["$exists"]:
                        return False
                elif doc.get(key) != cond:
                    return False
            return True

        return {"n": sum(1 for d in self.jobs if match(d)), "ok": 1}


class CountActive(unittest.TestCase):
    def test_counts_only_active_jobs(self):
        conn = FakeConn([{"Stat": 1}, {"Stat": 1}, {"Stat": 2}, {"Stat": 3}, {"Stat": 4}, {"Stat": 6}])
        self.assertEqual(deadline_mongo.count_active(conn), 2)
        self.assertTrue(all(db == "deadline10db" for db, _ in conn.sent))

    def test_empty_repository_is_idle(self):
        self.assertEqual(deadline_mongo.count_active(FakeConn([])), 0)

    def test_unexpected_schema_is_an_error_not_zero(self):
        with self.assertRaises(ValueError):
            deadline_mongo.count_active(FakeConn([{"Status": "Active"}, {"Stat": 3}]))

    def test_the_projects_client_encodes_our_queries(self):
        _path.need(os.path.exists(HELPER), "cloud-init/steps/mongo-bootstrap.py not present", self)
        client = deadline_mongo.load_client(HELPER)
        for query in ({}, {"Stat": {"$exists": True}}, {"Stat": 1}):
            body = [("count", "Jobs"), ("query", query), ("$db", "deadline10db")]
            decoded, _ = client.decode_document(client.encode_document(body))
            self.assertEqual(decoded, {"count": "Jobs", "query": query, "$db": "deadline10db"})
        self.assertTrue(callable(client.connect))
        self.assertTrue(hasattr(client.Connection, "authenticate"))


class Unreachable(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.logged = []

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_missing_client_or_secrets_mean_unknown(self):
        cfg = {"DEADLINE_QUERY": "mongo", "MONGO_CLIENT_PY": os.path.join(self.dir, "absent.py")}
        self.assertIsNone(deadline.active_jobs(cfg, self.logged.append))
        self.assertIn("could not query Deadline's database", self.logged[0])

    def test_pfx_is_unpacked_to_a_private_file_and_removed_after_a_failed_connect(self):
        _path.need(shutil.which("openssl"), "openssl not installed", self)
        key, crt, pfx, pw = (os.path.join(self.dir, n) for n in ("k.pem", "c.pem", "c.pfx", "pw"))
        with open(pw, "w") as f:
            f.write("pfx-pass\n")
        subprocess.check_call(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                               "-subj", "/CN=deadline", "-days", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.check_call(["openssl", "pkcs12", "-export", "-in", crt, "-inkey", key, "-out", pfx,
                               "-passout", "file:" + pw], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run_dir = os.path.join(self.dir, "run")
        os.mkdir(run_dir)
        pem = deadline_mongo._client_pem(pfx, pw, run_dir)
        self.assertEqual(stat.S_IMODE(os.stat(pem).st_mode), 0o600)
        with open(pem) as f:
            text = f.read()
        self.assertIn("PRIVATE KEY", text)
        self.assertIn("BEGIN CERTIFICATE", text)
        os.unlink(pem)
        # A full run against a port where nothing listens: None, and no key material left behind.
        _path.need(os.path.exists(HELPER), "cloud-init/steps/mongo-bootstrap.py not present", self)
        if True:
            password_file = os.path.join(self.dir, "mongo.pw")
            with open(password_file, "w") as f:
                f.write("x" * 20)
            cfg = {"DEADLINE_QUERY": "mongo", "MONGO_CLIENT_PY": HELPER, "MONGO_PASSWORD_FILE": password_file,
                   "MONGO_CLIENT_PFX": pfx, "MONGO_CLIENT_PFX_PASSWORD_FILE": pw, "RUN_DIR": run_dir,
                   "MONGO_CA": crt, "MONGODB_PORT": "9", "HUB_OVERLAY_IP": "10.87.0.1"}
            self.assertIsNone(deadline.active_jobs(cfg, self.logged.append))
            self.assertEqual(os.listdir(run_dir), [])

    def test_wrong_pfx_password_is_unknown(self):
        _path.need(shutil.which("openssl"), "openssl not installed", self)
        pfx = os.path.join(self.dir, "junk.pfx")
        with open(pfx, "wb") as f:
            f.write(b"not a pfx")
        with self.assertRaises(OSError):
            deadline_mongo._client_pem(pfx, pfx, self.dir)
        self.assertEqual([n for n in os.listdir(self.dir) if n.startswith("oomerfarm-idle-guard.")], [])


if __name__ == "__main__":
    unittest.main()
