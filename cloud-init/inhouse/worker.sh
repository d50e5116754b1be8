#!/usr/bin/env bash
# Turns a person's own Linux box into an in-house worker of an oomerfarm farm.
#
#   sudo bash worker.sh --bundle bundle.okb [--slot N] [--root DIR] [--check-only] [--no-online-check]
#
# bundle.okb comes from `npm run keybundle` (see README.md next to this file). The script
#   1. opens the bundle with python3 (scrypt + HMAC check) and openssl (AES-256-CTR),
#   2. picks the slot: --slot N, else a hostname workerNNNN, else the slot of an earlier run,
#   3. asks the farm whether that slot is online already (a temporary Nebula with the shared
#      "probe" identity pings the slot's overlay IP) and refuses it if it answers,
#   4. writes the files every worker boots with plus the slot's own certificate and key,
#   5. runs /usr/local/lib/oomerfarm/run-steps.sh worker, the same steps a cloud worker runs.
# Running it again with the same slot is safe: files are rewritten only when they differ, and
# a box that already carries the slot's overlay IP is known to be that slot.
#
# Password: env OOMERFARM_BUNDLE_PASSWORD (sudo --preserve-env=OOMERFARM_BUNDLE_PASSWORD ...),
# else a prompt when stdin is a terminal; never waits otherwise.
# Test flags: --root DIR writes every file under DIR and never runs the steps; --check-only
# stops after the online check.
# Exit status: 0 ok / slot free, 1 failure, 2 bad input (usage, password, slot), 3 slot online,
# 4 the farm could not be reached to check (--no-online-check skips the check).
set -euo pipefail

PROBE_DEV=oomerprobe # the tun name in the probe's config.yml (contract with the Pulumi program)
RUN_STEPS=/usr/local/lib/oomerfarm/run-steps.sh

say() { printf 'worker.sh: %s\n' "$*" >&2; }
fail() {
  say "$1"
  exit "${2:-1}"
}
usage() {
  fail "usage: sudo bash worker.sh --bundle FILE [--slot N] [--root DIR] [--check-only] [--no-online-check]${1:+ ($1)}" 2
}

