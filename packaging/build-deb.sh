#!/usr/bin/env bash
# Builds jwo-edge's Debian packages from this checkout (tracked and new files; ignored ones such
# as build folders are left out) and checks them with lintian:
#
#   packaging/build-deb.sh [OUTDIR]        # default OUTDIR: dist/
#
# Needs the build dependencies and the packaging tools: sudo packaging/install-build-deps.sh
# --package. Builds in a fixed folder (JWO_DEB_WORKDIR, default /tmp/jwo-edge-deb) so that
# ccache finds the same compile lines again. Fails on any lintian error or warning.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/dist}
work=${JWO_DEB_WORKDIR:-/tmp/jwo-edge-deb}
for tool in dpkg-buildpackage dh lintian git; do
  if ! command -v "$tool" >/dev/null; then
    echo "build-deb: $tool is missing; run: sudo packaging/install-build-deps.sh --package" >&2
    exit 1
  fi
done
version=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
tree="$work/jwo-edge-$version"

echo "build-deb: jwo-edge $version in $tree"
rm -rf "$work"
mkdir -p "$tree"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null --no-recursion -T - -cf -) | tar -C "$tree" -xf -
rm -rf "$tree/debian"
cp -r "$tree/packaging/debian" "$tree/debian"
# One source for the unit and its users and folders: systemd/.
cp "$tree/systemd/jwo-edged.service" "$tree/debian/jwo-edge.jwo-edged.service"
cp "$tree/systemd/jwo-edge.sysusers" "$tree/debian/jwo-edge.sysusers"
cp "$tree/systemd/jwo-edge.tmpfiles" "$tree/debian/jwo-edge.tmpfiles"

# debhelper points HOME at a scratch folder: name ccache's folder so the cache is used.
if command -v ccache >/dev/null; then
  CCACHE_DIR=${CCACHE_DIR:-$(ccache -k cache_dir)}
  export CCACHE_DIR
fi
start=$(date +%s)
(cd "$tree" && dpkg-buildpackage -us -uc -b -j"$(nproc)")
echo "build-deb: built in $(( $(date +%s) - start )) s"

changes=$(ls "$work"/jwo-edge_"${version}"_*.changes)
echo "build-deb: lintian"
lintian --fail-on error,warning --info "$changes"

mkdir -p "$out"
for deb in "$work"/*.deb; do cp "$deb" "$out/"; done
ls -l "$out"/*"${version}"*.deb
