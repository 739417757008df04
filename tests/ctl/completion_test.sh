#!/usr/bin/env bash
# The bash completion of jwo-edgectl (packaging/completion/jwo-edgectl.bash) against the real
# binary: every command word it offers is one `jwo-edgectl --help` documents, and a few
# completions a store IT person relies on come out as expected.
#   tests/ctl/completion_test.sh COMPLETION_FILE JWO_EDGECTL
set -euo pipefail
completion=$1
ctl=$2
# shellcheck source=/dev/null
source "$completion"
fail=0

complete_words() {  # the candidates for the command line "$@" with the cursor on its last word
  COMP_WORDS=(jwo-edgectl "$@")
  COMP_CWORD=$#
  COMPREPLY=()
  _jwo_edgectl
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {  # expect "WANTED" words...
  local want=$1
  shift
  local got
  got=$(complete_words "$@")
  if [ "$got" != "$want" ]; then
    echo "FAIL: jwo-edgectl $* -> '$got', want '$want'" >&2
    fail=1
  fi
}

expect "debt" de
expect "add list settle" debt ""
expect "--kind" debt settle s t r --k
expect "chain store" shopper block s --scope ""
expect "confirm held provision" ledger ""
expect "capture_unknown captured capturing" trip list capt
expect "not-captured" trip resolve T1 not
expect "off on" gate emergency g1 ""
expect "normal" gate mode g1 1 nor
expect "--dead" outbox list --d
expect "" debt add --reason ""  # free text: nothing offered

# Every group and verb offered is in --help.
help=$("$ctl" --help)
for group in $(complete_words ""); do
  grep -q "^  $group" <<<"$help" || { echo "FAIL: '$group' is not in --help" >&2; fail=1; }
  for verb in $(complete_words "$group" ""); do
    case $group in
      gate) continue ;;  # the gate forms have their own usage (jwo-edgectl gate)
    esac
    grep -q "^  $group $verb" <<<"$help" ||
      { echo "FAIL: '$group $verb' is not in --help" >&2; fail=1; }
  done
done
# ... and every group in --help is offered.
for group in $(grep -oE '^  [a-z]+' <<<"$help" | sort -u); do
  grep -qw "$group" <<<"$(complete_words "")" ||
    { echo "FAIL: '$group' from --help is not completed" >&2; fail=1; }
done
[ $fail -eq 0 ] && echo "completion: ok"
exit $fail
