#!/usr/bin/env bash
# Installs this build into a scratch prefix, then configures, builds and
# runs tests/install/consumer against it with find_package(alpaca).
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
scratch=$(mktemp -d /tmp/alpaca-install-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" > "$scratch/install.log"
generator=()
if command -v ninja > /dev/null; then generator=(-G Ninja); fi
cmake -S "$source/tests/install/consumer" -B "$scratch/consumer" "${generator[@]}" \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCMAKE_BUILD_TYPE=Release > "$scratch/configure.log"
cmake --build "$scratch/consumer" -j2 > "$scratch/build.log" || { cat "$scratch/build.log"; exit 1; }
ALPACA_LPC_DIR="$scratch/ns" "$scratch/consumer/consumer"
