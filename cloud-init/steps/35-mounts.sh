#!/usr/bin/env bash
# Step (worker): the hub's two Samba shares as systemd automounts over the overlay.
# Mounting waits for nebula.service (x-systemd.requires/after), never for the underlay.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars HUB_OVERLAY_IP REPOSITORY_DIR SHARE_DIR SAMBA_USER SAMBA_UID

ensure_farm_user

# mount.cifs credentials file: rewritten only when it would change.
creds="$OOMERFARM_ETC/secrets/samba.credentials"
new=$(printf 'username=%s\npassword=%s\n' "$SAMBA_USER" "$(read_secret samba.password)")
if [[ ! -f "$creds" || "$(<"$creds")" != "$new" ]]; then
  (umask 077 && printf '%s\n' "$new" >"$creds.tmp")
  mv -f "$creds.tmp" "$creds"
fi
chmod 0600 "$creds"

opts="vers=3.1.1,uid=$SAMBA_UID,gid=$SAMBA_UID,credentials=$creds,_netdev,nofail"
opts+=",x-systemd.automount,x-systemd.requires=nebula.service,x-systemd.after=nebula.service"
mkdir -p "$REPOSITORY_DIR" "$SHARE_DIR"
fstab_set "$REPOSITORY_DIR" "//$HUB_OVERLAY_IP/DeadlineRepository10 $REPOSITORY_DIR cifs $opts 0 0"
fstab_set "$SHARE_DIR" "//$HUB_OVERLAY_IP/oomerfarm $SHARE_DIR cifs $opts 0 0"

systemctl daemon-reload
for dir in "$REPOSITORY_DIR" "$SHARE_DIR"; do
  systemctl start "$(systemd-escape --path --suffix=automount "$dir")"
done

# The hub may still be booting: wait until the share answers (touching it mounts it).
for ((i = 0; i < 180; i++)); do
  if [[ -d "$SHARE_DIR/installers" ]]; then
    log "shares mounted from $HUB_OVERLAY_IP"
    exit 0
  fi
  ((i % 30 == 0)) && log "waiting for //$HUB_OVERLAY_IP/oomerfarm"
  sleep 10
done
die "//$HUB_OVERLAY_IP/oomerfarm not reachable after 30 min"
