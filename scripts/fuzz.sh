#!/usr/bin/env bash
# Runs every libFuzzer target for a fixed number of runs (so a smoke run cannot pass by doing
# nothing), starting from its seed corpus in tests/fuzz/corpus/<target>/ when there is one.
set -euo pipefail
dir=$1
runs=${2:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
count=0
for target in "$dir"/tests/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus=$(mktemp -d)
  seeds="$root/tests/fuzz/corpus/${name#fuzz_}"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
  echo "fuzz: $name ($runs runs)"
  if ! "$target" -runs="$runs" -max_len=65536 -print_final_stats=1 "$corpus" >"$corpus.log" 2>&1; then
    tail -n 60 "$corpus.log"
    echo "fuzz: $name FAILED"
    exit 1
  fi
  grep -E "stat::number_of_executed_units" "$corpus.log" || true
  rm -rf "$corpus" "$corpus.log"
  count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "fuzz: no fuzz targets found in $dir"; exit 1; }
echo "fuzz: $count targets passed"
