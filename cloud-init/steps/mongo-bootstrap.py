#!/usr/bin/env python3
"""Create oomerfarm's MongoDB users on the hub; a re-run changes nothing.

MongoDB 6.0's server tarball ships no shell, and the hub must not download one, so this
speaks just enough of the wire protocol itself: OP_MSG (opcode 2013) carrying BSON, over
TLS, with SCRAM-SHA-256 authentication. Standard library only; runs on Python 3.6 (EL8's
/usr/libexec/platform-python).

1. Authenticate as the admin user. If that fails, create it through the localhost
   exception (allowed while the server has no users at all), then authenticate.
2. usersInfo the deadline user: create it if missing, fix its roles or password if they
   drifted, else do nothing.
"""

import argparse
import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct
import sys

OP_MSG = 2013
AUTH_FAILED = 18


class BootstrapError(Exception):
    pass


class CommandError(BootstrapError):
    def __init__(self, reply):
        self.code = reply.get("code")
        self.reply = reply
        BootstrapError.__init__(self, "%s (code %s)" % (reply.get("errmsg", "command failed"), self.code))


# ---------------------------------------------------------------- BSON
# Documents are dicts or lists of (key, value) pairs; pairs keep the order the server
# needs (the command name must come first) on any Python.

def _cstring(s):
    b = s.encode("utf-8")
    if b"\x00" in b:
        raise ValueError("NUL in BSON key")
    return b + b"\x00"


def _pairs(doc):
    return doc.items() if isinstance(doc, dict) else doc


def _is_pair_list(value):
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) for v in value)


def encode_document(doc):
    body = b"".join(_encode_element(k, v) for k, v in _pairs(doc))
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def _encode_element(key, value):
    name = _cstring(key)
    if isinstance(value, bool):  # before int: bool is an int subclass
        return b"\x08" + name + (b"\x01" if value else b"\x00")
    if isinstance(value, int):
        if -2 ** 31 <= value < 2 ** 31:
            return b"\x10" + name + struct.pack("<i", value)
        return b"\x12" + name + struct.pack("<q", value)
    if isinstance(value, float):
        return b"\x01" + name + struct.pack("<d", value)
    if isinstance(value, str):
        b = value.encode("utf-8")
        return b"\x02" + name + struct.pack("<i", len(b) + 1) + b + b"\x00"
    if isinstance(value, (bytes, bytearray)):
        return b"\x05" + name + struct.pack("<i", len(value)) + b"\x00" + bytes(value)
    if value is None:
        return b"\x0a" + name
    if isinstance(value, dict) or _is_pair_list(value):
        return b"\x03" + name + encode_document(value)
    if isinstance(value, list):
        return b"\x04" + name + encode_document([(str(i), v) for i, v in enumerate(value)])
    raise TypeError("cannot encode %r as BSON" % (type(value),))


def decode_document(data, offset=0):
    """Decode the document at data[offset:]; returns (dict, offset after it)."""
    (length,) = struct.unpack_from("<i", data, offset)
    end = offset + length
    if length < 5 or end > len(data) or data[end - 1:end] != b"\x00":
        raise ValueError("malformed BSON document")
    pos = offset + 4
    out = {}
    while pos < end - 1:
        etype = data[pos]
        nul = data.index(b"\x00", pos + 1)
        key = data[pos + 1:nul].decode("utf-8")
        pos = nul + 1
        out[key], pos = _decode_value(etype, data, pos)
    if pos != end - 1:
        raise ValueError("BSON document overran its length")
    return out, end


def _decode_value(etype, data, pos):
    if etype == 0x01:
        return struct.unpack_from("<d", data, pos)[0], pos + 8
    if etype == 0x02:
        (n,) = struct.unpack_from("<i", data, pos)
        return data[pos + 4:pos + 4 + n - 1].decode("utf-8"), pos + 4 + n
    if etype == 0x03:
        return decode_document(data, pos)
    if etype == 0x04:
        doc, end = decode_document(data, pos)
        return list(doc.values()), end
    if etype == 0x05:
        (n,) = struct.unpack_from("<i", data, pos)
        return bytes(data[pos + 5:pos + 5 + n]), pos + 5 + n
    if etype == 0x07:  # ObjectId
        return bytes(data[pos:pos + 12]), pos + 12
    if etype == 0x08:
        return data[pos] != 0, pos + 1
    if etype in (0x09, 0x12):  # UTC datetime (ms), int64
        return struct.unpack_from("<q", data, pos)[0], pos + 8
    if etype == 0x0A:
        return None, pos
    if etype == 0x10:
        return struct.unpack_from("<i", data, pos)[0], pos + 4
    if etype == 0x11:  # timestamp
        return struct.unpack_from("<Q", data, pos)[0], pos + 8
    if etype == 0x13:  # decimal128, kept raw
        return bytes(data[pos:pos + 16]), pos + 16
    if etype in (0x7F, 0xFF):  # max/min key
        return None, pos
    raise ValueError("unsupported BSON type 0x%02x" % etype)


