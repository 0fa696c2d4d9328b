#!/usr/bin/env bash
# Checks that a Go toolchain new enough for the pinned EdgeVPN (go.mod says 1.26) is on the PATH;
# says what is missing otherwise.
set -euo pipefail
need_major=1
need_minor=26
if ! command -v go >/dev/null; then
  echo "check-go: Go >= $need_major.$need_minor is needed to build the Go EdgeVPN test peers," \
    "and no 'go' is on the PATH (install it from https://go.dev/dl/)" >&2
  exit 1
fi
have=$(go env GOVERSION)
if [[ ! "$have" =~ ^go([0-9]+)\.([0-9]+) ]]; then
  echo "check-go: cannot read the Go version from '$have'" >&2
  exit 1
fi
major=${BASH_REMATCH[1]}
minor=${BASH_REMATCH[2]}
if ((major < need_major || (major == need_major && minor < need_minor))); then
  echo "check-go: Go >= $need_major.$need_minor is needed to build the Go EdgeVPN test peers;" \
    "'go' on the PATH is $have" >&2
  exit 1
fi
