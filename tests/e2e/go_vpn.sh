#!/usr/bin/env bash
# The VPN in a mixed network of two Go EdgeVPN nodes and two of ours, on one bridge in namespaces
# this script creates (no route anywhere else), in four rounds of discovery:
#   mdns     - mDNS on the bridge only (no DHT);
#   cpp-boot - the DHT and --discovery-bootstrap-peers only, the bootstrap node our
#              `start --dht-mode server`;
#   go-dht   - the same with go-libp2p's Kademlia DHT server as the bootstrap node (the part the
#              public IPFS bootstrap nodes play), our tests/interop/go/peer;
#   go-start - a Go EdgeVPN `start` node as the bootstrap node: the ledger converges (see below).
# In each round but the last, every pair pings both ways within 30 s of the start; in the first,
# 50 MB cross a TCP connection from a Go node to one of ours and back, intact, counted on both
# TUN devices.
# Usage: tests/e2e/go_vpn.sh path/to/edgevpn path/to/edgevpn-go
set -uo pipefail
EDGEVPN_BIN=${1:?usage: go_vpn.sh path/to/edgevpn path/to/edgevpn-go}
GO_EDGEVPN_BIN=${2:-}
GO_PEER_BIN=$(dirname "${GO_EDGEVPN_BIN:-.}")/go-peer
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/netns.sh"
source "$HERE/lib/mixed.sh"
mixed_begin
[[ -x $GO_PEER_BIN ]] || { echo "SKIPPED: no $GO_PEER_BIN (scripts/build-go-edgevpn.sh builds it)"; exit 77; }
declare -A FAILED_ROUNDS

MIXED_SUBNET=10.78.0
netns_setup "evg-$$" 5 "$MIXED_SUBNET" || { echo "cannot create namespaces (root needed)" >&2; exit 1; }
# Hosts 0-3: the VPN nodes; host 4: the bootstrap node of rounds 2 and 3.
NAMES=(g0 c0 g1 c1)
IMPLS=(go cpp go cpp)
vpn_ip() { echo "10.1.0.$((11 + $1))"; }

# start_members ARGS...: the four VPN nodes, with ARGS.
start_members() {
  local i
  for i in 0 1 2 3; do
    mixed_start "${NAMES[i]}" "${IMPLS[i]}" "$i" --token "$token" --address "$(vpn_ip "$i")/24" \
      --api --api-listen 127.0.0.1:8080 --ledger-announce-interval 2 "$@"
  done
}
# round NAME ARGS...: the four VPN nodes with ARGS, then every pair pings within 30 s.
round() {
  local round=$1 i j began
  shift
  began=$(date +%s.%N)
  start_members "$@"
  local deadline=$(($(date +%s) + 30)) left ok=1
  for i in 0 1 2 3; do
    for j in 0 1 2 3; do
      ((i == j)) && continue
      left=$((deadline - $(date +%s)))
      ((left < 1)) && left=1
      if ! mixed_ping "${NAMES[i]}" "$(vpn_ip "$j")" "$left"; then
        fail "$round: ${NAMES[i]} (${IMPLS[i]}) cannot ping ${NAMES[j]} (${IMPLS[j]}) within 30 s"
        ok=0
        FAILED_ROUNDS[$round]=1
      fi
    done
  done
  ((ok)) && echo "$round: every pair of 2 Go and 2 C++ nodes pings, $(elapsed "$began") s after start"
}
# stop_round ROUND: stops every node and keeps the round's logs (ROUND.NAME.log).
stop_round() {
  local name
  for name in "${NAMES[@]}" boot; do
    mixed_stop "$name"
    [[ -f $WORK/$name.log ]] && mv "$WORK/$name.log" "$WORK/$1.$name.log"
  done
}
# boot_node IMPL ARGS...: a bootstrap node on host 4 whose DHT knows only itself: a first run
# without the DHT creates its cached identity, the second bootstraps to its own address.
boot_node() {
  local impl=$1
  shift
  rm -rf "$WORK/bootkey"
  mixed_start boot "$impl" 4 start --token "$token" --dht=false --mdns=false --privkey-cache \
    --privkey-cache-dir "$WORK/bootkey" "$@"
  BOOT=$(mixed_addr boot) || return 1
  mixed_stop boot
  mixed_start boot "$impl" 4 start --token "$token" --mdns=false --privkey-cache \
    --privkey-cache-dir "$WORK/bootkey" --discovery-bootstrap-peers "$BOOT" "$@"
  sleep 1
}
# dht_node: go-libp2p's Kademlia DHT in server mode on host 4 (tests/interop/go/peer): the role
# the public IPFS bootstrap nodes play for EdgeVPN users.
dht_node() {
  ip netns exec "$(netns_host 4)" "$GO_PEER_BIN" -listen "/ip4/$(mixed_ip 4)/tcp/4001" \
    >"$WORK/boot.log" 2>&1 &
  MIXED_PID[boot]=$!
  MIXED_HOST[boot]=4
  MIXED_IMPL[boot]=go
  local t
  for ((t = 0; t < 100; t++)); do
    BOOT=$(grep -Eo '"/ip4/[0-9.]+/tcp/4001/p2p/12D3KooW[A-Za-z0-9]+"' "$WORK/boot.log" 2>/dev/null | tr -d '"')
    [[ -n $BOOT ]] && return 0
    sleep 0.1
  done
  return 1
}
# ledger_round NAME ARGS...: the four VPN nodes; within 30 s every node's ledger lists all four.
ledger_round() {
  local round=$1 name began
  shift
  began=$(date +%s.%N)
  start_members "$@"
  all_machines() { [[ $(mixed_api "$1" /api/machines | grep -o '"Address":"10\.1\.0\.1[1-4]"' | sort -u | wc -l) == 4 ]]; }
  for name in "${NAMES[@]}"; do
    if ! mixed_wait 30 all_machines "$name"; then
      fail "$round: $name's ledger does not list the 4 machines: $(mixed_api "$name" /api/machines)"
      FAILED_ROUNDS[$round]=1
    fi
  done
  [[ -z ${FAILED_ROUNDS[$round]:-} ]] && echo "$round: every node's ledger lists the 4 machines, $(elapsed "$began") s after start"
}

