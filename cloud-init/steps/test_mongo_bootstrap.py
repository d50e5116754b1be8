"""Unit tests for mongo-bootstrap.py (stdlib unittest; must pass on Python 3.6).

Run: python3 -m unittest discover -s cloud-init/steps -p 'test_mongo_bootstrap.py'
The end-to-end tests run the bootstrap against a small fake mongod (TLS + OP_MSG +
server-side SCRAM-SHA-256 + users with the localhost exception) on loopback, with
certificates made by the openssl command line.
"""

import base64
import hashlib
import hmac
import importlib.util
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("mongo_bootstrap", os.path.join(HERE, "mongo-bootstrap.py"))
mb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mb)


class BsonTest(unittest.TestCase):
    # The two examples published on bsonspec.org.
    def test_hello_world(self):
        self.assertEqual(mb.encode_document({"hello": "world"}),
                         b"\x16\x00\x00\x00\x02hello\x00\x06\x00\x00\x00world\x00\x00")

    def test_array_double_int(self):
        want = (b"\x31\x00\x00\x00\x04BSON\x00\x26\x00\x00\x00\x020\x00\x08\x00\x00\x00awesome\x00"
                b"\x011\x00\x33\x33\x33\x33\x33\x33\x14\x40\x102\x00\xc2\x07\x00\x00\x00\x00")
        self.assertEqual(mb.encode_document({"BSON": ["awesome", 5.05, 1986]}), want)
        self.assertEqual(mb.decode_document(want), ({"BSON": ["awesome", 5.05, 1986]}, len(want)))

    def test_round_trip_all_types(self):
        doc = [("createUser", "deadline"), ("n", -5), ("big", 2 ** 40), ("t", True), ("f", False),
               ("none", None), ("bin", b"\x00\x01binary"), ("sub", {"a": {"b": [1, "x", {"c": 2.5}]}}),
               ("empty", []), ("utf8", "h\u00e9llo")]
        data = mb.encode_document(doc)
        decoded, end = mb.decode_document(data)
        self.assertEqual(end, len(data))
        self.assertEqual(list(decoded.items()), doc)
        self.assertEqual(list(decoded)[0], "createUser")  # command name stays first

    def test_int_widths(self):
        self.assertEqual(mb.encode_document({"i": 2 ** 31 - 1})[4], 0x10)
        self.assertEqual(mb.encode_document({"i": 2 ** 31})[4], 0x12)
        self.assertEqual(mb.encode_document({"i": True})[4], 0x08)

    def test_rejects_malformed(self):
        good = mb.encode_document({"a": "b"})
        with self.assertRaises(ValueError):
            mb.decode_document(good[:-1])
        with self.assertRaises(ValueError):
            mb.decode_document(good[:-1] + b"\x01")
        with self.assertRaises(TypeError):
            mb.encode_document({"a": object()})


class OpMsgTest(unittest.TestCase):
    def test_frame_layout(self):
        msg = mb.encode_op_msg(7, [("ping", 1), ("$db", "admin")])
        length, req, resp, opcode = struct.unpack_from("<iiii", msg)
        self.assertEqual((length, req, resp, opcode), (len(msg), 7, 0, 2013))
        self.assertEqual(msg[16:21], b"\x00\x00\x00\x00\x00")  # flagBits 0, section kind 0
        self.assertEqual(msg[21:], mb.encode_document([("ping", 1), ("$db", "admin")]))
        self.assertEqual(mb.decode_op_msg(msg), (7, 0, {"ping": 1, "$db": "admin"}))

    def test_checksum_flag_and_length(self):
        body = mb.encode_document({"ok": 1.0})
        payload = struct.pack("<I", 1) + b"\x00" + body + b"CRC!"
        msg = struct.pack("<iiii", 16 + len(payload), 3, 9, 2013) + payload
        self.assertEqual(mb.decode_op_msg(msg), (3, 9, {"ok": 1.0}))
        with self.assertRaises(ValueError):
            mb.decode_op_msg(msg[:-1])


