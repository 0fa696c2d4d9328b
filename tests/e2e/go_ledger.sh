#!/usr/bin/env bash
# The ledger in a mixed network of Go EdgeVPN nodes and ours (namespaces this script creates,
# mDNS on one bridge, --ownership enforce everywhere):
#  - a write through the API of one of our nodes appears in a Go node's /api/ledger and the other
#    way round; deletes of keys and buckets propagate both ways;
#  - a Go node and one of ours that claim one VPN address end with the same winner (the first
#    claimant) on every node, whichever came first (but in the ledger of a Go late claimant,
#    which keeps its own claim);
#  - a Go node and one of ours with another token, bootstrapped to our network, learn nothing
#    of it and are never routed to.
# Usage: tests/e2e/go_ledger.sh path/to/edgevpn path/to/edgevpn-go
set -uo pipefail
EDGEVPN_BIN=${1:?usage: go_ledger.sh path/to/edgevpn path/to/edgevpn-go}
GO_EDGEVPN_BIN=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/netns.sh"
source "$HERE/lib/mixed.sh"
mixed_begin

MIXED_SUBNET=10.79.0
netns_setup "evl-$$" 6 "$MIXED_SUBNET" || { echo "cannot create namespaces (root needed)" >&2; exit 1; }
token=$("$GO_EDGEVPN_BIN" -g -b)
other=$("$GO_EDGEVPN_BIN" -g -b)
# member NAME IMPL HOST VPN_ADDRESS TOKEN ARGS...
member() {
  local name=$1 impl=$2 host=$3 address=$4 tok=$5
  shift 5
  mixed_start "$name" "$impl" "$host" --token "$tok" --address "$address/24" --dht=false \
    --ownership enforce --api --api-listen 127.0.0.1:8080 --ledger-announce-interval 2 \
    --aliveness-healthcheck-interval 2 "$@"
}
MEMBERS=(g0 c0 g1 c1)

member g0 go 0 10.1.0.11 "$token"
member c0 cpp 1 10.1.0.12 "$token"
declare -A ID
for name in g0 c0; do ID[$name]=$(mixed_id "$name") || exit 1; done
# The first claims are known to both before the late claimants come: g1 wants c0's address, c1
# wants g0's.
first_claims() {
  [[ $(mixed_api g0 /api/ledger/machines/10.1.0.12) == *"${ID[c0]}"* &&
    $(mixed_api c0 /api/ledger/machines/10.1.0.11) == *"${ID[g0]}"* ]]
}
mixed_wait 30 first_claims || fail "g0 and c0 did not learn each other's address"
member g1 go 2 10.1.0.12 "$token"
member c1 cpp 3 10.1.0.11 "$token"
for name in g1 c1; do ID[$name]=$(mixed_id "$name") || exit 1; done

# value_on NAME BUCKET KEY: the stored value's JSON text ("" if absent).
value_on() { mixed_api "$1" "/api/ledger/$2/$3"; }
has_value() { [[ $(value_on "$1" "$2" "$3") == *"$4"* ]]; }
lacks_key() { ! grep -q "\"$3\"" <<<"$(mixed_api "$1" "/api/ledger/$2")"; }
everywhere() {
  local check=$1 name ok=1
  shift
  for name in "${MEMBERS[@]}"; do mixed_wait 20 "$check" "$name" "$@" || { echo "  not on $name"; ok=0; }; done
  ((ok))
}

# Writes both ways.
mixed_api c0 -X PUT /api/ledger/mixed/from-cpp/written-by-c0 >/dev/null
mixed_api g0 -X PUT /api/ledger/mixed/from-go/written-by-g0 >/dev/null
everywhere has_value mixed from-cpp written-by-c0 || fail "a write through our API did not reach every node"
everywhere has_value mixed from-go written-by-g0 || fail "a write through Go's API did not reach every node"
mixed_api g0 /api/ledger | grep -q written-by-c0 || fail "Go's /api/ledger does not list our write"

