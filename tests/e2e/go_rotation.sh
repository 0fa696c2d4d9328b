#!/usr/bin/env bash
# Key rotation in a mixed network: with a token whose OTP interval is 30 s (the ledger's seal key
# and gossip topic change every 30 s), two Go EdgeVPN nodes and two of ours keep their ledger and
# their VPN traffic across at least two epoch changes: writes made every 5 s through both APIs
# reach every node, and pings between Go and C++ nodes never stop for more than 5 s.
# Namespaces this script creates, mDNS on one bridge only.
# Usage: tests/e2e/go_rotation.sh path/to/edgevpn path/to/edgevpn-go
set -uo pipefail
EDGEVPN_BIN=${1:?usage: go_rotation.sh path/to/edgevpn path/to/edgevpn-go}
GO_EDGEVPN_BIN=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/netns.sh"
source "$HERE/lib/mixed.sh"
mixed_begin

INTERVAL=30
MIXED_SUBNET=10.80.0
netns_setup "evr-$$" 4 "$MIXED_SUBNET" || { echo "cannot create namespaces (root needed)" >&2; exit 1; }
token=$("$GO_EDGEVPN_BIN" --key-otp-interval "$INTERVAL" -g -b)
NAMES=(g0 c0 g1 c1)
IMPLS=(go cpp go cpp)
vpn_ip() { echo "10.1.0.$((11 + $1))"; }
for i in 0 1 2 3; do
  mixed_start "${NAMES[i]}" "${IMPLS[i]}" "$i" --token "$token" --address "$(vpn_ip "$i")/24" \
    --dht=false --api --api-listen 127.0.0.1:8080 --ledger-announce-interval 2
done
for i in 0 1 2 3; do
  for j in 0 1 2 3; do
    ((i == j)) || mixed_ping "${NAMES[i]}" "$(vpn_ip "$j")" 30 || fail "${NAMES[i]} cannot ping ${NAMES[j]}"
  done
done
((failures)) && { echo "go_rotation: the network did not form" >&2; exit 1; }

# Two epoch changes happen within 2 intervals and a little after the next boundary.
epoch() { echo $(($(date +%s) / INTERVAL)); }
first_epoch=$(epoch)
window=$((INTERVAL * 3 - $(date +%s) % INTERVAL + 5))
# Pings Go -> ours and ours -> Go, 5 a second, with receive timestamps.
ip netns exec "$(netns_host 0)" ping -D -i 0.2 -W 1 -w "$window" "$(vpn_ip 1)" >"$WORK/ping.g0c0" 2>&1 &
MIXED_HELPERS+=($!)
ip netns exec "$(netns_host 3)" ping -D -i 0.2 -W 1 -w "$window" "$(vpn_ip 2)" >"$WORK/ping.c1g1" 2>&1 &
MIXED_HELPERS+=($!)
writes=0
deadline=$(($(date +%s) + window))
while (($(date +%s) < deadline - 5)); do
  writer=${NAMES[$((writes % 4))]}
  mixed_api "$writer" -X PUT "/api/ledger/rotation/w$writes/by-$writer" >/dev/null ||
    fail "write $writes through $writer's API failed"
  writes=$((writes + 1))
  sleep 5
done
wait "${MIXED_HELPERS[@]}"
MIXED_HELPERS=()
epochs=$(($(epoch) - first_epoch))
((epochs >= 2)) || fail "only $epochs epoch changes happened during the test"

# Every write is on every node.
all_writes() {
  local ledger w
  ledger=$(mixed_api "$1" /api/ledger/rotation)
  for ((w = 0; w < writes; w++)); do grep -q "\"w$w\"" <<<"$ledger" || return 1; done
}
for name in "${NAMES[@]}"; do
  mixed_wait 15 all_writes "$name" || fail "$name misses writes: $(mixed_api "$name" /api/ledger/rotation)"
done

# The longest silence between two ping replies.
for pair in g0c0 c1g1; do
  read -r replies gap < <(awk -F'[][]' '/bytes from/ { t = $2; if (last) { g = t - last; if (g > max) max = g }
    last = t; n++ } END { printf "%d %.1f\n", n, max }' "$WORK/ping.$pair")
  echo "$pair: $replies replies over $window s, longest gap $gap s, across $epochs epoch changes"
  awk "BEGIN{exit !($gap <= 5.0)}" || fail "$pair: pings stopped for $gap s"
  ((replies >= window * 5 * 8 / 10)) || fail "$pair: only $replies of ~$((window * 5)) pings answered"
done
echo "$writes writes through Go and C++ APIs reached every node across $epochs epoch changes"

mixed_finish go_rotation
