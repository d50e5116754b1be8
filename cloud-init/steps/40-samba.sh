#!/usr/bin/env bash
# Step (hub): Samba user, share folders, persistent SELinux labels, validate the smb.conf
# cloud-init wrote and start smbd (after nebula.service, see units/smb-after-nebula.conf).
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars SHARE_DIR REPOSITORY_DIR DATA_MOUNT SAMBA_USER SAMBA_UID
detect_os

ensure_farm_user
for d in "$SHARE_DIR" "$SHARE_DIR/projects" "$SHARE_DIR/renders" "$SHARE_DIR/installers" "$SHARE_DIR/bella" "$REPOSITORY_DIR"; do
  mkdir -p "$d"
  chown "$SAMBA_USER:$SAMBA_USER" "$d"
  chmod 0775 "$d"
done

# Same password every run, fed on stdin so it never shows in ps.
password=$(read_secret samba.password)
printf '%s\n%s\n' "$password" "$password" | smbpasswd -s -a "$SAMBA_USER" >/dev/null
smbpasswd -e "$SAMBA_USER" >/dev/null

if selinux_enabled; then
  # Persistent rules + restorecon (chcon would be undone by the next relabel).
  # Label both the bind targets and their sources on the data volume.
  for d in "$SHARE_DIR" "$REPOSITORY_DIR" "$DATA_MOUNT/share" "$DATA_MOUNT/DeadlineRepository10"; do
    spec="$d(/.*)?"
    if semanage fcontext -l -C | grep -qF "$spec "; then
      semanage fcontext -m -t samba_share_t "$spec"
    else
      semanage fcontext -a -t samba_share_t "$spec"
    fi
    restorecon -R "$d"
  done
  log "SELinux: samba_share_t on the shares"
fi

[[ -s /etc/samba/smb.conf ]] || die "missing /etc/samba/smb.conf (written by cloud-init)"
if ! errors=$(testparm -s /etc/samba/smb.conf 2>&1 >/dev/null); then
  die "testparm rejects /etc/samba/smb.conf: $errors"
fi

if [[ "$OS_FAMILY" == el ]]; then svc=smb.service; else svc=smbd.service; fi
# NetBIOS is not needed over the overlay (Ubuntu enables nmbd with the package).
systemctl disable --now nmbd.service nmb.service >/dev/null 2>&1 || true
systemctl daemon-reload
# enable --now leaves a running smbd alone on re-runs (smbd rereads smb.conf by itself).
systemctl enable --now "$svc"
systemctl is-active --quiet "$svc" || die "$svc is not running"
log "$svc running"
