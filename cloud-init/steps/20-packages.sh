#!/usr/bin/env bash
# Step: OS packages this role needs. Idempotent: the package managers skip what is present.
set -euo pipefail
# shellcheck source=lib.sh
source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"
load_farm_env
require_vars ROLE
detect_os

pkgs=(curl tar gzip openssl ca-certificates)
case "$OS_FAMILY:$ROLE" in
  el:hub)
    # semanage (persistent SELinux labels for the shares); python3 runs mongo-bootstrap.py.
    pkgs+=(samba samba-common-tools policycoreutils-python-utils python3 libcurl xz)
    ;;
  ubuntu:hub)
    pkgs+=(samba python3 libcurl4 xz-utils)
    ;;
  el:worker)
    # X client libraries: Blender and Deadline load them even when rendering headless.
    pkgs+=(cifs-utils xz bzip2 fontconfig libX11 libXext libXi libXrender libXfixes
      libXxf86vm libxkbcommon libSM mesa-libGL)
    ;;
  ubuntu:worker)
    pkgs+=(cifs-utils xz-utils bzip2 fontconfig libx11-6 libxext6 libxi6 libxrender1
      libxfixes3 libxxf86vm1 libxkbcommon0 libsm6 libgl1)
    ;;
  *) die "unknown ROLE '$ROLE' in farm.env" ;;
esac
log "installing: ${pkgs[*]}"
pkg_install "${pkgs[@]}"
