# Mixed networks of Go EdgeVPN and our nodes, one node per host namespace of lib/netns.sh. Source
# both; the caller sets EDGEVPN_BIN, GO_EDGEVPN_BIN and WORK, and calls mixed_cleanup on exit.
#
# Every node gets --natmap=false. A node that runs the DHT must be given bootstrap peers of the
# test (otherwise it would look for the public IPFS bootstrap peers); mixed_start refuses it.
# Nodes listen on HOST_IP:4001 and serve the API on 127.0.0.1:8080 of their namespace.

declare -A MIXED_PID MIXED_HOST MIXED_IMPL
MIXED_LOAD="$(dirname "${BASH_SOURCE[0]}")/tcp_load.py"
MIXED_HELPERS=()  # PIDs of helper processes (servers, pings) that mixed_cleanup stops
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# elapsed START: seconds since START (a `date +%s.%N` reading), one decimal.
elapsed() { awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $1}"; }

# mixed_begin: the common start of a mixed test: skips without the Go peer, makes WORK, and
# stops and removes everything on exit.
mixed_begin() {
  mixed_require_go
  WORK=$(mktemp -d)
  unset EDGEVPNTOKEN EDGEVPNCONFIG
  trap 'mixed_cleanup; netns_cleanup; rm -rf "$WORK"' EXIT
}

# mixed_finish SCRIPT: a failure for each of our nodes whose log has a sanitizer report; on any
# failure the tail of every node's log; exits 0 only when nothing failed.
mixed_finish() {
  local script=$1 name
  for name in "${!MIXED_IMPL[@]}"; do
    [[ ${MIXED_IMPL[$name]} == cpp ]] && grep -q "Sanitizer\|runtime error" "$WORK/$name.log" &&
      fail "sanitizer report in $name's log"
  done
  if ((failures)); then
    for name in "${!MIXED_IMPL[@]}"; do
      echo "--- $name"
      tail -25 "$WORK/$name.log" 2>/dev/null
    done >&2
    echo "$script: $failures failure(s)" >&2
    exit 1
  fi
  echo "$script: ok"
  exit 0
}

# mixed_require_go: exits 77 (skipped; CI counts it as a failure) when the Go peer is missing.
mixed_require_go() {
  if [[ ! -x "${GO_EDGEVPN_BIN:-}" ]]; then
    echo "SKIPPED: no Go EdgeVPN at '${GO_EDGEVPN_BIN:-}' (scripts/build-go-edgevpn.sh builds it)"
    exit 77
  fi
}

mixed_bin() { if [[ $1 == go ]]; then echo "$GO_EDGEVPN_BIN"; else echo "$EDGEVPN_BIN"; fi; }
mixed_ip() { echo "$MIXED_SUBNET.$(($1 + 1))"; }

# mixed_start NAME IMPL HOST [COMMAND] FLAGS... [POSITIONALS...] : IMPL is go or cpp. Go's CLI
# reads no flag after a positional argument, so positionals come last.
mixed_start() {
  local name=$1 impl=$2 host=$3 bin
  shift 3
  bin=$(mixed_bin "$impl")
  local args=("$@") dht=on a
  for a in "${args[@]}"; do [[ $a == --dht=false ]] && dht=off; done
  if [[ $dht == on ]] && ! printf '%s\n' "${args[@]}" | grep -q -- '--discovery-bootstrap-peers'; then
    echo "mixed_start: $name would run the DHT without the test's bootstrap peers" >&2
    return 1
  fi
  # Go's CLI reads no flags after a positional argument: ours go right after the command word.
  local command=()
  [[ ${args[0]:-} != -* ]] && command=("${args[0]}") && args=("${args[@]:1}")
  # `ip netns exec` execs the binary: $! is the node itself.
  ip netns exec "$(netns_host "$host")" "$bin" "${command[@]}" --natmap=false \
    --listen-maddrs "/ip4/$(mixed_ip "$host")/tcp/4001" "${args[@]}" >"$WORK/$name.log" 2>&1 &
  MIXED_PID[$name]=$!
  MIXED_HOST[$name]=$host
  MIXED_IMPL[$name]=$impl
}

# mixed_stop NAME: SIGTERM, then waits (SIGKILL after 10 s).
mixed_stop() {
  local pid=${MIXED_PID[$1]:-} i
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  unset "MIXED_PID[$1]"
}

mixed_cleanup() {
  local name pid
  for name in "${!MIXED_PID[@]}"; do mixed_stop "$name"; done
  for pid in "${MIXED_HELPERS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${MIXED_HELPERS[@]}"; do wait "$pid" 2>/dev/null; done
  MIXED_HELPERS=()
}

