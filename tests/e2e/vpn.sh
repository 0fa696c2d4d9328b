#!/usr/bin/env bash
# The VPN end to end, in network namespaces this script creates (a bridge and one namespace per
# host; no route to anything else): three nodes with TUN devices ping each other over IPv4 and
# IPv6 (dual stack, --mtu 1280), 100 MB cross a TCP connection intact, a node restarted with
# --privkey-cache is reachable again within seconds, a node with another token is never routed
# to, a second claimant of an address does not take it (ownership enforce), and --dhcp gives three
# nodes distinct addresses.
# Usage: tests/e2e/vpn.sh path/to/edgevpn
set -uo pipefail
EDGEVPN_BIN=${1:?usage: vpn.sh path/to/edgevpn}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/netns.sh"
unset EDGEVPNTOKEN EDGEVPNCONFIG
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
declare -A PID

cleanup() {
  local pid
  for pid in "${PID[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PID[@]}"; do wait "$pid" 2>/dev/null; done
  netns_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT

# Hosts 0-2: the network; 3: another token; 4: claims host 0's address; 5-7: DHCP. Each node
# knows the earlier ones as bootstrap peers (no DHT here: nothing else introduces them).
HOSTS=8
netns_setup "ev6-$$" "$HOSTS" 10.77.0 || { echo "cannot create namespaces (root needed)" >&2; exit 1; }
in_ns() { local i=$1; shift; ip netns exec "$(netns_host "$i")" "$@"; }
lan_ip() { echo "10.77.0.$(($1 + 1))"; }

token=$("$EDGEVPN_BIN" -g -b)
other_token=$("$EDGEVPN_BIN" -g -b)
dhcp_token=$("$EDGEVPN_BIN" -g -b)

# start I TOKEN ARGS...: a node in host I's namespace. Nothing reaches outside the namespaces:
# no DHT, no mDNS, no port mapping; peers come from --discovery-bootstrap-peers.
start() {
  local i=$1 tok=$2
  shift 2
  # `ip netns exec` execs the node: $! is the node's own PID (a shell function would add a
  # subshell in between, and killing that would leave the node running).
  ip netns exec "$(netns_host "$i")" "$EDGEVPN_BIN" --token "$tok" --dht=false --mdns=false --natmap=false \
    --listen-maddrs "/ip4/$(lan_ip "$i")/tcp/4001" --privkey-cache --privkey-cache-dir "$WORK/key$i" \
    --api --api-listen 127.0.0.1:8080 --ledger-announce-interval 2 "$@" >>"$WORK/n$i.log" 2>&1 &
  PID[$i]=$!
}
# peer_addr I: host I's full multiaddr, read from its log.
peer_addr() {
  local i=$1 t addr
  for ((t = 0; t < 200; t++)); do
    addr=$(grep -Eo "/ip4/$(lan_ip "$i")/tcp/4001/p2p/[A-Za-z0-9]+" "$WORK/n$i.log" | head -1)
    [[ -n "$addr" ]] && { echo "$addr"; return 0; }
    sleep 0.1
  done
  echo "host $i never listened" >&2
  tail -20 "$WORK/n$i.log" >&2
  return 1
}
api() { in_ns "$1" curl -s --max-time 5 "http://127.0.0.1:8080$2"; }
# pings I ADDRESS SECONDS: host I reaches ADDRESS through the tunnel within SECONDS. (Without
# a route the node answers "unreachable" at once, so failures are paced.)
pings() {
  local i=$1 address=$2 limit=$3 deadline
  deadline=$(($(date +%s) + limit))
  while (($(date +%s) < deadline)); do
    in_ns "$i" ping -c 1 -W 1 "$address" >/dev/null 2>&1 && return 0
    sleep 0.3
  done
  return 1
}
tun_rx() { in_ns "$1" cat /sys/class/net/edgevpn0/statistics/rx_bytes 2>/dev/null || echo 0; }

start 0 "$token" --address 10.1.0.11/24 --address fd00:77::11/64 --mtu 1280
boot=$(peer_addr 0) || exit 1
start 1 "$token" --address 10.1.0.12/24 --address fd00:77::12/64 --mtu 1280 \
  --discovery-bootstrap-peers "$boot"
boot1=$(peer_addr 1) || exit 1
start 2 "$token" --address 10.1.0.13/24 --address fd00:77::13/64 --mtu 1280 \
  --discovery-bootstrap-peers "$boot" --discovery-bootstrap-peers "$boot1"

# Every pair, both families.
began=$(date +%s.%N)
for i in 0 1 2; do
  for j in 0 1 2; do
    ((i == j)) && continue
    pings "$i" "10.1.0.1$((j + 1))" 30 || fail "host $i cannot ping 10.1.0.1$((j + 1))"
    pings "$i" "fd00:77::1$((j + 1))" 10 || fail "host $i cannot ping fd00:77::1$((j + 1))"
  done
done
echo "all pairs ping over IPv4 and IPv6 ($(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $began}") s after start)"
in_ns 0 ip link show edgevpn0 | grep -q "mtu 1280" || fail "edgevpn0 does not have MTU 1280"

