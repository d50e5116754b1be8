#!/usr/bin/env bash
# Step (hub): download the pinned Deadline installers once onto the share (workers copy the
# client from there), install the repository unattended into REPOSITORY_DIR against our
# MongoDB, then add the Bella plugin tree. Skipped when the pinned version is installed.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars DEADLINE_VERSION DEADLINE_URL DEADLINE_SHA256 REPOSITORY_DIR SHARE_DIR \
  HUB_OVERLAY_IP MONGODB_PORT SAMBA_USER

installers="$SHARE_DIR/installers/Deadline-$DEADLINE_VERSION-linux-installers.tar"
fetch_verified "$DEADLINE_URL" "$DEADLINE_SHA256" "$installers"
chown "$SAMBA_USER:$SAMBA_USER" "$installers"

if grep -qsF "$DEADLINE_VERSION" "$REPOSITORY_DIR/settings/version"; then
  log "repository $DEADLINE_VERSION already in $REPOSITORY_DIR"
else
  tmp=$(mktemp -d /var/tmp/oomerfarm-deadline.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  tar -xf "$installers" -C "$tmp" --wildcards --no-anchored 'DeadlineRepository-*-linux-x64-installer.run'
  run=$(find "$tmp" -name 'DeadlineRepository-*-linux-x64-installer.run' | head -n1)
  [[ -n "$run" ]] || die "no repository installer in $installers"
  chmod +x "$run"
  log "installing Deadline repository $DEADLINE_VERSION into $REPOSITORY_DIR"
  # Passwords are arguments (the installer has no other way); the hub has no other users.
  "$run" --mode unattended --unattendedmodeui none --prefix "$REPOSITORY_DIR" \
    --dbLicenseAcceptance accept --installmongodb false \
    --dbhost "$HUB_OVERLAY_IP" --dbport "$MONGODB_PORT" --dbname deadline10db \
    --dbauth true --dbuser deadline --dbpassword "$(read_secret mongodb-deadline.password)" \
    --dbssl true --dbclientcert "$OOMERFARM_ETC/secrets/deadline-client.pfx" \
    --dbcertpass "$(read_secret deadline-client.pfx.password)" ||
    die "repository installer failed (its log is under /tmp/bitrock_installer*.log)"
  grep -qsF "$DEADLINE_VERSION" "$REPOSITORY_DIR/settings/version" ||
    die "installer finished but $REPOSITORY_DIR/settings/version does not say $DEADLINE_VERSION"
fi

custom=/usr/local/lib/oomerfarm/deadline-custom
if [[ -d "$custom" ]]; then
  cp -a "$custom/." "$REPOSITORY_DIR/custom/"
  log "copied $custom into $REPOSITORY_DIR/custom"
fi
# Workers reach the repository as the Samba user: it must own the tree.
chown -R "$SAMBA_USER:$SAMBA_USER" "$REPOSITORY_DIR"
