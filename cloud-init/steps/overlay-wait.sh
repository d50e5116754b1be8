#!/usr/bin/env bash
# overlay-wait.sh [SECONDS]: wait until the Nebula tun carries OVERLAY_IP.
# nebula.service runs it as ExecStartPost, so units ordered After=nebula.service
# (smbd, mongod, CIFS mounts) start only once the overlay address exists to bind to.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars OVERLAY_IP
secs=${1:-60}
for ((i = 0; i < secs; i++)); do
  has_overlay_ip "$OVERLAY_IP" && exit 0
  sleep 1
done
die "overlay address $OVERLAY_IP did not appear within ${secs}s"
