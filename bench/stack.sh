# Sourced by the benchmark scripts that need the whole stack (e2e.sh, scheduling.sh): builds (unless
# STACK_NO_BUILD is set), starts the AppHost in Release on a throw-away data folder (local Postgres and Redis, smtp4dev,
# quiet hours off, no frequency cap, a zero-delay welcome step), waits until every service's /health and smtp4dev
# answer, and stops it all on exit. Sets SECRET, ADMIN_KEY, LOG, DATA_DIR. Needs STACK_NAME and ROOT.
mkdir -p bench/results
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -n "${STACK_NO_BUILD:-}" ] || { bash scripts/restore-tools.sh >/dev/null; dotnet build FlexyPe.Recovery.sln -c Release -v quiet -nologo >/dev/null; }

DATA_DIR=$(mktemp -d /tmp/flexype-$STACK_NAME-XXXXXX); chmod 755 "$DATA_DIR"
apphost_pid=""; dcp_pid=""
stop_pid() {
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
  [ -z "$apphost_pid" ] || stop_pid "$apphost_pid"
  if [ -n "$dcp_pid" ]; then
    for _ in $(seq 1 40); do kill -0 "$dcp_pid" 2>/dev/null || break; sleep 0.5; done
    stop_pid "$dcp_pid"
  fi
  # Services DCP started from this worktree leave with it; give them the time, then make sure.
  for _ in $(seq 1 30); do pgrep -f "$ROOT/FlexyPe\." >/dev/null || break; sleep 0.5; done
  for pid in $(pgrep -f "$ROOT/FlexyPe\." || true) $(pgrep -f "$DATA_DIR" || true); do stop_pid "$pid"; done
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT INT TERM

for port in 5100 5200 5300 5400 2525 18888; do   # part 1's AppHost may still be leaving: up to 60 s
  for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || continue 2; sleep 1; done
  echo "127.0.0.1:$port is in use (is another AppHost running?)" >&2; exit 1
done
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
ADMIN_KEY=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
LOG=bench/results/$STACK_NAME.apphost.log.tmp
setsid dotnet run --project FlexyPe.AppHost -c Release --no-build -- \
  --Infrastructure:Mode=local --Infrastructure:DataDirectory="$DATA_DIR" \
  --Parameters:flexype-webhook-secret="$SECRET" --Parameters:admin-api-key="$ADMIN_KEY" \
  --Workflows:QuietHours:Enabled=false --Workflows:FrequencyCap=00:00:00 \
  --Workflows:Seed:WelcomeDelays=00:00:00,3.00:00:00 >"$LOG" 2>&1 &
apphost_pid=$!

deadline=$((SECONDS + 240)); up=""
while [ $SECONDS -lt $deadline ]; do
  ingest=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:5100/health || true)
  workflows=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:5200/health || true)
  notifier=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:5300/health || true)
  mail=$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:5400/api/messages?pageSize=1' || true)
  if [ "$ingest$workflows$notifier$mail" = 200200200200 ]; then up=1; break; fi
  sleep 2
done
# DCP (Aspire's orchestrator) detaches and watches the AppHost executable (a child of `dotnet run`) by pid.
for child in $(pgrep -P "$apphost_pid" || true); do
  dcp_pid=$(pgrep -f -- "start-apiserver --monitor $child " | head -n 1 || true)
  [ -z "$dcp_pid" ] || break
done
[ -n "$up" ] || { echo "the stack did not come up within 240 s (ingest $ingest, workflows $workflows, notifier $notifier, smtp4dev $mail); see $LOG" >&2; exit 1; }
