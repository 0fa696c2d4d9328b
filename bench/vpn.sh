#!/usr/bin/env bash
# VPN throughput and latency between two network namespaces made by this script (a veth pair;
# nothing else is reachable): iperf3 TCP single stream and 4 streams, and ping RTT, through the
# raw veth link (the baseline), our edgevpn, Go EdgeVPN, and the peer VPNs found on the machine (wireguard-go,
# nebula, tinc; bench/install-peers.sh installs them from Debian). Run as root:
#
#   bench/vpn.sh BUILD_DIR [SYSTEM ...]     (default: raw edgevpn go-edgevpn wireguard-go nebula tinc)
#
# go-edgevpn is the pinned Go EdgeVPN (`make go-peers` builds it; GO_EDGEVPN_BIN overrides).
# Prints one row per system: Mbit/s (1 and 4 streams), ratio to raw, RTT and RTT added over raw,
# tunnel MTU, and the bytes the tunnel interface counted (proof the traffic crossed it).
set -uo pipefail
build=${1:?usage: bench/vpn.sh BUILD_DIR [SYSTEM ...]}
shift
EDGEVPN_BIN=$(cd "$build" && pwd)/edgevpn
GO_EDGEVPN_BIN=${GO_EDGEVPN_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/go/edgevpn-go}
NSA=evb-a-$$ NSB=evb-b-$$
UA=10.99.0.1 UB=10.99.0.2 TA=10.1.0.1 TB=10.1.0.2
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
WORK=$(mktemp -d)
PIDS=()
a() { ip netns exec "$NSA" "$@"; }
b() { ip netns exec "$NSB" "$@"; }

make_namespaces() {
  ip netns add "$NSA" && ip netns add "$NSB" || return 1
  ip link add evb0 netns "$NSA" type veth peer name evb1 netns "$NSB"
  a ip addr add "$UA/24" dev evb0
  b ip addr add "$UB/24" dev evb1
  a ip link set evb0 up
  b ip link set evb1 up
  a ip link set lo up
  b ip link set lo up
}
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  PIDS=()
}
cleanup() {
  stop_all
  ip netns del "$NSA" 2>/dev/null
  ip netns del "$NSB" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
# start_in NS CMD...: a daemon in namespace NS (ip netns exec execs it: the PID is the daemon's).
start_in() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@" >>"$WORK/log" 2>&1 &
  PIDS+=($!)
}
wait_ping() {
  local t
  for ((t = 0; t < 100; t++)); do
    a ping -c1 -W1 "$1" >/dev/null 2>&1 && return 0
    sleep 0.3
  done
  return 1
}
iperf() {  # iperf DEST STREAMS: Mbit/s received
  local dst=$1 streams=$2 server mbps
  b iperf3 -s -1 -B "$dst" >/dev/null 2>&1 &
  server=$!
  sleep 0.5
  mbps=$(a timeout $((SECONDS_PER_RUN + 20)) iperf3 -c "$dst" -P "$streams" -t "$SECONDS_PER_RUN" -J \
    2>/dev/null | python3 -c \
    'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))' \
    2>/dev/null)
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
  echo "${mbps:-0}"
}
if_bytes() { a cat "/sys/class/net/$1/statistics/tx_bytes" 2>/dev/null || echo 0; }

RAW1="" RAW4="" RAWRTT=""
measure() {  # measure NAME DEST IFACE
  local name=$1 dst=$2 iface=$3 one four rtt mtu before after
  mtu=$(a cat "/sys/class/net/$iface/mtu" 2>/dev/null || echo -)
  before=$(if_bytes "$iface")
  one=$(iperf "$dst" 1)
  four=$(iperf "$dst" 4)
  after=$(if_bytes "$iface")
  rtt=$(a ping -c 20 -i 0.05 -q "$dst" 2>/dev/null | awk -F/ '/^rtt/ {print $5}')
  [[ -z "$RAW1" ]] && RAW1=$one RAW4=$four RAWRTT=${rtt:-0}
  python3 - "$name" "$one" "$four" "$RAW1" "$RAW4" "${rtt:-nan}" "$RAWRTT" "$mtu" \
    "$((after - before))" "$WORK/results" <<'EOF'
import sys
name, one, four, raw1, raw4, rtt, rawrtt, mtu, sent, results = sys.argv[1:]
one, four, raw1, raw4 = map(float, (one, four, raw1, raw4))
added = float(rtt) - float(rawrtt) if rtt != "nan" else float("nan")
print(f"{name:13s} {one:8.0f} {one/raw1 if raw1 else 0:7.3f} {four:8.0f} {four/raw4 if raw4 else 0:7.3f}"
      f" {rtt:>8s} {added:9.3f} {mtu:>5s} {int(sent)/1e6:10.0f}")
with open(results, "a") as out:
    out.write(f"{name} {one} {four} {added}\n")
EOF
}

