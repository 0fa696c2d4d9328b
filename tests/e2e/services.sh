#!/usr/bin/env bash
# TCP services through the network on loopback: an HTTP server and an echo server behind one
# `service-add` (two --service entries), reached through `service-connect` on another node (and
# through EdgeVPN's positional syntax on a third), with a plain `start` node in between. 50
# parallel connections move 10 MB each way with checksums; a port in use is refused at start;
# a node with another token gets nothing; killing the service side closes the client
# connections while service-connect keeps running.
# Usage: tests/e2e/services.sh path/to/edgevpn
set -uo pipefail
EDGEVPN_BIN=${1:?usage: services.sh path/to/edgevpn}
WORK=$(mktemp -d)
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/nodes.sh"
LOAD="$HERE/lib/tcp_load.py"
HELPER_PIDS=()
cleanup() {
  cleanup_nodes
  local pid
  for pid in "${HELPER_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
elapsed() { awk "BEGIN{printf \"%.2f\", $(date +%s.%N) - $1}"; }

# The services: python's HTTP server on a folder, and an echo server.
mkdir -p "$WORK/www"
head -c 1048576 /dev/urandom >"$WORK/www/blob.bin"
echo "hello through edgevpn" >"$WORK/www/hello.txt"
http_port=$(python3 "$LOAD" free-port)
python3 -m http.server "$http_port" --bind 127.0.0.1 --directory "$WORK/www" >"$WORK/http.log" 2>&1 &
HELPER_PIDS+=($!)
python3 "$LOAD" echo-server "$WORK/echo.port" &
HELPER_PIDS+=($!)
for ((i = 0; i < 50; i++)); do [[ -s $WORK/echo.port ]] && break; sleep 0.1; done
echo_port=$(cat "$WORK/echo.port")

token=$("$EDGEVPN_BIN" -g -b)
start_node hub start --token "$token"
hub=$(node_addr hub) || exit 1
web_port=$(python3 "$LOAD" free-port)
echo_local=$(python3 "$LOAD" free-port)
positional_port=$(python3 "$LOAD" free-port)
other_port=$(python3 "$LOAD" free-port)

# With DHT and mDNS off, a node can open streams only to peers whose address it knows: the
# clients bootstrap to the service side as well as to the hub (the ledger still goes through both).
start=$(date +%s.%N)
start_node add service-add --token "$token" --discovery-bootstrap-peers "$hub" \
  --service "web=127.0.0.1:$http_port" --service "echo=127.0.0.1:$echo_port"
add=$(node_addr add) || exit 1
start_node connect service-connect --token "$token" --discovery-bootstrap-peers "$hub,$add" \
  --service "web=127.0.0.1:$web_port" --service "echo=127.0.0.1:$echo_local"
start_node connect2 sc web "127.0.0.1:$positional_port" --token "$token" \
  --discovery-bootstrap-peers "$hub,$add"
wait_log connect "reachable on 127.0.0.1:$echo_local" >/dev/null || fail "connect did not bind"

# HTTP through the tunnel; the first request may arrive before the ledger knows the service.
body=$(curl -s --max-time 40 "http://127.0.0.1:$web_port/hello.txt")
[[ $body == "hello through edgevpn" ]] || fail "GET through service-connect returned '$body'"
echo "first HTTP response through the tunnel $(elapsed "$start") s after start"
sum=$(curl -s --max-time 40 "http://127.0.0.1:$positional_port/blob.bin" | sha256sum | cut -c1-64)
[[ $sum == $(sha256sum <"$WORK/www/blob.bin" | cut -c1-64) ]] ||
  fail "blob through the positional-syntax node differs"
wait_log connect "service 'web' is served by" >/dev/null || fail "no status line for web"

# A second service-connect on a port in use: a clear error, exit 1.
if out=$(timeout 30 "$EDGEVPN_BIN" sc web "127.0.0.1:$web_port" --token "$token" \
  "${LOOPBACK_FLAGS[@]}" 2>&1); then
  fail "service-connect on a port in use succeeded"
fi
grep -q "in use" <<<"$out" || fail "port-in-use message: $out"

# 50 parallel connections, 10 MB each way, checked by SHA-256.
if ! out=$(python3 "$LOAD" parallel "$echo_local" 50 10); then
  fail "parallel transfers: $out"
fi
echo "parallel: $out"

# Another network's node: its service-connect finds nothing and says so.
start_node other service-connect --token "$("$EDGEVPN_BIN" -g -b)" \
  --discovery-bootstrap-peers "$hub,$add" --service "web=127.0.0.1:$other_port"
wait_log other "reachable on" >/dev/null || fail "other node did not bind"
got=$(curl -s --max-time 6 "http://127.0.0.1:$other_port/hello.txt")
[[ -z $got ]] || fail "node with another token reached the service: $got"
wait_log other "service 'web': not in the ledger yet" 15 >/dev/null ||
  fail "other node shows no waiting status"

# Kill the service side: the open client connections end, service-connect stays up.
python3 "$LOAD" hold "$echo_local" 5 20 >"$WORK/hold.out" 2>&1 &
hold_pid=$!
HELPER_PIDS+=($hold_pid)
for ((i = 0; i < 300; i++)); do grep -q held "$WORK/hold.out" && break; sleep 0.1; done
grep -q held "$WORK/hold.out" || fail "could not open the connections to hold: $(cat "$WORK/hold.out")"
kill -9 "$(cat "$WORK/add.pid")"
killed=$(date +%s.%N)
if wait "$hold_pid"; then
  echo "client connections closed $(elapsed "$killed") s after the kill: $(tail -1 "$WORK/hold.out")"
else
  fail "client connections after the kill: $(cat "$WORK/hold.out")"
fi
kill -0 "$(cat "$WORK/connect.pid")" 2>/dev/null || fail "service-connect died with the service"

# The other network's client gives up on its held connection with a message (after 30 s).
wait_log other "service 'web': connection closed: service not in the ledger" 45 >/dev/null ||
  fail "other node never said why it closed the connection"

if ((failures > 0)); then
  for name in add connect; do echo "--- $name.log" >&2; tail -20 "$WORK/$name.log" >&2; done
fi
((failures == 0)) && echo "services: ok"
exit $((failures > 0))
