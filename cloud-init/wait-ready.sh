#!/usr/bin/env bash
# Run over SSH by `pulumi up` (waitForReady): wait for the hub's boot to end, then report.
set -uo pipefail
state=/var/lib/oomerfarm
for _ in $(seq 1 720); do
  if [ -f "$state/ready" ]; then
    echo "hub ready"
    exit 0
  fi
  if [ -f "$state/failed-step" ]; then
    echo "hub boot failed at step: $(cat "$state/failed-step")" >&2
    echo "last lines of /var/log/oomerfarm/boot.log:" >&2
    tail -n 25 /var/log/oomerfarm/boot.log >&2 || true
    exit 1
  fi
  sleep 5
done
echo "hub boot did not finish within an hour; see /var/log/oomerfarm/boot.log and cloud-init status --long" >&2
exit 1