class ScramTest(unittest.TestCase):
    def test_rfc7677_example(self):
        s = mb.Scram("user", "pencil", nonce="rOprNGfwEbeRWgbNEkqO")
        self.assertEqual(s.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        final = s.client_final("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                               "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        self.assertEqual(final, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        s.verify_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        with self.assertRaises(mb.BootstrapError):
            s.verify_server_final("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")

    def test_refuses_foreign_nonce_and_odd_passwords(self):
        s = mb.Scram("user", "pencil", nonce="abc")
        with self.assertRaises(mb.BootstrapError):
            s.client_final("r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        with self.assertRaises(mb.BootstrapError):
            mb.Scram("user", "has space")

    def test_username_escaping(self):
        self.assertEqual(mb.Scram("a=b,c", "pw", nonce="n").client_first(), "n,,n=a=3Db=2Cc,r=n")


# ---------------------------------------------------------------- fake mongod

class FakeMongod(object):
    """Just enough of mongod for the bootstrap: SCRAM-SHA-256, createUser/updateUser/usersInfo,
    auth required for everything except createUser while no user exists (localhost exception)."""

    def __init__(self, certfile, cafile):
        self.users = {}  # name -> {"pwd": ..., "roles": [...]}
        self.calls = []
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if hasattr(ssl, "PROTOCOL_TLS_SERVER") else ssl.PROTOCOL_TLS)
        ctx.load_cert_chain(certfile)
        ctx.load_verify_locations(cafile)
        ctx.verify_mode = ssl.CERT_REQUIRED  # like net.tls.CAFile without allowConnectionsWithoutCertificates
        self.ctx = ctx
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve)
        self.thread.daemon = True
        self.thread.start()

    def _serve(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            t = threading.Thread(target=self._client, args=(raw,))
            t.daemon = True
            t.start()

    def _client(self, raw):
        try:
            sock = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        state = {"user": None, "sasl": None}
        try:
            while True:
                req_id, _, body = mb.decode_op_msg(mb.read_message(sock))
                reply = self._handle(state, body)
                payload = struct.pack("<I", 0) + b"\x00" + mb.encode_document(reply)
                sock.sendall(struct.pack("<iiii", 16 + len(payload), 1000 + req_id, req_id, 2013) + payload)
        except (mb.BootstrapError, OSError, ValueError):
            pass
        finally:
            sock.close()

    def _handle(self, state, body):
        name = next(iter(body))
        self.calls.append(name)
        if name == "saslStart":
            return self._sasl_start(state, body)
        if name == "saslContinue":
            return self._sasl_continue(state, body)
        if name == "createUser" and not self.users and body.get("$db") == "admin":
            pass  # localhost exception
        elif state["user"] is None:
            return {"ok": 0.0, "errmsg": "command %s requires authentication" % name, "code": 13}
        if name == "createUser":
            if body["createUser"] in self.users:
                return {"ok": 0.0, "errmsg": "User already exists", "code": 51003}
            self.users[body["createUser"]] = {"pwd": body["pwd"], "roles": body["roles"]}
            return {"ok": 1.0}
        if name == "updateUser":
            u = self.users[body["updateUser"]]
            for k in ("pwd", "roles"):
                if k in body:
                    u[k] = body[k]
            return {"ok": 1.0}
        if name == "usersInfo":
            q = body["usersInfo"]["user"]
            found = [{"user": q, "db": "admin", "roles": self.users[q]["roles"]}] if q in self.users else []
            return {"users": found, "ok": 1.0}
        return {"ok": 0.0, "errmsg": "no such command: %s" % name, "code": 59}

    def _sasl_start(self, state, body):
        first = body["payload"].decode()
        assert body["mechanism"] == "SCRAM-SHA-256" and first.startswith("n,,")
        fields = dict(kv.split("=", 1) for kv in first[3:].split(","))
        user = self.users.get(fields["n"])
        if user is None:
            return {"ok": 0.0, "errmsg": "Authentication failed.", "code": 18}
        salt = os.urandom(16)
        server_first = "r=%s%s,s=%s,i=4096" % (fields["r"], "SRVNONCE", base64.b64encode(salt).decode())
        state["sasl"] = (fields["n"], first[3:], server_first, salt)
        return {"conversationId": 1, "done": False, "payload": server_first.encode(), "ok": 1.0}

    def _sasl_continue(self, state, body):
        if state["sasl"] is None:
            return {"ok": 1.0, "conversationId": 1, "done": True, "payload": b""}
        name, client_first_bare, server_first, salt = state["sasl"]
        final = body["payload"].decode()
        without_proof, proof = final.rsplit(",p=", 1)
        salted = hashlib.pbkdf2_hmac("sha256", self.users[name]["pwd"].encode(), salt, 4096)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        auth = ",".join([client_first_bare, server_first, without_proof]).encode()
        sig = hmac.new(hashlib.sha256(client_key).digest(), auth, hashlib.sha256).digest()
        if base64.b64decode(proof) != bytes(a ^ b for a, b in zip(client_key, sig)):
            state["sasl"] = None
            return {"ok": 0.0, "errmsg": "Authentication failed.", "code": 18}
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        v = base64.b64encode(hmac.new(server_key, auth, hashlib.sha256).digest()).decode()
        state["user"], state["sasl"] = name, None
        # Not done yet: make the client send the final empty saslContinue, as mongod may.
        return {"conversationId": 1, "done": False, "payload": ("v=" + v).encode(), "ok": 1.0}

    def close(self):
        self.listener.close()


def _openssl(*args):
    subprocess.check_call(("openssl",) + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@unittest.skipUnless(shutil.which("openssl"), "openssl command not found")
class BootstrapEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        d = cls.dir = tempfile.mkdtemp()
        p = lambda n: os.path.join(d, n)  # noqa: E731
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.crt"),
                 "-days", "2", "-subj", "/CN=test farm CA")
        ext = p("ext.cnf")
        with open(ext, "w") as f:
            f.write("[srv]\nsubjectAltName=IP:10.87.0.1\nextendedKeyUsage=serverAuth,clientAuth\n"
                    "[cli]\nextendedKeyUsage=clientAuth\n")
        for name, section in (("server", "srv"), ("client", "cli")):
            _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p(name + ".key"), "-out", p(name + ".csr"),
                     "-subj", "/CN=" + name)
            _openssl("x509", "-req", "-in", p(name + ".csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
                     "-CAcreateserial", "-days", "2", "-extfile", ext, "-extensions", section,
                     "-out", p(name + ".crt"))
            with open(p(name + ".pem"), "w") as out:
                for part in (name + ".crt", name + ".key"):
                    with open(p(part)) as f:
                        out.write(f.read())
        for name, value in (("admin.pw", "Adm1n-secret_pw"), ("deadline.pw", "Dl-secret-pw42")):
            with open(p(name), "w") as f:
                f.write(value + "\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def setUp(self):
        self.server = FakeMongod(self.path("server.pem"), self.path("ca.crt"))

    def tearDown(self):
        self.server.close()

    def path(self, name):
        return os.path.join(self.dir, name)

    def run_bootstrap(self, tls_name="10.87.0.1", cert="client.pem"):
        return mb.main(["--port", str(self.server.port), "--tls-name", tls_name, "--ca", self.path("ca.crt"),
                        "--cert", self.path(cert), "--admin-password-file", self.path("admin.pw"),
                        "--deadline-password-file", self.path("deadline.pw")])

    def test_first_run_creates_users_second_run_is_noop(self):
        self.assertEqual(self.run_bootstrap(), 0)
        users = self.server.users
        self.assertEqual(sorted(users), ["deadline", "oomerfarm-admin"])
        self.assertEqual(users["oomerfarm-admin"]["roles"], [{"role": "root", "db": "admin"}])
        self.assertEqual(users["deadline"]["pwd"], "Dl-secret-pw42")
        self.assertEqual(sorted((r["role"], r["db"]) for r in users["deadline"]["roles"]),
                         [("dbAdmin", "deadline10db"), ("readWrite", "deadline10db")])
        self.server.calls[:] = []
        self.assertEqual(self.run_bootstrap(), 0)
        self.assertNotIn("createUser", self.server.calls)
        self.assertNotIn("updateUser", self.server.calls)
        self.assertIn("usersInfo", self.server.calls)

    def test_drifted_deadline_password_is_fixed(self):
        self.assertEqual(self.run_bootstrap(), 0)
        self.server.users["deadline"]["pwd"] = "someone-changed-it"
        self.assertEqual(self.run_bootstrap(), 0)
        self.assertEqual(self.server.users["deadline"]["pwd"], "Dl-secret-pw42")

    def test_admin_with_other_password_fails_clearly(self):
        self.server.users["oomerfarm-admin"] = {"pwd": "not-our-password", "roles": []}
        self.assertEqual(self.run_bootstrap(), 1)
        self.assertNotIn("deadline", self.server.users)

    def test_certificate_name_is_checked(self):
        self.assertEqual(self.run_bootstrap(tls_name="10.87.0.2"), 1)
        self.assertEqual(self.server.users, {})

    def test_client_certificate_is_required(self):
        # A client cert the server's CA did not sign is refused at the handshake.
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.path("rogue.key"),
                 "-out", self.path("rogue.crt"), "-days", "2", "-subj", "/CN=rogue")
        with open(self.path("rogue.pem"), "w") as out:
            for part in ("rogue.crt", "rogue.key"):
                with open(self.path(part)) as f:
                    out.write(f.read())
        self.assertEqual(self.run_bootstrap(cert="rogue.pem"), 1)
        self.assertEqual(self.server.users, {})


if __name__ == "__main__":
    print("python", sys.version.split()[0], file=sys.stderr)
    unittest.main()
