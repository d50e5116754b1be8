#!/usr/bin/env bash
# run-steps.sh ROLE: run the boot steps listed in STEPS_DIR/ROLE.steps, in order.
# A failing step stops the run: its name goes to STATE_DIR/failed-step and we exit 1,
# so `cloud-init status` reports the error. Success writes STATE_DIR/ready.
# Safe to re-run: every step is idempotent, and a lock keeps two runs apart.
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export OOMERFARM_LIB=${OOMERFARM_LIB:-$SELF_DIR/lib.sh}
export OOMERFARM_HOME=${OOMERFARM_HOME:-$SELF_DIR}
# shellcheck source=lib.sh
source "$OOMERFARM_LIB"
export OOMERFARM_STATE_DIR OOMERFARM_LOG_DIR OOMERFARM_ETC OOMERFARM_ENV_FILE

role=${1:-}
case "$role" in
  hub | worker) ;;
  *)
    echo "usage: $0 hub|worker" >&2
    exit 2
    ;;
esac

steps_dir=${OOMERFARM_STEPS_DIR:-$SELF_DIR/steps}
list="$steps_dir/$role.steps"
[[ -r "$list" ]] || die "missing step list $list"

mkdir -p "$OOMERFARM_STATE_DIR"
exec 9>"$OOMERFARM_STATE_DIR/run-steps.lock"
flock -w 3600 9 || die "another run-steps.sh holds $OOMERFARM_STATE_DIR/run-steps.lock"

# Not ready while (re)running; a stale failed-step stays until this run succeeds.
rm -f "$OOMERFARM_STATE_DIR/ready"

# Read the whole list first: steps must not be able to consume it from stdin.
steps=()
while read -r name _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  steps+=("$name")
done <"$list"

log "role $role: ${#steps[@]} steps: ${steps[*]}"
for name in "${steps[@]}"; do
  export OOMERFARM_STEP=$name
  script="$steps_dir/$name.sh"
  log "start"
  rc=0
  if [[ -f "$script" ]]; then
    bash "$script" </dev/null || rc=$?
  else
    log "no such step script: $script"
    rc=127
  fi
  if ((rc != 0)); then
    log "FAILED (exit $rc); see $OOMERFARM_LOG_DIR/boot.log"
    printf '%s\n' "$name" >"$OOMERFARM_STATE_DIR/failed-step"
    exit 1
  fi
  log "ok"
done

export OOMERFARM_STEP=run
rm -f "$OOMERFARM_STATE_DIR/failed-step"
printf 'role=%s\nready_at=%s\n' "$role" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$OOMERFARM_STATE_DIR/ready.tmp"
mv -f "$OOMERFARM_STATE_DIR/ready.tmp" "$OOMERFARM_STATE_DIR/ready"
log "role $role ready"