# --- systems: setup_NAME sets TUN_DST and TUN_IF; teardown_NAME stops it ---------------------
setup_raw() { TUN_DST=$UB TUN_IF=evb0; }
teardown_raw() { :; }

setup_edgevpn() {
  local token
  token=$("$EDGEVPN_BIN" -g -b)
  # Loopback-free, world-free: peers only through the explicit bootstrap address on the veth.
  local common=(--token "$token" --dht=false --mdns=false --natmap=false --interface evtun0
                --log-level warn)
  # B's identity first (the cached key), so A can be given B's address.
  local id
  id=$("$EDGEVPN_BIN" token-info --token "$token" --privkey-cache --privkey-cache-dir "$WORK/kb" 2>/dev/null |
    awk '/^peer id:/ {print $3}')
  start_in "$NSB" "$EDGEVPN_BIN" "${common[@]}" --address "$TB/24" \
    --listen-maddrs "/ip4/$UB/tcp/4001" --privkey-cache --privkey-cache-dir "$WORK/kb"
  start_in "$NSA" "$EDGEVPN_BIN" "${common[@]}" --address "$TA/24" \
    --listen-maddrs "/ip4/$UA/tcp/4001" --discovery-bootstrap-peers "/ip4/$UB/tcp/4001/p2p/$id"
  TUN_DST=$TB TUN_IF=evtun0
}
teardown_edgevpn() { stop_all; }

# Go EdgeVPN (the pinned version that `make go-peers` builds) with its default flags, but for the
# world-reaching ones (DHT, mDNS, port mapping): B first, then A bootstrapped to B's address.
setup_go-edgevpn() {
  [[ -x "$GO_EDGEVPN_BIN" ]] || return 1
  local token id t common
  token=$("$GO_EDGEVPN_BIN" -g -b)
  common=(--token "$token" --dht=false --mdns=false --natmap=false --interface evtun0
          --log-level warn)
  ip netns exec "$NSB" "$GO_EDGEVPN_BIN" "${common[@]}" --log-level info --address "$TB/24" \
    --listen-maddrs "/ip4/$UB/tcp/4001" >"$WORK/go-b.log" 2>&1 &
  PIDS+=($!)
  for ((t = 0; t < 100; t++)); do
    id=$(grep -Eo 'Node ID: 12D3KooW[A-Za-z0-9]+' "$WORK/go-b.log" | head -1 | cut -d' ' -f3)
    [[ -n $id ]] && break
    sleep 0.1
  done
  start_in "$NSA" "$GO_EDGEVPN_BIN" "${common[@]}" --address "$TA/24" \
    --listen-maddrs "/ip4/$UA/tcp/4001" --discovery-bootstrap-peers "/ip4/$UB/tcp/4001/p2p/$id"
  TUN_DST=$TB TUN_IF=evtun0
}
teardown_go-edgevpn() { stop_all; }

setup_wireguard-go() {
  command -v wireguard-go >/dev/null && command -v wg >/dev/null || return 1
  local ka kb
  ka=$(wg genkey)
  kb=$(wg genkey)
  rm -f /var/run/wireguard/wgeva.sock /var/run/wireguard/wgevb.sock
  WG_PROCESS_FOREGROUND=1 start_in "$NSA" wireguard-go wgeva
  WG_PROCESS_FOREGROUND=1 start_in "$NSB" wireguard-go wgevb
  local t
  for ((t = 0; t < 50; t++)); do
    [[ -S /var/run/wireguard/wgeva.sock && -S /var/run/wireguard/wgevb.sock ]] && break
    sleep 0.1
  done
  a wg set wgeva private-key <(echo "$ka") listen-port 51820 \
    peer "$(echo "$kb" | wg pubkey)" allowed-ips "$TB/32" endpoint "$UB:51820"
  b wg set wgevb private-key <(echo "$kb") listen-port 51820 \
    peer "$(echo "$ka" | wg pubkey)" allowed-ips "$TA/32" endpoint "$UA:51820"
  a ip addr add "$TA/24" dev wgeva
  b ip addr add "$TB/24" dev wgevb
  a ip link set wgeva up mtu 1420
  b ip link set wgevb up mtu 1420
  TUN_DST=$TB TUN_IF=wgeva
}
teardown_wireguard-go() { stop_all; }

