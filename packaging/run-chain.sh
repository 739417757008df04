#!/usr/bin/env bash
# Runs a two-store chain on this machine: a local nats-server with JetStream, the debt bucket
# provisioned, and two jwo-edged daemons (store-a on :8081, store-b on :8082) sharing it, so a
# newcomer can watch a debt cross stores (docs/ledger.md). Ctrl-C stops everything; the state
# lives in state/chain/ (git ignores state/), removed with --fresh.
#
#   packaging/run-chain.sh [--fresh] [BUILD_DIR]      # default: build
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=0
build=build
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) build=$arg ;;
  esac
done
daemon="$build/daemon/jwo-edged"
ctl="$build/daemon/ctl/jwo-edgectl"
for bin in "$daemon" "$ctl"; do
  [ -x "$bin" ] || { echo "run-chain: $bin is missing; build first (see README.md)" >&2; exit 1; }
done
command -v nats-server >/dev/null ||
  { echo "run-chain: nats-server is missing: apt-get install nats-server" >&2; exit 1; }

root="$PWD/state/chain"
[ "$fresh" -eq 1 ] && rm -rf "$root"
mkdir -p "$root"
# Not 4222: Debian's nats-server package may run a system service there (without JetStream).
port=14222
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

nats-server -js -a 127.0.0.1 -p "$port" -sd "$root/nats" -l "$root/nats.log" &
pids+=($!)
for _ in $(seq 100); do
  "$ctl" ledger provision --server "nats://127.0.0.1:$port" >"$root/provision.txt" 2>&1 && break
  sleep 0.1
done
echo "run-chain: nats-server on nats://127.0.0.1:$port; $(cat "$root/provision.txt")"

for s in a b; do
  http=$([ "$s" = a ] && echo 8081 || echo 8082)
  mkdir -p "$root/store-$s"
  cat >"$root/store-$s.yaml" <<YAML
store_id: store-$s
store: {state_directory: $root/store-$s, map_size_mib: 64}
listeners:
  - {name: dev, address: 127.0.0.1, port: $http, apis: [shopper_authorization, health, metrics]}
fa: {strategy: retailer_managed, fail_mode: deny, thresholds: {USD: 0.01}}
log: {level: info, target: stderr}
control: {socket: $root/store-$s.sock}
ledger:
  servers: [nats://127.0.0.1:$port]
YAML
  "$daemon" --config "$root/store-$s.yaml" 2>"$root/store-$s.log" &
  pids+=($!)
done
sleep 1
cat <<TXT
run-chain: store-a on http://127.0.0.1:8081, store-b on http://127.0.0.1:8082 (logs in $root)

Book a debt at store-a and watch store-b deny the shopper:
  $ctl --socket $root/store-a.sock debt add alice trip-1 12.50 USD --reason "declined"
  $ctl --socket $root/store-b.sock shopper show alice
Settle it at store-b and store-a admits again:
  $ctl --socket $root/store-b.sock debt settle alice trip-1 counter-1 --reason "paid"
  $ctl --socket $root/store-a.sock shopper show alice
Each store's view of the chain:
  $ctl --socket $root/store-a.sock status        # the "ledger" section
Ctrl-C stops both daemons and the server.
TXT
wait -n
