"""Ask Deadline's database directly: count jobs in deadline10db.Jobs whose `Stat` is 1.

Deadline keeps one document per job in the Jobs collection; `Stat` is the job status
(0 unknown, 1 active = queued or rendering, 2 suspended, 3 completed, 4 failed, 6 pending),
the same values Deadline's web service returns. The schema is Deadline's, not documented as
an interface, so the query checks it first: if any job lacks `Stat`, the answer is "unknown"
(None) rather than a confident 0 that could delete workers in the middle of a render.

Uses the project's MongoDB client (cloud-init/steps/mongo-bootstrap.py, installed on the hub as
/usr/local/lib/oomerfarm/mongo-bootstrap.py): TLS with Deadline's client certificate, SCRAM
as the `deadline` user. The certificate comes as PKCS#12, which Python's ssl cannot load, so
it is unpacked with openssl to a 0600 file under /run for the length of the query.
"""
import importlib.util
import os
import subprocess
import tempfile

DEFAULT_CLIENT_PY = "/usr/local/lib/oomerfarm/mongo-bootstrap.py"
ACTIVE = 1


def load_client(path):
    spec = importlib.util.spec_from_file_location("oomerfarm_mongo_client", path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot load %s" % path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def count_active(conn, db="deadline10db"):
    """Active jobs via an open, authenticated connection (anything with .command(db, body))."""
    def count(query):
        return int(conn.command(db, [("count", "Jobs"), ("query", query)])["n"])

    total = count({})
    with_stat = count({"Stat": {"$exists": True}})
    if with_stat != total:
        raise ValueError("%d of %d jobs have no Stat field: Deadline's schema is not what the guard expects"
                         % (total - with_stat, total))
    return count({"Stat": ACTIVE})


def _client_pem(pfx, password_file, run_dir):
    fd, path = tempfile.mkstemp(prefix="oomerfarm-idle-guard.", dir=run_dir)
    os.close(fd)
    os.chmod(path, 0o600)
    proc = subprocess.run(["openssl", "pkcs12", "-in", pfx, "-nodes", "-passin", "file:" + password_file,
                           "-out", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    if proc.returncode != 0:
        os.unlink(path)
        raise OSError("openssl pkcs12 could not read %s" % pfx)
    return path


def active_jobs(config, log):
    """Number of active jobs, or None when the database could not be asked."""
    etc = "/etc/oomerfarm"
    pem = None
    conn = None
    try:
        client = load_client(config.get("MONGO_CLIENT_PY", DEFAULT_CLIENT_PY))
        with open(config.get("MONGO_PASSWORD_FILE", etc + "/secrets/mongodb-deadline.password")) as f:
            password = f.read().strip()
        pem = _client_pem(config.get("MONGO_CLIENT_PFX", etc + "/secrets/deadline-client.pfx"),
                          config.get("MONGO_CLIENT_PFX_PASSWORD_FILE", etc + "/secrets/deadline-client.pfx.password"),
                          config.get("RUN_DIR", "/run"))
        conn = client.connect(config.get("MONGO_HOST", "127.0.0.1"), int(config.get("MONGODB_PORT", "27100")),
                              config.get("MONGO_CA", etc + "/tls/ca.crt"), pem,
                              config.get("MONGO_TLS_NAME", config.get("HUB_OVERLAY_IP", "")), timeout=30)
        conn.authenticate(config.get("MONGO_USER", "deadline"), password)
        return count_active(conn, config.get("DEADLINE_DB", "deadline10db"))
    except Exception as e:  # any failure means "unknown", never "idle"
        log("could not query Deadline's database: %s: %s" % (type(e).__name__, e))
        return None
    finally:
        if conn is not None:
            conn.close()
        if pem is not None and os.path.exists(pem):
            os.unlink(pem)
