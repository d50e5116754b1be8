#!/usr/bin/env bash
# Step (worker): install the Deadline client from the installers tar the hub put on the
# share (one internet download per farm). Skipped when the pinned version is installed.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars DEADLINE_VERSION DEADLINE_SHA256 SHARE_DIR REPOSITORY_DIR SAMBA_USER

prefix=/opt/Thinkbox/Deadline10
marker="$OOMERFARM_STATE_DIR/deadline-client.version"
pfx="$OOMERFARM_ETC/secrets/deadline-client.pfx"

# deadlineworker runs as the farm user and opens the client certificate itself.
chgrp "$SAMBA_USER" "$pfx" "$pfx.password"
chmod 0640 "$pfx" "$pfx.password"

if [[ -x "$prefix/bin/deadlineworker" && "$(cat "$marker" 2>/dev/null)" == "$DEADLINE_VERSION" ]]; then
  log "Deadline client $DEADLINE_VERSION already installed"
  exit 0
fi

src="$SHARE_DIR/installers/Deadline-$DEADLINE_VERSION-linux-installers.tar"
wait_for_path "$src" 5400
tmp=$(mktemp -d /var/tmp/oomerfarm-deadline.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# Verify the copy we extract from, not the file on the share (it could change in between).
cp "$src" "$tmp/installers.tar"
[[ "$(sha256_of "$tmp/installers.tar")" == "${DEADLINE_SHA256,,}" ]] || die "sha256 mismatch for $src"
tar -xf "$tmp/installers.tar" -C "$tmp" --wildcards --no-anchored 'DeadlineClient-*-linux-x64-installer.run'
rm -f "$tmp/installers.tar"
run=$(find "$tmp" -name 'DeadlineClient-*-linux-x64-installer.run' | head -n1)
[[ -n "$run" ]] || die "no client installer in $src"
if [[ -n "${DEADLINE_CLIENT_SHA256:-}" ]]; then
  [[ "$(sha256_of "$run")" == "${DEADLINE_CLIENT_SHA256,,}" ]] || die "sha256 mismatch for $(basename "$run")"
fi
chmod +x "$run"
log "installing Deadline client $DEADLINE_VERSION"
"$run" --mode unattended --prefix "$prefix" --connectiontype Direct \
  --repositorydir "$REPOSITORY_DIR" --dbsslcertificate "$pfx" \
  --dbsslpassword "$(read_secret deadline-client.pfx.password)" \
  --slavestartup false --launcherdaemon false --noguimode true ||
  die "client installer failed (its log is under /tmp/bitrock_installer*.log)"
[[ -x "$prefix/bin/deadlineworker" ]] || die "installer finished but $prefix/bin/deadlineworker is missing"
printf '%s\n' "$DEADLINE_VERSION" >"$marker"
