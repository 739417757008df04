#!/usr/bin/env bash
# Runs jwo-edged on the development configuration (config/dev.yaml) together with the local
# Payment Service simulator it talks to. Ctrl-C stops both.
#
#   packaging/run-dev.sh [BUILD_DIR]      # default: build
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
sim="$build/tests/fakes/jwo-payment-sim"
daemon="$build/daemon/jwo-edged"
for bin in "$sim" "$daemon"; do
  [ -x "$bin" ] || { echo "run-dev: $bin is missing; build first (see README.md)" >&2; exit 1; }
done

"$sim" --listen 127.0.0.1:9001 --region us-east-1 \
  --access-key AKIDJWOEDGEDEVSIM --secret-key dev-simulator-only-key &
sim_pid=$!
# A local SMTP listener (python3-aiosmtpd) for receipts and the portal's sign-in codes.
mkdir -p state/mail
/usr/bin/python3 tests/support/smtp_sink.py --dir state/mail --port 2525 >/dev/null &
smtp_pid=$!
trap 'kill "$sim_pid" "$smtp_pid" 2>/dev/null || true' EXIT
echo "run-dev: Payment Service simulator on http://127.0.0.1:9001 (pid $sim_pid)"
echo "run-dev: SMTP listener on 127.0.0.1:2525, mails in state/mail/ (pid $smtp_pid)"
echo "run-dev: jwo-edged on http://127.0.0.1:8080; jwo-edgectl --config config/dev.yaml status"
echo "run-dev: the shoppers' portal on http://127.0.0.1:8081 (docs/portal.md)"
"$daemon" --config config/dev.yaml
