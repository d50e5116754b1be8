"""AWS Signature Version 4 for one request, and the instance-profile credentials it signs
with (IMDSv2); stdlib only (Python 3.6). Shared by the idle guard and the AWS payload fetch.

Checked in tests against the worked example in AWS's SigV4 documentation (IAM ListUsers,
AKIDEXAMPLE, 20150830T123600Z).
"""
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request


def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key, datestamp, region, service):
    k = _hmac(("AWS4" + secret_key).encode("utf-8"), datestamp)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def _canonical_query(query):
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    encoded = sorted((urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join("%s=%s" % kv for kv in encoded)


def sign(method, url, headers, body, access_key, secret_key, region, service, amz_date, session_token=None):
    """Return a new headers dict with x-amz-date (and the session token) and Authorization.

    amz_date: "YYYYMMDDTHHMMSSZ" (UTC). headers must include nothing that changes in transit.
    """
    parts = urllib.parse.urlsplit(url)
    headers = dict(headers)
    headers["host"] = parts.netloc
    headers["x-amz-date"] = amz_date
    if session_token:
        headers["x-amz-security-token"] = session_token
    lower = dict((k.lower(), " ".join(str(v).strip().split())) for k, v in headers.items())
    signed = sorted(lower)
    canonical_headers = "".join("%s:%s\n" % (k, lower[k]) for k in signed)
    signed_headers = ";".join(signed)
    payload_hash = hashlib.sha256(body or b"").hexdigest()
    canonical_request = "\n".join([
        method, urllib.parse.quote(parts.path or "/", safe="/-_.~"), _canonical_query(parts.query),
        canonical_headers, signed_headers, payload_hash,
    ])
    datestamp = amz_date[:8]
    scope = "%s/%s/%s/aws4_request" % (datestamp, region, service)
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ])
    signature = hmac.new(signing_key(secret_key, datestamp, region, service),
                         string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        access_key, scope, signed_headers, signature)
    return headers


def imds_credentials(base, timeout=5):
    """(access_key, secret_key, session_token) of the instance profile, via IMDSv2.

    Raises urllib.error.URLError (or OSError/ValueError/KeyError) when they are not there yet.
    """
    base = base.rstrip("/")
    req = urllib.request.Request(base + "/latest/api/token", method="PUT",
                                 headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        token = resp.read().decode("ascii")
    hdr = {"X-aws-ec2-metadata-token": token}
    path = base + "/latest/meta-data/iam/security-credentials/"
    with urllib.request.urlopen(urllib.request.Request(path, headers=hdr), timeout=timeout) as resp:
        role = resp.read().decode("utf-8").split("\n")[0].strip()
    if not role:
        raise urllib.error.URLError("no instance profile role yet")
    with urllib.request.urlopen(urllib.request.Request(path + role, headers=hdr), timeout=timeout) as resp:
        data = json.loads(resp.read().decode("utf-8"))
    return data["AccessKeyId"], data["SecretAccessKey"], data.get("Token")
