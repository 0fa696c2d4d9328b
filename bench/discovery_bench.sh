#!/usr/bin/env bash
# How long a new node takes to join: from its start until a key it writes (through its API, as
# soon as the API answers) is in the ledger of every other node. K running nodes in network
# namespaces made here (a bridge, no route out); the new node is started RUNS times (a fresh
# identity each time) and the median is printed, for two ways in:
#   bootstrap: DHT rendezvous through one edgevpn --dht-mode server node (mDNS off)
#   mdns:      mDNS only (DHT off, no bootstrap peers)
# Usage: bench/discovery_bench.sh path/to/edgevpn [RUNS] [K]   (root; defaults 5 runs, K = 5)
set -uo pipefail
EDGEVPN_BIN=$(realpath "${1:?usage: discovery_bench.sh path/to/edgevpn [RUNS] [K]}")
RUNS=${2:-5}
K=${3:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
[[ $(id -u) == 0 ]] || { echo "needs root for network namespaces" >&2; exit 1; }
WORK=$(mktemp -d)
source "$HERE/../tests/e2e/lib/netns.sh"
source "$HERE/../tests/e2e/lib/nodes.sh"
unset EDGEVPNTOKEN EDGEVPNCONFIG
SUBNET=10.93.0
trap 'cleanup_nodes; netns_cleanup; rm -rf "$WORK"' EXIT

# Host 0: bootstrap; 1..K: the network; K+1: the new node.
netns_setup "evdb$$" $((K + 2)) "$SUBNET" || exit 1
NEW=$((K + 1))
ip_of() { echo "$SUBNET.$(($1 + 1))"; }
in_ns() { local i=$1; shift; ip netns exec "$(netns_host "$i")" "$@"; }
get() { in_ns "$1" curl -s --max-time 2 "http://127.0.0.1:8080/api/ledger/$2"; }
now() { date +%s.%N; }

start_member() {  # start_member NAME HOST TOKEN ARGS...
  local name=$1 host=$2 token=$3
  shift 3
  start_netns_node "$name" "$(netns_host "$host")" api --token "$token" --listen 127.0.0.1:8080 \
    --natmap=false --log-level warn --listen-maddrs "/ip4/$(ip_of "$host")/tcp/4001" "$@"
}

wait_api() {  # wait_api HOST: until the API answers (10 s at most)
  local t
  for ((t = 0; t < 1000; t++)); do
    in_ns "$1" curl -s --max-time 1 -o /dev/null "http://127.0.0.1:8080/api/ledger" && return 0
    sleep 0.01
  done
  return 1
}

# join_time RUN ARGS...: starts the new node, writes bench/run<RUN>, prints the seconds until all
# K nodes hold it (or "timeout" after 60 s).
join_time() {
  local run=$1 start i ok
  shift
  start=$(now)
  start_member "new$run" "$NEW" "$token" "$@"
  wait_api "$NEW" || { echo timeout; return; }
  in_ns "$NEW" curl -s --max-time 2 -X PUT \
    "http://127.0.0.1:8080/api/ledger/bench/run$run/x" >/dev/null
  while :; do
    ok=1
    for ((i = 1; i <= K; i++)); do
      get "$i" "bench/run$run" | grep -q x || { ok=0; break; }
    done
    ((ok)) && break
    if awk "BEGIN{exit !($(now) - $start > 60)}"; then
      echo timeout
      stop_node "new$run"
      return
    fi
    sleep 0.02
  done
  awk "BEGIN{printf \"%.2f\", $(now) - $start}"
  stop_node "new$run"
}

median() { sort -n | awk '{v[NR]=$1} END{if (NR%2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2}'; }

# scenario NAME ARGS...: K members with ARGS, converged, then RUNS joins.
scenario() {
  local name=$1 i run times=()
  shift
  token=$("$EDGEVPN_BIN" -g -b)
  for ((i = 1; i <= K; i++)); do start_member "$name$i" "$i" "$token" "$@"; done
  for ((i = 1; i <= K; i++)); do wait_api "$i" || echo "member $i has no API" >&2; done
  in_ns 1 curl -s --max-time 2 -X PUT "http://127.0.0.1:8080/api/ledger/bench/ready/x" >/dev/null
  local t
  for ((t = 0; t < 600; t++)); do
    ok=1
    for ((i = 1; i <= K; i++)); do get "$i" bench/ready | grep -q x || { ok=0; break; }; done
    ((ok)) && break
    sleep 0.1
  done
  ((ok)) || echo "$name: the $K members did not converge" >&2
  for ((run = 1; run <= RUNS; run++)); do times+=("$(join_time "$run" "$@")"); sleep 1; done
  printf '%-10s runs: %s  median: %s s\n' "$name" "${times[*]}" \
    "$(printf '%s\n' "${times[@]}" | grep -v timeout | median)"
  cleanup_nodes
}

start_netns_node boot "$(netns_host 0)" start --token "$("$EDGEVPN_BIN" -g -b)" --dht-mode server \
  --mdns=false --natmap=false --listen-maddrs "/ip4/$(ip_of 0)/tcp/4001" \
  --discovery-bootstrap-peers "/ip4/$(ip_of 0)/tcp/9/p2p/QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ"
boot_id=$(wait_log boot 'peer ID [A-Za-z0-9]+' 30 | awk '{print $3}') || exit 1
BOOT_PID=$(cat "$WORK/boot.pid")
NODE_PIDS=()  # members come and go; the bootstrap node stays for the first scenario

echo "discovery bench: $K nodes, $RUNS joins each, $(nproc) cores, $(basename "$EDGEVPN_BIN")"
scenario bootstrap --mdns=false \
  --discovery-bootstrap-peers "/ip4/$(ip_of 0)/tcp/4001/p2p/$boot_id"
kill "$BOOT_PID" 2>/dev/null
wait "$BOOT_PID" 2>/dev/null
scenario mdns --dht=false
