#!/usr/bin/env bash
# Last step: check that what this role serves is actually up before run-steps.sh writes
# the readiness marker.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars ROLE OVERLAY_IP

has_overlay_ip "$OVERLAY_IP" || die "overlay address $OVERLAY_IP missing"
units=(nebula.service)
if [[ "$ROLE" == hub ]]; then
  detect_os
  if [[ "$OS_FAMILY" == el ]]; then units+=(smb.service); else units+=(smbd.service); fi
  units+=(mongod.service)
  require_vars MONGODB_PORT
  wait_for_tcp "$OVERLAY_IP" "$MONGODB_PORT" 30 || die "mongod not listening on $OVERLAY_IP:$MONGODB_PORT"
  wait_for_tcp "$OVERLAY_IP" 445 30 || die "smbd not listening on $OVERLAY_IP:445"
else
  units+=(deadline-worker.service)
  require_vars SHARE_DIR REPOSITORY_DIR
  [[ -d "$SHARE_DIR/installers" && -d "$REPOSITORY_DIR/settings" ]] || die "shares not mounted"
fi
for u in "${units[@]}"; do
  systemctl is-active --quiet "$u" || die "$u is not active"
done
log "checked: ${units[*]}"
