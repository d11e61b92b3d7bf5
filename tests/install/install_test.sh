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
# Public headers under include/alpaca/, internal ones not at all.
include=$scratch/prefix/include
for header in alpaca/rpc/server.h alpaca/rpc/stub.h alpaca/lpc/connection_port.h \
              alpaca/base/uuid.h alpaca/tcp/client_channel.h; do
  [[ -f $include/$header ]] || { echo "not installed: $header"; exit 1; }
done
stray=$(cd "$include" && find . -name '*.h' ! -path './alpaca/*')
[[ -z $stray ]] || { echo "installed outside include/alpaca: $stray"; exit 1; }
# Headers beside the sources stay internal (alpaca/lpc/wire.h is public;
# ncalrpc's wire.h is not, and would land under alpaca/ncalrpc/).
for internal in server_connection.h ncalrpc/wire.h co_client.h socket_io.h ncalrpc/local_offer.h \
  ncalrpc/endpoint.h ncalrpc/association.h; do
  if find "$include" -path "*/$internal" | grep -q .; then
    echo "internal header installed: $internal"
    exit 1
  fi
done
# docs/guide.md shows the consumer's CMakeLists.txt verbatim.
shown=$(awk '/^<!-- tests\/install\/consumer\/CMakeLists.txt -->$/ {getline; on=1; next}
             on && /^```$/ {exit} on {print}' "$source/docs/guide.md")
if [[ "$shown" != "$(cat "$source/tests/install/consumer/CMakeLists.txt")" ]]; then
  echo "docs/guide.md no longer shows tests/install/consumer/CMakeLists.txt as it is"
  diff <(echo "$shown") "$source/tests/install/consumer/CMakeLists.txt" || true
  exit 1
fi
generator=()
if command -v ninja > /dev/null; then generator=(-G Ninja); fi
cmake -S "$source/tests/install/consumer" -B "$scratch/consumer" "${generator[@]}" \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCMAKE_BUILD_TYPE=Release > "$scratch/configure.log"
cmake --build "$scratch/consumer" -j2 > "$scratch/build.log" || { cat "$scratch/build.log"; exit 1; }
ALPACA_LPC_DIR="$scratch/ns" "$scratch/consumer/consumer"
