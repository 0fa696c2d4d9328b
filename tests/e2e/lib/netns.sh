# Test networks in network namespaces, shared by the end-to-end tests and the benchmarks: one
# "switch" namespace holding a bridge, and one namespace per host joined to it by a veth pair.
# Nothing is created in the caller's namespace, and the hosts have no route to anything else.
# Source it, then: netns_setup PREFIX COUNT SUBNET (e.g. "ev12" 3 10.77.0); hosts are
# ${PREFIX}-h0.. with addresses SUBNET.1.. /24; netns_cleanup removes everything.

NETNS_PREFIX=""
NETNS_COUNT=0

netns_host() { echo "${NETNS_PREFIX}-h$1"; }
netns_switch() { echo "${NETNS_PREFIX}-sw"; }
# The switch-side end of host i's link (counters there see all of that host's traffic).
netns_port() { echo "p$1"; }

netns_setup() {
  NETNS_PREFIX=$1
  NETNS_COUNT=$2
  local subnet=$3 i host sw
  sw=$(netns_switch)
  ip netns add "$sw" || return 1
  ip -n "$sw" link add br0 type bridge || return 1
  ip -n "$sw" link set br0 up
  ip -n "$sw" link set lo up
  for ((i = 0; i < NETNS_COUNT; i++)); do
    host=$(netns_host "$i")
    ip netns add "$host" || return 1
    ip -n "$host" link set lo up
    # Created inside the host namespace, then one end moved to the switch.
    ip -n "$host" link add eth0 type veth peer name "$(netns_port "$i")" || return 1
    ip -n "$host" link set "$(netns_port "$i")" netns "$sw" || return 1
    ip -n "$sw" link set "$(netns_port "$i")" master br0
    ip -n "$sw" link set "$(netns_port "$i")" up
    ip -n "$host" addr add "$subnet.$((i + 1))/24" dev eth0
    ip -n "$host" link set eth0 up
  done
}

# netns_bytes I: "rx tx" bytes of host i's link as the switch sees them (rx = sent by the host).
netns_bytes() {
  local port
  port=$(netns_port "$1")
  ip netns exec "$(netns_switch)" cat "/sys/class/net/$port/statistics/rx_bytes" \
    "/sys/class/net/$port/statistics/tx_bytes" | paste -sd' '
}

netns_cleanup() {
  [[ -n "$NETNS_PREFIX" ]] || return 0
  local i
  for ((i = 0; i < NETNS_COUNT; i++)); do ip netns del "$(netns_host "$i")" 2>/dev/null; done
  ip netns del "$(netns_switch)" 2>/dev/null
  NETNS_PREFIX=""
}
