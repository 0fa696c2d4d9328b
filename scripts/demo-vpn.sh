#!/usr/bin/env bash
# The main job on a local default: three hosts, each in its own network namespace on one bridge
# (made here, removed on exit; no route to anything else), each running `edgevpn` with a TUN
# device. They find each other with nothing but the token (mDNS on the bridge), then ping each
# other by VPN address. Node A's API is served on a unix socket, reachable from this shell.
# Usage (root): scripts/demo-vpn.sh path/to/edgevpn [seconds to keep running after the pings]
set -uo pipefail
bin=$(realpath "${1:?usage: scripts/demo-vpn.sh path/to/edgevpn [seconds]}")
linger=${2:-0}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/e2e/lib/netns.sh"
[[ $(id -u) == 0 ]] || { echo "demo-vpn: needs root (network namespaces, TUN)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  netns_cleanup
  rm -rf "$work"
}
trap cleanup EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG

names=(A B C)
netns_setup "evdemo-$$" 3 192.168.77 || exit 1
export EDGEVPNTOKEN
EDGEVPNTOKEN=$("$bin" -g -b)
echo "token: ${EDGEVPNTOKEN:0:40}..."
for i in 0 1 2; do
  api=()
  ((i == 0)) && api=(--api --api-listen "unix://$work/api.sock")
  # Inside the namespace: mDNS sees only the demo's bridge; no DHT (its default peers are public).
  ip netns exec "$(netns_host "$i")" env IFACE=edgevpn0 ADDRESS="10.1.0.1$((i + 1))/24" \
    "$bin" --dht=false --natmap=false "${api[@]}" >"$work/${names[i]}.log" 2>&1 &
  pids+=($!)
  echo "host ${names[i]}: LAN 192.168.77.$((i + 1)), VPN 10.1.0.1$((i + 1)) (edgevpn pid $!)"
done

began=$(date +%s.%N)
status=0
for i in 0 1 2; do
  for j in 0 1 2; do
    ((i == j)) && continue
    ok=0
    for ((t = 0; t < 60; t++)); do
      if ip netns exec "$(netns_host "$i")" ping -c 1 -W 1 "10.1.0.1$((j + 1))" >/dev/null 2>&1; then
        ok=1
        break
      fi
      sleep 0.5
    done
    if ((ok)); then
      rtt=$(ip netns exec "$(netns_host "$i")" ping -c 3 -i 0.2 -q "10.1.0.1$((j + 1))" |
        awk -F/ '/^rtt/ {print $5}')
      printf '%s -> %s (10.1.0.1%d): ok, rtt %s ms\n' "${names[i]}" "${names[j]}" $((j + 1)) "$rtt"
    else
      printf '%s -> %s: no answer\n' "${names[i]}" "${names[j]}"
      status=1
    fi
  done
done
printf 'all pings done %.1f s after start\n' "$(awk "BEGIN{print $(date +%s.%N) - $began}")"

echo
echo "== node A's API: curl --unix-socket $work/api.sock http://edgevpn/api/machines"
curl -s --max-time 5 --unix-socket "$work/api.sock" http://edgevpn/api/machines |
  python3 -c '
import json, sys
for m in json.load(sys.stdin):
    print("  %-12s %s...  online=%s connected=%s" % (m["Address"], m["PeerID"][:20], m["Online"], m["Connected"]))'
if ((linger > 0)); then
  echo "running $linger s more; web UI: curl --unix-socket $work/api.sock http://edgevpn/"
  sleep "$linger"
fi
if ((status)); then
  for n in "${names[@]}"; do echo "--- $n"; tail -n 10 "$work/$n.log"; done >&2
fi
exit $status
