#!/usr/bin/env bash
# Step (worker): put our Deadline plugins (BellaRender and its Monitor submitter) into the
# repository's custom/ tree. The hub's user data has no room for them (32 KiB with its
# certificates), so every worker carries them and the first to boot installs them; the others
# find identical files and change nothing. Files are replaced atomically (copy, then rename).
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars REPOSITORY_DIR SAMBA_USER

src="${OOMERFARM_DEADLINE_CUSTOM:-/usr/local/lib/oomerfarm/deadline-custom}"
dest="$REPOSITORY_DIR/custom"
if [[ ! -d "$src" ]]; then
  log "no Deadline plugins to install (renderers without bella)"
  exit 0
fi
wait_for_path "$dest" 5400
changed=0
while IFS= read -r -d '' file; do
  rel="${file#"$src"/}"
  target="$dest/$rel"
  if [[ -f "$target" ]] && cmp -s "$file" "$target"; then
    continue
  fi
  mkdir -p "$(dirname "$target")"
  cp "$file" "$target.oomerfarm-tmp.$$"
  mv -f "$target.oomerfarm-tmp.$$" "$target"
  changed=$((changed + 1))
done < <(find "$src" -type f -print0)
log "Deadline plugins in $dest: $changed file(s) updated"
