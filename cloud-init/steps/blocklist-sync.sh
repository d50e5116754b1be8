#!/usr/bin/env bash
# Applies the farm-wide Nebula blocklist that the stack publishes on the hub's share
# (SHARE_DIR/.oomerfarm/blocklist.txt, one certificate fingerprint per line) to this host's
# Nebula config, and reloads Nebula when it changed. Run every 30 s by oomerfarm-blocklist.timer,
# so revoking a host (`pulumi config set revoked ...`) reaches every host within a minute
# without replacing any server. A missing file (share not mounted yet) changes nothing.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars SHARE_DIR

published="${OOMERFARM_BLOCKLIST:-$SHARE_DIR/.oomerfarm/blocklist.txt}"
config="${OOMERFARM_NEBULA_CONFIG:-/etc/nebula/config.yml}"
[[ -f "$published" ]] || exit 0

fingerprints=()
while IFS= read -r line || [[ -n "$line" ]]; do
  line="${line%%#*}"
  line="${line//[[:space:]]/}"
  [[ -z "$line" ]] && continue
  [[ "$line" =~ ^[0-9a-f]{64}$ ]] || die "blocklist: not a certificate fingerprint: $line"
  fingerprints+=("$line")
done <"$published"

# Quoted: a fingerprint of digits only would otherwise read as a number.
quoted=()
for fp in "${fingerprints[@]}"; do quoted+=("\"$fp\""); done
wanted="  blocklist: [$(IFS=,; printf '%s' "${quoted[*]:-}" | sed 's/,/, /g')]"
current=$(grep -m1 '^  blocklist:' "$config" || true)
[[ -n "$current" ]] || die "blocklist: $config has no pki.blocklist line"
[[ "$current" == "$wanted" ]] && exit 0

tmp="$config.oomerfarm-tmp"
while IFS= read -r line || [[ -n "$line" ]]; do
  if [[ "$line" == "  blocklist:"* ]]; then printf '%s\n' "$wanted"; else printf '%s\n' "$line"; fi
done <"$config" >"$tmp"
chmod --reference="$config" "$tmp"
mv -f "$tmp" "$config"
log "blocklist: ${#fingerprints[@]} certificate(s) blocked; reloading nebula"
${OOMERFARM_NEBULA_RELOAD:-systemctl reload nebula.service}