# 100 MB over TCP through the tunnel, checked end to end.
head -c $((100 << 20)) /dev/urandom >"$WORK/payload"
sent_sum=$(sha256sum <"$WORK/payload" | cut -d' ' -f1)
rx_before=$(tun_rx 1)
# (`ip netns exec` execs python: $! is the sink itself.)
ip netns exec "$(netns_host 1)" python3 "$(dirname "$0")/lib/tcp_load.py" sink 10.1.0.12 9000 \
  "$WORK/received_sum" &
sink=$!
sleep 0.5
began=$(date +%s.%N)
in_ns 0 timeout 120 python3 "$(dirname "$0")/lib/tcp_load.py" send 10.1.0.12 9000 "$WORK/payload" ||
  fail "sending 100 MB through the tunnel failed"
wait "$sink"
elapsed=$(awk "BEGIN{print $(date +%s.%N) - $began}")
read -r got_sum got_bytes <"$WORK/received_sum" 2>/dev/null || got_sum=none
[[ "$got_sum" == "$sent_sum" ]] || fail "100 MB arrived corrupted or short ($got_bytes bytes)"
rx_delta=$(($(tun_rx 1) - rx_before))
((rx_delta > 100 << 20)) || fail "only $rx_delta bytes crossed host 1's TUN"
echo "100 MB intact in $(awk "BEGIN{printf \"%.1f\", $elapsed}") s" \
  "($(awk "BEGIN{printf \"%.0f\", 838.9 / $elapsed}") Mbit/s, sanitizer build)"

# Restart host 2 with the same cached identity: its address works again within seconds.
kill "${PID[2]}"
wait "${PID[2]}" 2>/dev/null
in_ns 2 ip link show edgevpn0 >/dev/null 2>&1 && fail "edgevpn0 left behind after SIGTERM"
start 2 "$token" --address 10.1.0.13/24 --address fd00:77::13/64 --mtu 1280 \
  --discovery-bootstrap-peers "$boot" --discovery-bootstrap-peers "$boot1"
began=$(date +%s.%N)
if pings 0 10.1.0.13 30; then
  echo "restarted node reachable again after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $began}") s"
else
  fail "restarted node not reachable within 30 s"
fi
ids=$(grep -Eo "listening on /ip4/[0-9.]+/tcp/4001/p2p/[A-Za-z0-9]+" "$WORK/n2.log" | sort -u | wc -l)
((ids == 1)) || fail "restart changed the peer ID despite --privkey-cache ($ids IDs)"

