#!/usr/bin/env bash
# Builds jwo-edge's Debian packages from this checkout (tracked and new files; ignored ones such
# as build folders are left out) and checks them with lintian:
#
#   packaging/build-deb.sh [OUTDIR]                  # for this machine's Debian, default dist/
#   packaging/build-deb.sh --suite trixie [OUTDIR]   # in a fresh Debian 13 root, dist/trixie/
#
# Needs the build dependencies and the packaging tools: sudo packaging/install-build-deps.sh
# --package. Builds in a fixed folder (JWO_DEB_WORKDIR, default /tmp/jwo-edge-deb) so that
# ccache finds the same compile lines again. Fails on any lintian error or warning.
# --suite builds inside a root made by mmdebstrap from this machine's Debian mirror, with the
# build dependencies that suite resolves (apt-get build-dep) and that suite's lintian; as root.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
suite=""
if [ "${1:-}" = "--suite" ]; then
  suite=${2:?--suite needs a Debian suite name, e.g. trixie}
  shift 2
fi
out=${1:-$src/dist${suite:+/$suite}}
work=${JWO_DEB_WORKDIR:-/tmp/jwo-edge-deb}${suite:+-$suite}
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

if [ -z "$suite" ]; then
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
else
  [ "$(id -u)" -eq 0 ] || { echo "build-deb: --suite needs root (chroot)" >&2; exit 1; }
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
  root="$work-root"
  rm -rf --one-file-system "$root"
  start=$(date +%s)
  echo "build-deb: a fresh $suite build root (mmdebstrap, $mirror)"
  mmdebstrap --quiet --variant=buildd --include=lintian,ca-certificates "$suite" "$root" "$mirror"
  mkdir -p "$root/build"
  mv "$tree" "$root/build/"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # In a mount namespace of its own: /dev and /proc are bound for the build only and go away
  # with it, whatever happens to this script.
  in_root() {
    unshare --mount --pid --fork --mount-proc="$root/proc" \
      sh -c 'mount --rbind /dev "$0/dev" && exec chroot "$0" "$@"' "$root" "$@"
  }
  in_root sh -c "cd /build/jwo-edge-$version &&
    { { apt-get update -q && apt-get build-dep -y -q ./; } >/var/tmp/build-dep.log 2>&1 ||
      { tail -30 /var/tmp/build-dep.log; exit 1; }; } &&
    dpkg-buildpackage -us -uc -b -j$(nproc)"
  echo "build-deb: built in $suite in $(( $(date +%s) - start )) s (root, build dependencies, compile)"
  echo "build-deb: lintian ($suite's)"
  in_root sh -c "lintian --fail-on error,warning --info /build/jwo-edge_${version}_*.changes"
  rm -rf "$work"; mkdir -p "$work"
  cp "$root"/build/*.deb "$root"/build/*.changes "$work/"
fi

mkdir -p "$out"
for deb in "$work"/*.deb; do cp "$deb" "$out/"; done
ls -l "$out"/*"${version}"*.deb
