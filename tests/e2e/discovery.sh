#!/usr/bin/env bash
# Discovery in network namespaces made here (a bridge, one namespace per node, no route out):
#  1. N `edgevpn api` nodes that know only one bootstrap node, a js-libp2p kad-dht node without
#     the token, find each other through the DHT rendezvous, hold direct connections to each other
#     and converge on one ledger; two nodes with another token on the same DHT find each other and
#     stay separate.
#  2. The same with an edgevpn node in --dht-mode server (with a token of its own) as bootstrap.
#  3. mDNS only (--dht=false, no bootstrap peers): 5 nodes on the bridge find each other.
# Usage: tests/e2e/discovery.sh path/to/edgevpn [N]  (N defaults to $DISCOVERY_NODES or 20; needs
# root, node and tests/interop/node_modules; exit 77 = skipped)
set -uo pipefail
EDGEVPN_BIN=${1:?usage: discovery.sh path/to/edgevpn [N]}
N=${2:-${DISCOVERY_NODES:-20}}
HERE=$(cd "$(dirname "$0")" && pwd)
JS_DIR=$HERE/../interop
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v node >/dev/null && [[ -d $JS_DIR/node_modules ]] ||
  { echo "SKIP: needs node and tests/interop/node_modules"; exit 77; }
WORK=$(mktemp -d)
source "$HERE/lib/netns.sh"
source "$HERE/lib/nodes.sh"
unset EDGEVPNTOKEN EDGEVPNCONFIG
SUBNET=10.91.0
JS_PID=""
stop_js() {
  [[ -n $JS_PID ]] || return 0
  exec 7>&-
  kill "$JS_PID" 2>/dev/null
  wait "$JS_PID" 2>/dev/null
  JS_PID=""
}
trap 'cleanup_nodes; stop_js; netns_cleanup; rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
elapsed() { awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $1}"; }

# Hosts: 0 = bootstrap, 1..N = the network, N+1 and N+2 = the other network.
netns_setup "evd$$" $((N + 3)) "$SUBNET" || { echo "FAIL: cannot create namespaces"; exit 1; }
ns() { netns_host "$1"; }
ip_of() { echo "$SUBNET.$(($1 + 1))"; }
in_ns() { local i=$1; shift; ip netns exec "$(ns "$i")" "$@"; }
api_get() { in_ns "$1" curl -s --max-time 5 "http://127.0.0.1:8080/api/ledger/$2"; }
api_put() { in_ns "$1" curl -s --max-time 5 -X PUT "http://127.0.0.1:8080/api/ledger/$2" >/dev/null; }
# keys_of I BUCKET: how many keys host I's ledger holds in BUCKET.
keys_of() { api_get "$1" "$2" | grep -o '"[a-z][0-9]*":' | sort -u | wc -l; }

# start_js: a js-libp2p kad-dht server (no token) on host 0; sets JS_ID. Not in a subshell: the
# fifo's writer (fd 7) must stay open, js stops at the end of its stdin.
start_js() {
  mkfifo "$WORK/js.in"
  ip netns exec "$(ns 0)" node "$JS_DIR/peer.mjs" --port 4001 --host "$(ip_of 0)" --dht \
    <"$WORK/js.in" >"$WORK/js.log" 2>&1 &
  JS_PID=$!
  exec 7>"$WORK/js.in"
  local i
  for ((i = 0; i < 300; i++)); do
    if grep -q '"event":"ready"' "$WORK/js.log"; then
      JS_ID=$(grep -o '"peerId":"[^"]*"' "$WORK/js.log" | head -1 | cut -d'"' -f4)
      return 0
    fi
    sleep 0.1
  done
  cat "$WORK/js.log" >&2
  return 1
}

# start_members PHASE FIRST LAST TOKEN ARGS...: `edgevpn api` on hosts FIRST..LAST.
start_members() {
  local phase=$1 first=$2 last=$3 token=$4 i
  shift 4
  for ((i = first; i <= last; i++)); do
    start_netns_node "$phase$i" "$(ns "$i")" api --token "$token" --listen 127.0.0.1:8080 \
      --natmap=false --listen-maddrs "/ip4/$(ip_of "$i")/tcp/4001" "$@"
  done
  for ((i = first; i <= last; i++)); do
    wait_log "$phase$i" 'API listening' 60 >/dev/null || fail "$phase$i has no API"
  done
}

# converge FIRST LAST BUCKET COUNT SECONDS: every host in FIRST..LAST holds COUNT keys in BUCKET.
converge() {
  local first=$1 last=$2 bucket=$3 count=$4 limit=$5 deadline i ok
  deadline=$(($(date +%s) + limit))
  while (($(date +%s) < deadline)); do
    ok=1
    for ((i = first; i <= last; i++)); do
      (($(keys_of "$i" "$bucket") >= count)) || { ok=0; break; }
    done
    ((ok)) && return 0
    sleep 0.5
  done
  for ((i = first; i <= last; i++)); do echo "  host $i: $(keys_of "$i" "$bucket") keys" >&2; done
  return 1
}

