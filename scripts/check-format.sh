#!/usr/bin/env bash
# The formatting gate of .ci/run: clang-format (.clang-format) on the C++ lines changed since the
# base commit in .ci/format-base, committed or not. Only changed lines: the installed clang-format
# would reflow much of the older code. Exits 1 and prints the diff to apply on a regression;
# `git clang-format $(cat .ci/format-base)` applies it. A base argument replaces the file's
# (e.g. scripts/check-format.sh HEAD~1).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-$(sed -n 's/^\([0-9a-f]\{40\}\).*/\1/p' .ci/format-base)}
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  echo "check-format: base commit $base is not in this clone (a shallow checkout?); fetch the history" >&2
  exit 1
fi
# --diff prints what clang-format would change, or a "no modified files" line when nothing does.
out=$(git clang-format --diff --extensions c,cc,cpp,h,hpp "$base" -- src tests bench)
if [[ -z "$out" || "$out" == "no modified files to format" ||
      "$out" == "clang-format did not modify any files" ]]; then
  echo "check-format: the lines changed since ${base:0:12} are formatted"
  exit 0
fi
echo "$out"
echo "check-format: the lines above, changed since ${base:0:12}, are not formatted as .clang-format says;"
echo "  run: git clang-format ${base:0:12}   (formats only those lines)"
exit 1