# ---------------------------------------------------------------- OP_MSG

def encode_op_msg(request_id, body, response_to=0):
    """Header (length, requestID, responseTo, opCode), flagBits 0, one kind-0 section."""
    payload = struct.pack("<I", 0) + b"\x00" + encode_document(body)
    return struct.pack("<iiii", 16 + len(payload), request_id, response_to, OP_MSG) + payload


def decode_op_msg(message):
    """Returns (request_id, response_to, body dict) of one complete OP_MSG."""
    length, request_id, response_to, opcode = struct.unpack_from("<iiii", message, 0)
    if opcode != OP_MSG or length != len(message):
        raise ValueError("not a complete OP_MSG (opcode %d, length %d/%d)" % (opcode, length, len(message)))
    (flags,) = struct.unpack_from("<I", message, 16)
    end = length - 4 if flags & 1 else length  # bit 0: CRC-32C checksum at the end
    pos = 20
    body = None
    while pos < end:
        kind = message[pos]
        pos += 1
        if kind == 0:
            body, pos = decode_document(message, pos)
        elif kind == 1:  # document sequence: skip, commands we send never get one back
            (size,) = struct.unpack_from("<i", message, pos)
            pos += size
        else:
            raise ValueError("unknown OP_MSG section kind %d" % kind)
    if body is None:
        raise ValueError("OP_MSG without a body section")
    return request_id, response_to, body


def _recv_exact(sock, n):
    chunks = []
    while n:
        chunk = sock.recv(n)
        if not chunk:
            raise BootstrapError("connection closed by server")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_message(sock):
    header = _recv_exact(sock, 16)
    (length,) = struct.unpack_from("<i", header, 0)
    if length < 21 or length > 48 * 1024 * 1024:
        raise BootstrapError("bad message length %d" % length)
    return header + _recv_exact(sock, length - 16)


# ---------------------------------------------------------------- SCRAM-SHA-256

def _xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def _hmac(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()


def _check_password(password):
    # SASLprep maps printable ASCII to itself; our generated passwords are printable ASCII,
    # and refusing anything else beats implementing stringprep tables here.
    if not password or any(not (0x21 <= ord(c) <= 0x7E) for c in password):
        raise BootstrapError("passwords must be non-empty printable ASCII without spaces")


class Scram(object):
    """Client side of SCRAM-SHA-256 (RFC 5802 / RFC 7677), no channel binding."""

    def __init__(self, user, password, nonce=None):
        _check_password(password)
        self.user = user.replace("=", "=3D").replace(",", "=2C")
        self.password = password
        self.nonce = nonce or base64.b64encode(os.urandom(24)).decode("ascii")
        self.client_first_bare = "n=%s,r=%s" % (self.user, self.nonce)
        self.server_signature = None

    def client_first(self):
        return "n,," + self.client_first_bare

    def client_final(self, server_first):
        fields = dict(item.split("=", 1) for item in server_first.split(","))
        if not fields.get("r", "").startswith(self.nonce):
            raise BootstrapError("SCRAM: server nonce does not extend ours")
        salt = base64.b64decode(fields["s"])
        iterations = int(fields["i"])
        if iterations < 4096:
            raise BootstrapError("SCRAM: iteration count %d too low" % iterations)
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode("utf-8"), salt, iterations)
        client_key = _hmac(salted, b"Client Key")
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = "c=biws,r=" + fields["r"]
        auth_message = ",".join([self.client_first_bare, server_first, without_proof]).encode("utf-8")
        proof = _xor(client_key, _hmac(stored_key, auth_message))
        self.server_signature = base64.b64encode(_hmac(_hmac(salted, b"Server Key"), auth_message)).decode("ascii")
        return without_proof + ",p=" + base64.b64encode(proof).decode("ascii")

    def verify_server_final(self, server_final):
        fields = dict(item.split("=", 1) for item in server_final.split(",") if "=" in item)
        if "e" in fields:
            raise BootstrapError("SCRAM: server error %s" % fields["e"])
        if not hmac.compare_digest(fields.get("v", ""), self.server_signature or ""):
            raise BootstrapError("SCRAM: server signature mismatch")


# ---------------------------------------------------------------- connection

