#!/usr/bin/env bash
# Files through the network on loopback: a 200 MB file served by `file-send` arrives intact
# through `file-receive` (temporary file renamed at the end, progress shown, exit 0, no
# leftovers); a receiver with another token gets nothing.
# Usage: tests/e2e/files.sh path/to/edgevpn
set -uo pipefail
EDGEVPN_BIN=${1:?usage: files.sh path/to/edgevpn}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/nodes.sh"
trap 'cleanup_nodes; rm -rf "$WORK"' EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
SIZE_MB=${FILES_E2E_MB:-200}

head -c $((SIZE_MB << 20)) /dev/urandom >"$WORK/big.bin"
want=$(sha256sum <"$WORK/big.bin" | cut -c1-64)
mkdir -p "$WORK/in" "$WORK/other"

token=$("$EDGEVPN_BIN" -g -b)
start_node hub start --token "$token"
hub=$(node_addr hub) || exit 1
start_node send fs --name big --path "$WORK/big.bin" --token "$token" \
  --discovery-bootstrap-peers "$hub"
# DHT and mDNS are off: receivers bootstrap to the sender too, to know its address.
send=$(node_addr send) || exit 1
start_node other file-receive big "$WORK/other/big.bin" --token "$("$EDGEVPN_BIN" -g -b)" \
  --discovery-bootstrap-peers "$hub,$send"

start=$(date +%s.%N)
"$EDGEVPN_BIN" fr big "$WORK/in/big.bin" --token "$token" --discovery-bootstrap-peers "$hub,$send" \
  "${LOOPBACK_FLAGS[@]}" >"$WORK/receive.log" 2>&1 &
receive_pid=$!
NODE_PIDS+=($receive_pid)
for ((i = 0; i < 3000; i++)); do kill -0 "$receive_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$receive_pid" 2>/dev/null; then
  fail "file-receive still running after 300 s"
else
  wait "$receive_pid"
  rc=$?
  ((rc == 0)) || fail "file-receive exited $rc"
fi
seconds=$(awk "BEGIN{printf \"%.2f\", $(date +%s.%N) - $start}")
got=$(sha256sum <"$WORK/in/big.bin" 2>/dev/null | cut -c1-64)
[[ $got == "$want" ]] || fail "received file differs (sha256 $got, want $want)"
echo "$SIZE_MB MiB received intact in $seconds s (from start of file-receive)"
grep -q "sha256 verified" "$WORK/receive.log" || fail "receiver did not verify the digest"
grep -Eq "MiB of [0-9.]+ MiB \([0-9]+%\)" "$WORK/receive.log" || fail "no progress lines"
[[ $(stat -c %a "$WORK/in/big.bin") == 7?? ]] || fail "mode $(stat -c %a "$WORK/in/big.bin")"
leftovers=$(find "$WORK/in" -name '.*part*' | wc -l)
((leftovers == 0)) || fail "$leftovers temporary files left"

# The node with another token: still waiting, nothing written.
sleep 2
kill -0 "$(cat "$WORK/other.pid")" 2>/dev/null || fail "other-token receiver exited"
[[ -z $(ls -A "$WORK/other") ]] || fail "other-token receiver wrote: $(ls -A "$WORK/other")"
grep -q "waiting for file 'big'" "$WORK/other.log" || fail "other-token receiver shows no status"

if ((failures > 0)); then
  for name in send receive; do echo "--- $name.log" >&2; tail -20 "$WORK/$name.log" >&2; done
fi
((failures == 0)) && echo "files: ok"
exit $((failures > 0))