# Deletes both ways: a key deleted on a Go node, a key deleted on ours, then the bucket.
mixed_api c0 -X PUT /api/ledger/mixed/second/kept-until-deleted >/dev/null
everywhere has_value mixed second kept-until-deleted || fail "second write did not spread"
mixed_api g1 -X DELETE /api/ledger/mixed/from-cpp >/dev/null
mixed_api c1 -X DELETE /api/ledger/mixed/from-go >/dev/null
everywhere lacks_key mixed from-cpp || fail "a key deleted through Go's API is still listed"
everywhere lacks_key mixed from-go || fail "a key deleted through our API is still listed"
everywhere has_value mixed second kept-until-deleted || fail "deleting one key took another"
mixed_api c0 -X DELETE /api/ledger/mixed >/dev/null
everywhere lacks_key mixed second || fail "a bucket deleted through our API is still listed"
echo "ledger writes and deletes propagate both ways between Go and C++ nodes"

# Ownership: the first claimant of each address keeps it on every node. The one exception is a
# Go late claimant: Go's nodes keep re-asserting their own claim in their own ledger (spec 10.1).
# Ours leave the address to the live peer that holds it, and say so.
owner_is() { [[ $(value_on "$1" machines "$2") == *"$3"* ]]; }
on_nodes() {
  local check=$1 name ok=1
  shift
  for name in $NODES; do mixed_wait 20 "$check" "$name" "$@" || { echo "  not on $name"; ok=0; }; done
  ((ok))
}
NODES="g0 c0 c1" on_nodes owner_is 10.1.0.12 "${ID[c0]}" ||
  fail "10.1.0.12 (claimed by c0, then by Go's g1) is not c0's on g0, c0 and c1"
NODES="g0 c0 g1 c1" on_nodes owner_is 10.1.0.11 "${ID[g0]}" ||
  fail "10.1.0.11 (claimed by Go's g0, then by our c1) is not g0's on every node"
grep -q "10.1.0.11 belongs to ${ID[g0]}" "$WORK/c1.log" ||
  fail "c1 did not say that it left 10.1.0.11 to g0"
for name in "${MEMBERS[@]}"; do
  echo "  $name sees 10.1.0.11 -> $(value_on "$name" machines 10.1.0.11 | grep -Eo '12D3KooW[A-Za-z0-9]{6}')," \
    "10.1.0.12 -> $(value_on "$name" machines 10.1.0.12 | grep -Eo '12D3KooW[A-Za-z0-9]{6}')"
done
mixed_ping g0 10.1.0.12 10 || fail "g0 cannot reach 10.1.0.12 (c0's)"
mixed_ping c0 10.1.0.11 10 || fail "c0 cannot reach 10.1.0.11 (g0's)"

# Another token: a Go node and one of ours, bootstrapped to g0 and c0.
boots="$(mixed_addr g0),$(mixed_addr c0)"
member xg go 4 10.1.0.21 "$other" --discovery-bootstrap-peers "$boots"
member xc cpp 5 10.1.0.22 "$other" --discovery-bootstrap-peers "$boots"
mixed_api c0 -X PUT /api/ledger/mixed/secret/for-members-only >/dev/null
everywhere has_value mixed secret for-members-only || fail "write after the strangers came did not spread"
sleep 5
for name in xg xc; do
  ledger=$(mixed_api "$name" /api/ledger)
  grep -q "for-members-only\|10\.1\.0\.1[12]" <<<"$ledger" && fail "$name (other token) learned our ledger: $ledger"
  mixed_ping "$name" 10.1.0.11 2 && fail "$name (other token) reaches 10.1.0.11"
done
for name in "${MEMBERS[@]}"; do
  machines=$(mixed_api "$name" /api/machines)
  grep -q '10\.1\.0\.2[12]' <<<"$machines" && fail "$name routes to another token's node: $machines"
  mixed_ping "$name" 10.1.0.21 1 && fail "$name reaches the other token's Go node"
  mixed_ping "$name" 10.1.0.22 1 && fail "$name reaches the other token's C++ node"
done
echo "nodes with another token learn nothing and are never routed to"

mixed_finish go_ledger
