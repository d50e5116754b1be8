"""Ask Deadline how many jobs are queued or rendering. The one place that knows how.

Three ways, chosen by DEADLINE_QUERY in the guard's config:

- "mongo" (default): count jobs with Stat = 1 in deadline10db.Jobs, over the TLS connection the
  hub already has (see deadline_mongo.py). Nothing extra to install on the hub.
- "deadlinecommand": `deadlinecommand -GetJobIdsFilter Status=...` prints one job id
  (24 hex digits) per matching job; its filters are ORed. The hub holds only the repository, so
  the client binaries must be installed there once (the client installer with
  `--binariesonly true`, connected to the local repository). Slow to start (seconds), which is
  fine once a minute, and it stays correct whatever Deadline keeps in its database.
- "command": any command that prints a single integer, the number of active jobs.

Any failure returns None: the decision treats that as "unknown" and never deletes on it.
"""
import re
import shlex
import subprocess

DEFAULT_DEADLINECOMMAND = "/opt/Thinkbox/Deadline10/bin/deadlinecommand"
# Deadline's documented example filters on Status=Queued; the job property itself reads
# "Active" for queued-or-rendering jobs. Asking for all three (ORed) covers either spelling.
ACTIVE_FILTERS = ["Status=Active", "Status=Queued", "Status=Rendering"]
_JOB_ID = re.compile(r"^[0-9a-fA-F]{24}$")


def _run(argv, timeout):
    # universal_newlines, not text=: text= arrived in Python 3.7.
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def count_job_ids(output):
    return len(set(line.strip() for line in output.splitlines() if _JOB_ID.match(line.strip())))


def active_jobs(config, log, timeout=120):
    """Number of queued or rendering jobs, or None when Deadline could not be asked."""
    how = config.get("DEADLINE_QUERY", "mongo")
    if how == "mongo":
        import deadline_mongo  # only this backend needs it
        return deadline_mongo.active_jobs(config, log)
    try:
        if how == "deadlinecommand":
            argv = [config.get("DEADLINECOMMAND", DEFAULT_DEADLINECOMMAND), "-GetJobIdsFilter"] + ACTIVE_FILTERS
            rc, out, err = _run(argv, timeout)
            if rc != 0:
                log("deadlinecommand failed (rc %d): %s" % (rc, (err or out).strip()[:300]))
                return None
            return count_job_ids(out)
        if how == "command":
            command = config.get("ACTIVE_JOBS_COMMAND", "")
            if not command:
                log("DEADLINE_QUERY=command needs ACTIVE_JOBS_COMMAND")
                return None
            rc, out, err = _run(shlex.split(command), timeout)
            text = out.strip()
            if rc != 0 or not re.match(r"^\d+$", text):
                log("active-jobs command failed (rc %d, output %r): %s" % (rc, text[:80], err.strip()[:300]))
                return None
            return int(text)
        log("unknown DEADLINE_QUERY %r" % how)
        return None
    except (OSError, subprocess.SubprocessError) as e:
        log("could not ask Deadline: %s" % e)
        return None
