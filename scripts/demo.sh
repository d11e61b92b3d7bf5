#!/usr/bin/env bash
# Sets up, builds and runs the demo: a local port server and a client in
# separate processes exchanging inline, section, view and direct-memory
# messages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
export ALPACA_LPC_DIR=${ALPACA_LPC_DIR:-$(mktemp -d /tmp/alpaca-demo-XXXXXX)}
./build/examples/lpc/lpc_demo_server --clients 1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
./build/examples/lpc/lpc_demo_client
wait $server
