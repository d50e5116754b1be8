# shellcheck shell=bash
# Helpers sourced by run-steps.sh and every boot step (see cloud-init/README.md).
# Everything here is a function or a default; sourcing it has no side effects.

# Paths, overridable so tests never touch the real system.
OOMERFARM_HOME=${OOMERFARM_HOME:-/usr/local/lib/oomerfarm}
OOMERFARM_ETC=${OOMERFARM_ETC:-/etc/oomerfarm}
OOMERFARM_ENV_FILE=${OOMERFARM_ENV_FILE:-$OOMERFARM_ETC/farm.env}
OOMERFARM_STATE_DIR=${OOMERFARM_STATE_DIR:-/var/lib/oomerfarm}
OOMERFARM_LOG_DIR=${OOMERFARM_LOG_DIR:-/var/log/oomerfarm}
OOMERFARM_CACHE_DIR=${OOMERFARM_CACHE_DIR:-/var/cache/oomerfarm}
OS_RELEASE_FILE=${OS_RELEASE_FILE:-/etc/os-release}
OOMERFARM_FSTAB=${OOMERFARM_FSTAB:-/etc/fstab}

# log MSG...: "oomerfarm: step NAME: MSG" to stderr (journal/console) and boot.log.
log() {
  local line="oomerfarm: step ${OOMERFARM_STEP:-run}: $*"
  printf '%s\n' "$line" >&2
  if mkdir -p "$OOMERFARM_LOG_DIR" 2>/dev/null; then
    printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$line" >>"$OOMERFARM_LOG_DIR/boot.log" 2>/dev/null || true
  fi
}

die() {
  log "ERROR: $*"
  exit 1
}

# load_farm_env: source farm.env (KEY='value' lines written by the TypeScript renderer).
load_farm_env() {
  [[ -r "$OOMERFARM_ENV_FILE" ]] || die "missing $OOMERFARM_ENV_FILE"
  # shellcheck source=/dev/null
  source "$OOMERFARM_ENV_FILE"
}

# require_vars NAME...: fail naming every farm.env key that is missing or empty.
require_vars() {
  local name missing=()
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || die "farm.env lacks: ${missing[*]}"
}

# read_secret NAME: print $OOMERFARM_ETC/secrets/NAME without its trailing newline.
read_secret() {
  local f="$OOMERFARM_ETC/secrets/$1" value
  [[ -s "$f" ]] || die "missing secret $f"
  value=$(<"$f")
  printf '%s' "$value"
}

# retry N CMD...: run CMD up to N times, 5 s apart (package mirrors and downloads flake).
retry() {
  local n=$1 i
  shift
  for ((i = 1; i <= n; i++)); do
    "$@" && return 0
    ((i < n)) && { log "attempt $i/$n failed: $*; retrying"; sleep 5; }
  done
  return 1
}

sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}

# fetch_verified URL SHA256 DEST: download once, check the pinned sha256, rename into
# place atomically; a DEST that already matches is reused without network access.
fetch_verified() {
  local url=$1 want=$2 dest=$3 got part
  [[ -n "$want" ]] || die "no sha256 pinned for $url"
  want=${want,,}
  if [[ -f "$dest" ]]; then
    got=$(sha256_of "$dest")
    if [[ "$got" == "$want" ]]; then
      log "reusing $dest (sha256 ok)"
      return 0
    fi
    log "$dest has sha256 $got, want $want: downloading again"
  fi
  mkdir -p "$(dirname "$dest")"
  part="$dest.part.$$"
  if ! curl -fsSL --retry 5 --retry-delay 5 --retry-connrefused --connect-timeout 20 -o "$part" "$url"; then
    rm -f "$part"
    die "download failed: $url"
  fi
  got=$(sha256_of "$part")
  if [[ "$got" != "$want" ]]; then
    rm -f "$part"
    die "sha256 mismatch for $url: got $got, want $want"
  fi
  mv -f "$part" "$dest"
  log "fetched $url -> $dest (sha256 ok)"
}

