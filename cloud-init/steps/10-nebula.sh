#!/usr/bin/env bash
# Step: install the pinned Nebula release, start nebula.service, wait for the overlay IP.
# Runs first (before packages) so that services installed later can bind to the overlay.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars NEBULA_VERSION NEBULA_URL NEBULA_SHA256 NEBULA_PORT OVERLAY_IP
detect_os
if ! command -v curl >/dev/null || ! command -v tar >/dev/null; then
  pkg_install curl tar gzip
fi

[[ -s /etc/nebula/config.yml ]] || die "missing /etc/nebula/config.yml (written by cloud-init)"
for f in ca.crt host.crt host.key; do
  [[ -s "/etc/nebula/$f" ]] || die "missing /etc/nebula/$f (written by cloud-init)"
done

tarball="$OOMERFARM_CACHE_DIR/nebula-$NEBULA_VERSION-linux-amd64.tar.gz"
fetch_verified "$NEBULA_URL" "$NEBULA_SHA256" "$tarball"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp"
changed=0
for bin in nebula nebula-cert; do
  src=$(find "$tmp" -type f -name "$bin" | head -n1)
  [[ -n "$src" ]] || die "$bin not found in $tarball"
  if ! cmp -s "$src" "/usr/local/bin/$bin"; then
    install -m 0755 "$src" "/usr/local/bin/$bin"
    changed=1
  fi
done
if ((changed)); then
  log "installed nebula $NEBULA_VERSION to /usr/local/bin"
  if command -v restorecon >/dev/null; then restorecon /usr/local/bin/nebula /usr/local/bin/nebula-cert; fi
fi

/usr/local/bin/nebula -test -config /etc/nebula/config.yml || die "nebula rejects /etc/nebula/config.yml"

firewall_open_udp "$NEBULA_PORT"
firewall_trust_interface "${NEBULA_TUN_DEV:-nebula1}"

systemctl daemon-reload
systemctl enable nebula.service
if ((changed)) && systemctl is-active --quiet nebula.service; then
  systemctl restart nebula.service
else
  # Blocks until ExecStartPost (overlay-wait.sh) has seen the address.
  systemctl start nebula.service
fi
bash "$OOMERFARM_HOME/overlay-wait.sh" 60
log "overlay up: $OVERLAY_IP"
