#!/usr/bin/env bash
# Installs, from Debian's archive, whichever of the named packages this machine does not have installed. "Installed"
# is dpkg's "install ok installed", not merely known: a package removed but not purged keeps its entry ("deinstall ok
# config-files") and none of its programs.
#   bash scripts/ensure-packages.sh postgresql redis-server chromium      (as root; silent when nothing is missing)
set -euo pipefail
missing=()
for package in "$@"; do
  [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
