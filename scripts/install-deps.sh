#!/usr/bin/env bash
# Installs every build and test dependency on a Debian 12 machine: Debian packages with apt-get
# (only those missing) and the npm packages of the js-libp2p interop peer and of the browser tests
# (pinned lockfiles), and checks for the Go toolchain of the Go interop peers.
# Idempotent; safe to run before every build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev clang-format clang-tidy
  libsodium-dev libssl-dev libprotobuf-dev protobuf-compiler libasio-dev libyaml-cpp-dev
  nlohmann-json3-dev libspdlog-dev libcli11-dev libgtest-dev libgmock-dev
  libnl-3-dev libnl-route-3-dev libminiupnpc-dev zlib1g-dev libcpp-httplib-dev
  iproute2 iputils-ping iperf3 procps psmisc dnsmasq-base curl chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js: use the one on the PATH when it is recent enough (these machines ship Node 20 and npm
# from outside Debian, and Debian's npm package conflicts with it); install Debian's otherwise.
node_major=0
if command -v node >/dev/null; then node_major=$(node -p 'process.versions.node.split(".")[0]'); fi
if [ "$node_major" -lt 18 ] || ! command -v npm >/dev/null; then
  echo "install-deps: installing Debian's nodejs and npm"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi

if [ -f tests/interop/package-lock.json ]; then
  if [ ! -d tests/interop/node_modules ] ||
     [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then
    (cd tests/interop && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  fi
fi
# playwright-core for the web UI tests (tests/browser); it drives Debian's chromium, no download.
if [ -f tests/browser/package-lock.json ]; then
  if [ ! -d tests/browser/node_modules ] ||
     [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  fi
fi
# Go builds the Go EdgeVPN test peers (scripts/build-go-edgevpn.sh); the product needs no Go.
if ! scripts/check-go.sh; then
  echo "install-deps: without Go the product builds, but \`make test\` cannot run the Go interop tests" >&2
fi
echo "install-deps: ok"
