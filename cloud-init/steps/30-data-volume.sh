#!/usr/bin/env bash
# Step (hub): put the farm's data on DATA_DEVICE (or the root disk when it is empty) and
# bind REPOSITORY_DIR and SHARE_DIR onto it. Formats a device only when it holds nothing.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars DATA_MOUNT REPOSITORY_DIR SHARE_DIR
detect_os
mkdir -p "$DATA_MOUNT"

if [[ -n "${DATA_DEVICE:-}" ]]; then
  # Cloud volumes can attach a little after boot.
  for ((i = 0; i < 120; i++)); do
    [[ -b "$DATA_DEVICE" ]] && break
    sleep 1
  done
  [[ -b "$DATA_DEVICE" ]] || die "data device $DATA_DEVICE did not appear within 120s"
  dev=$(readlink -f "$DATA_DEVICE")
  fstype=$(blkid -p -o value -s TYPE "$dev" 2>/dev/null || true)
  if [[ -z "$fstype" ]]; then
    # Blank means: no filesystem signature and no partitions. Anything else is left alone.
    if [[ -n "$(blkid -p -o value -s PTTYPE "$dev" 2>/dev/null || true)" ]] ||
      (($(lsblk -nro NAME "$dev" | wc -l) > 1)); then
      die "$dev has partitions but no filesystem; refusing to format it"
    fi
    if [[ "$OS_FAMILY" == el ]]; then fstype=xfs; else fstype=ext4; fi
    log "formatting blank $dev as $fstype"
    "mkfs.$fstype" -q -L farmdata "$dev"
    udevadm settle || true
  fi
  uuid=$(blkid -o value -s UUID "$dev")
  [[ -n "$uuid" ]] || die "no filesystem UUID on $dev"
  fstab_set "$DATA_MOUNT" "UUID=$uuid $DATA_MOUNT $fstype defaults,nofail 0 2"
  systemctl daemon-reload
  mountpoint -q "$DATA_MOUNT" || mount "$DATA_MOUNT"
  log "$dev ($fstype, UUID=$uuid) mounted at $DATA_MOUNT"
else
  log "DATA_DEVICE empty: data lives on the root disk under $DATA_MOUNT"
fi

# Bind mounts, not symlinks: Samba and SELinux see ordinary directories.
bind_onto_data() {
  local target=$1 src=$2
  mkdir -p "$src" "$target"
  fstab_set "$target" "$src $target none bind,nofail,x-systemd.requires-mounts-for=$DATA_MOUNT 0 0"
  systemctl daemon-reload
  mountpoint -q "$target" || mount "$target"
}
bind_onto_data "$REPOSITORY_DIR" "$DATA_MOUNT/DeadlineRepository10"
bind_onto_data "$SHARE_DIR" "$DATA_MOUNT/share"
mkdir -p "$DATA_MOUNT/mongodb"
log "repository at $REPOSITORY_DIR, share at $SHARE_DIR (both on $DATA_MOUNT)"
