#!/usr/bin/env bash
# Tests the built .deb packages in fresh Debian roots of this machine's release:
#
#   sudo packaging/test-packages.sh [DEBDIR]     # default DEBDIR: dist/ (packaging/build-deb.sh)
#   sudo packaging/test-packages.sh --suite trixie [DEBDIR]   # Debian 13, default dist/trixie/
#   sudo packaging/test-packages.sh --upgrade-from OLDDIR [DEBDIR]
#       the lifecycle installs OLDDIR's jwo-edge (an earlier release's packages) first, so the
#       upgrade crosses releases; a schema change between them must be migrated (checked)
#
#   1. lifecycle: install (user, permissions, placeholder TLS, the daemon starts and answers),
#      upgrade (state kept, configuration kept), remove (state kept), purge (state gone);
#   2. SDK: an integrator's driver built with pkg-config from jwo-edge-dev passes the
#      conformance kit;
#   3. boot: the root boots under systemd-nspawn --boot and packaging/boot-test/jwo-boot-test
#      checks the service (READY, own user, reload, watchdog restart, an upgrade restarting it
#      once with the store kept, drain on stop, journald fields, systemd-analyze security).
#      Skipped, saying why, where nspawn cannot boot.
#
# Needs root, mmdebstrap and systemd-nspawn (install-build-deps.sh --package) and the Debian
# mirror of this machine's apt sources. Work folder: JWO_PKGTEST_DIR/SUITE (default
# /var/tmp/jwo-edge-pkgtest/bookworm). Prints "ok" / "not ok" per check; exit status 1 on any
# failure.
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
suite=""
old_debs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite=${2:?--suite needs a Debian suite name, e.g. trixie}; shift 2 ;;
    --upgrade-from) old_debs=$(cd "${2:?--upgrade-from needs a folder of .deb files}" && pwd); shift 2 ;;
    *) break ;;
  esac
done
debdir=$(cd "${1:-$src/dist${suite:+/$suite}}" && pwd)
work=${JWO_PKGTEST_DIR:-/var/tmp/jwo-edge-pkgtest}
failures=0

ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; failures=$((failures + 1)); }
check() {  # check NAME COMMAND...: ok when the command succeeds
  local name=$1; shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}
