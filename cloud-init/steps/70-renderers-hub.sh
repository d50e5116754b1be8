#!/usr/bin/env bash
# Step (hub): put each renderer of RENDERERS on SHARE_DIR/installers once, checksum-checked,
# so workers install from the hub instead of the internet.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars SHARE_DIR SAMBA_USER

dir="$SHARE_DIR/installers"
mkdir -p "$dir"
for r in ${RENDERERS:-}; do
  case "$r" in
    bella)
      require_vars BELLA_URL BELLA_SHA256
      fetch_verified "$BELLA_URL" "$BELLA_SHA256" "$dir/$(basename "$BELLA_URL")"
      if [[ -n "${SCENE_URL:-}" ]]; then
        scene="$SHARE_DIR/projects/$(basename "$SCENE_URL")"
        if [[ -n "${SCENE_SHA256:-}" ]]; then
          fetch_verified "$SCENE_URL" "$SCENE_SHA256" "$scene"
        else
          fetch_unpinned "$SCENE_URL" "$scene"
        fi
      fi
      ;;
    blender)
      require_vars BLENDER_URL
      if [[ -n "${BLENDER_SHA256:-}" ]]; then
        fetch_verified "$BLENDER_URL" "$BLENDER_SHA256" "$dir/$(basename "$BLENDER_URL")"
      else
        fetch_unpinned "$BLENDER_URL" "$dir/$(basename "$BLENDER_URL")"
      fi
      ;;
    *) die "unknown renderer '$r' in RENDERERS" ;;
  esac
done
chown -R "$SAMBA_USER:$SAMBA_USER" "$dir" "$SHARE_DIR/projects"
