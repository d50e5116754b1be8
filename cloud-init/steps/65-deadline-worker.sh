#!/usr/bin/env bash
# Step (worker): start deadline-worker.service once the hub's repository is installed.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars DEADLINE_VERSION REPOSITORY_DIR SHARE_DIR HOST_NAME

# The hub installs the repository after downloading ~1 GB: wait for it.
wait_for_path "$REPOSITORY_DIR/settings/version" 5400
grep -qF "$DEADLINE_VERSION" "$REPOSITORY_DIR/settings/version" ||
  die "repository at $REPOSITORY_DIR is not Deadline $DEADLINE_VERSION"

# units/deadline-worker.service names the default mount points' automount units; other
# paths get a drop-in naming theirs.
dropin=/etc/systemd/system/deadline-worker.service.d/mounts.conf
if [[ "$REPOSITORY_DIR" != /mnt/DeadlineRepository10 || "$SHARE_DIR" != /mnt/oomerfarm ]]; then
  units="$(systemd-escape --path --suffix=automount "$REPOSITORY_DIR") $(systemd-escape --path --suffix=automount "$SHARE_DIR")"
  mkdir -p "$(dirname "$dropin")"
  printf '[Unit]\nRequires=%s\nAfter=%s\n' "$units" "$units" >"$dropin"
else
  rm -f "$dropin"
fi

systemctl daemon-reload
systemctl enable oomerfarm-renderers.service deadline-worker.service
systemctl start deadline-worker.service
sleep 5
systemctl is-active --quiet deadline-worker.service || die "deadline-worker.service did not stay up"
log "Deadline Worker $HOST_NAME running"
