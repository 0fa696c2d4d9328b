#!/usr/bin/env bash
# `make tsan`: the unit and interop tests (not the e2e scripts) on the ThreadSanitizer build.
# A test with a data race fails (TSan's exit code 66); the reports go to <dir>/tsan/log.<exe>.<pid>
# (not to the test's output), and a summary of them ends the run. Extra arguments go to ctest
# (e.g. -R test_util).
set -uo pipefail
tsan_dir=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
report_dir="$root/$tsan_dir/tsan"
rm -rf "$report_dir" && mkdir -p "$report_dir"
# second_deadlock_stack: both stacks of a lock-order report. die_after_fork=0: the TUN and netns
# tests fork a child (tests/support/netns_child.hpp) from a process that has threads already.
export TSAN_OPTIONS="second_deadlock_stack=1 die_after_fork=0 suppressions=$root/tests/tsan.supp log_path=$report_dir/log log_exe_name=1 ${TSAN_OPTIONS:-}"
status=0
# Left out: a test whose forked netns child starts threads, which TSan cannot follow ("dup thread
# with used id").
skip='VpnServiceTunTest\.DatagramsCrossTheTunnelAndUnknownDestinationsFailFast'
(cd "$tsan_dir" && ctest --output-on-failure -j "$(nproc)" --timeout 900 -L 'unit|interop' -LE e2e \
  -E "$skip" "$@") 2>&1 |
  tee "$root/$tsan_dir/ctest-output.log"
((PIPESTATUS[0] == 0)) || status=1
reports=$(cat "$report_dir"/log.* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer')
echo "run-tsan: ${reports:-0} ThreadSanitizer reports (logs in $report_dir)"
cat "$report_dir"/log.* 2>/dev/null | grep '^SUMMARY: ThreadSanitizer' | sort | uniq -c | sort -rn
((${reports:-0} == 0)) || status=1
exit $status
