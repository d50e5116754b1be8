"""A local stand-in for the Hetzner Cloud API: /v1/servers with label selectors, pagination,
bearer-token checks, and a record of every DELETE. Only what the idle guard uses."""
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer


class FakeHetzner(object):
    def __init__(self, token, servers, page_size=2):
        self.token = token
        self.servers = list(servers)
        self.page_size = page_size      # the real API allows up to 50; small pages test paging
        self.deleted = []
        self.requests = []              # (method, path, query dict)
        self.ignore_selector = False    # misbehave: return every server whatever the selector
        self.fail_with = None           # HTTP status to answer everything with
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, code, payload):
                body = json.dumps(payload).encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _common(self, method):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                fake.requests.append((method, parts.path, query))
                if self.headers.get("Authorization") != "Bearer " + fake.token:
                    self._send(401, {"error": {"code": "unauthorized", "message": "bad token"}})
                    return None
                if fake.fail_with:
                    self._send(fake.fail_with, {"error": {"code": "server_error", "message": "boom"}})
                    return None
                return parts.path, query

            def do_GET(self):
                got = self._common("GET")
                if not got:
                    return
                path, query = got
                if path != "/v1/servers":
                    self._send(404, {"error": {"code": "not_found", "message": path}})
                    return
                matches = [s for s in fake.servers if fake.ignore_selector or selects(query.get("label_selector", ""), s)]
                page = int(query.get("page", "1"))
                per_page = min(int(query.get("per_page", "25")), fake.page_size)
                chunk = matches[(page - 1) * per_page: page * per_page]
                last = max(1, (len(matches) + per_page - 1) // per_page)
                self._send(200, {"servers": chunk, "meta": {"pagination": {
                    "page": page, "per_page": per_page, "previous_page": page - 1 or None,
                    "next_page": page + 1 if page < last else None, "last_page": last,
                    "total_entries": len(matches)}}})

            def do_DELETE(self):
                got = self._common("DELETE")
                if not got:
                    return
                path, _ = got
                sid = path.rsplit("/", 1)[-1]
                for s in fake.servers:
                    if path.startswith("/v1/servers/") and str(s["id"]) == sid:
                        fake.servers.remove(s)
                        fake.deleted.append(s["id"])
                        self._send(200, {"action": {"id": 1, "command": "delete_server", "status": "running"}})
                        return
                self._send(404, {"error": {"code": "not_found", "message": "no server " + sid}})

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/v1" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def selects(selector, server):
    """Equality terms only (k=v, comma = AND), as the guard sends."""
    labels = server.get("labels") or {}
    for term in filter(None, selector.split(",")):
        key, _, value = term.partition("=")
        if labels.get(key) != value:
            return False
    return True


def server(sid, name, farm, role):
    return {"id": sid, "name": name, "status": "running", "labels": {"oomerfarm-farm": farm, "oomerfarm-role": role}}