token=$("$GO_EDGEVPN_BIN" -g -b)

round mdns --dht=false
mixed_transfer g0 c0 "$(vpn_ip 1)" 50 || { fail "Go -> C++ transfer"; FAILED_ROUNDS[mdns]=1; }
mixed_transfer c0 g0 "$(vpn_ip 0)" 50 || { fail "C++ -> Go transfer"; FAILED_ROUNDS[mdns]=1; }
stop_round mdns

dht_node || fail "go-libp2p DHT node did not start"
round go-dht --mdns=false --discovery-interval 5 --discovery-bootstrap-peers "$BOOT"
stop_round go-dht

# A Go EdgeVPN `start` node as the only bootstrap peer: its DHT stays in client mode on a private
# LAN (AutoNAT never sees a public address), so it serves no rendezvous, to Go nodes or ours,
# and members that know no other address cannot open VPN streams to each other. What it does
# give, to both, is the ledger (the members' gossip goes through it).
boot_node go || fail "Go bootstrap node did not start"
ledger_round go-start --mdns=false --discovery-interval 5 --discovery-bootstrap-peers "$BOOT"
stop_round go-start

boot_node cpp --dht-mode server || fail "C++ bootstrap node did not start"
round cpp-boot --mdns=false --discovery-interval 5 --discovery-bootstrap-peers "$BOOT"
stop_round cpp-boot

if grep -l "Sanitizer\|runtime error" "$WORK"/*.c?.log "$WORK"/cpp-boot.boot.log >/dev/null 2>&1; then
  fail "sanitizer reports: $(grep -l "Sanitizer\|runtime error" "$WORK"/*.log | xargs -n1 basename)"
fi
if ((failures)); then
  for round in "${!FAILED_ROUNDS[@]}"; do
    for name in "${NAMES[@]}" boot; do
      [[ -f $WORK/$round.$name.log ]] && { echo "--- $round: $name"; tail -25 "$WORK/$round.$name.log"; }
    done
  done >&2
  echo "go_vpn: $failures failure(s)" >&2
  exit 1
fi
echo "go_vpn: ok"
