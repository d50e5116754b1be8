"""Delete this farm's worker servers through the Hetzner Cloud API (stdlib only, Python 3.6).

Deletion, not power-off: Hetzner bills a powered-off server until it is deleted.
Only servers whose labels say oomerfarm-farm=<farm> AND oomerfarm-role=worker are touched;
the label selector asks the API for exactly those, and every returned server's labels are
checked again here, so a hub (oomerfarm-role=hub) or another farm's server is never deleted
even if the selector were ignored. Volumes and Primary IPs are separate resources and are not
touched (a worker's auto-created Primary IP is deleted with it by Hetzner when auto_delete is on).
"""
import json
import re
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_API_URL = "https://api.hetzner.cloud/v1"
FARM_LABEL = "oomerfarm-farm"
ROLE_LABEL = "oomerfarm-role"
WORKER_ROLE = "worker"

# Hetzner label values: up to 63 chars of [a-zA-Z0-9._-], alphanumeric at both ends. Checking
# this also stops a farm name from smuggling extra terms (",", "!=") into the label selector.
_LABEL_VALUE = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$")


class ApiError(Exception):
    """Any failure talking to the API; the caller logs it and retries on the next run."""


def check_farm_name(farm):
    if not isinstance(farm, str) or not _LABEL_VALUE.match(farm):
        raise ValueError("farm name %r is not a valid Hetzner label value" % (farm,))
    return farm


def worker_selector(farm):
    return "%s=%s,%s=%s" % (FARM_LABEL, check_farm_name(farm), ROLE_LABEL, WORKER_ROLE)


def is_farm_worker(server, farm):
    labels = server.get("labels") or {}
    return labels.get(FARM_LABEL) == farm and labels.get(ROLE_LABEL) == WORKER_ROLE


def _request(method, url, token, timeout):
    req = urllib.request.Request(url, method=method, headers={
        "Authorization": "Bearer " + token,
        "Accept": "application/json",
        "User-Agent": "oomerfarm-idle-guard",
    })
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
            return resp.status, (json.loads(body.decode("utf-8")) if body else None)
    except urllib.error.HTTPError as e:
        detail = ""
        try:
            detail = e.read().decode("utf-8", "replace")[:300]
        except Exception:  # the body is only for the log
            pass
        raise ApiError("%s %s: HTTP %d %s" % (method, url.split("?")[0], e.code, detail))
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise ApiError("%s %s: %s" % (method, url.split("?")[0], e))


def list_workers(api_url, token, farm, timeout=20, per_page=50):
    """All servers labelled as this farm's workers, following pagination."""
    selector = worker_selector(farm)
    servers = []
    page = 1
    while page:
        query = urllib.parse.urlencode({"label_selector": selector, "page": page, "per_page": per_page})
        status, data = _request("GET", "%s/servers?%s" % (api_url.rstrip("/"), query), token, timeout)
        if not isinstance(data, dict) or not isinstance(data.get("servers"), list):
            raise ApiError("GET /servers: unexpected response")
        servers.extend(data["servers"])
        pagination = (data.get("meta") or {}).get("pagination") or {}
        next_page = pagination.get("next_page")
        page = next_page if isinstance(next_page, int) and next_page > page else None
    return [s for s in servers if is_farm_worker(s, farm)]


def delete_server(api_url, token, server_id, timeout=20):
    """DELETE one server; a 404 means it is already gone, which is what we wanted."""
    try:
        _request("DELETE", "%s/servers/%d" % (api_url.rstrip("/"), int(server_id)), token, timeout)
    except ApiError as e:
        if "HTTP 404" in str(e):
            return
        raise


def delete_farm_workers(api_url, token, farm, log, dry_run=False, timeout=20):
    """Delete every worker of the farm. Returns (deleted_names, errors); never raises ApiError."""
    try:
        workers = list_workers(api_url, token, farm, timeout=timeout)
    except ApiError as e:
        return [], [str(e)]
    deleted, errors = [], []
    for server in workers:
        name = "%s (id %s)" % (server.get("name"), server.get("id"))
        if dry_run:
            log("dry run: would delete worker server %s" % name)
            continue
        try:
            delete_server(api_url, token, server["id"], timeout=timeout)
            deleted.append(server.get("name"))
            log("deleted worker server %s" % name)
        except (ApiError, KeyError, TypeError, ValueError) as e:
            errors.append("delete %s: %s" % (name, e))
    return deleted, errors
