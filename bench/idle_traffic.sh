#!/usr/bin/env bash
# Idle control traffic, write propagation and memory of a 10-node network, in one run for our
# default ledger sync, for our emulation of EdgeVPN's schedule (--ledger-legacy-sync: full ledger
# every ~10 s) and for real Go EdgeVPN nodes (the pinned version `make go-peers` builds;
# GO_EDGEVPN_BIN overrides; left out when it is missing). Every node runs `api`.
# Each node runs in its own network namespace on a bridge; bytes are counted by the kernel on the
# veth links for DURATION seconds (default 600) and scaled to an hour. Needs root.
# Usage: bench/idle_traffic.sh path/to/edgevpn [DURATION]
set -uo pipefail
BIN=$(realpath "${1:?usage: idle_traffic.sh path/to/edgevpn [seconds]}")
GO_BIN=${GO_EDGEVPN_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/go/edgevpn-go}
DURATION=${2:-600}
N=${NODES:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../tests/e2e/lib/netns.sh"
WORK=$(mktemp -d)
PIDS=()
NETS=()
declare -A NET_PIDS

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  for prefix in "${NETS[@]}"; do NETNS_PREFIX=$prefix NETNS_COUNT=$N netns_cleanup; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_network PREFIX SUBNET IMPL EXTRA_FLAGS...: N nodes of IMPL (cpp or go), node i bootstraps
# to nodes 0 and i-1.
start_network() {
  local prefix=$1 subnet=$2 impl=$3 i boot addr0 prev bin=$BIN
  shift 3
  [[ $impl == go ]] && bin=$GO_BIN
  netns_setup "$prefix" "$N" "$subnet" || { echo "netns setup failed" >&2; exit 1; }
  NETS+=("$prefix")
  local token
  token=$("$bin" -g -b)
  for ((i = 0; i < N; i++)); do
    boot=()
    if ((i > 0)); then
      boot=(--discovery-bootstrap-peers "$addr0")
      ((i > 1)) && boot+=(--discovery-bootstrap-peers "$prev")
    fi
    ip netns exec "$(netns_host "$i")" "$bin" api --token "$token" --listen 127.0.0.1:8080 \
      --dht=false --mdns=false --natmap=false --listen-maddrs "/ip4/$subnet.$((i + 1))/tcp/4001" \
      "${boot[@]}" "$@" >"$WORK/$prefix-$i.log" 2>&1 &
    PIDS+=($!)
    NET_PIDS[$prefix]+=" $!"
    local t id
    prev=""
    for ((t = 0; t < 100; t++)); do
      if [[ $impl == go ]]; then
        id=$(grep -Eo 'Node ID: 12D3KooW[A-Za-z0-9]+' "$WORK/$prefix-$i.log" 2>/dev/null | head -1 | cut -d' ' -f3)
        [[ -n $id ]] && prev="/ip4/$subnet.$((i + 1))/tcp/4001/p2p/$id"
      else
        prev=$(grep -Eo "/ip4/$subnet\.$((i + 1))/tcp/4001/p2p/[A-Za-z0-9]+" "$WORK/$prefix-$i.log" 2>/dev/null |
          head -1)
      fi
      [[ -n "$prev" ]] && break
      sleep 0.1
    done
    [[ -n "$prev" ]] || { echo "node $i of $prefix did not start" >&2; cat "$WORK/$prefix-$i.log" >&2; exit 1; }
    ((i == 0)) && addr0=$prev
  done
}

# rss_mb PREFIX: mean resident memory of the network's nodes, MB.
rss_mb() {
  local pid total=0 kb
  for pid in ${NET_PIDS[$1]}; do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$((total + kb))
  done
  awk "BEGIN{printf \"%.1f\", $total / $N / 1024}"
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
prefix_go="evi$$c"
prefixes=("$prefix_ours" "$prefix_legacy")
start_network "$prefix_ours" 10.77.0 cpp
start_network "$prefix_legacy" 10.78.0 cpp --ledger-legacy-sync
if [[ -x $GO_BIN ]]; then
  start_network "$prefix_go" 10.79.0 go
  prefixes+=("$prefix_go")
else
  echo "note: no Go EdgeVPN at $GO_BIN (make go-peers): real Go nodes left out" >&2
fi
sleep 10  # connections, meshes, first heartbeats
declare -A WRITE1 WRITE2 UP0 DOWN0 UP1 DOWN1 UP DOWN RSS
for prefix in "${prefixes[@]}"; do WRITE1[$prefix]=$(write_time "$prefix" warm); done
for prefix in "${prefixes[@]}"; do WRITE2[$prefix]=$(write_time "$prefix" second); done
sleep 20
for prefix in "${prefixes[@]}"; do read -r UP0[$prefix] DOWN0[$prefix] < <(bytes "$prefix"); done
echo "measuring idle traffic for $DURATION s..." >&2
sleep "$DURATION"
for prefix in "${prefixes[@]}"; do
  read -r UP1[$prefix] DOWN1[$prefix] < <(bytes "$prefix")
  RSS[$prefix]=$(rss_mb "$prefix")
done

per_hour() { awk "BEGIN{printf \"%.2f\", ($2 - $1) / $N * 3600 / $DURATION / 1e6}"; }
for prefix in "${prefixes[@]}"; do
  UP[$prefix]=$(per_hour "${UP0[$prefix]}" "${UP1[$prefix]}")
  DOWN[$prefix]=$(per_hour "${DOWN0[$prefix]}" "${DOWN1[$prefix]}")
done
# ratio PREFIX: that network's total bytes over ours.
ratio() {
  awk "BEGIN{t=${UP[$prefix_ours]}+${DOWN[$prefix_ours]}; l=${UP[$1]}+${DOWN[$1]}; if (t > 0) printf \"%.1f\", l/t; else print \"inf\"}"
}
declare -A LABEL=([$prefix_ours]="edgevpn C++ default" [$prefix_legacy]="EdgeVPN schedule (--ledger-legacy-sync)"
  [$prefix_go]="Go EdgeVPN (real nodes)")

echo
echo "Idle control traffic, $N nodes, namespaces on a bridge, ${DURATION} s scaled to 1 h (MB per node per hour), RSS per node at the end:"
printf '| %-38s | %8s | %8s | %8s | %s |\n' "nodes" "up" "down" "RSS MB" "write reaches all nodes (s)"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..40})" "----------" "----------" "----------" "----------------------------"
for prefix in "${prefixes[@]}"; do
  printf '| %-38s | %8s | %8s | %8s | %s, %s |\n' "${LABEL[$prefix]}" "${UP[$prefix]}" "${DOWN[$prefix]}" \
    "${RSS[$prefix]}" "${WRITE1[$prefix]}" "${WRITE2[$prefix]}"
done
echo "EdgeVPN schedule / our default (total bytes): $(ratio "$prefix_legacy")x (target >= 20x)"
if [[ -n "${UP[$prefix_go]:-}" ]]; then
  echo "Go EdgeVPN / our default: $(ratio "$prefix_go")x the bytes," \
    "$(awk "BEGIN{printf \"%.1f\", ${RSS[$prefix_go]} / ${RSS[$prefix_ours]}}")x the RSS per node"
fi
