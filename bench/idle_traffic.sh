#!/usr/bin/env bash
# Idle control traffic and write propagation of a 10-node network, in one run for our default
# ledger sync and for EdgeVPN's schedule (--ledger-legacy-sync: full ledger every ~10 s).
# Each node runs in its own network namespace on a bridge; bytes are counted by the kernel on the
# veth links for DURATION seconds (default 600) and scaled to an hour. Needs root.
# Usage: bench/idle_traffic.sh path/to/edgevpn [DURATION]
set -uo pipefail
BIN=$(realpath "${1:?usage: idle_traffic.sh path/to/edgevpn [seconds]}")
DURATION=${2:-600}
N=${NODES:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../tests/e2e/lib/netns.sh"
WORK=$(mktemp -d)
PIDS=()
NETS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  for prefix in "${NETS[@]}"; do NETNS_PREFIX=$prefix NETNS_COUNT=$N netns_cleanup; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_network PREFIX SUBNET EXTRA_FLAGS...: N nodes, node i bootstraps to nodes 0 and i-1.
start_network() {
  local prefix=$1 subnet=$2 i boot addr0 prev
  shift 2
  netns_setup "$prefix" "$N" "$subnet" || { echo "netns setup failed" >&2; exit 1; }
  NETS+=("$prefix")
  local token
  token=$("$BIN" -g -b)
  for ((i = 0; i < N; i++)); do
    boot=()
    if ((i > 0)); then
      boot=(--discovery-bootstrap-peers "$addr0")
      ((i > 1)) && boot+=(--discovery-bootstrap-peers "$prev")
    fi
    ip netns exec "$(netns_host "$i")" "$BIN" api --token "$token" --listen 127.0.0.1:8080 \
      --dht=false --mdns=false --natmap=false --listen-maddrs "/ip4/$subnet.$((i + 1))/tcp/4001" \
      "${boot[@]}" "$@" >"$WORK/$prefix-$i.log" 2>&1 &
    PIDS+=($!)
    local t
    for ((t = 0; t < 100; t++)); do
      prev=$(grep -Eo "/ip4/$subnet\.$((i + 1))/tcp/4001/p2p/[A-Za-z0-9]+" "$WORK/$prefix-$i.log" |
        head -1)
      [[ -n "$prev" ]] && break
      sleep 0.1
    done
    [[ -n "$prev" ]] || { echo "node $i of $prefix did not start" >&2; cat "$WORK/$prefix-$i.log" >&2; exit 1; }
    ((i == 0)) && addr0=$prev
  done
}

api() { ip netns exec "$(NETNS_PREFIX=$1 netns_host "$2")" curl -s --max-time 5 "$3" "${@:4}"; }

# write_time PREFIX KEY: seconds until a PUT on the last node is readable on every node.
write_time() {
  local prefix=$1 key=$2 start i t ok
  start=$(date +%s.%N)
  api "$prefix" $((N - 1)) "http://127.0.0.1:8080/api/ledger/bench/$key/v" -X PUT >/dev/null
  for ((t = 0; t < 600; t++)); do
    ok=1
    for ((i = 0; i < N; i++)); do
      api "$prefix" "$i" "http://127.0.0.1:8080/api/ledger/bench/$key" | grep -q v || { ok=0; break; }
    done
    if ((ok)); then
      awk "BEGIN{printf \"%.2f\", $(date +%s.%N) - $start}"
      return 0
    fi
    sleep 0.1
  done
  echo "timeout"
}

# bytes PREFIX: total "up down" bytes of every node's link.
bytes() {
  local i up=0 down=0 rx tx
  for ((i = 0; i < N; i++)); do
    read -r rx tx < <(NETNS_PREFIX=$1 NETNS_COUNT=$N netns_bytes "$i")
    up=$((up + rx))
    down=$((down + tx))
  done
  echo "$up $down"
}

prefix_ours="evi$$a"
prefix_legacy="evi$$b"
start_network "$prefix_ours" 10.77.0
start_network "$prefix_legacy" 10.78.0 --ledger-legacy-sync
sleep 10  # connections, meshes, first heartbeats
write_ours=$(write_time "$prefix_ours" warm)
write_legacy=$(write_time "$prefix_legacy" warm)
write_ours2=$(write_time "$prefix_ours" second)
write_legacy2=$(write_time "$prefix_legacy" second)
sleep 20
read -r up0_ours down0_ours < <(bytes "$prefix_ours")
read -r up0_legacy down0_legacy < <(bytes "$prefix_legacy")
echo "measuring idle traffic for $DURATION s..." >&2
sleep "$DURATION"
read -r up1_ours down1_ours < <(bytes "$prefix_ours")
read -r up1_legacy down1_legacy < <(bytes "$prefix_legacy")

per_hour() { awk "BEGIN{printf \"%.2f\", ($2 - $1) / $N * 3600 / $DURATION / 1e6}"; }
ours_up=$(per_hour "$up0_ours" "$up1_ours")
ours_down=$(per_hour "$down0_ours" "$down1_ours")
legacy_up=$(per_hour "$up0_legacy" "$up1_legacy")
legacy_down=$(per_hour "$down0_legacy" "$down1_legacy")
ratio=$(awk "BEGIN{t=$ours_up+$ours_down; l=$legacy_up+$legacy_down; if (t > 0) printf \"%.1f\", l/t; else print \"inf\"}")

echo
echo "Idle control traffic, $N nodes, namespaces on a bridge, ${DURATION} s scaled to 1 h (MB per node per hour):"
printf '| %-38s | %8s | %8s | %s |\n' "schedule" "up" "down" "write reaches all nodes (s)"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..40})" "----------" "----------" "----------------------------"
printf '| %-38s | %8s | %8s | %s, %s |\n' "edgevpn C++ default" "$ours_up" "$ours_down" "$write_ours" "$write_ours2"
printf '| %-38s | %8s | %8s | %s, %s |\n' "EdgeVPN schedule (--ledger-legacy-sync)" "$legacy_up" "$legacy_down" "$write_legacy" "$write_legacy2"
printf '| %-38s | %8s | %8s | %s |\n' "EdgeVPN reported (spec 17: 0.8/1 GB in 7 h)" "114" "143" "-"
echo "EdgeVPN schedule / our default (total bytes): ${ratio}x (target >= 20x)"
