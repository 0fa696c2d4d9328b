# Shared helpers of the end-to-end scripts: start edgevpn processes on the host's loopback with
# every outward-reaching default turned off, find their addresses in their logs, stop them by
# PID. Source it; the caller sets EDGEVPN_BIN and WORK (a temp folder) and calls cleanup_nodes.

NODE_PIDS=()

# Loopback nodes must never reach the world: no DHT (public bootstrap peers), no mDNS, no NAT
# port mapping. Every node this file starts gets these flags; start_node refuses to run without.
LOOPBACK_FLAGS=(--dht=false --mdns=false --natmap=false --listen-maddrs /ip4/127.0.0.1/tcp/0)

# start_node NAME ARGS... : starts `edgevpn ARGS... LOOPBACK_FLAGS` logging to $WORK/NAME.log and
# records its PID in $WORK/NAME.pid.
start_node() {
  local name=$1
  shift
  "$EDGEVPN_BIN" "$@" "${LOOPBACK_FLAGS[@]}" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  NODE_PIDS+=("$pid")
  echo "$pid" >"$WORK/$name.pid"
}

# start_netns_node NAME NETNS ARGS... : starts `edgevpn ARGS...` inside NETNS with its own
# defaults (DHT, mDNS on). Only in a namespace of the current netns_setup (lib/netns.sh), which has
# no route out: anything else is refused.
start_netns_node() {
  local name=$1 netns=$2
  shift 2
  if [[ -z "${NETNS_PREFIX:-}" || "$netns" != "$NETNS_PREFIX"-h* ]] ||
    ! ip netns list | grep -qw "$netns"; then
    echo "start_netns_node: $netns is not a namespace of this test" >&2
    return 1
  fi
  ip netns exec "$netns" "$EDGEVPN_BIN" "$@" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  NODE_PIDS+=("$pid")
  echo "$pid" >"$WORK/$name.pid"
}

# stop_node NAME: stops one node started by start_node / start_netns_node.
stop_node() {
  local pid
  pid=$(cat "$WORK/$1.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

# wait_log NAME REGEX [SECONDS]: waits until the node's log matches; prints the first match.
wait_log() {
  local name=$1 regex=$2 limit=${3:-20} i
  for ((i = 0; i < limit * 10; i++)); do
    if grep -Eo "$regex" "$WORK/$name.log" 2>/dev/null | head -1 | grep .; then return 0; fi
    sleep 0.1
  done
  echo "timeout waiting for /$regex/ in $name.log" >&2
  tail -20 "$WORK/$name.log" >&2
  return 1
}

# node_addr NAME: the node's /ip4/127.0.0.1/tcp/N/p2p/ID address.
node_addr() { wait_log "$1" '/ip4/127\.0\.0\.1/tcp/[0-9]+/p2p/[A-Za-z0-9]+'; }
# api_addr NAME: host:port of the node's API.
api_addr() { wait_log "$1" 'API listening on [0-9.:]+' | awk '{print $4}'; }

# established_count PID: TCP connections the process holds (sockets in ESTABLISHED state).
established_count() {
  ss -tnpH state established 2>/dev/null | grep -c "pid=$1,"
}

cleanup_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${NODE_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  NODE_PIDS=()
}
