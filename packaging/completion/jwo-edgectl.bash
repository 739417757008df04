# bash completion for jwo-edgectl (installed as /usr/share/bash-completion/completions/jwo-edgectl).
# Completes the command words, their fixed choices and the options; ids (shoppers, trips) are
# the operator's to type. Keep in step with `jwo-edgectl --help` (tests/ctl/completion_test.sh).

_jwo_edgectl() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}

  # Option values first.
  case $prev in
    --socket|--config|--creds|--ca|--cert|--key)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --kind) COMPREPLY=($(compgen -W "trip expired manual" -- "$cur")); return ;;
    --scope) COMPREPLY=($(compgen -W "store chain" -- "$cur")); return ;;
    --reason|--limit|--currency|--origin|--server|--bucket|--replicas|--max-bytes|\
    --duplicate-window-s|--max-value-size)
      return ;;
  esac

  # The words typed so far, without options and their values.
  local words=() i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    case $w in
      --json|--dead) ;;
      --*) ((i++)) ;;
      *) words+=("$w") ;;
    esac
  done

  if [[ $cur == --* ]]; then
    local opts="--socket --config --json --reason --help --version"
    case "${words[0]} ${words[1]}" in
      "debt settle") opts+=" --kind" ;;
      "shopper allow"|"shopper block"|"shopper clear-override") opts+=" --scope" ;;
      "trip list") opts+=" --limit" ;;
      "trip resolve") opts+=" --currency" ;;
      "outbox list") opts+=" --dead" ;;
      "ledger confirm") opts+=" --origin" ;;
      "ledger provision")
        opts+=" --server --bucket --replicas --max-bytes --duplicate-window-s --max-value-size"
        opts+=" --creds --ca --cert --key" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi

  case ${#words[@]} in
    0) COMPREPLY=($(compgen -W "status shopper debt audit gate trip refund outbox store ledger" \
         -- "$cur")) ;;
    1)
      case ${words[0]} in
        shopper) COMPREPLY=($(compgen -W "show allow block clear-override" -- "$cur")) ;;
        debt) COMPREPLY=($(compgen -W "add list settle" -- "$cur")) ;;
        trip) COMPREPLY=($(compgen -W "show list resolve" -- "$cur")) ;;
        outbox) COMPREPLY=($(compgen -W "list show retry drop" -- "$cur")) ;;
        store) COMPREPLY=($(compgen -W "verify" -- "$cur")) ;;
        ledger) COMPREPLY=($(compgen -W "held confirm provision" -- "$cur")) ;;
        gate) COMPREPLY=($(compgen -W "status mode control state tap pass door tamper fault \
          recover emergency heartbeat" -- "$cur")) ;;
      esac ;;
    2)
      case "${words[0]} ${words[1]}" in
        "trip list") COMPREPLY=($(compgen -W "held adjusting capturing captured declined \
          cancelling cancelled expired attention capture_unknown" -- "$cur")) ;;
      esac ;;
    3)
      case "${words[0]} ${words[1]}" in
        "trip resolve") COMPREPLY=($(compgen -W "price-line remove-line release captured \
          not-captured" -- "$cur")) ;;
        "gate emergency"|"gate heartbeat") COMPREPLY=($(compgen -W "on off" -- "$cur")) ;;
      esac ;;
    4)
      case "${words[0]} ${words[1]}" in
        "gate mode") COMPREPLY=($(compgen -W "normal locked out_of_service" -- "$cur")) ;;
        "gate pass") COMPREPLY=($(compgen -W "in out unknown" -- "$cur")) ;;
        "gate door") COMPREPLY=($(compgen -W "forced held_open closed" -- "$cur")) ;;
      esac ;;
  esac
}
complete -F _jwo_edgectl jwo-edgectl