class Connection(object):
    def __init__(self, sock):
        self.sock = sock
        self.request_id = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def command(self, db, body):
        """Run one command; returns the reply, raises CommandError unless ok == 1."""
        self.request_id += 1
        doc = list(_pairs(body)) + [("$db", db)]
        self.sock.sendall(encode_op_msg(self.request_id, doc))
        _, response_to, reply = decode_op_msg(read_message(self.sock))
        if response_to != self.request_id:
            raise BootstrapError("reply to request %d, expected %d" % (response_to, self.request_id))
        if reply.get("ok") != 1:
            raise CommandError(reply)
        return reply

    def authenticate(self, user, password, db="admin"):
        scram = Scram(user, password)
        reply = self.command(db, [("saslStart", 1), ("mechanism", "SCRAM-SHA-256"),
                                  ("payload", scram.client_first().encode("utf-8")),
                                  ("autoAuthorize", 1), ("options", {"skipEmptyExchange": True})])
        final = scram.client_final(reply["payload"].decode("utf-8"))
        reply = self.command(db, [("saslContinue", 1), ("conversationId", reply["conversationId"]),
                                  ("payload", final.encode("utf-8"))])
        scram.verify_server_final(reply["payload"].decode("utf-8"))
        while not reply.get("done"):
            reply = self.command(db, [("saslContinue", 1), ("conversationId", reply["conversationId"]),
                                      ("payload", b"")])


def connect(host, port, ca, cert, tls_name, timeout=30):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(cert)
    sock = socket.create_connection((host, port), timeout=timeout)
    # Dial loopback (localhost exception) but verify the certificate for the overlay name.
    try:
        return Connection(ctx.wrap_socket(sock, server_hostname=tls_name))
    except Exception:
        sock.close()
        raise


# ---------------------------------------------------------------- users

def _roles_key(roles):
    return sorted((r["role"], r["db"]) for r in roles)


def ensure_admin(open_conn, user, password):
    """Returns an authenticated connection; creates the admin user on first boot."""
    conn = open_conn()
    try:
        conn.authenticate(user, password)
        return conn, False
    except CommandError as e:
        conn.close()
        if e.code != AUTH_FAILED:
            raise
    except Exception:
        conn.close()
        raise
    conn = open_conn()  # fresh connection: no half-finished SASL conversation
    try:
        conn.command("admin", [("createUser", user), ("pwd", password),
                               ("roles", [{"role": "root", "db": "admin"}])])
        conn.authenticate(user, password)
    except CommandError as e:
        conn.close()
        raise BootstrapError("cannot authenticate as %s and cannot create it (%s): the user exists with "
                             "another password, or other users exist already" % (user, e))
    except Exception:
        conn.close()
        raise
    return conn, True


def ensure_user(conn, open_conn, user, password, roles):
    """Create or converge USER in admin; returns 'created', 'updated' or 'unchanged'."""
    info = conn.command("admin", [("usersInfo", {"user": user, "db": "admin"})])
    if not info.get("users"):
        conn.command("admin", [("createUser", user), ("pwd", password), ("roles", roles)])
        return "created"
    changes = []
    if _roles_key(info["users"][0].get("roles", [])) != _roles_key(roles):
        changes.append(("roles", roles))
    probe = open_conn()  # does the stored password still match ours?
    try:
        probe.authenticate(user, password)
    except CommandError as e:
        if e.code != AUTH_FAILED:
            raise
        changes.append(("pwd", password))
    finally:
        probe.close()
    if not changes:
        return "unchanged"
    conn.command("admin", [("updateUser", user)] + changes)
    return "updated"


def read_password(path):
    with open(path) as f:
        value = f.read().strip()
    _check_password(value)
    return value


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls-name", required=True, help="name/IP the server certificate is issued for")
    p.add_argument("--ca", default="/etc/oomerfarm/tls/ca.crt")
    p.add_argument("--cert", required=True, help="client certificate + key, PEM")
    p.add_argument("--admin-user", default="oomerfarm-admin")
    p.add_argument("--admin-password-file", default="/etc/oomerfarm/secrets/mongodb-admin.password")
    p.add_argument("--deadline-user", default="deadline")
    p.add_argument("--deadline-password-file", default="/etc/oomerfarm/secrets/mongodb-deadline.password")
    p.add_argument("--deadline-db", default="deadline10db")
    args = p.parse_args(argv)

    def open_conn():
        return connect(args.host, args.port, args.ca, args.cert, args.tls_name)

    try:
        admin_pw = read_password(args.admin_password_file)
        deadline_pw = read_password(args.deadline_password_file)
        conn, created = ensure_admin(open_conn, args.admin_user, admin_pw)
        print("mongo-bootstrap: user %s %s" % (args.admin_user, "created" if created else "unchanged"))
        roles = [{"role": "readWrite", "db": args.deadline_db}, {"role": "dbAdmin", "db": args.deadline_db}]
        try:
            state = ensure_user(conn, open_conn, args.deadline_user, deadline_pw, roles)
        finally:
            conn.close()
        print("mongo-bootstrap: user %s %s" % (args.deadline_user, state))
    except (BootstrapError, OSError, ssl.SSLError, ValueError) as e:
        print("mongo-bootstrap: ERROR: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