setup_nebula() {
  command -v nebula >/dev/null && command -v nebula-cert >/dev/null || return 1
  local d=$WORK/nebula n peer_t peer_u
  mkdir -p "$d"
  (cd "$d" && nebula-cert ca -name bench >/dev/null &&
    nebula-cert sign -name a -ip "$TA/24" >/dev/null && nebula-cert sign -name b -ip "$TB/24" >/dev/null)
  for n in a b; do
    if [[ $n == a ]]; then peer_t=$TB peer_u=$UB; else peer_t=$TA peer_u=$UA; fi
    cat >"$d/$n.yml" <<EOF
pki: {ca: $d/ca.crt, cert: $d/$n.crt, key: $d/$n.key}
static_host_map: {"$peer_t": ["$peer_u:4242"]}
lighthouse: {am_lighthouse: true}
listen: {host: 0.0.0.0, port: 4242}
punchy: {punch: false}
tun: {dev: nebev0, mtu: 1300}
logging: {level: warning}
firewall:
  outbound: [{port: any, proto: any, host: any}]
  inbound: [{port: any, proto: any, host: any}]
EOF
  done
  start_in "$NSA" nebula -config "$d/a.yml"
  start_in "$NSB" nebula -config "$d/b.yml"
  TUN_DST=$TB TUN_IF=nebev0
}
teardown_nebula() { stop_all; }

setup_tinc() {
  command -v tincd >/dev/null || return 1
  local d=$WORK/tinc n me_t me_u other
  for n in a b; do
    mkdir -p "$d/$n/hosts"
    if [[ $n == a ]]; then me_t=$TA me_u=$UA other=b; else me_t=$TB me_u=$UB other=a; fi
    printf 'Name = %s\nInterface = tincev0\nMode = router\nAddressFamily = ipv4\nConnectTo = %s\n' \
      "$n" "$other" >"$d/$n/tinc.conf"
    printf 'Address = %s\nSubnet = %s/32\n' "$me_u" "$me_t" >"$d/$n/hosts/$n"
    printf '#!/bin/sh\nip addr add %s/24 dev $INTERFACE\nip link set $INTERFACE up\n' "$me_t" \
      >"$d/$n/tinc-up"
    chmod +x "$d/$n/tinc-up"
    tincd -c "$d/$n" -K 2048 </dev/null >>"$WORK/log" 2>&1
  done
  cp "$d/a/hosts/a" "$d/b/hosts/a"
  cp "$d/b/hosts/b" "$d/a/hosts/b"
  start_in "$NSA" tincd -c "$d/a" -D --pidfile="$d/a.pid"
  start_in "$NSB" tincd -c "$d/b" -D --pidfile="$d/b.pid"
  TUN_DST=$TB TUN_IF=tincev0
}
teardown_tinc() { stop_all; }

# --- main ------------------------------------------------------------------------------------
[[ $(id -u) == 0 ]] || { echo "run as root (network namespaces)" >&2; exit 2; }
[[ -x "$EDGEVPN_BIN" ]] || { echo "missing $EDGEVPN_BIN (make build)" >&2; exit 1; }
systems=("$@")
((${#systems[@]})) || systems=(raw edgevpn go-edgevpn wireguard-go nebula tinc)
[[ ${systems[0]} == raw ]] || systems=(raw "${systems[@]}")
make_namespaces || { echo "cannot create namespaces" >&2; exit 1; }
printf '%-13s %8s %7s %8s %7s %8s %9s %5s %10s\n' system "1x Mb/s" ratio "4x Mb/s" ratio \
  "rtt ms" "added ms" mtu "tunnel MB"
for s in "${systems[@]}"; do
  TUN_DST="" TUN_IF=""
  if ! "setup_$s"; then
    echo "$s: not installed (bench/install-peers.sh)"
    continue
  fi
  if wait_ping "$TUN_DST"; then measure "$s" "$TUN_DST" "$TUN_IF"; else echo "$s: tunnel never came up"; fi
  "teardown_$s"
done
echo "ratios against the raw veth of this run; added = RTT minus raw RTT; $SECONDS_PER_RUN s per iperf3 run"
# Ours against Go EdgeVPN, both measured above.
awk '$1 == "edgevpn" {o1 = $2; o4 = $3; oa = $4} $1 == "go-edgevpn" {g1 = $2; g4 = $3; ga = $4}
  END { if (o1 && g1) printf "edgevpn / go-edgevpn: %.2fx (1 stream), %.2fx (4 streams), added RTT %.2f of Go'"'"'s\n",
    o1 / g1, (g4 ? o4 / g4 : 0), (ga > 0 ? oa / ga : 0) }' "$WORK/results" 2>/dev/null
