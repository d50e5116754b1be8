#!/usr/bin/env bash
# Step (all): start applying the farm-wide Nebula blocklist (see blocklist-sync.sh).
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
systemctl daemon-reload
systemctl enable --now oomerfarm-blocklist.timer
log "blocklist timer enabled"
