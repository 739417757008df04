#!/usr/bin/env bash
# Installs everything needed to build and test jwo-edge on Debian 12 (bookworm) or 13.
# Idempotent: safe to run again; it only adds what is missing.
#
#   sudo packaging/install-build-deps.sh          # build + test dependencies
#   sudo packaging/install-build-deps.sh --bench  # plus the benchmark peers (nginx)
#   sudo packaging/install-build-deps.sh --package  # plus the packaging tools (build-deb.sh)
set -euo pipefail

want_bench=0
want_package=0
for arg in "$@"; do
  case "$arg" in
    --bench) want_bench=1 ;;
    --package) want_package=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install-build-deps: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "install-build-deps: run as root (apt-get needs it)" >&2
  exit 1
fi

. /etc/os-release
export DEBIAN_FRONTEND=noninteractive

# Catch2 v3 is in bookworm-backports on Debian 12 (bookworm ships v2). The mirror is taken
# from this machine's own apt sources so nothing here names a mirror host.
catch2_target=()
if [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    mirror=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
      mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
    fi
    if [ -z "$mirror" ]; then
      echo "install-build-deps: cannot find the Debian mirror in /etc/apt sources" >&2
      exit 1
    fi
    cat >/etc/apt/sources.list.d/jwo-edge-backports.sources <<SRC
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  catch2_target=(-t bookworm-backports)
fi

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  liblmdb-dev lmdb-utils libyaml-cpp-dev libsystemd-dev libssl-dev openssl
  prometheus-cpp-dev curl python3 libgpiod-dev
  nats-server libnats-dev groff-base python3-yaml libcurl4-openssl-dev python3-aiosmtpd
  chromium
)
# The portal's browser tests run playwright-core (npm) on Node.js; Debian's nodejs when the
# machine has no node of its own.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
[ "$want_bench" -eq 1 ] && packages+=(nginx-light)
# packaging/build-deb.sh and the package tests (fresh roots, a systemd-nspawn boot).
[ "$want_package" -eq 1 ] && packages+=(debhelper lintian fakeroot mmdebstrap systemd-container)

missing=()
for p in "${packages[@]}" libcatch2-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# An installed Catch2 v2 (bookworm main) does not count.
if dpkg-query -W -f='${Version}' libcatch2-dev 2>/dev/null | grep -q '^2\.'; then
  missing+=(libcatch2-dev)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-build-deps: every package is installed"
else
  echo "install-build-deps: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}"
  apt-get install -y -qq --no-install-recommends "${catch2_target[@]}" libcatch2-dev
fi

# playwright-core for the browser tests, at the version package-lock.json pins (no browser
# download: the tests drive Debian's chromium).
browser_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
if [ ! -f "$browser_dir/node_modules/playwright-core/package.json" ]; then
  echo "install-build-deps: npm ci in tests/browser (playwright-core)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$browser_dir" --no-audit --no-fund --loglevel=error
fi
echo "install-build-deps: done"
