#!/usr/bin/env bash
# Runs the built edgevpn binary as a process (no networking): token generation, token loading,
# refusal of bad tokens, every flag of spec section 1 in --help, --version, --privkey-cache.
# Usage: tests/e2e/cli_smoke.sh path/to/edgevpn
set -uo pipefail
bin=${1:?usage: cli_smoke.sh path/to/edgevpn}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG

# -g -b: base64 of a YAML config with every field of section 2, no trailing newline.
token=$("$bin" -g -b) || fail "-g -b exited non-zero"
[[ $("$bin" -g -b | tail -c 1 | od -An -c | tr -d ' ') != '\n' ]] || fail "-g -b ends with a newline"
yaml=$(printf '%s' "$token" | base64 -d) || fail "-g -b is not base64"
for field in '^otp:$' '^  dht:$' '^    interval: 360$' '^    key: [a-zA-Z0-9]{43}$' \
             '^    length: 43$' '^  crypto:$' '^room: [a-zA-Z0-9]{43}$' \
             '^rendezvous: [a-zA-Z0-9]{43}$' '^mdns: [a-zA-Z0-9]{43}$' \
             '^max_message_size: 20971520$'; do
  grep -Eq "$field" <<<"$yaml" || fail "token YAML lacks $field"
done
[[ $("$bin" -g | tail -c 2 | od -An -c | tr -d ' ') == '\n\n' ]] || fail "-g does not end with a blank line"
"$bin" -g --key-otp-interval 9000 | grep -q '^    interval: 9000$' || fail "--key-otp-interval ignored"

# The token is accepted, by flag and by environment; a config file works too.
"$bin" token-info --token "$token" | grep -q '^seal key: [0-9a-f]\{32\}$' || fail "token-info --token"
EDGEVPNTOKEN=$token "$bin" token-info | grep -q '^ledger topic: [0-9a-f]\{32\}$' || fail "EDGEVPNTOKEN"
printf '%s' "$yaml" >"$work/config.yaml"
"$bin" token-info --config "$work/config.yaml" >/dev/null || fail "token-info --config"

# Missing token and config: EdgeVPN's error, non-zero exit.
if err=$("$bin" start 2>&1); then fail "start without token succeeded"; fi
grep -q 'EDGEVPNCONFIG or EDGEVPNTOKEN not supplied' <<<"$err" || fail "missing-token message: $err"

# Bad tokens: refused with the field named and a non-zero exit.
b64() { printf '%s' "$1" | base64 -w0; }
good=$yaml
check_bad() {  # <token> <expected text in the error>
  local out
  if out=$("$bin" token-info --token "$1" 2>&1); then fail "bad token accepted ($2)"; fi
  grep -q -- "$2" <<<"$out" || fail "error for bad token lacks '$2': $out"
}
check_bad 'not*base64' 'base64'
check_bad "$(b64 'otp: [broken')" 'YAML'
check_bad "$(b64 "$(sed -E '/^  crypto:/,/^room/ s/^    key: .*/    key: ""/' <<<"$good")")" 'otp.crypto.key'
check_bad "$(b64 "$(sed -E 's/^room: .*/room: ""/' <<<"$good")")" 'room'
check_bad "$(b64 "$(sed -E 's/^    interval: 360/    interval: 0/' <<<"$good")")" 'interval'
check_bad "$(b64 "$(sed -E '/^  crypto:/,$ s/^    length: 43/    length: 45/' <<<"$good")")" 'otp.crypto.length'
check_bad "$(b64 "$(sed -E 's/^max_message_size: .*/max_message_size: 0/' <<<"$good")")" 'max_message_size'

# --ownership: aliases accepted, anything else a start-up error.
"$bin" token-info --token "$token" --ownership log-only 2>/dev/null | grep -q '^ownership: observe$' || fail "--ownership log-only"
if "$bin" token-info --token "$token" --ownership maybe >/dev/null 2>&1; then fail "--ownership maybe accepted"; fi

# Every flag of section 1 appears in the help of the commands that take it.
common=(config token listen-maddrs dht-announce-maddrs timeout mtu bootstrap-iface packet-mtu
  channel-buffer-size discovery-interval ledger-announce-interval autorelay-discovery-interval
  autorelay-static-only ledger-synchronization-interval nat-ratelimit-global nat-ratelimit-peer
  nat-ratelimit-interval nat-ratelimit max-connections ledger-state mdns autorelay concurrency
  holepunch natservice natmap dht low-profile aliveness-healthcheck-interval
  aliveness-healthcheck-scrub-interval aliveness-healthcheck-max-interval log-level
  libp2p-log-level discovery-bootstrap-peers connection-high-water connection-low-water
  autorelay-static-peer relay-service relay-service-network-only relay-service-acl-refresh
  relay-service-max-data relay-service-max-duration relay-service-max-circuits
  relay-service-reservation-ttl relay-service-buffer-size blacklist limit-enable limit-file
  limit-scope limit-config-streams limit-config-streams-inbound limit-config-streams-outbound
  limit-config-conn limit-config-conn-inbound limit-config-conn-outbound limit-config-fd
  peerguard ownership ownership-ttl privkey-cache privkey-cache-dir static-peertable whitelist
  peergate peergate-autoclean peergate-relaxed peergate-auth peergate-interval)
