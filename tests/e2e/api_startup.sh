#!/usr/bin/env bash
# Starts `edgevpn api` on loopback again and again while curl polls /api/summary in a tight loop
# from before each start, so requests land in every phase of the API server's start-up (bound but
# not yet serving included). Each node must stay alive until it answers 200, then exit cleanly on
# SIGTERM with no sanitizer report.
# Usage: tests/e2e/api_startup.sh path/to/edgevpn [STARTS]
set -uo pipefail
EDGEVPN_BIN=${1:?usage: api_startup.sh path/to/edgevpn [STARTS]}
STARTS=${2:-25}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/nodes.sh"
LOAD="$(dirname "$0")/lib/tcp_load.py"
poller=""
stop_poller() {
  [[ -n "$poller" ]] || return 0
  # Stopped first, so that it cannot start another curl once its current one is gone.
  kill -STOP "$poller" 2>/dev/null
  pkill -P "$poller" 2>/dev/null
  kill "$poller" 2>/dev/null
  kill -CONT "$poller" 2>/dev/null
  wait "$poller" 2>/dev/null
  poller=""
}
trap 'stop_poller; cleanup_nodes; rm -rf "$WORK"' EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
DEADLINE_SECONDS=60

token=$("$EDGEVPN_BIN" -g -b)

# poll PORT CODES: /api/summary until it answers 200. One curl runs a batch of requests (a URL
# glob), so a refused connection costs microseconds, not a process start.
poll() {
  local port=$1 codes=$2
  : >"$codes"
  until grep -q '^code=200$' "$codes"; do
    curl -s --max-time 2 -w '\ncode=%{http_code}\n' \
      "http://127.0.0.1:$port/api/summary?try=[1-200]" 2>/dev/null | grep '^code=' >>"$codes"
  done
}

answered=0
for ((run = 1; run <= STARTS; run++)); do
  port=$(python3 "$LOAD" free-port)
  codes="$WORK/codes$run"
  poll "$port" "$codes" &
  poller=$!
  start_node "n$run" api --token "$token" --listen "127.0.0.1:$port"
  pid=$(cat "$WORK/n$run.pid")

  outcome=timeout
  for ((tick = 0; tick < DEADLINE_SECONDS * 50; tick++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      outcome=died
      break
    fi
    if grep -q '^code=200$' "$codes"; then
      outcome=answered
      break
    fi
    sleep 0.02
  done
  stop_poller

  if [[ $outcome == died ]]; then
    wait "$pid"
    status=$?
    signal=""
    ((status > 128)) && signal=" (signal $((status - 128)))"
    fail "start $run: the node died with status $status$signal before answering 200"
  else
    kill "$pid" 2>/dev/null
    wait "$pid"
    status=$?
    if [[ $outcome == timeout ]]; then
      fail "start $run: no 200 from /api/summary within $DEADLINE_SECONDS s"
    elif ((status != 0)); then
      fail "start $run: the node exited with status $status on SIGTERM"
    else
      answered=$((answered + 1))
    fi
  fi
  NODE_PIDS=()
  if grep -Eq 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$WORK/n$run.log"; then
    fail "start $run: sanitizer report"
  fi
  if [[ $outcome != answered ]] || grep -Eq 'AddressSanitizer|runtime error:' "$WORK/n$run.log"; then
    tail -30 "$WORK/n$run.log" >&2
  fi
  echo "start $run: $outcome, $(grep -c '^code=000$' "$codes") refused, $(grep -c '^code=5' "$codes") 5xx before 200"
done

echo "$answered of $STARTS starts answered 200 and stopped cleanly"
if ((failures > 0)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "api_startup: all checks passed"
