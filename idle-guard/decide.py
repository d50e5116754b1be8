"""The idle guard's decision, as a pure function: no clock, no files, no network.

Runs on Python 3.6 (EL8's /usr/libexec/platform-python): keep to 3.6 syntax and stdlib.
"""

# Actions the caller acts on.
BUSY = "busy"          # work is queued or rendering: forget any idle start
WAIT = "wait"          # idle, but not for long enough yet
DELETE = "delete"      # idle for at least idle_minutes: remove the workers
UNKNOWN = "unknown"    # Deadline could not be asked: change nothing, never delete

# A timer that fires every minute should see gaps of about 60 s. A much longer gap means the
# hub was down or the wall clock jumped forward; either way the idle time seen so far is not
# trustworthy, so counting starts again (at worst the workers live a little longer).
DEFAULT_MAX_GAP_SECONDS = 300


def decide(now, idle_since, active_jobs, idle_minutes, last_seen=None, max_gap=DEFAULT_MAX_GAP_SECONDS):
    """Return (action, new_idle_since).

    now, idle_since, last_seen: wall-clock seconds (idle_since/last_seen may be None).
    active_jobs: number of queued or rendering jobs, or None if Deadline could not be asked.
    """
    if active_jobs is None:
        return UNKNOWN, idle_since
    if active_jobs > 0:
        return BUSY, None
    if idle_since is None or now < idle_since:
        # First idle observation, or the clock went backwards past the start: start over.
        return WAIT, now
    if last_seen is not None and (now < last_seen or now - last_seen > max_gap):
        # Clock went backwards since the last run, or a long gap (reboot, clock jump).
        return WAIT, now
    if now - idle_since >= idle_minutes * 60:
        return DELETE, idle_since
    return WAIT, idle_since