# mixed_id NAME: the node's peer ID, from its log (Go: "Node ID: ..."; ours: "listening on").
mixed_id() {
  local name=$1 t id pattern
  if [[ ${MIXED_IMPL[$name]} == go ]]; then pattern='Node ID: 12D3KooW[A-Za-z0-9]+'; else
    pattern='listening on /ip4/[0-9.]+/tcp/4001/p2p/12D3KooW[A-Za-z0-9]+'
  fi
  for ((t = 0; t < 300; t++)); do
    id=$(grep -Eo "$pattern" "$WORK/$name.log" 2>/dev/null | head -1 | grep -Eo '12D3KooW[A-Za-z0-9]+$')
    [[ -n $id ]] && { echo "$id"; return 0; }
    sleep 0.1
  done
  echo "mixed_id: $name never said its peer ID" >&2
  tail -20 "$WORK/$name.log" >&2
  return 1
}

# mixed_addr NAME: /ip4/HOST_IP/tcp/4001/p2p/ID.
mixed_addr() {
  local id
  id=$(mixed_id "$1") || return 1
  echo "/ip4/$(mixed_ip "${MIXED_HOST[$1]}")/tcp/4001/p2p/$id"
}

# mixed_api NAME [CURL ARGS...] PATH: a request to the node's API.
mixed_api() {
  local name=$1
  shift
  ip netns exec "$(netns_host "${MIXED_HOST[$name]}")" curl -s --max-time 5 "${@:1:$#-1}" \
    "http://127.0.0.1:8080${*: -1}"
}

# mixed_ping NAME ADDRESS SECONDS: NAME's host reaches ADDRESS through the tunnel in time.
mixed_ping() {
  local name=$1 address=$2 limit=$3 deadline
  deadline=$(($(date +%s) + limit))
  while (($(date +%s) < deadline)); do
    ip netns exec "$(netns_host "${MIXED_HOST[$name]}")" ping -c 1 -W 1 "$address" >/dev/null 2>&1 &&
      return 0
    sleep 0.3
  done
  return 1
}

# mixed_wait SECONDS COMMAND...: retries COMMAND every 0.5 s until it succeeds or time is up.
mixed_wait() {
  local limit=$1 deadline
  shift
  deadline=$(($(date +%s) + limit))
  while (($(date +%s) < deadline)); do
    "$@" && return 0
    sleep 0.5
  done
  "$@"
}

# mixed_tun NAME rx|tx: bytes counted on the node's edgevpn0.
mixed_tun() {
  ip netns exec "$(netns_host "${MIXED_HOST[$1]}")" \
    cat "/sys/class/net/edgevpn0/statistics/$2_bytes" 2>/dev/null || echo 0
}

# mixed_transfer FROM TO TO_ADDRESS MBYTES: MBYTES of random bytes over TCP through the tunnel,
# from FROM's host to a sink on TO's host; succeeds when the sink's sha256 matches and both TUN
# devices counted at least that many bytes. Prints the throughput.
mixed_transfer() {
  local from=$1 to=$2 address=$3 mbytes=$4 payload="$WORK/payload.$1.$2"
  head -c $((mbytes << 20)) /dev/urandom >"$payload"
  local want tx_before rx_before sink began
  want=$(sha256sum <"$payload" | cut -d' ' -f1)
  tx_before=$(mixed_tun "$from" tx)
  rx_before=$(mixed_tun "$to" rx)
  rm -f "$WORK/sink.$to"
  ip netns exec "$(netns_host "${MIXED_HOST[$to]}")" python3 "$MIXED_LOAD" sink "$address" 9000 \
    "$WORK/sink.$to" &
  sink=$!
  sleep 0.5
  began=$(date +%s.%N)
  ip netns exec "$(netns_host "${MIXED_HOST[$from]}")" timeout 120 python3 "$MIXED_LOAD" send \
    "$address" 9000 "$payload"
  wait "$sink"
  local seconds got_sum got_bytes tx rx
  seconds=$(awk "BEGIN{print $(date +%s.%N) - $began}")
  read -r got_sum got_bytes <"$WORK/sink.$to" 2>/dev/null || got_sum=none
  rm -f "$payload"
  tx=$(($(mixed_tun "$from" tx) - tx_before))
  rx=$(($(mixed_tun "$to" rx) - rx_before))
  if [[ $got_sum != "$want" ]]; then
    echo "$mbytes MB $from -> $to arrived corrupted or short (${got_bytes:-0} bytes)"
    return 1
  fi
  if ((tx < mbytes << 20 || rx < mbytes << 20)); then
    echo "$mbytes MB $from -> $to: TUN counted only $tx bytes out and $rx bytes in"
    return 1
  fi
  echo "$mbytes MB $from (${MIXED_IMPL[$from]}) -> $to (${MIXED_IMPL[$to]}) intact in" \
    "$(awk "BEGIN{printf \"%.1f s, %.0f Mbit/s\", $seconds, $mbytes * 8.389 / $seconds}")"
}