root=(key-otp-interval debug api api-listen dhcp transient-conn lease-dir address dns
  dns-forwarder egress egress-announce-time dns-cache-size dns-forward-server router interface)
check_help() {  # <command words...> -- <flags...>
  local words=() help
  while [[ $1 != -- ]]; do words+=("$1"); shift; done
  shift
  help=$("$bin" "${words[@]}" --help) || fail "${words[*]} --help failed"
  for flag in "$@"; do
    grep -Eq -- "(^|[ ,])--$flag([ ,=]|$)" <<<"$help" || fail "'${words[*]:-edgevpn}' --help lacks --$flag"
  done
}
check_help -- "${common[@]}" "${root[@]}"
grep -Eq '^  -g' <<<"$("$bin" --help)" || fail "--help lacks -g"
grep -Eq '^  -b' <<<"$("$bin" --help)" || fail "--help lacks -b"
for command in start api service-add service-connect file-send file-receive proxy dns; do
  check_help "$command" -- "${common[@]}"
done
check_help api -- listen enable-healthchecks debug
check_help service-add -- name address
check_help service-connect -- name address
check_help file-send -- name path
check_help file-receive -- name path
check_help proxy -- listen api api-listen debug interval dead-interval
check_help dns -- listen dns-forwarder dns-cache-size dns-forward-server
check_help peergater ecdsa-genkey -- privkey pubkey
for alias in sa sc fs fr; do "$bin" "$alias" --help >/dev/null || fail "alias $alias"; done
help=$("$bin" help) || fail "help command failed"
grep -q 'service-connect' <<<"$help" || fail "help command lacks service-connect"
grep -q 'token-info' <<<"$help" && fail "token-info shown in help"

# --version / -v.
"$bin" --version | grep -Eq '^edgevpn version [0-9]' || fail "--version"
"$bin" -v | grep -Eq '^edgevpn version [0-9]' || fail "-v"

# --privkey-cache: 0600 file in a 0700 directory, same peer ID on the next run.
cache="$work/cache/.edgevpn"
first=$("$bin" token-info --token "$token" --privkey-cache --privkey-cache-dir "$cache" | sed -n 's/^peer id: \([^ ]*\).*/\1/p')
second=$(EDGEVPNPRIVKEYCACHE=true EDGEVPNPRIVKEYCACHEDIR=$cache "$bin" token-info --token "$token" | sed -n 's/^peer id: \([^ ]*\).*/\1/p')
[[ $first == 12D3KooW* ]] || fail "no peer ID printed with --privkey-cache ($first)"
[[ $first == "$second" ]] || fail "peer ID changed between runs: $first vs $second"
[[ $(stat -c %a "$cache") == 700 ]] || fail "cache dir mode $(stat -c %a "$cache")"
[[ $(stat -c %a "$cache/privkey") == 600 ]] || fail "privkey mode $(stat -c %a "$cache/privkey")"

# VPN settings are checked before anything is created.
out=$(timeout 20 "$bin" --token "$token" --address fd00::1/64 --dht=false --mdns=false --natmap=false 2>&1); code=$?
[[ $code == 1 ]] || fail "IPv6 with MTU 1200: exit code $code"
grep -q 'needs an MTU of at least 1280' <<<"$out" || fail "IPv6 with MTU 1200 not refused: $out"
out=$(timeout 20 "$bin" --token "$token" --address 10.1.0.300/24 --dht=false --mdns=false --natmap=false 2>&1); code=$?
[[ $code == 1 ]] || fail "bad --address: exit code $code"
grep -q -- '--address 10.1.0.300/24' <<<"$out" || fail "bad --address not named: $out"

# Unbuilt features set explicitly are refused, naming the flag, before anything starts.
out=$(timeout 20 "$bin" --token "$token" --egress --dht=false --mdns=false --natmap=false 2>&1); code=$?
[[ $code == 2 ]] || fail "--egress: exit code $code"
grep -q -- 'not supported by this build yet: --egress' <<<"$out" || fail "--egress not refused: $out"

if ((failures)); then
  echo "cli_smoke: $failures failure(s)" >&2
  exit 1
fi
echo "cli_smoke: ok"
