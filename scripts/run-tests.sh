#!/usr/bin/env bash
# Runs the whole suite: ctest on the sanitizer build (unit, interop and e2e tests carry labels
# and per-test timeouts), then the fuzz smoke run. Exits non-zero if anything failed.
set -uo pipefail
test_dir=$1
fuzz_dir=$2
fuzz_runs=${3:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
export EDGEVPN_BIN="$root/$test_dir/edgevpn"

status=0
"$root/scripts/fuzz.sh" "$fuzz_dir" "$fuzz_runs" || status=1
(cd "$test_dir" && ctest --output-on-failure -j "$(nproc)" --timeout 600) || status=1
exit $status
