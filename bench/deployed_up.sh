# Sourced by benchmark scripts that run the stack as deployed (scheduling.sh with SCHED_SHAPE=deployed, ingest_ab.sh):
#   deployed_up DIR LOG   starts bench/deployed.sh in DIR (SECRET and ADMIN_KEY from the environment), its output in
#                         LOG; waits until Ingest, Workflows and Notifier answer /health; sets deployed_pid and WF_PID.
#   deployed_down         stops it (and everything it started) and waits for it.
#   deployed_up_paused DIR LOG [PATH...]
#                         deployed_up, then Workflows SIGSTOPped (the hand-offs wait, as when it runs elsewhere); on
#                         exit Workflows is continued, the stack stopped, and DIR and each PATH removed.
deployed_up() {
  bash bench/deployed.sh "$1" >"$2" 2>&1 &
  deployed_pid=$!
  local port
  for port in 5110 5211 5311; do
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && continue 2; sleep 1; done
    echo "the deployed stack did not answer on :$port within 120 s; see $2" >&2; return 1
  done
  WF_PID=$(pgrep -f '^./FlexyPe.Workflows' | head -n 1)
}

deployed_down() {
  [ -n "${deployed_pid:-}" ] || return 0
  kill -TERM "$deployed_pid" 2>/dev/null || true; wait "$deployed_pid" 2>/dev/null || true
  deployed_pid=""
}

deployed_up_paused() {
  deployed_cleanup=("$1" "${@:3}")
  trap deployed_paused_down EXIT
  deployed_up "$1" "$2"
  kill -STOP "$WF_PID"
}

deployed_paused_down() {
  [ -z "${WF_PID:-}" ] || kill -CONT "$WF_PID" 2>/dev/null || true
  trap '' INT TERM   # stopping the stack signals its group too
  deployed_down
  rm -rf "${deployed_cleanup[@]}"
}
