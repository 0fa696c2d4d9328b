#!/usr/bin/env bash
# Service tunnel benchmark on 127.0.0.1. Throughput of one TCP connection through service-add /
# service-connect against a direct loopback TCP connection to the same iperf3 server, measured in
# the same run (iperf3, one stream, both directions, median of RUNS), with the CPU seconds the two
# edgevpn processes spent; and the time from starting service-connect until a connection opened
# through it as soon as its port accepts gets its first byte echoed (the service side already runs).
# The same pair of Go EdgeVPN nodes is measured in the same runs, interleaved, when
# build/go/edgevpn-go (`make go-peers`; GO_EDGEVPN_BIN overrides) is there.
# Usage: bench/service_bench.sh path/to/edgevpn   (env: SECONDS_PER_RUN=5, RUNS=3, STARTS=3)
set -uo pipefail
EDGEVPN_BIN=${1:?usage: bench/service_bench.sh path/to/edgevpn}
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${SECONDS_PER_RUN:-5}
runs=${RUNS:-3}
starts=${STARTS:-3}
command -v iperf3 >/dev/null || { echo "iperf3 is missing (scripts/install-deps.sh)" >&2; exit 1; }
WORK=$(mktemp -d)
source "$root/tests/e2e/lib/nodes.sh"
GO_EDGEVPN_BIN=${GO_EDGEVPN_BIN:-$root/build/go/edgevpn-go}
declare -A PORT ADD_PID CONNECT_PID TUNNEL
LOAD="$root/tests/e2e/lib/tcp_load.py"
HELPER_PIDS=()
cleanup() {
  cleanup_nodes
  local pid
  for pid in "${HELPER_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG

median() { sort -g | awk '{v[NR]=$1} END {print (NR ? v[int((NR+1)/2)] : "nan")}'; }
# cpu_seconds PID: user + system CPU time of the process so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0
}
# iperf_mbps PORT [-R]: MB/s received over one stream in $seconds s (-R: server to client).
iperf_mbps() {
  local port=$1
  shift
  iperf3 -c 127.0.0.1 -p "$port" -t "$seconds" -J "$@" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bytes"] / 1e6 / float(sys.argv[1]))' \
      "$seconds" 2>/dev/null || echo 0
}

iperf_port=$(python3 "$LOAD" free-port)
iperf3 -s -B 127.0.0.1 -p "$iperf_port" >"$WORK/iperf.log" 2>&1 &
HELPER_PIDS+=($!)
python3 "$LOAD" echo-server "$WORK/echo.port" &
HELPER_PIDS+=($!)
for ((i = 0; i < 50; i++)); do [[ -s $WORK/echo.port ]] && break; sleep 0.1; done
echo_port=$(cat "$WORK/echo.port")

token=$("$EDGEVPN_BIN" -g -b)
start_node add service-add --token "$token" --service "iperf=127.0.0.1:$iperf_port" \
  --service "echo=127.0.0.1:$echo_port"
add=$(node_addr add) || exit 1
tunnel_port=$(python3 "$LOAD" free-port)
start_node connect service-connect --token "$token" --discovery-bootstrap-peers "$add" \
  --service "iperf=127.0.0.1:$tunnel_port"
systems=(ours)
PORT[ours]=$tunnel_port
ADD_PID[ours]=$(cat "$WORK/add.pid")
CONNECT_PID[ours]=$(cat "$WORK/connect.pid")

# The same pair of Go EdgeVPN nodes (the pinned version `make go-peers` builds), with the
# loopback flags of lib/nodes.sh: Go's CLI reads its flags before the positional arguments.
if [[ -x "$GO_EDGEVPN_BIN" ]]; then
  go_token=$("$GO_EDGEVPN_BIN" -g -b)
  "$GO_EDGEVPN_BIN" service-add --token "$go_token" "${LOOPBACK_FLAGS[@]}" --log-level info \
    iperf "127.0.0.1:$iperf_port" >"$WORK/go-add.log" 2>&1 &
  ADD_PID[go]=$!
  NODE_PIDS+=($!)
  go_id=$(wait_log go-add 'Node ID: 12D3KooW[A-Za-z0-9]+' | cut -d' ' -f3)
  go_port=$(wait_log go-add '/ip4/127\.0\.0\.1/tcp/[0-9]+' | cut -d/ -f5)
  PORT[go]=$(python3 "$LOAD" free-port)
  "$GO_EDGEVPN_BIN" service-connect --token "$go_token" "${LOOPBACK_FLAGS[@]}" \
    --discovery-bootstrap-peers "/ip4/127.0.0.1/tcp/$go_port/p2p/$go_id" \
    iperf "127.0.0.1:${PORT[go]}" >"$WORK/go-connect.log" 2>&1 &
  CONNECT_PID[go]=$!
  NODE_PIDS+=($!)
  systems+=(go)
