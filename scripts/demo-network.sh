#!/usr/bin/env bash
# Three `edgevpn start` nodes on 127.0.0.1 forming a small libp2p mesh: B bootstraps to A, C to A
# and B. Runs them ~8 s, then shows each node's peer ID, its connections and ping times (from the
# logs), and stops them. Loopback only; mDNS and DHT off.
# Usage: scripts/demo-network.sh path/to/edgevpn [seconds]
set -euo pipefail
bin=${1:?usage: scripts/demo-network.sh path/to/edgevpn [seconds]}
run_seconds=${2:-8}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG EDGEVPNLISTENMADDRS

token=$("$bin" -g -b)

# start_node NAME [bootstrap addrs...]: starts a node, waits for its /p2p/ listen address.
start_node() {
  local name=$1
  shift
  local args=(start --token "$token" --mdns=false --dht=false --log-level info
              --listen-maddrs /ip4/127.0.0.1/tcp/0)
  for peer in "$@"; do args+=(--discovery-bootstrap-peers "$peer"); done
  "$bin" "${args[@]}" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q 'listening on /ip4/127.0.0.1/tcp/[0-9]*/p2p/' "$work/$name.log"; then break; fi
    sleep 0.1
  done
  addr=$(grep -o '/ip4/127.0.0.1/tcp/[0-9]*/p2p/[A-Za-z0-9]*' "$work/$name.log" | head -1)
  if [ -z "$addr" ]; then
    echo "node $name did not start:" >&2
    cat "$work/$name.log" >&2
    exit 1
  fi
  printf '%s' "$addr" >"$work/$name.addr"
}

start_node A
start_node B "$(cat "$work/A.addr")"
start_node C "$(cat "$work/A.addr")" "$(cat "$work/B.addr")"
echo "3 nodes running on 127.0.0.1 (running ${run_seconds} s)..."
sleep "$run_seconds"

for name in A B C; do
  printf '\n== node %s  %s\n' "$name" "$(cat "$work/$name.addr")"
  grep -E 'peer ID|connected to bootstrap|rtt|ping failed|error|warn' "$work/$name.log" \
    | grep -v 'not available yet' \
    | sed -E 's/^\[[^]]*\] //' | tail -8 || true
done
