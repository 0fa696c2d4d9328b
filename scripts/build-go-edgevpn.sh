#!/usr/bin/env bash
# Builds the pinned Go EdgeVPN (tests/interop/go/go.mod) into OUT/edgevpn-go for the interop
# tests and benchmarks, and our go-libp2p test peer (tests/interop/go/peer) into OUT/go-peer. The module is built in a copy of its own folder so that its own go.mod
# and go.sum apply (a build from the requiring module would ignore them). One change is made to
# that copy: its replace of go-libp2p-pubsub by its author's fork goes, because the Go module
# proxy does not serve the fork; the upstream release it forks (pinned in our go.sum) is used.
# The fork differs only in accepting peers reachable over relayed ("limited") connections.
# Cached: nothing is rebuilt while the pins and this script are unchanged.
# Usage: scripts/build-go-edgevpn.sh OUT
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:?usage: build-go-edgevpn.sh OUT}" && cd "$1" && pwd)
module="$root/tests/interop/go"
pubsub=github.com/libp2p/go-libp2p-pubsub

"$root/scripts/check-go.sh"

stamp=$(cat "$module/go.mod" "$module/go.sum" "$module"/peer/*.go "$0" | sha256sum | cut -d' ' -f1)
if [[ -x "$out/edgevpn-go" && -x "$out/go-peer" && "$(cat "$out/stamp" 2>/dev/null)" == "$stamp" ]]; then
  exit 0
fi

cd "$module"
go build -trimpath -o "$out/go-peer" ./peer
version=$(go list -m -f '{{.Version}}' github.com/mudler/edgevpn)
dir=$(go mod download -json github.com/mudler/edgevpn | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -d "$dir" ]] || { echo "build-go-edgevpn: go mod download gave no folder for EdgeVPN" >&2; exit 1; }
pubsub_version=$(go list -m -f '{{.Version}}' "$pubsub")

echo "build-go-edgevpn: building EdgeVPN $version (gossip: upstream $pubsub $pubsub_version)"
rm -rf "$out/src" "$out/stamp"
cp -r "$dir" "$out/src"
chmod -R u+w "$out/src"
cd "$out/src"
go mod edit -dropreplace "$pubsub" -require "$pubsub@$pubsub_version"
grep "^$pubsub $pubsub_version[ /]" "$module/go.sum" >>go.sum
go build -trimpath -ldflags "-X github.com/mudler/edgevpn/internal.Version=$version" \
  -o "$out/edgevpn-go.new" .
mv "$out/edgevpn-go.new" "$out/edgevpn-go"
echo "$stamp" >"$out/stamp"
echo "build-go-edgevpn: $out/edgevpn-go"
