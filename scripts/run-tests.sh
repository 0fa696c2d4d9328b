#!/usr/bin/env bash
# Runs the whole suite: ctest on the sanitizer build (unit, interop and e2e tests carry labels
# and per-test timeouts), then the fuzz smoke run. Exits non-zero if anything failed. In CI
# (CI=true) a skipped interop test is a failure too: a broken npm or Go install must not pass.
set -uo pipefail
test_dir=$1
fuzz_dir=$2
fuzz_runs=${3:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
export EDGEVPN_BIN="$root/$test_dir/edgevpn"
log="$root/$test_dir/ctest-output.log"

status=0
"$root/scripts/fuzz.sh" "$fuzz_dir" "$fuzz_runs" || status=1
(cd "$test_dir" && ctest --output-on-failure -j "$(nproc)" --timeout 600) 2>&1 | tee "$log"
((PIPESTATUS[0] == 0)) || status=1
# Tests ctest reports as not run (skipped), kept if they carry the interop label.
interop=$(cd "$test_dir" && ctest -N -L interop | sed -n 's/^ *Test *#[0-9]*: //p')
skipped=$(sed -n '/The following tests did not run:/,/^$/p' "$log" |
  sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (.*)$/\1/p' | grep -Fx -f <(echo "$interop"))
if [[ -n "$skipped" ]]; then
  echo "run-tests: interop tests did not run:"
  echo "$skipped"
  if [[ "${CI:-}" == true ]]; then
    echo "run-tests: in CI a skipped interop test is a failure"
    status=1
  fi
fi
exit $status