die() { echo "test-packages: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "run as root (chroot, mounts, nspawn)"
command -v mmdebstrap >/dev/null || die "mmdebstrap missing: install-build-deps.sh --package"
. /etc/os-release
[ -n "$suite" ] || suite=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
work="$work/$suite"
arch=$(dpkg --print-architecture)
shopt -s nullglob
debs=()
for d in "$debdir"/*_"$arch".deb; do [[ $d == *-dbgsym_* ]] || debs+=("$d"); done
[ ${#debs[@]} -ge 4 ] || die "no packages in $debdir: run packaging/build-deb.sh first"
version=$(dpkg-deb -f "$debdir"/jwo-edge_*_"$arch".deb Version)

mirror=""
[ -f /etc/apt/sources.list.d/debian.sources ] &&
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
[ -z "$mirror" ] && [ -f /etc/apt/sources.list ] &&
  mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
[ -n "$mirror" ] || die "cannot find the Debian mirror in /etc/apt sources"

# --- the fresh root -------------------------------------------------------------------------
# Everything our packages depend on is in the root from the start, so the tests install the
# .deb files offline, as store IT would from a local repository. Plus a C toolchain for the SDK
# test and what a booted system needs.
deps=$(for d in "${debs[@]}"; do dpkg-deb -f "$d" Depends; done | tr ',' '\n' |
  sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep -v '^jwo-' | grep -v '^$' | sort -u |
  paste -sd, -)
mkdir -p "$work"
base="$work/$suite-base.tar"
stamp="$work/$suite-base.deps"
if [ ! -f "$base" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$deps" ]; then
  echo "# making a fresh $suite root (mmdebstrap, $mirror)"
  start=$(date +%s)
  mmdebstrap --quiet --variant=apt \
    --include="systemd,systemd-sysv,dbus,procps,$deps,gcc,libc6-dev,cmake,make,pkg-config" \
    "$suite" "$work/$suite-base.new.tar" "$mirror" || die "mmdebstrap failed"
  mv "$work/$suite-base.new.tar" "$base"
  echo "$deps" > "$stamp"
  echo "# root made in $(( $(date +%s) - start )) s"
fi

new_root() {  # new_root NAME: a fresh copy of the base root with the packages at /debs
  local root="$work/$1"
  rm -rf --one-file-system "$root"
  mkdir -p "$root"
  tar -C "$root" -xf "$base"
  mkdir -p "$root/debs"
  cp "${debs[@]}" "$root/debs/"
  echo "$root"
}

in_root() {  # in_root ROOT COMMAND...: in the root, in its own mount, pid and network namespace
  local root=$1; shift
  unshare --mount --pid --net --fork --mount-proc="$root/proc" \
    chroot "$root" /bin/sh -c 'ip link set lo up 2>/dev/null || true; exec "$@"' sh "$@"
}

# --- 1. lifecycle ---------------------------------------------------------------------------
echo "# 1. lifecycle in a fresh $suite root"
root=$(new_root lifecycle)
# jwo-edged as the service would run it: its user, the packaged configuration, in the root's
# own network namespace (no clash with the host's ports). Returns once it answers, or fails.
# Owner, group and mode of a file of the root, with the root's own user and group names.
owner_mode() { in_root "$root" stat -c '%U:%G %a' "$1"; }
run_daemon() {
  in_root "$root" sh -c '
    setpriv --reuid=jwo-edge --regid=jwo-edge --init-groups \
      jwo-edged --config /etc/jwo-edge/jwo-edge.yaml >/var/tmp/jwo-edged.log 2>&1 &
    pid=$!
    for i in $(seq 1 100); do
      jwo-edgectl --socket /run/jwo-edge/control.sock status >/dev/null 2>&1 && break
      sleep 0.1
    done
    '"$1"'
    rc=$?
    kill -TERM $pid; wait $pid; echo "daemon exit status $?" >>/var/tmp/jwo-edged.log
    exit $rc'
}
# The release the lifecycle starts from: this build's, or an earlier one (--upgrade-from).
mkdir -p "$root/debs-first"
if [ -n "$old_debs" ]; then
  cp "$old_debs"/jwo-edge_*_"$arch".deb "$root/debs-first/"
  echo "# installing the earlier release from $old_debs first"
else
  cp "$debdir"/jwo-edge_*_"$arch".deb "$root/debs-first/"
fi
check "install: apt installs jwo-edge from the .deb" \
  in_root "$root" sh -c 'apt-get install -y -q /debs-first/jwo-edge_*.deb >/var/tmp/install.log 2>&1'
check "install: user and group jwo-edge exist" in_root "$root" sh -c 'id jwo-edge >/dev/null'
check "install: the configuration is root:jwo-edge 0640" \
  test "$(owner_mode /etc/jwo-edge/jwo-edge.yaml)" = "root:jwo-edge 640"
check "install: placeholder TLS made, key readable by the group only" \
  test "$(owner_mode /etc/jwo-edge/tls/server.key)" = "root:jwo-edge 640"
check "install: the packaged configuration passes --check-config as the service user" \
  in_root "$root" sh -c 'setpriv --reuid=jwo-edge --regid=jwo-edge --init-groups \
    jwo-edged --check-config --config /etc/jwo-edge/jwo-edge.yaml >/dev/null'
install -d -o "$(stat -c %u "$root/var/lib/jwo-edge")" -g "$(stat -c %g "$root/var/lib/jwo-edge")" \
  -m 0750 "$root/run/jwo-edge"
check "install: the daemon starts as jwo-edge and books a debt" \
  run_daemon 'jwo-edgectl --socket /run/jwo-edge/control.sock debt add shopper-1 trip-1 4.32 USD \
    --reason "package test" >/dev/null'
cp "$root/var/tmp/jwo-edged.log" "$root/var/tmp/jwo-edged-first.log" 2>/dev/null || true
echo "# local edit of the configuration (must survive the upgrade)"
sed -i 's/^log:$/log:  # edited by store IT/' "$root/etc/jwo-edge/jwo-edge.yaml"

# An upgrade to the next version: the same files under a higher version, so the maintainer
# scripts run as in a real upgrade.
next="$work/next"
rm -rf "$next"; mkdir -p "$next"
for d in "${debs[@]}"; do
  x="$next/x"; rm -rf "$x"; dpkg-deb -R "$d" "$x"
  sed -i "s/^Version: .*/Version: ${version}+pkgtest1/" "$x/DEBIAN/control"
  sed -i "s/(= ${version})/(= ${version}+pkgtest1)/g" "$x/DEBIAN/control"
  dpkg-deb -Zgzip -b "$x" "$next/" >/dev/null
done
rm -rf "$next/x"
mkdir -p "$root/debs-next"; cp "$next"/*.deb "$root/debs-next/"
check "upgrade: apt upgrades jwo-edge to ${version}+pkgtest1" \
  in_root "$root" sh -c 'apt-get install -y -q -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold /debs-next/jwo-edge_*.deb >/var/tmp/upgrade.log 2>&1'
check "upgrade: the edited configuration is kept" grep -q "edited by store IT" "$root/etc/jwo-edge/jwo-edge.yaml"
check "upgrade: the configuration stays root:jwo-edge 0640" \
  test "$(owner_mode /etc/jwo-edge/jwo-edge.yaml)" = "root:jwo-edge 640"
check "upgrade: the debt booked before is still there" \
  run_daemon 'jwo-edgectl --socket /run/jwo-edge/control.sock shopper show shopper-1 | grep -q trip-1'
if [ -n "$old_debs" ]; then
  before=$(grep -o 'schema_version=[0-9]*' "$root/var/tmp/jwo-edged-first.log" | head -1)
  after=$(grep -o 'store migrated.*' "$root/var/tmp/jwo-edged.log" | head -1)
  check "upgrade: the store's schema was migrated (${before:-?}: ${after:-nothing migrated})" \
    test -n "$after"
fi
check "remove: apt removes jwo-edge" \
  in_root "$root" sh -c 'apt-get remove -y -q jwo-edge >/var/tmp/remove.log 2>&1'
check "remove: the daemon is gone" test ! -e "$root/usr/bin/jwo-edged"
check "remove: the store is kept" test -f "$root/var/lib/jwo-edge/data.mdb"
check "remove: the configuration is kept" test -f "$root/etc/jwo-edge/jwo-edge.yaml"
check "purge: apt purges jwo-edge" \
  in_root "$root" sh -c 'apt-get purge -y -q jwo-edge >/var/tmp/purge.log 2>&1'
check "purge: the store is gone" test ! -e "$root/var/lib/jwo-edge"
check "purge: /etc/jwo-edge is gone" test ! -e "$root/etc/jwo-edge"
check "purge: no statoverride is left" \
  sh -c "! grep -q jwo-edge.yaml '$root/var/lib/dpkg/statoverride'"

# --- 2. SDK ---------------------------------------------------------------------------------
echo "# 2. an integrator's driver from jwo-edge-dev"
check "sdk: apt installs jwo-edge-dev" \
  in_root "$root" sh -c 'apt-get install -y -q /debs/jwo-edge-dev_*.deb >/var/tmp/dev.log 2>&1'
check "sdk: pkg-config knows jwo-edge-hal" \
  in_root "$root" sh -c 'pkg-config --cflags jwo-edge-hal >/dev/null && pkg-config --variable=driverdir jwo-edge-hal | grep -q /jwo-edge/hal'
check "sdk: the example driver builds with cmake and pkg-config" \
  in_root "$root" sh -c 'cp -r /usr/share/jwo-edge/hal-example /tmp/acme && cd /tmp/acme &&
    cmake -S . -B build >/var/tmp/sdk.log 2>&1 && cmake --build build >>/var/tmp/sdk.log 2>&1'
check "sdk: the driver passes jwo-hal-conformance" \
  in_root "$root" sh -c 'jwo-hal-conformance /tmp/acme/build/jwo_hal_example.so "{\"lanes\":2}" >>/var/tmp/sdk.log 2>&1'
for log in install upgrade remove purge dev sdk jwo-edged; do
  [ -f "$root/var/tmp/$log.log" ] && [ "$failures" -gt 0 ] && { echo "# --- $log.log"; sed 's/^/#   /' "$root/var/tmp/$log.log" | tail -30; }
done

# --- 3. boot --------------------------------------------------------------------------------
echo "# 3. a real boot under systemd-nspawn"
if ! command -v systemd-nspawn >/dev/null; then
  echo "ok - boot # SKIP systemd-nspawn is not installed (install-build-deps.sh --package)"
else
  root=$(new_root boot)
  in_root "$root" sh -c 'apt-get install -y -q /debs/jwo-edge_*.deb /debs/jwo-edge-hal-gpio_*.deb >/var/tmp/install.log 2>&1' ||
    fail "boot: install jwo-edge and jwo-edge-hal-gpio"
  mkdir -p "$root/debs-next"; cp "$next"/*.deb "$root/debs-next/"
  install -m 0755 "$src/packaging/boot-test/jwo-boot-test" "$root/usr/local/sbin/jwo-boot-test"
  install -m 0644 "$src/packaging/boot-test/jwo-boot-test.service" \
    "$root/etc/systemd/system/jwo-boot-test.service"
  ln -sf /etc/systemd/system/jwo-boot-test.service \
    "$root/etc/systemd/system/multi-user.target.wants/jwo-boot-test.service"
  echo "jwo-boot-test" > "$root/etc/hostname"
  results="$work/boot-results"
  rm -rf "$results"; mkdir -p "$results"
  # --register=no --keep-unit: no machined needed on the host.
  timeout 300 systemd-nspawn --quiet --boot --register=no --keep-unit --private-network \
    --machine=jwo-boot-test --bind="$results:/result" -D "$root" >"$work/boot-console.log" 2>&1
  rc=$?
  if [ -s "$results/results.txt" ]; then
    cat "$results/results.txt"
    failures=$((failures + $(grep -c '^not ok' "$results/results.txt")))
  elif ! grep -q "Welcome to" "$work/boot-console.log"; then
    # The container's systemd never started: nspawn itself could not run here (no cgroup
    # delegation, no namespaces in a nested sandbox, ...). Say why; everything else ran.
    echo "ok - boot # SKIP systemd-nspawn cannot boot a container on this machine (exit $rc): $(head -3 "$work/boot-console.log" | tr '\n' ' ')"
    echo "#   run it where nspawn works: sudo packaging/test-packages.sh (docs/operations.md)"
  else
    fail "boot: the container gave no results (nspawn exit $rc); console: $work/boot-console.log"
    tail -40 "$work/boot-console.log" | sed 's/^/#   /'
  fi
fi

echo "# $failures failure(s)"
[ "$failures" -eq 0 ]
