"""The idle guard's memory between runs: /var/lib/oomerfarm/idle-since.

JSON {"idle_since": <epoch seconds or null>, "last_seen": <epoch seconds>}. Written to a
temporary file and renamed, so a crash or power cut never leaves half a file; an unreadable
file counts as "no idle start known", which only ever delays a deletion.
"""
import json
import os

DEFAULT_STATE_FILE = "/var/lib/oomerfarm/idle-since"


def load(path):
    """Return (idle_since, last_seen); (None, None) when missing or unreadable."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None, None
    if not isinstance(data, dict):
        return None, None

    def num(key):
        value = data.get(key)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    return num("idle_since"), num("last_seen")


def save(path, idle_since, last_seen):
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o755)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"idle_since": idle_since, "last_seen": last_seen}, f)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)
