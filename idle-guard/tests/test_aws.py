"""EC2 StopInstances against a local fake of the EC2 Query API that checks every signature."""
import threading
import unittest
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import _path  # noqa: F401
import aws_ec2
import sigv4

AK, SK, REGION = "AKIDTEST", "secret-test-key", "eu-central-1"
NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


def instance_xml(iid, tags):
    tag_items = "".join("<item><key>%s</key><value>%s</value></item>" % kv for kv in tags.items())
    return "<item><instanceId>%s</instanceId><tagSet>%s</tagSet></item>" % (iid, tag_items)


class FakeEc2(object):
    def __init__(self, instances):
        self.instances = instances  # id -> tags
        self.calls = []
        self.stopped = []
        self.bad_signatures = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                params = dict(urllib.parse.parse_qsl(body.decode("utf-8")))
                fake.calls.append(params)
                expected = sigv4.sign("POST", fake.url, {"content-type": self.headers["Content-Type"]}, body,
                                      AK, SK, REGION, "ec2", self.headers["X-Amz-Date"])
                if self.headers["Authorization"] != expected["Authorization"] or self.headers["Host"] != expected["host"]:
                    fake.bad_signatures += 1
                    return self.reply(403, "<Response><Errors><Error><Code>SignatureDoesNotMatch</Code></Error></Errors></Response>")
                if params["Action"] == "DescribeInstances":
                    # Two pages: the first instance, then the rest (the fake ignores filters on purpose).
                    ids = sorted(fake.instances)
                    chunk, token = (ids[:1], "page2") if "NextToken" not in params else (ids[1:], "")
                    items = "".join(instance_xml(i, fake.instances[i]) for i in chunk)
                    nxt = "<nextToken>%s</nextToken>" % token if token else ""
                    return self.reply(200, '<DescribeInstancesResponse xmlns="%s"><reservationSet><item>'
                                      '<instancesSet>%s</instancesSet></item></reservationSet>%s'
                                      '</DescribeInstancesResponse>' % (NS, items, nxt))
                if params["Action"] == "StopInstances":
                    fake.stopped.append(params["InstanceId.1"])
                    return self.reply(200, '<StopInstancesResponse xmlns="%s"/>' % NS)
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


class Ec2Stop(unittest.TestCase):
    def test_stops_only_this_farms_workers_with_signed_requests(self):
        fake = FakeEc2({
            "i-0hub": {"oomerfarm-farm": "demo", "oomerfarm-role": "hub", "Name": "demo-hub"},
            "i-1w": {"oomerfarm-farm": "demo", "oomerfarm-role": "worker", "Name": "demo-w1"},
            "i-2other": {"oomerfarm-farm": "other", "oomerfarm-role": "worker"},
            "i-3w": {"oomerfarm-farm": "demo", "oomerfarm-role": "worker", "Name": "demo-w2"},
        })
        try:
            logged = []
            stopped, errors = aws_ec2.stop_farm_workers(fake.url, REGION, (AK, SK, None), "demo", logged.append)
        finally:
            fake.close()
        self.assertEqual(fake.bad_signatures, 0)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(fake.stopped), ["i-1w", "i-3w"])
        self.assertEqual(sorted(stopped), ["i-1w", "i-3w"])
        first = fake.calls[0]
        self.assertEqual((first["Filter.1.Name"], first["Filter.1.Value.1"]), ("tag:oomerfarm-farm", "demo"))
        self.assertEqual((first["Filter.2.Name"], first["Filter.2.Value.1"]), ("tag:oomerfarm-role", "worker"))
        self.assertEqual(fake.calls[1].get("NextToken"), "page2")

    def test_wrong_secret_is_an_error_not_a_crash(self):
        fake = FakeEc2({"i-1w": {"oomerfarm-farm": "demo", "oomerfarm-role": "worker"}})
        try:
            stopped, errors = aws_ec2.stop_farm_workers(fake.url, REGION, (AK, "wrong", None), "demo", lambda m: None)
        finally:
            fake.close()
        self.assertEqual(stopped, [])
        self.assertIn("HTTP 403", errors[0])
        self.assertEqual(fake.stopped, [])


if __name__ == "__main__":
    unittest.main()
