#!/usr/bin/env python3
"""oomerfarm idle guard: one run, started every minute by oomerfarm-idle-guard.timer on the hub.

Asks Deadline whether any job is queued or rendering; after IDLE_MINUTES of continuous
idleness it removes the farm's workers (Hetzner: delete; AWS: stop on-demand, terminate spot).
Never the hub, never a volume. Python 3.6 stdlib only (EL8's /usr/libexec/platform-python).

Config: /etc/oomerfarm/idle-guard.env (0600, KEY='value' lines; see README.md), plus FARM_NAME
from /etc/oomerfarm/farm.env. Exit status: 0 after a normal run, including a cloud API error
(logged; the next run retries); 2 when the configuration is unusable, so `systemctl --failed`
shows it. The timer keeps firing either way.
"""
import os
import re
import shlex
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import aws_ec2  # noqa: E402
import deadline  # noqa: E402
import hetzner  # noqa: E402
import state  # noqa: E402
from decide import BUSY, DELETE, UNKNOWN, WAIT, decide  # noqa: E402

DEFAULT_CONFIG = "/etc/oomerfarm/idle-guard.env"
DEFAULT_FARM_ENV = "/etc/oomerfarm/farm.env"


class ConfigError(Exception):
    pass


def log(message):
    # stdout goes to the journal under the unit's name; flush so lines keep their order.
    print("oomerfarm-idle-guard: %s" % message, flush=True)


def read_env_file(path):
    """KEY='value' lines as written by the project's renderers (shell-quoted); no execution."""
    values = {}
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, rest = line.partition("=")
            key = key.strip()
            if key.startswith("export "):
                key = key[len("export "):].strip()
            try:
                parts = shlex.split(rest, comments=True)
            except ValueError:
                raise ConfigError("%s: cannot parse the line for %s" % (path, key))
            values[key] = parts[0] if parts else ""
    return values


def read_secret_file(path):
    """A secret must be a regular file readable by its owner only (0600 or 0400)."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise ConfigError("secret file %s: %s" % (path, e))
    if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077:
        raise ConfigError("secret file %s must be a regular file with mode 0600" % path)
    with open(path) as f:
        value = f.read().strip()
    if not value:
        raise ConfigError("secret file %s is empty" % path)
    return value


def load_config(config_path, farm_env_path):
    if not os.path.exists(config_path):
        raise ConfigError("%s is missing" % config_path)
    cfg = {}
    if os.path.exists(farm_env_path):
        cfg.update(read_env_file(farm_env_path))
    cfg.update(read_env_file(config_path))
    if cfg.get("CLOUD") not in ("hetzner", "aws"):
        raise ConfigError("CLOUD must be hetzner or aws, not %r" % cfg.get("CLOUD"))
    try:
        hetzner.check_farm_name(cfg.get("FARM_NAME", ""))
    except ValueError as e:
        raise ConfigError(str(e))
    try:
        minutes = float(cfg.get("IDLE_MINUTES", "60"))
    except ValueError:
        raise ConfigError("IDLE_MINUTES must be a number")
    if minutes < 5:
        raise ConfigError("IDLE_MINUTES below 5 would delete workers between two jobs")
    cfg["IDLE_MINUTES"] = minutes
    return cfg


def remove_workers(cfg):
    """Returns (removed, errors)."""
    dry_run = cfg.get("DRY_RUN", "false").lower() == "true"
    timeout = float(cfg.get("API_TIMEOUT_SECONDS", "20"))
    if cfg["CLOUD"] == "hetzner":
        token = read_secret_file(cfg.get("HCLOUD_TOKEN_FILE", "/etc/oomerfarm/secrets/hcloud-idle-guard.token"))
        api = cfg.get("HCLOUD_API_URL", hetzner.DEFAULT_API_URL)
        return hetzner.delete_farm_workers(api, token, cfg["FARM_NAME"], log, dry_run=dry_run, timeout=timeout)
    # One region or a comma-separated list: every region the farm's workers run in.
    regions = [r.strip() for r in cfg.get("AWS_REGION", "").split(",") if r.strip()]
    if not regions:
        raise ConfigError("AWS_REGION is required when CLOUD=aws")
    for region in regions:
        # The region becomes part of the endpoint's host name: letters, digits and '-' only.
        if not re.match(r"^[a-z]{2}(-[a-z0-9]+)+$", region):
            raise ConfigError("AWS_REGION %r is not an AWS region name" % region)
    if cfg.get("AWS_ACCESS_KEY_ID"):
        creds = (cfg["AWS_ACCESS_KEY_ID"], cfg.get("AWS_SECRET_ACCESS_KEY", ""), cfg.get("AWS_SESSION_TOKEN") or None)
    else:
        try:
            creds = aws_ec2.imds_credentials(cfg.get("AWS_IMDS_URL", aws_ec2.DEFAULT_IMDS_URL))
        except hetzner.ApiError as e:
            return [], [str(e)]
    removed, errors = [], []
    for region in regions:
        endpoint = cfg.get("AWS_EC2_ENDPOINT", aws_ec2.default_endpoint(region))
        r, e = aws_ec2.remove_farm_workers(endpoint, region, creds, cfg["FARM_NAME"], log, dry_run=dry_run, timeout=timeout)
        removed += r
        errors += ["%s: %s" % (region, err) for err in e]
    return removed, errors


def run_once(cfg, now, ask_deadline=deadline.active_jobs):
    """One tick. Returns the action taken (decide's action)."""
    state_file = cfg.get("STATE_FILE", state.DEFAULT_STATE_FILE)
    idle_since, last_seen = state.load(state_file)
    jobs = ask_deadline(cfg, log)
    action, new_idle_since = decide(now, idle_since, jobs, cfg["IDLE_MINUTES"], last_seen=last_seen)
    if action == UNKNOWN:
        log("could not ask Deadline; nothing changes this run")
    elif action == BUSY and idle_since is not None:
        log("%d active job(s): idle count reset" % jobs)
    elif action == WAIT and new_idle_since != idle_since:
        log("farm idle; counting from now (limit %g min)" % cfg["IDLE_MINUTES"])
    elif action == DELETE:
        log("farm idle for %.0f min (limit %g): removing workers" % ((now - idle_since) / 60, cfg["IDLE_MINUTES"]))
        removed, errors = remove_workers(cfg)
        for err in errors:
            log("cloud API error (will retry next run): %s" % err)
        if not removed and not errors:
            log("no running workers left for farm %s" % cfg["FARM_NAME"])
        if not errors:
            # Start a fresh count: workers brought back by `pulumi up` get a full IDLE_MINUTES
            # to pick up work instead of being removed again on the next tick.
            new_idle_since = now
    # last_seen only advances on runs that could judge the farm, so an outage of Deadline or
    # of the guard shows up as a gap and restarts the count.
    state.save(state_file, new_idle_since, now if action != UNKNOWN else last_seen)
    return action


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config_path = argv[0] if argv else os.environ.get("IDLE_GUARD_CONFIG", DEFAULT_CONFIG)
    farm_env = os.environ.get("IDLE_GUARD_FARM_ENV", DEFAULT_FARM_ENV)
    try:
        cfg = load_config(config_path, farm_env)
        run_once(cfg, time.time())
        return 0
    except ConfigError as e:
        log("configuration error: %s" % e)
        return 2
    except Exception as e:  # the guard must never die with a traceback loop; log and go on
        log("unexpected error (will retry next run): %s: %s" % (type(e).__name__, e))
        return 0


if __name__ == "__main__":
    sys.exit(main())
