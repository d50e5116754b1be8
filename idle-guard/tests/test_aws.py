"""EC2 Stop/TerminateInstances against a local fake of the EC2 Query API that checks every
signature, alone and through one guard run (guard.run_once with CLOUD=aws)."""
import io
import json
import os
import shutil
import tempfile
import threading
import unittest
import urllib.parse
from contextlib import redirect_stdout
from http.server import BaseHTTPRequestHandler, HTTPServer

import _path  # noqa: F401
import aws_ec2
import guard
import sigv4

AK, SK, REGION = "AKIDTEST", "secret-test-key", "eu-central-1"
NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


def instance_xml(iid, tags, spot=False):
    tag_items = "".join("<item><key>%s</key><value>%s</value></item>" % kv for kv in tags.items())
    # EC2 sends instanceLifecycle only for spot (and scheduled) instances; on-demand has none.
    lifecycle = "<instanceLifecycle>spot</instanceLifecycle>" if spot else ""
    return "<item><instanceId>%s</instanceId>%s<tagSet>%s</tagSet></item>" % (iid, lifecycle, tag_items)


class FakeEc2(object):
    def __init__(self, instances, spot=()):
        self.instances = instances  # id -> tags
        self.spot = set(spot)       # ids of spot instances
        self.calls = []
        self.stopped = []
        self.terminated = []
        self.bad_signatures = 0
        self.fail_with = None       # HTTP status to answer Stop/TerminateInstances with
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                params = dict(urllib.parse.parse_qsl(body.decode("utf-8")))
                fake.calls.append(params)
                # Checked against the region named in the credential scope (AK/date/REGION/ec2/...).
                scope = self.headers.get("Authorization", "").split("Credential=", 1)[-1].split(",")[0].split("/")
                region = scope[2] if len(scope) > 2 else ""
                params["_region"] = region  # recorded with the call (the same dict is in fake.calls)
                expected = sigv4.sign("POST", fake.url, {"content-type": self.headers["Content-Type"]}, body,
                                      AK, SK, region, "ec2", self.headers["X-Amz-Date"])
                if self.headers["Authorization"] != expected["Authorization"] or self.headers["Host"] != expected["host"]:
                    fake.bad_signatures += 1
                    return self.reply(403, "<Response><Errors><Error><Code>SignatureDoesNotMatch</Code></Error></Errors></Response>")
                if params["Action"] == "DescribeInstances":
                    # Two pages: the first instance, then the rest (the fake ignores filters on purpose).
                    ids = sorted(fake.instances)
                    chunk, token = (ids[:1], "page2") if "NextToken" not in params else (ids[1:], "")
                    items = "".join(instance_xml(i, fake.instances[i], i in fake.spot) for i in chunk)
                    nxt = "<nextToken>%s</nextToken>" % token if token else ""
                    return self.reply(200, '<DescribeInstancesResponse xmlns="%s"><reservationSet><item>'
                                      '<instancesSet>%s</instancesSet></item></reservationSet>%s'
                                      '</DescribeInstancesResponse>' % (NS, items, nxt))
                if params["Action"] in ("StopInstances", "TerminateInstances") and fake.fail_with:
                    return self.reply(fake.fail_with, "<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                                      "</Error></Errors></Response>")
                if params["Action"] == "StopInstances":
                    iid = params["InstanceId.1"]
                    if iid in fake.spot:  # what EC2 says for a one-time spot instance
                        return self.reply(400, "<Response><Errors><Error><Code>UnsupportedOperation</Code>"
                                          "</Error></Errors></Response>")
                    fake.stopped.append(iid)
                    return self.reply(200, '<StopInstancesResponse xmlns="%s"/>' % NS)
                if params["Action"] == "TerminateInstances":
                    fake.terminated.append(params["InstanceId.1"])
                    return self.reply(200, '<TerminateInstancesResponse xmlns="%s"/>' % NS)
                return self.reply(400, "<Response/>")

            def reply(self, code, text):
                data = text.encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


MIXED = {
    "i-0hub": {"oomerfarm-farm": "demo", "oomerfarm-role": "hub", "Name": "demo-hub"},
    "i-1w": {"oomerfarm-farm": "demo", "oomerfarm-role": "worker", "Name": "demo-w1"},
    "i-2other": {"oomerfarm-farm": "other", "oomerfarm-role": "worker"},
    "i-3w": {"oomerfarm-farm": "demo", "oomerfarm-role": "worker", "Name": "demo-w2"},
    "i-4spot": {"oomerfarm-farm": "demo", "oomerfarm-role": "worker", "Name": "demo-w3"},
    "i-5otherspot": {"oomerfarm-farm": "other", "oomerfarm-role": "worker"},
    "i-6hubspot": {"oomerfarm-farm": "demo", "oomerfarm-role": "hub"},
}
SPOT = ("i-4spot", "i-5otherspot", "i-6hubspot")


class Ec2Remove(unittest.TestCase):
    def test_stops_on_demand_and_terminates_spot_workers_of_this_farm_only(self):
        fake = FakeEc2(dict(MIXED), spot=SPOT)
        try:
            logged = []
            removed, errors = aws_ec2.remove_farm_workers(fake.url, REGION, (AK, SK, None), "demo", logged.append)
        finally:
            fake.close()
        self.assertEqual(fake.bad_signatures, 0)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(fake.stopped), ["i-1w", "i-3w"])
        self.assertEqual(fake.terminated, ["i-4spot"])
        self.assertEqual(sorted(removed), ["i-1w", "i-3w", "i-4spot"])
        # Exactly one call per instance: no stop attempt on the spot worker, nothing else.
        actions = [(c["Action"], c.get("InstanceId.1")) for c in fake.calls if c["Action"] != "DescribeInstances"]
        self.assertEqual(sorted(actions), [("StopInstances", "i-1w"), ("StopInstances", "i-3w"),
                                           ("TerminateInstances", "i-4spot")])
        self.assertIn("terminated spot worker instance demo-w3 (i-4spot)", logged)
        self.assertIn("stopped worker instance demo-w1 (i-1w)", logged)
        first = fake.calls[0]
        self.assertEqual((first["Filter.1.Name"], first["Filter.1.Value.1"]), ("tag:oomerfarm-farm", "demo"))
        self.assertEqual((first["Filter.2.Name"], first["Filter.2.Value.1"]), ("tag:oomerfarm-role", "worker"))
        self.assertEqual(fake.calls[1].get("NextToken"), "page2")

    def test_dry_run_names_each_action_and_calls_none(self):
        fake = FakeEc2(dict(MIXED), spot=SPOT)
        try:
            logged = []
            removed, errors = aws_ec2.remove_farm_workers(fake.url, REGION, (AK, SK, None), "demo", logged.append, dry_run=True)
        finally:
            fake.close()
        self.assertEqual((removed, errors, fake.stopped, fake.terminated), ([], [], [], []))
        self.assertIn("dry run: would terminate spot worker instance demo-w3 (i-4spot)", logged)
        self.assertIn("dry run: would stop worker instance demo-w2 (i-3w)", logged)
        self.assertEqual(len(logged), 3)

    def test_wrong_secret_is_an_error_not_a_crash(self):
        fake = FakeEc2({"i-1w": {"oomerfarm-farm": "demo", "oomerfarm-role": "worker"}})
        try:
            removed, errors = aws_ec2.remove_farm_workers(fake.url, REGION, (AK, "wrong", None), "demo", lambda m: None)
        finally:
            fake.close()
        self.assertEqual(removed, [])
        self.assertIn("HTTP 403", errors[0])
        self.assertEqual(fake.stopped, [])