# fetch_unpinned URL DEST: for artifacts the project could not pin (e.g. the sample scene).
# Says so loudly and records the sha256 seen in DEST.sha256 so later readers can check it.
fetch_unpinned() {
  local url=$1 dest=$2 part
  log "WARNING: UNPINNED download (no sha256 in farm.env): $url"
  if [[ ! -f "$dest" ]]; then
    mkdir -p "$(dirname "$dest")"
    part="$dest.part.$$"
    if ! curl -fsSL --retry 5 --retry-delay 5 --retry-connrefused --connect-timeout 20 -o "$part" "$url"; then
      rm -f "$part"
      die "download failed: $url"
    fi
    mv -f "$part" "$dest"
  fi
  sha256_of "$dest" >"$dest.sha256"
  log "WARNING: $dest is UNPINNED; recorded sha256 $(<"$dest.sha256") in $dest.sha256"
}

# detect_os: sets OS_ID, OS_VERSION, OS_FAMILY (el|ubuntu), OS_MAJOR and PKG (dnf|apt).
# Reads os-release in a subshell so its NAME/VERSION/ID do not leak into the caller.
detect_os() {
  [[ -r "$OS_RELEASE_FILE" ]] || die "cannot read $OS_RELEASE_FILE"
  local pretty
  # shellcheck source=/dev/null
  OS_ID=$(. "$OS_RELEASE_FILE" && printf '%s' "${ID:-}")
  # shellcheck source=/dev/null
  OS_VERSION=$(. "$OS_RELEASE_FILE" && printf '%s' "${VERSION_ID:-}")
  # shellcheck source=/dev/null
  pretty=$(. "$OS_RELEASE_FILE" && printf '%s' "${PRETTY_NAME:-unknown}")
  OS_MAJOR=${OS_VERSION%%.*}
  case "$OS_ID:$OS_MAJOR" in
    almalinux:8 | almalinux:9 | rocky:8 | rocky:9)
      OS_FAMILY=el
      PKG=dnf
      ;;
    ubuntu:22 | ubuntu:24)
      if [[ "$OS_VERSION" != 22.04 && "$OS_VERSION" != 24.04 ]]; then
        die "unsupported OS: $pretty (ID=$OS_ID VERSION_ID=$OS_VERSION); Ubuntu must be an LTS: 22.04 or 24.04"
      fi
      OS_FAMILY=ubuntu
      PKG=apt
      ;;
    *)
      die "unsupported OS: $pretty (ID=$OS_ID VERSION_ID=$OS_VERSION); supported: AlmaLinux 8/9, Rocky Linux 8/9, Ubuntu 22.04/24.04"
      ;;
  esac
  export OS_ID OS_VERSION OS_FAMILY OS_MAJOR PKG
}

# pkg_install PKG...: non-interactive install with the detected package manager.
pkg_install() {
  [[ -n "${PKG:-}" ]] || detect_os
  if [[ "$PKG" == dnf ]]; then
    retry 3 dnf -y -q install "$@"
  else
    # Keep config files cloud-init already wrote (smb.conf) instead of the packaged ones.
    export DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1
    retry 3 apt-get -q -o DPkg::Lock::Timeout=600 update
    retry 3 apt-get -q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold \
      install --no-install-recommends "$@"
  fi
}

# Host firewalls. The cloud firewall (Hetzner/AWS security group) is the real perimeter and
# Nebula's own firewall guards the overlay; the host firewall only must not get in the way.
# EL: firewalld when it runs. Ubuntu: ufw only when someone enabled it, else nothing.
firewalld_running() {
  command -v firewall-cmd >/dev/null 2>&1 && firewall-cmd --state >/dev/null 2>&1
}
ufw_active() {
  command -v ufw >/dev/null 2>&1 && ufw status 2>/dev/null | grep -q '^Status: active'
}

