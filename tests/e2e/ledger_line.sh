#!/usr/bin/env bash
# Ten `edgevpn api` nodes on loopback in a line (each knows only its left neighbour): a key
# written through one node's API is readable from every API, a delete reaches every node, no node
# holds more than two connections, a hijacking write under enforce is refused by the others, and a
# node with another token sees nothing.
# Usage: tests/e2e/ledger_line.sh path/to/edgevpn
set -uo pipefail
EDGEVPN_BIN=${1:?usage: ledger_line.sh path/to/edgevpn}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/nodes.sh"
trap 'cleanup_nodes; rm -rf "$WORK"' EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
N=10

token=$("$EDGEVPN_BIN" -g -b)
api=()
for ((i = 0; i < N; i++)); do
  bootstrap=()
  ((i > 0)) && bootstrap=(--discovery-bootstrap-peers "$(node_addr "n$((i - 1))")")
  start_node "n$i" api --token "$token" --listen 127.0.0.1:0 "${bootstrap[@]}"
  api[i]=$(api_addr "n$i") || { fail "node $i has no API"; exit 1; }
done

get() { curl -s --max-time 5 "http://$1/api/ledger/$2"; }
# converge BUCKET/KEY PATTERN SECONDS: every node's GET matches PATTERN (grep -E) in time.
converge() {
  local path=$1 pattern=$2 limit=$3 t i ok
  for ((t = 0; t < limit * 5; t++)); do
    ok=1
    for ((i = 0; i < N; i++)); do
      get "${api[i]}" "$path" | grep -Eq "$pattern" || { ok=0; break; }
    done
    ((ok)) && return 0
    sleep 0.2
  done
  return 1
}

start=$(date +%s.%N)
curl -s --max-time 5 -X PUT "http://${api[0]}/api/ledger/e2e/greeting/hello" | grep -q Announcing ||
  fail "PUT not accepted"
if converge e2e/greeting 'hello' 30; then
  echo "write reached all $N nodes in $(awk "BEGIN{printf \"%.2f\", $(date +%s.%N) - $start}") s"
else
  fail "write on node 0 did not reach every node"
  for ((i = 0; i < N; i++)); do echo "node $i: $(get "${api[i]}" e2e/greeting)"; done
fi

for ((i = 0; i < N; i++)); do
  c=$(established_count "$(cat "$WORK/n$i.pid")")
  ((c <= 2)) || fail "node $i holds $c connections (line topology allows 2)"
done

curl -s --max-time 5 -X DELETE "http://${api[$((N - 1))]}/api/ledger/e2e/greeting" >/dev/null
converge e2e/greeting '^""' 30 || fail "delete on node $((N - 1)) did not reach every node"

# Under enforce, a dns record belongs to its first signer: node 3 cannot take node 0's entry.
curl -s --max-time 5 -X PUT "http://${api[0]}/api/ledger/dns/web/owned-by-0" >/dev/null
converge dns/web 'owned-by-0' 30 || fail "dns/web did not converge"
curl -s --max-time 5 -X PUT "http://${api[3]}/api/ledger/dns/web/hijacked" >/dev/null
sleep 8
for i in 0 1 5 9; do
  get "${api[i]}" dns/web | grep -q 'owned-by-0' || fail "node $i took the hijacking write"
done

# Another network's node, connected to node 0, learns nothing.
start_node other api --token "$("$EDGEVPN_BIN" -g -b)" --listen 127.0.0.1:0 \
  --discovery-bootstrap-peers "$(node_addr n0)"
other_api=$(api_addr other)
curl -s --max-time 5 -X PUT "http://${api[0]}/api/ledger/e2e/secret/s3" >/dev/null
converge e2e/secret 's3' 30 || fail "second write did not converge"
[[ $(get "$other_api" e2e/secret) == '""' ]] || fail "node with another token sees the ledger"
[[ $(get "$other_api" e2e/greeting) == '""' ]] || fail "node with another token sees the ledger"

((failures == 0)) && echo "ledger_line: ok"
exit $((failures > 0))
