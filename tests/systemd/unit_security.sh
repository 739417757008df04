#!/usr/bin/env bash
# systemd-analyze security of the shipped unit, offline: at most 1.5 ("threshold 15"), alone and
# with the jwo-edge-hal-gpio drop-in (the two ways the package installs it).
#   unit_security.sh SOURCE_DIR [gpio]
set -euo pipefail
src=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/systemd/system"
cp "$src/systemd/jwo-edged.service" "$root/etc/systemd/system/"
if [ "${2:-}" = gpio ]; then
  mkdir -p "$root/etc/systemd/system/jwo-edged.service.d"
  cp "$src/packaging/debian/jwo-edge-hal-gpio.dropin" \
    "$root/etc/systemd/system/jwo-edged.service.d/gpio.conf"
fi
out=$(systemd-analyze security --offline=true --root="$root" --threshold=15 --no-pager \
  jwo-edged.service 2>&1) && rc=0 || rc=$?
grep -E "Overall exposure" <<<"$out"
if [ "$rc" -ne 0 ]; then
  echo "exposure above 1.5 (or systemd-analyze failed, exit $rc):"
  grep "✗" <<<"$out" || echo "$out"
  exit 1
fi
