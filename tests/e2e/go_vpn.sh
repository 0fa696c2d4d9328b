#!/usr/bin/env bash
# The VPN in a mixed network of two Go EdgeVPN nodes and two of ours, on one bridge in namespaces
# this script creates (no route anywhere else), in three rounds of discovery:
#   mdns     - mDNS on the bridge only (no DHT);
#   go-boot  - the DHT and --discovery-bootstrap-peers only, the bootstrap node a Go `start` node;
#   cpp-boot - the same with our `start --dht-mode server` node as the bootstrap node.
# In each round every pair pings both ways within 30 s of the start; in the first, 50 MB cross a
# TCP connection from a Go node to one of ours and back, intact, counted on both TUN devices.
# Usage: tests/e2e/go_vpn.sh path/to/edgevpn path/to/edgevpn-go
set -uo pipefail
EDGEVPN_BIN=${1:?usage: go_vpn.sh path/to/edgevpn path/to/edgevpn-go}
GO_EDGEVPN_BIN=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/netns.sh"
source "$HERE/lib/mixed.sh"
mixed_require_go
WORK=$(mktemp -d)
unset EDGEVPNTOKEN EDGEVPNCONFIG
trap 'mixed_cleanup; netns_cleanup; rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
elapsed() { awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $1}"; }

MIXED_SUBNET=10.78.0
netns_setup "evg-$$" 5 "$MIXED_SUBNET" || { echo "cannot create namespaces (root needed)" >&2; exit 1; }
# Hosts 0-3: the VPN nodes; host 4: the bootstrap node of rounds 2 and 3.
NAMES=(g0 c0 g1 c1)
IMPLS=(go cpp go cpp)
vpn_ip() { echo "10.1.0.$((11 + $1))"; }

# round NAME ARGS...: the four VPN nodes with ARGS, then every pair pings within 30 s.
round() {
  local round=$1 i j began
  shift
  began=$(date +%s.%N)
  for i in 0 1 2 3; do
    mixed_start "${NAMES[i]}" "${IMPLS[i]}" "$i" --token "$token" --address "$(vpn_ip "$i")/24" \
      --api --api-listen 127.0.0.1:8080 --ledger-announce-interval 2 "$@"
  done
  local deadline=$(($(date +%s) + 30)) left ok=1
  for i in 0 1 2 3; do
    for j in 0 1 2 3; do
      ((i == j)) && continue
      left=$((deadline - $(date +%s)))
      ((left < 1)) && left=1
      if ! mixed_ping "${NAMES[i]}" "$(vpn_ip "$j")" "$left"; then
        fail "$round: ${NAMES[i]} (${IMPLS[i]}) cannot ping ${NAMES[j]} (${IMPLS[j]}) within 30 s"
        ok=0
      fi
    done
  done
  ((ok)) && echo "$round: every pair of 2 Go and 2 C++ nodes pings, $(elapsed "$began") s after start"
}
stop_round() {
  local name
  for name in "${NAMES[@]}" boot; do mixed_stop "$name"; done
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

token=$("$GO_EDGEVPN_BIN" -g -b)

round mdns --dht=false
mixed_transfer g0 c0 "$(vpn_ip 1)" 50 || fail "Go -> C++ transfer"
mixed_transfer c0 g0 "$(vpn_ip 0)" 50 || fail "C++ -> Go transfer"
stop_round

boot_node go || fail "Go bootstrap node did not start"
round go-boot --mdns=false --discovery-interval 5 --discovery-bootstrap-peers "$BOOT"
stop_round

boot_node cpp --dht-mode server || fail "C++ bootstrap node did not start"
round cpp-boot --mdns=false --discovery-interval 5 --discovery-bootstrap-peers "$BOOT"
stop_round

if grep -l "Sanitizer\|runtime error" "$WORK"/c*.log "$WORK"/boot.log >/dev/null 2>&1; then
  fail "sanitizer reports: $(grep -l "Sanitizer\|runtime error" "$WORK"/*.log | xargs -n1 basename)"
fi
if ((failures)); then
  for name in "${NAMES[@]}" boot; do echo "--- $name"; tail -25 "$WORK/$name.log"; done >&2
  echo "go_vpn: $failures failure(s)" >&2
  exit 1
fi
echo "go_vpn: ok"