# Another token on the same LAN, bootstrapped to host 0: never in the routing table.
start 3 "$other_token" --address 10.1.0.14/24 --discovery-bootstrap-peers "$boot"
# Host 4 holds the token and claims host 0's address.
start 4 "$token" --address 10.1.0.11/24 --discovery-bootstrap-peers "$boot"
peer_addr 3 >/dev/null && peer_addr 4 >/dev/null
id0=${boot##*/}
sleep 8
for i in 0 1 2; do
  machines=$(api "$i" /api/machines)
  grep -q '10.1.0.14' <<<"$machines" && fail "host $i routes to the other token's node"
  owner=$(api "$i" /api/ledger/machines/10.1.0.11)
  grep -q "$id0" <<<"$owner" || fail "host $i: 10.1.0.11 taken from its first owner: $owner"
done
pings 0 10.1.0.14 2 && fail "the other token's node answers through our tunnel"
pings 1 10.1.0.11 5 || fail "10.1.0.11 unreachable after a second claimant appeared"
grep -q "10.1.0.11 belongs to $id0" "$WORK/n4.log" ||
  fail "host 4 did not say that it left 10.1.0.11 to host 0"
owner=$(api 4 /api/ledger/machines/10.1.0.11)
grep -q "$id0" <<<"$owner" || fail "host 4 keeps its own claim of 10.1.0.11: $owner"

# DHCP: three nodes of a fresh network ask for addresses; each gets a distinct one.
start 5 "$dhcp_token" --dhcp --lease-dir "$WORK/lease5" --address 10.2.0.1/24 \
  --aliveness-healthcheck-interval 2
dboot=$(peer_addr 5) || exit 1
start 6 "$dhcp_token" --dhcp --lease-dir "$WORK/lease6" --address 10.2.0.1/24 \
  --aliveness-healthcheck-interval 2 --discovery-bootstrap-peers "$dboot"
dboot6=$(peer_addr 6) || exit 1
start 7 "$dhcp_token" --dhcp --lease-dir "$WORK/lease7" --address 10.2.0.1/24 \
  --aliveness-healthcheck-interval 2 --discovery-bootstrap-peers "$dboot" \
  --discovery-bootstrap-peers "$dboot6"
declare -A taken
for i in 5 6 7; do
  address=""
  for ((t = 0; t < 120; t++)); do
    address=$(in_ns "$i" ip -4 -o addr show dev edgevpn0 2>/dev/null | awk '{print $4}' | head -1)
    [[ -n "$address" ]] && break
    sleep 0.5
  done
  if [[ -z "$address" ]]; then
    fail "host $i got no DHCP address"
    tail -5 "$WORK/n$i.log" >&2
    continue
  fi
  [[ -z "${taken[$address]:-}" ]] || fail "hosts ${taken[$address]} and $i both got $address"
  taken[$address]=$i
  [[ -s "$WORK/lease$i/$(ls "$WORK/lease$i" 2>/dev/null | head -1)" ]] || fail "host $i wrote no lease"
done
echo "DHCP addresses: ${!taken[*]}"

for i in "${!PID[@]}"; do
  kill -0 "${PID[$i]}" 2>/dev/null || fail "host $i's node died"
done
# Every node stops cleanly on SIGTERM: exit code 0, no sanitizer report, no interface left.
for i in "${!PID[@]}"; do kill "${PID[$i]}" 2>/dev/null; done
for i in "${!PID[@]}"; do
  wait "${PID[$i]}"
  code=$?
  ((code == 0)) || fail "host $i's node exited with $code on SIGTERM"
  in_ns "$i" ip link show edgevpn0 >/dev/null 2>&1 && fail "host $i: edgevpn0 left behind"
done
PID=()
grep -l "Sanitizer\|runtime error" "$WORK"/n*.log >/dev/null 2>&1 &&
  fail "sanitizer reports in $(grep -l "Sanitizer\|runtime error" "$WORK"/n*.log | xargs -n1 basename)"
if ((failures)); then
  for i in "${!PID[@]}"; do echo "--- host $i"; tail -15 "$WORK/n$i.log"; done >&2
  echo "vpn: $failures failure(s)" >&2
  exit 1
fi
echo "vpn: ok"