# firewall_open_udp PORT: let Nebula's underlay UDP in.
firewall_open_udp() {
  local port=$1
  if firewalld_running; then
    firewall-cmd -q --permanent --add-port="$port/udp"
    firewall-cmd -q --add-port="$port/udp"
    log "firewalld: opened $port/udp"
  elif ufw_active; then
    ufw allow "$port/udp" >/dev/null
    log "ufw: opened $port/udp"
  else
    log "no host firewall running: $port/udp is governed by the cloud firewall only"
  fi
}

# firewall_trust_interface IFACE: the Nebula tun is filtered by Nebula's firewall
# (config.yml); a second host-level filter on it would only block Samba/MongoDB.
firewall_trust_interface() {
  local iface=$1
  if firewalld_running; then
    firewall-cmd -q --permanent --zone=trusted --add-interface="$iface" 2>/dev/null ||
      firewall-cmd -q --permanent --zone=trusted --change-interface="$iface"
    firewall-cmd -q --zone=trusted --change-interface="$iface" || true
    log "firewalld: $iface in zone trusted (Nebula's firewall filters the overlay)"
  elif ufw_active; then
    ufw allow in on "$iface" >/dev/null
    log "ufw: allowing in on $iface (Nebula's firewall filters the overlay)"
  fi
}

# fstab_set MOUNTPOINT LINE: make LINE the only fstab entry for MOUNTPOINT; rewrites the
# file atomically and only when something changes (returns 0 either way).
fstab_set() {
  local mp=$1 line=$2 tmp
  touch "$OOMERFARM_FSTAB"
  tmp=$(mktemp "$OOMERFARM_FSTAB.XXXXXX")
  awk -v mp="$mp" '$0 ~ /^[[:space:]]*#/ || $2 != mp' "$OOMERFARM_FSTAB" >"$tmp"
  printf '%s\n' "$line" >>"$tmp"
  if cmp -s "$tmp" "$OOMERFARM_FSTAB"; then
    rm -f "$tmp"
  else
    chmod 0644 "$tmp"
    mv -f "$tmp" "$OOMERFARM_FSTAB"
    log "fstab: set entry for $mp"
  fi
}

# ensure_farm_user: the Unix account behind Samba and the Deadline Worker (uid/gid SAMBA_UID).
ensure_farm_user() {
  require_vars SAMBA_USER SAMBA_UID
  getent group "$SAMBA_USER" >/dev/null || groupadd --system -g "$SAMBA_UID" "$SAMBA_USER"
  if ! getent passwd "$SAMBA_USER" >/dev/null; then
    useradd --system -u "$SAMBA_UID" -g "$SAMBA_UID" -d "/home/$SAMBA_USER" -m \
      -s /usr/sbin/nologin "$SAMBA_USER"
  fi
  [[ "$(id -u "$SAMBA_USER")" == "$SAMBA_UID" ]] || die "user $SAMBA_USER exists with uid $(id -u "$SAMBA_USER"), want $SAMBA_UID"
}

# has_overlay_ip IP: true once the Nebula tun carries IP.
has_overlay_ip() {
  ip -4 -o addr show 2>/dev/null | awk '{print $4}' | grep -qx "$1/[0-9]*"
}

# wait_for_tcp HOST PORT SECONDS
wait_for_tcp() {
  local host=$1 port=$2 secs=$3 i
  for ((i = 0; i < secs; i++)); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    sleep 1
  done
  return 1
}

selinux_enabled() {
  command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled
}

# wait_for_path PATH SECONDS: wait for a file the hub publishes (workers boot alongside
# the hub, which may still be downloading). Files appear by atomic rename, so existing
# means complete.
wait_for_path() {
  local path=$1 secs=$2 waited=0
  until [[ -e "$path" ]]; do
    ((waited >= secs)) && die "gave up after ${secs}s waiting for $path"
    ((waited % 300 == 0)) && log "waiting for $path (from the hub)"
    sleep 10
    waited=$((waited + 10))
  done
}
