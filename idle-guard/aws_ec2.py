"""Remove this farm's worker instances through the EC2 Query API (stdlib only, Python 3.6).

On-demand workers are stopped: a stopped instance stops compute billing (its EBS volumes and
any public IPv4 still bill), and `pulumi refresh && pulumi up` starts it again. Spot workers
(DescribeInstances: instanceLifecycle=spot) are terminated: the farm's spot workers are
one-time requests, which EC2 refuses to stop (UnsupportedOperation), and `pulumi refresh &&
pulumi up` creates them anew. Their root volume goes with them (deleteOnTermination); the
guard itself never calls a volume API.
Only instances tagged oomerfarm-farm=<farm> AND oomerfarm-role=worker are touched; tags are
checked again on every returned instance, so the hub is never stopped even if a filter were
ignored.

Credentials: by default the hub's instance profile through IMDSv2 (no secret on disk); the stack
gives it ec2:DescribeInstances, and ec2:StopInstances + ec2:TerminateInstances only on
instances tagged oomerfarm-farm=<farm> and oomerfarm-role=worker. A static key pair from the
guard's 0600 config is the fallback for hubs outside AWS.
"""
import datetime
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import sigv4
from hetzner import FARM_LABEL, ROLE_LABEL, WORKER_ROLE, ApiError, check_farm_name

EC2_API_VERSION = "2016-11-15"
DEFAULT_IMDS_URL = "http://169.254.169.254"


def default_endpoint(region):
    return "https://ec2.%s.amazonaws.com/" % region


def imds_credentials(imds_url=DEFAULT_IMDS_URL, timeout=5):
    """(access_key, secret_key, session_token) of the instance profile, via IMDSv2."""
    try:
        return sigv4.imds_credentials(imds_url, timeout)
    except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
        raise ApiError("instance profile credentials: %s" % e)


def _call(endpoint, region, creds, params, timeout, now=None):
    params = dict(params, Version=EC2_API_VERSION)
    body = urllib.parse.urlencode(sorted(params.items())).encode("utf-8")
    amz_date = (now or datetime.datetime.utcnow()).strftime("%Y%m%dT%H%M%SZ")
    headers = sigv4.sign("POST", endpoint, {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
                         body, creds[0], creds[1], region, "ec2", amz_date, creds[2])
    headers.pop("host", None)  # urllib sets Host itself, to the same value
    req = urllib.request.Request(endpoint, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return ET.fromstring(resp.read())
    except urllib.error.HTTPError as e:
        raise ApiError("EC2 %s: HTTP %d %s" % (params.get("Action"), e.code, e.read().decode("utf-8", "replace")[:300]))
    except (urllib.error.URLError, OSError, ET.ParseError) as e:
        raise ApiError("EC2 %s: %s" % (params.get("Action"), e))


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _children(elem, name):
    return [c for c in list(elem) if _local(c.tag) == name]


def _text(elem, name):
    for c in _children(elem, name):
        return (c.text or "").strip()
    return ""


def list_workers(endpoint, region, creds, farm, timeout=20):
    """[(instance_id, tags, lifecycle)] of running/pending instances tagged as this farm's
    workers; lifecycle is "spot" for spot instances, "" for on-demand (EC2 leaves it out)."""
    check_farm_name(farm)
    found = []
    token = None
    while True:
        params = {
            "Action": "DescribeInstances",
            "Filter.1.Name": "tag:" + FARM_LABEL, "Filter.1.Value.1": farm,
            "Filter.2.Name": "tag:" + ROLE_LABEL, "Filter.2.Value.1": WORKER_ROLE,
            "Filter.3.Name": "instance-state-name", "Filter.3.Value.1": "pending", "Filter.3.Value.2": "running",
        }
        if token:
            params["NextToken"] = token
        root = _call(endpoint, region, creds, params, timeout)
        for inst in root.iter():
            if _local(inst.tag) != "item" or not _text(inst, "instanceId"):
                continue
            tags = {}
            for tag_set in _children(inst, "tagSet"):
                for item in _children(tag_set, "item"):
                    tags[_text(item, "key")] = _text(item, "value")
            found.append((_text(inst, "instanceId"), tags, _text(inst, "instanceLifecycle")))
        token = _text(root, "nextToken")
        if not token:
            break
    return [(i, t, lc) for i, t, lc in found if t.get(FARM_LABEL) == farm and t.get(ROLE_LABEL) == WORKER_ROLE]


def remove_farm_workers(endpoint, region, creds, farm, log, dry_run=False, timeout=20):
    """Stop every on-demand worker instance of the farm, terminate every spot one.
    Returns (removed_ids, errors); never raises ApiError."""
    try:
        workers = list_workers(endpoint, region, creds, farm, timeout=timeout)
    except ApiError as e:
        return [], [str(e)]
    removed, errors = [], []
    for instance_id, tags, lifecycle in workers:
        name = "%s (%s)" % (tags.get("Name", "?"), instance_id)
        # One-time spot instances cannot be stopped; terminating is the only way to end billing.
        action, verb = ("TerminateInstances", "terminate") if lifecycle == "spot" else ("StopInstances", "stop")
        what = "spot worker instance" if lifecycle == "spot" else "worker instance"
        if dry_run:
            log("dry run: would %s %s %s" % (verb, what, name))
            continue
        try:
            _call(endpoint, region, creds, {"Action": action, "InstanceId.1": instance_id}, timeout)
            removed.append(instance_id)
            log("%s %s %s" % ("terminated" if verb == "terminate" else "stopped", what, name))
        except ApiError as e:
            errors.append("%s %s: %s" % (verb, name, e))
    return removed, errors
