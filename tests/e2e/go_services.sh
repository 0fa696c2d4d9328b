#!/usr/bin/env bash
# TCP services and files between Go EdgeVPN nodes and ours, in namespaces this script creates
# (mDNS on one bridge, no DHT): a Go `service-add` reached through our `service-connect`, ours
# reached through Go's, with parallel echo connections checked by sha256; a file served by Go's
# `file-send` fetched by our `file-receive`, and the other way, checked by sha256.
# Usage: tests/e2e/go_services.sh path/to/edgevpn path/to/edgevpn-go
set -uo pipefail
EDGEVPN_BIN=${1:?usage: go_services.sh path/to/edgevpn path/to/edgevpn-go}
GO_EDGEVPN_BIN=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/netns.sh"
source "$HERE/lib/mixed.sh"
mixed_begin
LOAD="$HERE/lib/tcp_load.py"

MIXED_SUBNET=10.81.0
netns_setup "evs-$$" 8 "$MIXED_SUBNET" || { echo "cannot create namespaces (root needed)" >&2; exit 1; }
in_host() { local h=$1; shift; ip netns exec "$(netns_host "$h")" "$@"; }
token=$("$GO_EDGEVPN_BIN" -g -b)
common=(--token "$token" --dht=false)

# Echo servers behind the two service-add nodes (hosts 0 and 2), on their namespace's loopback.
# (`ip netns exec` execs python: $! is the server itself, not a subshell around it.)
for h in 0 2; do
  ip netns exec "$(netns_host "$h")" python3 "$LOAD" echo-server "$WORK/echo$h.port" &
  MIXED_HELPERS+=($!)
done
for ((i = 0; i < 50; i++)); do [[ -s $WORK/echo0.port && -s $WORK/echo2.port ]] && break; sleep 0.1; done

began=$(date +%s.%N)
mixed_start gadd go 0 service-add "${common[@]}" gecho "127.0.0.1:$(cat "$WORK/echo0.port")"
mixed_start cconn cpp 1 service-connect "${common[@]}" gecho 127.0.0.1:9100
mixed_start cadd cpp 2 service-add "${common[@]}" cecho "127.0.0.1:$(cat "$WORK/echo2.port")"
mixed_start gconn go 3 service-connect "${common[@]}" cecho 127.0.0.1:9100

# echo_through HOST: 4 connections of 5 MiB each way through HOST's 127.0.0.1:9100, checked; each
# reads its whole echo before closing (Go's service proxy has no half-close: the first end of
# stream in either direction closes both).
echo_through() { in_host "$1" timeout 120 python3 "$LOAD" parallel-full 9100 4 5 >"$WORK/echo$1.out" 2>&1; }
for pair in "1 Go service-add -> our service-connect" "3 our service-add -> Go service-connect"; do
  h=${pair%% *}
  if mixed_wait 45 echo_through "$h"; then
    echo "${pair#* }: $(cat "$WORK/echo$h.out") ($(elapsed "$began") s after start)"
  else
    fail "${pair#* }: $(cat "$WORK/echo$h.out")"
  fi
done

# Files both ways: 20 MiB each.
for h in 4 5; do head -c $((20 << 20)) /dev/urandom >"$WORK/file$h"; done
mixed_start gsend go 4 file-send "${common[@]}" --name gfile --path "$WORK/file4"
mixed_start csend cpp 5 file-send "${common[@]}" --name cfile --path "$WORK/file5"
mkdir -p "$WORK/in6" "$WORK/in7"
mixed_start crecv cpp 6 file-receive "${common[@]}" gfile "$WORK/in6/gfile"
# received FILE SOURCE: FILE exists with SOURCE's sha256.
received() { [[ -f $1 && $(sha256sum <"$1" | cut -c1-64) == $(sha256sum <"$2" | cut -c1-64) ]]; }
mixed_wait 60 received "$WORK/in6/gfile" "$WORK/file4" || fail "our file-receive did not get Go's file intact"
# Go's file-receive asks as soon as the file is in its ledger; a sender that does not have the
# receiver's `users` entry yet refuses the stream (Go's sender and ours alike), and Go's receiver
# then saves what it got (nothing), reports success and exits. Run it again with the same
# identity (whose users entry the sender has by then), as a user would.
go_received=0
for attempt in 1 2 3; do
  mixed_start grecv go 7 file-receive "${common[@]}" --privkey-cache --privkey-cache-dir \
    "$WORK/grecv-key" cfile "$WORK/in7/cfile"
  done_or_gone() { received "$WORK/in7/cfile" "$WORK/file5" || ! kill -0 "${MIXED_PID[grecv]}" 2>/dev/null; }
  mixed_wait 60 done_or_gone
  if received "$WORK/in7/cfile" "$WORK/file5"; then
    go_received=$attempt
    break
  fi
  mixed_stop grecv
done
((go_received)) || fail "Go's file-receive did not get our file intact in 3 runs"
((go_received > 1)) && echo "Go's file-receive got the file on run $go_received (refused before its users entry arrived)"
((failures)) || echo "files: 20 MiB from Go's file-send to our file-receive and back, sha256 intact"
# Our file-receive exits 0 once the file is verified.
for ((i = 0; i < 100; i++)); do kill -0 "${MIXED_PID[crecv]}" 2>/dev/null || break; sleep 0.1; done
if kill -0 "${MIXED_PID[crecv]}" 2>/dev/null; then
  fail "our file-receive still runs after the file arrived"
else
  wait "${MIXED_PID[crecv]}"
  rc=$?
  unset "MIXED_PID[crecv]"
  ((rc == 0)) || fail "our file-receive exited $rc"
fi

mixed_finish go_services
