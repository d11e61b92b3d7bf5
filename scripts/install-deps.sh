#!/usr/bin/env bash
# Installs every Debian package alpaca needs to build, test, benchmark and fuzz.
# Idempotent: packages already present are skipped by apt-get; safe to re-run.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev clang-format
  antlr4 libantlr4-runtime-dev
  libboost1.81-dev
  nlohmann-json3-dev libcli11-dev libmimalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-impacket tshark iproute2 procps
  libwine-dev wine64-tools wine64 wine
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
