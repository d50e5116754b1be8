#!/usr/bin/env bash
# Step (worker) and oomerfarm-renderers.service: install each renderer of RENDERERS from
# the hub's share into /opt/oomerfarm/NAME, checked against the pinned sha256.
# A no-op when the installed tree's marker already names that sha256.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars SHARE_DIR
tmp=""
trap 'rm -rf "${tmp:-}"' EXIT

install_renderer() {
  local name=$1 url=$2 sha=$3 bin=$4
  local src dest="/opt/oomerfarm/$name" local_copy exe
  src="$SHARE_DIR/installers/$(basename "$url")"
  if [[ -z "$sha" ]]; then
    # Unpinned (farm.env left it empty): trust what the hub recorded when it downloaded.
    wait_for_path "$src.sha256" 5400
    sha=$(<"$src.sha256")
    log "WARNING: $name is UNPINNED; using the sha256 the hub recorded: $sha"
  fi
  if [[ "$(cat "$dest/.oomerfarm-sha256" 2>/dev/null)" == "$sha" ]]; then
    log "$name already installed ($sha)"
    return 0
  fi
  wait_for_path "$src" 5400
  mkdir -p /opt/oomerfarm
  tmp=$(mktemp -d "/opt/oomerfarm/.$name.XXXXXX")
  # Copy once over SMB, verify the local copy, unpack it.
  local_copy="$tmp/$(basename "$url")"
  cp "$src" "$local_copy"
  [[ "$(sha256_of "$local_copy")" == "${sha,,}" ]] || die "sha256 mismatch for $src"
  mkdir "$tmp/tree"
  tar -xf "$local_copy" -C "$tmp/tree"
  rm -f "$local_copy"
  exe=$(find "$tmp/tree" -type f -name "$bin" -perm -u+x | head -n1)
  [[ -n "$exe" ]] || die "no executable $bin in $src"
  printf '%s\n' "$sha" >"$tmp/tree/.oomerfarm-sha256"
  rm -rf "$dest"
  mv "$tmp/tree" "$dest"
  ln -sfn "$dest/${exe#"$tmp/tree/"}" "/usr/local/bin/$bin"
  rm -rf "$tmp"
  log "installed $name into $dest (/usr/local/bin/$bin)"
}

for r in ${RENDERERS:-}; do
  case "$r" in
    bella)
      require_vars BELLA_URL BELLA_SHA256
      install_renderer bella "$BELLA_URL" "$BELLA_SHA256" bella_cli
      ;;
    blender)
      require_vars BLENDER_URL
      install_renderer blender "$BLENDER_URL" "${BLENDER_SHA256:-}" blender
      # Where Deadline's stock Blender plugin looks on Linux (its Blender.param default), so the
      # built-in plugin finds this Blender without a setting in the repository.
      mkdir -p /usr/local/Blender
      ln -sfn "$(readlink -f /usr/local/bin/blender)" /usr/local/Blender/blender
      ;;
    *) die "unknown renderer '$r' in RENDERERS" ;;
  esac
done