# slot_from_hostname NAME: prints N for workerNNNN (short or fully qualified), else fails.
slot_from_hostname() {
  local short=${1%%.*}
  [[ "$short" =~ ^worker([0-9]{4})$ ]] || return 1
  local n=$((10#${BASH_REMATCH[1]}))
  ((n >= 1)) || return 1
  printf '%s\n' "$n"
}

# find_python: python3 >= 3.6 with hashlib.scrypt; EL8 has it as platform-python.
find_python() {
  local c
  for c in python3 /usr/libexec/platform-python; do
    if command -v "$c" >/dev/null 2>&1 &&
      "$c" -c 'import hashlib, sys; sys.exit(0 if sys.version_info >= (3, 6) and hasattr(hashlib, "scrypt") else 1)' 2>/dev/null; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

# The bundle reader. Messages match lib/keybundle.ts; format documented there and in README.md.
# Subcommands: verify BUNDLE CT_OUT | info PLAIN SLOT | write PLAIN ROOT common|all [SLOT]
#              | probe PLAIN DIR
PYPROG=$(
  cat <<'PY'
import base64, hashlib, hmac, json, os, struct, sys, unicodedata

MAGIC, HEADER, TAG = b"OOMERFKB", 68, 32

def die(msg, code=2):
    sys.stderr.write("worker.sh: " + msg + "\n")
    sys.exit(code)

def ranges(slots):
    s, out, i = sorted(set(slots)), [], 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[j] + 1:
            j += 1
        out.append(str(s[i]) if i == j else "%d-%d" % (s[i], s[j]))
        i = j + 1
    return ",".join(out)

def verify(bundle, ct_out):
    with open(bundle, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        die("keybundle: not an oomerfarm keybundle (the file does not start with OOMERFKB)")
    if len(data) < HEADER + TAG:
        die("keybundle: the file is truncated (%d bytes, a keybundle has at least %d)" % (len(data), HEADER + TAG))
    version, log2n, r, p, length = struct.unpack(">BBBBQ", data[8:20])
    if version != 1:
        die("keybundle: unsupported keybundle version %d (this tool reads version 1)" % version)
    if len(data) != HEADER + TAG + length:
        die("keybundle: the file is truncated or was modified (%d bytes, its header says %d)" % (len(data), HEADER + TAG + length))
    if not (10 <= log2n <= 22 and 1 <= r <= 32 and 1 <= p <= 16 and 128 * r * 2 ** log2n <= 2 ** 30):
        die("keybundle: scrypt parameters out of range (N=2^%d, r=%d, p=%d); the file was modified or is not an oomerfarm keybundle" % (log2n, r, p))
    try:
        password = os.environb.get(b"OOMERFARM_BUNDLE_PASSWORD", b"").decode("utf-8")
    except UnicodeDecodeError:
        die("the password is not valid UTF-8")
    password = unicodedata.normalize("NFC", password).encode("utf-8")
    n = 2 ** log2n
    key = hashlib.scrypt(password, salt=data[20:52], n=n, r=r, p=p, maxmem=128 * r * (n + p + 2) + 2 ** 20, dklen=64)
    tag = hmac.new(key[32:], data[:-TAG], hashlib.sha256).digest()
    if not hmac.compare_digest(tag, data[-TAG:]):
        die("keybundle: wrong password or the file was modified")
    fd = os.open(ct_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data[HEADER:-TAG])
    # Only the AES key leaves python; the MAC key never does.
    print(base64.b16encode(key[:32]).decode().lower(), base64.b16encode(data[52:68]).decode().lower())

def load(plain):
    try:
        with open(plain, "rb") as f:
            b = json.loads(f.read().decode("utf-8"))
    except ValueError:
        die("the bundle does not hold oomerfarm in-house data (not JSON)", 1)
    if not isinstance(b, dict) or b.get("format") != "oomerfarm-inhouse/1":
        die("the bundle is not in the oomerfarm-inhouse/1 format", 1)
    return b

def find_slot(b, slot):
    for s in b["slots"]:
        if s["slot"] == slot:
            return s
    die("slot %d is not in this bundle; it holds slot(s) %s of farm %s" % (slot, ranges([s["slot"] for s in b["slots"]]), b["farm"]))

def safe_path(path):
    if not path.startswith("/") or any(part in ("..", ".") for part in path.split("/")[1:]) or "//" in path:
        die("refusing bundle file path %r" % path, 1)
    return path

def mode_of(entry):
    mode = int(entry["permissions"], 8) & 0o777
    # Private keys and farm secrets are 0600 whatever the bundle says.
    if entry["path"].endswith(".key") or "/secrets/" in entry["path"]:
        mode = 0o600
    return mode

def put(dest, content, mode):
    """Atomic write; leaves an identical file (content and mode) untouched."""
    parent = os.path.dirname(dest)
    if not os.path.isdir(parent):
        os.makedirs(parent, 0o755)
        if os.path.basename(parent) == "secrets":
            os.chmod(parent, 0o700)
    try:
        st = os.stat(dest)
        with open(dest, "rb") as f:
            if f.read() == content and (st.st_mode & 0o7777) == mode:
                return False
    except OSError:
        pass
    tmp = os.path.join(parent, ".%s.oomerfarm-tmp.%d" % (os.path.basename(dest), os.getpid()))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True

def write(b, root, entries):
    changed = 0
    for e in entries:
        dest = root.rstrip("/") + safe_path(e["path"])
        changed += put(dest, base64.b64decode(e["content"]), mode_of(e))
    return changed

def main(argv):
    cmd = argv[0]
    if cmd == "verify":
        verify(argv[1], argv[2])
        return
    b = load(argv[1])
    if cmd == "info":
        s = find_slot(b, int(argv[2]))
        print(s["ip"], s["name"], b["hubOverlayIp"], b["farm"], ranges([x["slot"] for x in b["slots"]]))
    elif cmd == "write":
        entries = b["common"]
        if argv[3] == "all":
            # A slot's file wins over a common file with the same path (e.g. a per-slot farm.env).
            own = find_slot(b, int(argv[4]))["files"]
            paths = set(e["path"] for e in own)
            entries = [e for e in entries if e["path"] not in paths] + own
        n = write(b, argv[2], entries)
        print("%d of %d file(s) changed" % (n, len(entries)))
    elif cmd == "probe":
        # Flatten the probe files into a private directory and point its config there, so the
        # probe identity is never left on disk and --root needs no special case.
        d, files = argv[2], b["probe"]["files"]
        config = None
        text_subs = []
        for e in files:
            dest = os.path.join(d, os.path.basename(safe_path(e["path"])))
            text_subs.append((e["path"], dest))
            if e["path"].endswith("/config.yml"):
                config = (dest, e)
            else:
                put(dest, base64.b64decode(e["content"]), 0o600)
        if config is None:
            die("the bundle has no probe config.yml", 1)
        text = base64.b64decode(config[1]["content"]).decode("utf-8")
        for old, new in sorted(text_subs, key=lambda x: -len(x[0])):
            text = text.replace(old, new)
        put(config[0], text.encode("utf-8"), 0o600)
        print(config[0])
    else:
        die("internal: unknown command %s" % cmd, 1)

main(sys.argv[1:])
PY
)

# --- arguments ----------------------------------------------------------------------------
BUNDLE="" SLOT="" ROOT="" CHECK_ONLY=0 ONLINE_CHECK=1
parse_args() {
  while (($# > 0)); do
    case "$1" in
      --bundle)
        (($# >= 2)) || usage "--bundle needs a file"
        BUNDLE=$2
        shift 2
        ;;
      --slot)
        (($# >= 2)) || usage "--slot needs a number"
        SLOT=$2
        shift 2
        ;;
      --root)
        (($# >= 2)) || usage "--root needs a directory"
        ROOT=${2%/}
        shift 2
        ;;
      --check-only)
        CHECK_ONLY=1
        shift
        ;;
      --no-online-check)
        ONLINE_CHECK=0
        shift
        ;;
      -h | --help) usage ;;
      *) usage "unknown argument: $1" ;;
    esac
  done
  [[ -n "$BUNDLE" ]] || usage "--bundle is required"
  [[ -r "$BUNDLE" ]] || fail "cannot read the bundle file $BUNDLE" 2
  if [[ -n "$SLOT" ]]; then
    [[ "$SLOT" =~ ^[0-9]{1,4}$ ]] || usage "--slot must be a number 1..9999, got '$SLOT'"
    SLOT=$((10#$SLOT))
    ((SLOT >= 1)) || usage "--slot must be a number 1..9999, got '$SLOT'"
  fi
  if [[ -n "$ROOT" ]]; then
    mkdir -p "$ROOT"
    ROOT=$(cd "$ROOT" && pwd)
  fi
}

# choose_slot: --slot, else the hostname, else the slot an earlier run recorded.
choose_slot() {
  [[ -n "$SLOT" ]] && return 0
  local name recorded="$ROOT/var/lib/oomerfarm/inhouse-slot"
  name=$(uname -n)
  if SLOT=$(slot_from_hostname "$name"); then
    say "slot $SLOT from the hostname $name"
  elif [[ -s "$recorded" ]] && SLOT=$(<"$recorded") && [[ "$SLOT" =~ ^[0-9]+$ ]]; then
    say "slot $SLOT from an earlier run ($recorded)"
  else
    fail "no slot: pass --slot N, or name this machine workerNNNN (hostname is '$name')" 2
  fi
}

read_password() {
  if [[ -n "${OOMERFARM_BUNDLE_PASSWORD:-}" ]]; then
    return 0
  fi
  [[ -t 0 ]] || fail "no password: set OOMERFARM_BUNDLE_PASSWORD (sudo --preserve-env=OOMERFARM_BUNDLE_PASSWORD ...) or run on a terminal" 2
  local pw
  read -r -s -p "Keybundle password: " pw
  printf '\n' >&2
  OOMERFARM_BUNDLE_PASSWORD=$pw
}

# --- the online check -----------------------------------------------------------------------
PROBE_PID=""
STAGE=""
cleanup() {
  if [[ -n "$PROBE_PID" ]] && kill -0 "$PROBE_PID" 2>/dev/null; then
    kill "$PROBE_PID" 2>/dev/null || true
    wait "$PROBE_PID" 2>/dev/null || true
  fi
  [[ -z "$STAGE" ]] || rm -rf "$STAGE"
}

# find_nebula: NEBULA_BIN, nebula on PATH, or the pinned release farm.env names.
find_nebula() {
  if [[ -n "${NEBULA_BIN:-}" ]]; then
    [[ -x "$NEBULA_BIN" ]] || fail "NEBULA_BIN=$NEBULA_BIN is not an executable"
    printf '%s\n' "$NEBULA_BIN"
    return 0
  fi
  if command -v nebula >/dev/null 2>&1; then
    command -v nebula
    return 0
  fi
  if [[ -x "$ROOT/usr/local/bin/nebula" ]]; then
    printf '%s\n' "$ROOT/usr/local/bin/nebula"
    return 0
  fi
  # Download the pinned release with the farm's own fetch_verified (sha256 checked) to the
  # file name the nebula boot step uses, so that step reuses it. The binary is unpacked under
  # the cache, not the stage: /dev/shm and /tmp are often mounted noexec.
  local lib farmenv="$STAGE/root/etc/oomerfarm/farm.env"
  for lib in "$STAGE/root/usr/local/lib/oomerfarm/lib.sh" "$STAGE/root/usr/local/lib/oomerfarm/steps/lib.sh" ""; do
    [[ -z "$lib" || -r "$lib" ]] && break
  done
  [[ -n "$lib" && -r "$farmenv" ]] || fail "no nebula binary (set NEBULA_BIN) and the bundle lacks lib.sh or farm.env to fetch one"
  (
    export OOMERFARM_STEP=inhouse OOMERFARM_ENV_FILE="$farmenv"
    export OOMERFARM_LOG_DIR="$ROOT/var/log/oomerfarm" OOMERFARM_CACHE_DIR="$ROOT/var/cache/oomerfarm"
    # shellcheck source=/dev/null
    source "$lib"
    load_farm_env
    require_vars NEBULA_VERSION NEBULA_URL NEBULA_SHA256
    archive="$OOMERFARM_CACHE_DIR/nebula-$NEBULA_VERSION-linux-amd64.tar.gz"
    fetch_verified "$NEBULA_URL" "$NEBULA_SHA256" "$archive" >&2
    dest="$OOMERFARM_CACHE_DIR/probe-nebula-$NEBULA_VERSION"
    rm -rf "$dest"
    mkdir -p "$dest"
    tar -xzf "$archive" -C "$dest" || die "cannot unpack $archive"
    bin=$(find "$dest" -type f -name nebula | head -n1)
    [[ -n "$bin" ]] || die "nebula not found in $archive"
    chmod 0755 "$bin"
    printf '%s\n' "$bin"
  ) || fail "could not fetch the pinned nebula release"
}

# probe_slot IP HUB_IP: sets PROBE_RESULT to online|free|unreachable. The slot's overlay IP is
# pinged through a temporary probe tunnel; the hub must answer first, or a probe that cannot
# reach the farm (hub down, UDP blocked) would call every slot free.
# (Called as a plain statement: errexit is off inside conditions.)
PROBE_RESULT=""
probe_slot() {
  local ip=$1 hub=$2 nebula config i
  ! ip link show dev "$PROBE_DEV" >/dev/null 2>&1 || fail "a network device $PROBE_DEV exists already: is another worker.sh probing? try again in a minute"
  nebula=$(find_nebula) || exit 1
  config=$("$PYTHON" -c "$PYPROG" probe "$STAGE/plain.json" "$STAGE/probe") || exit 1
  "$nebula" -config "$config" >"$STAGE/probe.log" 2>&1 &
  PROBE_PID=$!
  for ((i = 0; i < 50; i++)); do
    ip link show dev "$PROBE_DEV" >/dev/null 2>&1 && break
    kill -0 "$PROBE_PID" 2>/dev/null || {
      tail -n 5 "$STAGE/probe.log" >&2 || true
      fail "the probe nebula exited at start (log above)"
    }
    sleep 0.2
  done
  ip link show dev "$PROBE_DEV" >/dev/null 2>&1 || fail "the probe nebula did not bring up $PROBE_DEV within 10 s"
  # -I: ask through the probe tunnel even if another nebula on this box routes the overlay.
  PROBE_RESULT=unreachable
  for ((i = 0; i < 10; i++)); do
    if ping -c 1 -W 1 -I "$PROBE_DEV" "$hub" >/dev/null 2>&1; then
      PROBE_RESULT=free
      break
    fi
  done
  if [[ "$PROBE_RESULT" == free ]] && ping -c 3 -W 1 -I "$PROBE_DEV" "$ip" >/dev/null 2>&1; then
    PROBE_RESULT=online
  fi
  kill "$PROBE_PID" 2>/dev/null || true
  wait "$PROBE_PID" 2>/dev/null || true
  PROBE_PID=""
}

has_local_ip() {
  ip -4 -o addr show 2>/dev/null | awk '{print $4}' | grep -qx "$1/[0-9]*"
}

main() {
  parse_args "$@"
  [[ -n "$ROOT" || "$EUID" -eq 0 ]] || fail "run as root (sudo bash worker.sh ...)"
  PYTHON=$(find_python) || fail "needs python3 (3.6+ with hashlib.scrypt) or /usr/libexec/platform-python"
  command -v openssl >/dev/null 2>&1 || fail "needs openssl"
  if ((ONLINE_CHECK)); then
    command -v ip >/dev/null 2>&1 || fail "needs ip (iproute2) for the online check"
    command -v ping >/dev/null 2>&1 || fail "needs ping (iputils) for the online check"
  fi
  choose_slot
  read_password

  # The decrypted bundle lives only in this 0700 directory, in RAM (/dev/shm) when possible.
  local tmpbase=/tmp
  [[ -d /dev/shm && -w /dev/shm ]] && tmpbase=/dev/shm
  STAGE=$(mktemp -d "$tmpbase/oomerfarm-inhouse.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  local key iv
  read -r key iv < <(OOMERFARM_BUNDLE_PASSWORD=$OOMERFARM_BUNDLE_PASSWORD "$PYTHON" -c "$PYPROG" verify "$BUNDLE" "$STAGE/ct" || echo FAIL)
  [[ "$key" != FAIL && -n "$iv" ]] || exit 2
  (umask 077 && openssl enc -d -aes-256-ctr -K "$key" -iv "$iv" -in "$STAGE/ct" -out "$STAGE/plain.json") ||
    fail "openssl could not decrypt the bundle"
  rm -f "$STAGE/ct"

  local info ip name hub farm held
  info=$("$PYTHON" -c "$PYPROG" info "$STAGE/plain.json" "$SLOT") || exit 2
  read -r ip name hub farm held <<<"$info"
  say "farm $farm, bundle holds slot(s) $held; using slot $SLOT ($name, $ip)"
  # The online check may need farm.env and lib.sh (to fetch nebula): stage the slot's files in
  # the private directory first; nothing reaches the system before the check has passed.
  "$PYTHON" -c "$PYPROG" write "$STAGE/plain.json" "$STAGE/root" all "$SLOT" >/dev/null

  if ((ONLINE_CHECK == 0)); then
    say "WARNING: --no-online-check: not asking the farm whether slot $SLOT ($name, $ip) is in use"
  elif has_local_ip "$ip"; then
    say "this machine already carries $ip: it is $name, no online check needed"
  else
    probe_slot "$ip" "$hub"
    case "$PROBE_RESULT" in
      online) fail "slot $SLOT ($name, $ip) is online already on another machine: pick another slot with --slot (this bundle holds $held)" 3 ;;
      unreachable) fail "cannot tell whether slot $SLOT is free: the hub $hub did not answer through the probe tunnel (is the farm up? is UDP to its port allowed out?). Retry, or skip the check with --no-online-check" 4 ;;
    esac
    say "slot $SLOT ($name, $ip) is free"
  fi
  ((CHECK_ONLY == 0)) || exit 0

  local changed
  changed=$("$PYTHON" -c "$PYPROG" write "$STAGE/plain.json" "$ROOT/" all "$SLOT")
  say "files of $name: $changed"
  mkdir -p "$ROOT/var/lib/oomerfarm"
  printf '%s\n' "$SLOT" >"$ROOT/var/lib/oomerfarm/inhouse-slot.tmp"
  mv -f "$ROOT/var/lib/oomerfarm/inhouse-slot.tmp" "$ROOT/var/lib/oomerfarm/inhouse-slot"

  if [[ -n "$ROOT" ]]; then
    say "--root given: files written under $ROOT; not running the boot steps"
    exit 0
  fi
  # The nebula step only starts nebula.service; a running one must pick up a new slot's key.
  if [[ "$changed" != 0\ * ]] && systemctl is-active --quiet nebula.service 2>/dev/null; then
    say "restarting nebula.service for the new files"
    systemctl restart nebula.service
  fi
  say "running $RUN_STEPS worker"
  cleanup
  STAGE=""
  trap - EXIT
  exec "$RUN_STEPS" worker
}

# Sourcing the file (tests) defines the functions without running anything.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