class GuardOnAws(unittest.TestCase):
    """One guard tick at the idle limit, CLOUD=aws with static keys, against the fake."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.fake = FakeEc2(dict(MIXED), spot=SPOT)

    def tearDown(self):
        self.fake.close()
        shutil.rmtree(self.dir)

    def tick(self, cfg, now):
        out = io.StringIO()
        with redirect_stdout(out):
            action = guard.run_once(cfg, now, ask_deadline=lambda c, log: 0)
        return action, out.getvalue()

    def test_api_error_is_logged_and_retried_next_run(self):
        state_file = os.path.join(self.dir, "idle-since")
        cfg = {"CLOUD": "aws", "FARM_NAME": "demo", "IDLE_MINUTES": 10.0, "AWS_REGION": REGION,
               "AWS_EC2_ENDPOINT": self.fake.url, "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK,
               "STATE_FILE": state_file}
        t0 = 1700000000.0
        for m in range(0, 10):
            self.assertEqual(self.tick(cfg, t0 + m * 60)[0], "wait")
        self.fake.fail_with = 503
        action, out = self.tick(cfg, t0 + 600)
        self.assertEqual(action, "delete")
        self.assertIn("cloud API error (will retry next run): %s: stop demo-w1 (i-1w): EC2 StopInstances: HTTP 503" % REGION, out)
        self.assertIn("terminate demo-w3 (i-4spot): EC2 TerminateInstances: HTTP 503", out)
        self.assertEqual((self.fake.stopped, self.fake.terminated), ([], []))
        with open(state_file) as f:
            self.assertEqual(json.load(f)["idle_since"], t0)  # not reset: the next run retries
        self.fake.fail_with = None
        action, out = self.tick(cfg, t0 + 660)
        self.assertEqual(action, "delete")
        self.assertNotIn("cloud API error", out)
        self.assertEqual(sorted(self.fake.stopped), ["i-1w", "i-3w"])
        self.assertEqual(self.fake.terminated, ["i-4spot"])
        with open(state_file) as f:
            self.assertEqual(json.load(f)["idle_since"], t0 + 660)  # clean removal: a fresh count
        self.assertEqual(self.fake.bad_signatures, 0)

    def test_every_listed_region_is_asked_and_signed_for(self):
        cfg = {"CLOUD": "aws", "FARM_NAME": "demo", "AWS_REGION": "eu-central-1, us-east-1",
               "AWS_EC2_ENDPOINT": self.fake.url, "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK}
        with redirect_stdout(io.StringIO()):
            removed, errors = guard.remove_workers(cfg)
        self.assertEqual(errors, [])
        self.assertEqual(self.fake.bad_signatures, 0)
        described = [c["_region"] for c in self.fake.calls if c["Action"] == "DescribeInstances" and "NextToken" not in c]
        self.assertEqual(described, ["eu-central-1", "us-east-1"])
        # The fake holds one set of instances for both regions, so each is removed once per region.
        self.assertEqual(sorted(removed), sorted(["i-1w", "i-3w", "i-4spot"] * 2))

    def test_a_region_that_is_not_a_name_is_a_config_error(self):
        cfg = {"CLOUD": "aws", "FARM_NAME": "demo", "AWS_REGION": "eu-central-1,evil.example/x",
               "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK}
        with self.assertRaises(guard.ConfigError):
            guard.remove_workers(cfg)
        self.assertEqual(self.fake.calls, [])


if __name__ == "__main__":
    unittest.main()
