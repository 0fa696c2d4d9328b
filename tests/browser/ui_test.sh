#!/usr/bin/env bash
# The web UI in headless Chromium against a real network: three nodes with the API on loopback in
# a line (a <- b <- c), plus a service-add, a service-connect and a file-send node hanging off a so
# that the services, users and files pages have real entries; ui_test.mjs drives the UI of c and b
# and checks it against the APIs. As root the whole test runs in a network namespace of its own
# (unshare -n), where a also runs the VPN on a TUN device, so the machines page shows a real
# machine; elsewhere a runs `edgevpn api` and the machines page is checked empty.
# Exits 77 (ctest SKIP_RETURN_CODE) only when Debian's chromium or the npm packages are missing.
# Usage: tests/browser/ui_test.sh path/to/edgevpn [screenshot-dir]
#   screenshot dir: $2, else $EDGEVPN_UI_ARTIFACTS, else /tmp/edgevpn-ui-screenshots.
#   EDGEVPN_UI_DOCS=docs/screenshots also copies the screenshots there (for the README).
set -uo pipefail
EDGEVPN_BIN=${1:?usage: ui_test.sh path/to/edgevpn [screenshot-dir]}
EDGEVPN_BIN=$(realpath "$EDGEVPN_BIN")
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}

if [[ ! -x $chromium ]]; then
  echo "SKIP: $chromium not found (Debian package chromium; scripts/install-deps.sh installs it)"
  exit 77
fi
if ! command -v node >/dev/null || [[ ! -d $here/node_modules/playwright-core ]]; then
  echo "SKIP: node or tests/browser/node_modules missing (scripts/install-deps.sh runs npm ci)"
  exit 77
fi

# A private network namespace (its own loopback; the TUN device lives and dies with it).
if [[ -z ${UI_IN_NETNS:-} ]] && [[ $(id -u) == 0 ]] && unshare -n true 2>/dev/null; then
  exec env UI_IN_NETNS=1 unshare -n "$0" "$EDGEVPN_BIN" "${@:2}"
fi
if [[ -n ${UI_IN_NETNS:-} ]]; then ip link set lo up || exit 1; fi

WORK=$(mktemp -d)
source "$here/../e2e/lib/nodes.sh"
trap 'cleanup_nodes; rm -rf "$WORK"' EXIT
unset EDGEVPNTOKEN EDGEVPNCONFIG

token=$("$EDGEVPN_BIN" -g -b)
export UI_MACHINE=""
if [[ -n ${UI_IN_NETNS:-} ]]; then
  UI_MACHINE=10.1.0.10
  start_node a --token "$token" --address "$UI_MACHINE/24" --interface edgevpnui0 \
    --api --api-listen 127.0.0.1:0
else
  echo "not root or no unshare: node a runs without the VPN, the machines page stays empty"
  start_node a api --token "$token" --listen 127.0.0.1:0
fi
addr_a=$(node_addr a) || exit 1
# Real services, users and files entries, announced by the commands that own them.
head -c 65536 /dev/urandom >"$WORK/report.bin"
start_node svc service-add --token "$token" --discovery-bootstrap-peers "$addr_a" \
  --service "intranet=127.0.0.1:8000"
start_node sc service-connect --token "$token" --discovery-bootstrap-peers "$addr_a" \
  --service "intranet=127.0.0.1:0"
start_node fs file-send --name report.bin --path "$WORK/report.bin" --token "$token" \
  --discovery-bootstrap-peers "$addr_a"
export UI_SERVICE=intranet UI_FILE=report.bin UI_ID_SVC UI_ID_SC UI_ID_FS
UI_ID_SVC=$(node_addr svc) && UI_ID_SC=$(node_addr sc) && UI_ID_FS=$(node_addr fs) || exit 1
UI_ID_SVC=${UI_ID_SVC##*/} UI_ID_SC=${UI_ID_SC##*/} UI_ID_FS=${UI_ID_FS##*/}
start_node b api --token "$token" --listen 127.0.0.1:0 --discovery-bootstrap-peers "$addr_a"
addr_b=$(node_addr b) || exit 1
start_node c api --token "$token" --listen 127.0.0.1:0 --discovery-bootstrap-peers "$addr_b"
addr_c=$(node_addr c) || exit 1

export UI_API_A UI_API_B UI_API_C UI_ID_A UI_ID_B UI_ID_C CHROMIUM=$chromium
UI_API_A=$(api_addr a) && UI_API_B=$(api_addr b) && UI_API_C=$(api_addr c) || exit 1
UI_ID_A=${addr_a##*/} UI_ID_B=${addr_b##*/} UI_ID_C=${addr_c##*/}
export EDGEVPN_UI_ARTIFACTS=${2:-${EDGEVPN_UI_ARTIFACTS:-/tmp/edgevpn-ui-screenshots}}
export EDGEVPN_UI_DOCS=${EDGEVPN_UI_DOCS:-}

node "$here/ui_test.mjs"
status=$?
if ((status != 0)); then
  for n in a b c svc sc fs; do echo "--- tail of node $n's log"; tail -15 "$WORK/$n.log"; done
fi
exit $status
