#!/usr/bin/env bash
# Bulk-transfer benchmark (one yamux stream, TCP + Noise + yamux on 127.0.0.1) against the raw
# ChaCha20-Poly1305 speed measured in the same run: C++->C++, C++->js, js->C++, js->js, each the
# median of 3 runs. Usage: bench/run.sh BUILD_DIR   (env: BYTES, JS_BYTES, RUNS)
set -euo pipefail
build=${1:?usage: bench/run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
bytes=${BYTES:-$((512 * 1024 * 1024))}
js_bytes=${JS_BYTES:-$((128 * 1024 * 1024))}
runs=${RUNS:-3}
aead="$build/bench/bench_aead"
cxx="$build/bench/bench_transfer"
js="$root/tests/interop/bench_peer.mjs"
for exe in "$aead" "$cxx"; do
  [ -x "$exe" ] || { echo "missing $exe (build the release build: make build)" >&2; exit 1; }
done
have_js=0
if command -v node >/dev/null && [ -d "$root/tests/interop/node_modules" ]; then have_js=1; fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

json_field() { sed -nE "s/.*\"$1\": *\"?([^\",}]*)\"?.*/\1/p" | head -1; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR ? v[int((NR+1)/2)] : "nan")}'; }

# start_listener KIND NAME: starts a listener (cpp|js), sets $listen_addr. Its stdin is a FIFO we
# hold open, so it also exits when this script dies.
start_listener() {
  local kind=$1 name=$2
  mkfifo "$work/$name.in"
  if [ "$kind" = cpp ]; then
    "$cxx" --listen --port 0 <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" &
  else
    node "$js" --listen --port 0 <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" &
  fi
  listener_pid=$!
  pids+=($!)
  exec {fd}>"$work/$name.in"  # keep the FIFO's writer open
  for _ in $(seq 200); do
    listen_addr=$(json_field addr <"$work/$name.out")
    [ -n "$listen_addr" ] && return 0
    sleep 0.05
  done
  echo "$kind listener did not start:" >&2
  cat "$work/$name.err" >&2
  exit 1
}

# CPU seconds (user + system) a process used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); print ($12 + $13) / hz}' "/proc/$1/stat"; }

# measure KIND ADDR BYTES LISTENER_PID: one send; prints "wall_MBps cpu_MBps" (nothing on
# failure). cpu_MBps = bytes / the larger of the two sides' CPU seconds: the speed on two idle
# cores, which the other processes of a shared machine disturb far less than the wall clock.
measure() {
  local kind=$1 addr=$2 n=$3 listener=$4 out before after
  before=$(cpu_of "$listener")
  if [ "$kind" = cpp ]; then
    out=$(timeout 120 "$cxx" --send "$addr" --bytes "$n" 2>>"$work/send.err") || true
  else
    out=$(timeout 180 node "$js" --send "$addr" --bytes "$n" 2>>"$work/send.err") || true
  fi
  after=$(cpu_of "$listener")
  local wall send_cpu
  wall=$(json_field MBps <<<"$out")
  send_cpu=$(json_field cpu_seconds <<<"$out")
  [ -n "$wall" ] || return 0
  awk -v w="$wall" -v n="$n" -v s="$send_cpu" -v l="$(awk -v a="$before" -v b="$after" 'BEGIN {print b - a}')" \
    'BEGIN {c = (s > l ? s : l); printf "%s %.1f\n", w, (c > 0 ? n / c / 1e6 : 0)}'
}

aead_out=$("$aead")  # first line: OpenSSL, the cipher our Noise transport uses
aead_mbps=$(json_field MBps <<<"$aead_out")
aead_cpu_mbps=$(json_field cpu_MBps <<<"$aead_out")
echo "raw ChaCha20-Poly1305, 32 KiB frames: OpenSSL $aead_mbps MB/s (baseline below)," \
  "libsodium $(tail -1 <<<"$aead_out" | json_field MBps) MB/s"
printf '%-10s %9s %6s %9s %6s %11s\n' pair "MB/s" ratio "cpuMB/s" ratio bytes
printf '%-10s %9.1f %6.2f %9.1f %6.2f %11s\n' aead "$aead_mbps" 1 "$aead_cpu_mbps" 1 -

start_listener cpp cpp_listener
cpp_addr=$listen_addr
cpp_pid=$listener_pid
js_addr=""
js_pid=""
if [ "$have_js" = 1 ]; then
  start_listener js js_listener
  js_addr=$listen_addr
  js_pid=$listener_pid
fi

# row LABEL SENDER_KIND ADDR LISTENER_PID BYTES: median of $runs sends.
row() {
  local label=$1 sender=$2 addr=$3 listener=$4 n=$5 walls=() cpus=() line
  for _ in $(seq "$runs"); do
    line=$(measure "$sender" "$addr" "$n" "$listener")
    if [ -n "$line" ]; then
      walls+=("${line% *}")
      cpus+=("${line#* }")
    fi
  done
  if [ ${#walls[@]} -eq 0 ]; then
    printf '%-10s %9s %6s %9s %6s %11s\n' "$label" failed - - - "$n"
    return
  fi
  local wall cpu
  wall=$(printf '%s\n' "${walls[@]}" | median)
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  awk -v l="$label" -v w="$wall" -v a="$aead_mbps" -v c="$cpu" -v ac="$aead_cpu_mbps" -v n="$n" \
    'BEGIN {printf "%-10s %9.1f %6.2f %9.1f %6.2f %11s\n", l, w, w / a, c, c / ac, n}'
}

row "c++->c++" cpp "$cpp_addr" "$cpp_pid" "$bytes"
if [ "$have_js" = 1 ]; then
  row "c++->js" cpp "$js_addr" "$js_pid" "$js_bytes"
  row "js->c++" js "$cpp_addr" "$cpp_pid" "$js_bytes"
  row "js->js" js "$js_addr" "$js_pid" "$js_bytes"
else
  echo "(js pairs skipped: node or tests/interop/node_modules missing)"
fi
echo "MB/s: wall clock; cpuMB/s: bytes / max(sender, listener) CPU seconds (js senders include"
echo "node's start-up); ratios against the ChaCha20-Poly1305 baseline above, same run."
if [ -s "$work/send.err" ]; then
  echo "sender errors:" >&2
  tail -5 "$work/send.err" >&2
fi
