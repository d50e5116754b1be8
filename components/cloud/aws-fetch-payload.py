#!/usr/bin/env python3
"""Fetch this host's boot payload from the farm's private S3 bucket (AWS hosts only).

EC2 user data holds 16 KB, too little for the payload (our open boot code), so the stack
stores it as an S3 object and the user data pins its sha256. This runs from cloud-init's
runcmd before the payload is unpacked: instance-profile credentials from IMDSv2, a SigV4
GET (sigv4.py next to this file, shared with the idle guard), the sha256 check, then an
atomic rename. Stdlib only, Python 3.6 (EL8's platform-python).

Retries 403/404/network errors until --deadline (a new instance profile takes a while to
become usable); a sha256 mismatch fails at once. On failure it writes `fetch-payload` to
STATE_DIR/failed-step and a line to LOG_DIR/boot.log, which the readiness wait reports.
Overrides for tests: OOMERFARM_IMDS_URL, OOMERFARM_S3_ENDPOINT (path-style),
OOMERFARM_STATE_DIR, OOMERFARM_LOG_DIR, OOMERFARM_FETCH_RETRY_SECONDS.
"""
import argparse
import datetime
import hashlib
import os
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigv4  # noqa: E402

STEP = "fetch-payload"


class Fatal(Exception):
    pass


def log(msg):
    line = "oomerfarm: step %s: %s" % (STEP, msg)
    print(line, flush=True)
    log_dir = os.environ.get("OOMERFARM_LOG_DIR", "/var/log/oomerfarm")
    try:
        os.makedirs(log_dir, exist_ok=True)
        with open(os.path.join(log_dir, "boot.log"), "a") as f:
            f.write(line + "\n")
    except OSError:
        pass


def object_url(bucket, region, key):
    endpoint = os.environ.get("OOMERFARM_S3_ENDPOINT")
    if endpoint:
        return "%s/%s/%s" % (endpoint.rstrip("/"), bucket, key)
    return "https://%s.s3.%s.amazonaws.com/%s" % (bucket, region, key)


def get_object(url, region, creds, now=None):
    amz_date = (now or datetime.datetime.utcnow()).strftime("%Y%m%dT%H%M%SZ")
    empty = hashlib.sha256(b"").hexdigest()
    headers = sigv4.sign("GET", url, {"x-amz-content-sha256": empty}, b"",
                         creds[0], creds[1], region, "s3", amz_date, creds[2])
    headers.pop("host", None)  # urllib sends the same Host itself
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as resp:
        return resp.read()


def fetch(args):
    imds = os.environ.get("OOMERFARM_IMDS_URL", "http://169.254.169.254").rstrip("/")
    url = object_url(args.bucket, args.region, args.key)
    pause = float(os.environ.get("OOMERFARM_FETCH_RETRY_SECONDS", "5"))
    give_up = time.time() + args.deadline
    attempt = 0
    while True:
        attempt += 1
        try:
            body = get_object(url, args.region, sigv4.imds_credentials(imds))
            break
        except urllib.error.HTTPError as e:
            why = "HTTP %d from %s" % (e.code, url if e.code != 403 else "S3 (instance profile not usable yet?)")
        except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
            why = str(e)
        if time.time() >= give_up:
            raise Fatal("gave up after %d attempts: %s" % (attempt, why))
        log("attempt %d: %s; retrying" % (attempt, why))
        time.sleep(pause)
    digest = hashlib.sha256(body).hexdigest()
    if digest != args.sha256:
        raise Fatal("sha256 mismatch for s3://%s/%s: got %s, pinned %s" % (args.bucket, args.key, digest, args.sha256))
    tmp = args.out + ".part"
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(tmp, "wb") as f:
        f.write(body)
    os.chmod(tmp, 0o600)
    os.rename(tmp, args.out)
    log("ok (%d bytes, sha256 %s)" % (len(body), digest))


def main(argv):
    p = argparse.ArgumentParser(description="fetch the boot payload from S3")
    p.add_argument("--bucket", required=True)
    p.add_argument("--region", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--sha256", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--deadline", type=float, default=900.0, help="seconds to keep retrying")
    args = p.parse_args(argv)
    try:
        fetch(args)
    except Fatal as e:
        log("FAILED: %s" % e)
        state = os.environ.get("OOMERFARM_STATE_DIR", "/var/lib/oomerfarm")
        os.makedirs(state, exist_ok=True)
        with open(os.path.join(state, "failed-step"), "w") as f:
            f.write(STEP + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
