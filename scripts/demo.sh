#!/usr/bin/env bash
# Demo of what the edgevpn binary does so far (no networking): generate a network token, show it
# and its YAML, print the values every node derives from it, and a persistent peer identity.
# Usage: scripts/demo.sh path/to/edgevpn
set -euo pipefail
bin=${1:?usage: scripts/demo.sh path/to/edgevpn}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG

step() { printf '\n== %s\n' "$*"; }

step "edgevpn --version"
"$bin" --version

step "A new network token: edgevpn -g -b"
token=$("$bin" -g -b)
echo "$token"

step "The token is base64 of this YAML config (edgevpn -g prints it directly)"
printf '%s' "$token" | base64 -d

step "What a node derives from it now (edgevpn token-info, hidden diagnostic)"
EDGEVPNTOKEN=$token "$bin" token-info

step "The same at the section 16 vector time, for a token built from the spec's secrets"
vector_yaml=$'otp:\n  dht:\n    interval: 360\n    key: dhtkey\n    length: 43\n  crypto:\n    interval: 360\n    key: cryptokey\n    length: 43\nroom: roomname\nrendezvous: unused\nmdns: mdnsname\nmax_message_size: 20971520\n'
printf '%s' "$vector_yaml" >"$work/vector.yaml"
"$bin" token-info --config "$work/vector.yaml" --at 1700000000
echo "(expected: seal key a89467c668bac45b14921cf589c02fb8, topic 50a7d9624e08cedc95f3dea089919925,"
echo " public topic 73fd8fc26d531b57cce16d7f78589534, rendezvous fe808b8a671de5fec4e3d231ed83e9e7)"

step "A persistent identity: --privkey-cache keeps the same peer ID across runs"
for run in 1 2; do
  EDGEVPNTOKEN=$token "$bin" token-info --privkey-cache --privkey-cache-dir "$work/.edgevpn" |
    grep '^peer id:'
done
ls -la "$work/.edgevpn"

step "A bad token is refused, naming the field"
bad=$(printf '%s' "$token" | base64 -d | sed 's/^max_message_size: .*/max_message_size: 0/' | base64 -w0)
"$bin" token-info --token "$bad" || echo "(exit code $?)"
