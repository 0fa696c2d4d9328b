#!/usr/bin/env bash
# The peer VPNs bench/vpn.sh compares against, from Debian's packages (not needed by make test).
set -euo pipefail
packages=(iperf3 iputils-ping wireguard-tools wireguard-go nebula tinc)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
