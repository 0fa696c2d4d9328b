#!/usr/bin/env bash
# Runs the whole suite: ctest on the sanitizer build (unit, interop and e2e tests carry labels
# and per-test timeouts), then the fuzz smoke run. Prints one closing summary line.
set -uo pipefail
test_dir=$1
release_dir=$2
fuzz_dir=$3
fuzz_runs=${4:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
export EDGEVPN_BIN="$root/$release_dir/edgevpn"
export EDGEVPN_TEST_BIN="$root/$test_dir/edgevpn"

status=0
(cd "$test_dir" && ctest --output-on-failure -j "$(nproc)" --timeout 600) || status=1
"$root/scripts/fuzz.sh" "$fuzz_dir" "$fuzz_runs" || status=1
exit $status