else
  echo "note: no Go EdgeVPN at $GO_EDGEVPN_BIN (make go-peers): measuring ours only"
fi
# Wait until each tunnel carries traffic.
for system in "${systems[@]}"; do
  for ((i = 0; i < 300; i++)); do
    iperf3 -c 127.0.0.1 -p "${PORT[$system]}" -t 1 -J >/dev/null 2>&1 && break
    sleep 0.2
  done
done

for direction in up down; do
  flag=()
  [[ $direction == down ]] && flag=(-R)
  : >"$WORK/direct.$direction"
  for system in "${systems[@]}"; do : >"$WORK/$system.$direction"; : >"$WORK/$system.cpu.$direction"; done
  for ((run = 0; run < runs; run++)); do
    iperf_mbps "$iperf_port" "${flag[@]}" >>"$WORK/direct.$direction"
    for system in "${systems[@]}"; do
      a0=$(cpu_seconds "${ADD_PID[$system]}") c0=$(cpu_seconds "${CONNECT_PID[$system]}")
      iperf_mbps "${PORT[$system]}" "${flag[@]}" >>"$WORK/$system.$direction"
      a1=$(cpu_seconds "${ADD_PID[$system]}") c1=$(cpu_seconds "${CONNECT_PID[$system]}")
      awk -v a="$a1" -v b="$a0" -v c="$c1" -v d="$c0" 'BEGIN {printf "%.2f %.2f\n", a - b, c - d}' \
        >>"$WORK/$system.cpu.$direction"
    done
  done
  direct=$(median <"$WORK/direct.$direction")
  for system in "${systems[@]}"; do
    tunnel=$(median <"$WORK/$system.$direction")
    TUNNEL[$system]=$tunnel
    cpu=$(sort -g "$WORK/$system.cpu.$direction" | sed -n "$(((runs + 1) / 2))p")
    # cpuMB/s: the tunnel's bytes over the CPU seconds of the busier node, i.e. what two idle
    # cores would carry (a shared machine's wall clock mostly measures the wait for a core).
    cpu_mbps=$(awk -v t="$tunnel" -v s="$seconds" -v cpu="$cpu" \
      'BEGIN {split(cpu, c, " "); m = c[1] > c[2] ? c[1] : c[2]; print (m > 0 ? t * s / m : 0)}')
    printf '%-4s %-4s direct loopback TCP %6.0f MB/s | through the service %5.0f MB/s (ratio %.2f), %5.0f cpuMB/s (ratio %.2f) | CPU s (service-add, service-connect) per %s s run: %s\n' \
      "$direction" "$system" "$direct" "$tunnel" "$(awk -v t="$tunnel" -v d="$direct" 'BEGIN {print (d > 0 ? t / d : 0)}')" \
      "$cpu_mbps" "$(awk -v t="$cpu_mbps" -v d="$direct" 'BEGIN {print (d > 0 ? t / d : 0)}')" \
      "$seconds" "$cpu"
  done
  if [[ -n "${TUNNEL[go]:-}" ]]; then
    echo "$direction ours / Go EdgeVPN: $(awk -v o="${TUNNEL[ours]}" -v g="${TUNNEL[go]}" 'BEGIN {printf "%.2fx", (g > 0 ? o / g : 0)}')"
  fi
done

# Start-up: a fresh service-connect against the running service side; a connection opened as
# soon as the port accepts waits (held by service-connect) until the service is found.
: >"$WORK/starts"
for ((run = 0; run < starts; run++)); do
  port=$(python3 "$LOAD" free-port)
  started=$(date +%s.%N)
  start_node "start$run" service-connect --token "$token" --discovery-bootstrap-peers "$add" \
    --service "echo=127.0.0.1:$port"
  python3 - "$port" "$started" >>"$WORK/starts" <<'EOF'
import socket, sys, time
port, started = int(sys.argv[1]), float(sys.argv[2])
deadline = started + 60
while True:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("port never accepted")
        time.sleep(0.005)
bound = time.time() - started
sock.sendall(b"x")
if sock.recv(1) != b"x":
    sys.exit("no echo")
print(f"{time.time() - started:.3f} {bound:.3f}")
EOF
  kill "$(cat "$WORK/start$run.pid")" 2>/dev/null
done
first=$(awk '{print $1}' "$WORK/starts" | median)
bound=$(awk '{print $2}' "$WORK/starts" | median)
echo "service-connect start-up (median of $starts): port accepts after ${bound} s, first echoed byte after ${first} s"