# direct FIRST LAST SECONDS: every host in FIRST..LAST holds a TCP connection with every other.
direct() {
  local first=$1 last=$2 limit=$3 deadline i j ok missing
  deadline=$(($(date +%s) + limit))
  while :; do
    ok=1
    missing=""
    for ((i = first; i <= last; i++)); do
      local peers
      peers=$(in_ns "$i" ss -tnH state established | awk '{print $4}' | sed 's/:[0-9]*$//' |
        sort -u)
      for ((j = first; j <= last; j++)); do
        ((i == j)) && continue
        grep -qx "$(ip_of "$j")" <<<"$peers" || { ok=0; missing+=" $i-$j"; }
      done
    done
    ((ok)) && return 0
    (($(date +%s) >= deadline)) && break
    sleep 1
  done
  echo "  missing connections:$missing" >&2
  return 1
}

# network_phase NAME BOOTSTRAP: hosts 1..N join through BOOTSTRAP (DHT only, no mDNS).
network_phase() {
  local name=$1 bootstrap=$2 start i
  local token other
  token=$("$EDGEVPN_BIN" -g -b)
  other=$("$EDGEVPN_BIN" -g -b)
  start=$(date +%s.%N)
  start_members "$name" 1 "$N" "$token" --mdns=false --discovery-bootstrap-peers "$bootstrap"
  start_members "${name}o" $((N + 1)) $((N + 2)) "$other" --mdns=false \
    --discovery-bootstrap-peers "$bootstrap"
  echo "$name: $((N + 2)) nodes started in $(elapsed "$start") s"
  for ((i = 1; i <= N; i++)); do api_put "$i" "e2e/n$i/v$i"; done
  for ((i = N + 1; i <= N + 2; i++)); do api_put "$i" "other/o$i/v$i"; done
  if converge 1 "$N" e2e "$N" 120; then
    echo "$name: $N nodes converged on one ledger $(elapsed "$start") s after start"
  else
    fail "$name: the $N nodes did not converge on one ledger"
  fi
  if direct 1 "$N" 30; then
    echo "$name: every pair of the $N nodes is directly connected"
  else
    fail "$name: nodes are not all directly connected"
  fi
  converge $((N + 1)) $((N + 2)) other 2 60 ||
    fail "$name: the two nodes of the other network did not find each other"
  for ((i = N + 1; i <= N + 2; i++)); do
    (($(keys_of "$i" e2e) == 0)) || fail "$name: host $i (other token) sees our ledger"
  done
  for ((i = 1; i <= N; i++)); do
    (($(keys_of "$i" other) == 0)) || fail "$name: host $i sees the other network's ledger"
  done
  cleanup_nodes
}

# 1. js-libp2p kad-dht bootstrap node without the token.
if start_js; then
  network_phase js "/ip4/$(ip_of 0)/tcp/4001/p2p/$JS_ID"
  stop_js
else
  fail "js bootstrap node did not start"
fi

# 2. edgevpn bootstrap node in DHT server mode, with a token of its own. Its own bootstrap list
# names an unreachable address on its own host, so it never looks for the public DHT.
placeholder=/ip4/$(ip_of 0)/tcp/9/p2p/QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ
start_netns_node boot "$(ns 0)" start --token "$("$EDGEVPN_BIN" -g -b)" --dht-mode server \
  --mdns=false --natmap=false --listen-maddrs "/ip4/$(ip_of 0)/tcp/4001" \
  --discovery-bootstrap-peers "$placeholder"
if boot_id=$(wait_log boot 'peer ID [A-Za-z0-9]+' 30 | awk '{print $3}'); then
  network_phase edgevpn "/ip4/$(ip_of 0)/tcp/4001/p2p/$boot_id"
else
  fail "edgevpn bootstrap node did not start"
fi
cleanup_nodes

# 3. mDNS only, no bootstrap peers.
M=$((N < 5 ? N : 5))
token=$("$EDGEVPN_BIN" -g -b)
start=$(date +%s.%N)
start_members mdns 1 "$M" "$token" --dht=false
for ((i = 1; i <= M; i++)); do api_put "$i" "e2e/m$i/v$i"; done
if converge 1 "$M" e2e "$M" 60; then
  echo "mdns: $M nodes converged $(elapsed "$start") s after start"
else
  fail "mdns: the $M nodes did not converge"
fi
direct 1 "$M" 30 || fail "mdns: nodes are not all directly connected"
cleanup_nodes

if ((failures > 0)); then
  for f in "$WORK"/*.log; do echo "--- $(basename "$f")"; tail -5 "$f"; done >&2
fi
((failures == 0)) && echo "discovery: ok"
exit $((failures > 0))
