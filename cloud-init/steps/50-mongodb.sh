#!/usr/bin/env bash
# Step (hub): pinned MongoDB tarball for this OS, system user mongod, data on DATA_MOUNT,
# mongod.service (after nebula.service), then the users via mongo-bootstrap.py.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars MONGODB_VERSION MONGODB_PORT DATA_MOUNT HUB_OVERLAY_IP
detect_os

case "$OS_FAMILY:$OS_MAJOR" in
  el:8) key=EL8 ;;
  el:9) key=EL9 ;;
  ubuntu:22) key=UBUNTU2204 ;;
  ubuntu:24)
    # MongoDB 6.0 has no 24.04 build; the 22.04 one runs there (same libssl3 ABI).
    if [[ -n "${MONGODB_URL_UBUNTU2404:-}" ]]; then key=UBUNTU2404; else
      key=UBUNTU2204
      log "Ubuntu 24.04: using the Ubuntu 22.04 MongoDB build"
    fi
    ;;
esac
url_var="MONGODB_URL_$key" sha_var="MONGODB_SHA256_$key"
require_vars "$url_var" "$sha_var"

tarball="$OOMERFARM_CACHE_DIR/mongodb-$MONGODB_VERSION-$key.tgz"
fetch_verified "${!url_var}" "${!sha_var}" "$tarball"

prefix="/opt/oomerfarm/mongodb-$MONGODB_VERSION"
if [[ ! -x "$prefix/bin/mongod" ]]; then
  mkdir -p /opt/oomerfarm
  # Unpack beside the target, then rename: a half-unpacked tree never looks installed.
  tmp=$(mktemp -d /opt/oomerfarm/.mongodb.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  tar -xzf "$tarball" -C "$tmp" --strip-components=1
  [[ -x "$tmp/bin/mongod" ]] || die "no bin/mongod in $tarball"
  rm -rf "$prefix"
  mv "$tmp" "$prefix"
  chmod 0755 "$prefix"
  log "unpacked MongoDB $MONGODB_VERSION into $prefix"
fi
ln -sfn "$prefix/bin/mongod" /usr/local/bin/mongod

# Its own unprivileged account (the original ran mongod as root).
if ! getent passwd mongod >/dev/null; then
  useradd --system -U -M -d "$DATA_MOUNT/mongodb" -s /usr/sbin/nologin mongod
fi
install -d -o mongod -g mongod -m 0750 "$DATA_MOUNT/mongodb"
# mongod.conf may log to a file under /var/log/mongodb (cloud-init's mongod.conf does).
install -d -o mongod -g mongod -m 0750 /var/log/mongodb
server_pem="$OOMERFARM_ETC/secrets/mongodb-server.pem"
[[ -s "$server_pem" ]] || die "missing $server_pem"
chown mongod:mongod "$server_pem"
chmod 0600 "$server_pem"
[[ -s /etc/mongod.conf ]] || die "missing /etc/mongod.conf (written by cloud-init)"

systemctl daemon-reload
systemctl enable --now mongod.service
wait_for_tcp 127.0.0.1 "$MONGODB_PORT" 90 || die "mongod does not listen on 127.0.0.1:$MONGODB_PORT (bindIp must include 127.0.0.1)"

# The server requires a client certificate: use Deadline's, unpacked to a tmpfs for the run.
client_pem=$(mktemp /run/oomerfarm-mongo-client.XXXXXX)
trap 'rm -f "$client_pem"; rm -rf "${tmp:-}"' EXIT
openssl pkcs12 -in "$OOMERFARM_ETC/secrets/deadline-client.pfx" -nodes \
  -passin "file:$OOMERFARM_ETC/secrets/deadline-client.pfx.password" -out "$client_pem" 2>/dev/null ||
  die "cannot read deadline-client.pfx with its password file"

python=python3
command -v python3 >/dev/null || python=/usr/libexec/platform-python
"$python" "$OOMERFARM_HOME/mongo-bootstrap.py" --host 127.0.0.1 --port "$MONGODB_PORT" \
  --tls-name "$HUB_OVERLAY_IP" --ca "$OOMERFARM_ETC/tls/ca.crt" --cert "$client_pem" \
  --admin-password-file "$OOMERFARM_ETC/secrets/mongodb-admin.password" \
  --deadline-password-file "$OOMERFARM_ETC/secrets/mongodb-deadline.password" ||
  die "mongo-bootstrap.py failed"
log "mongod running; users in place"
