#!/usr/bin/env bash
# Runs the demos against a build directory (scripts/demo.sh builds first;
# ctest runs this as examples.demo):
#   1. calc: the Calculator IDL interface over the local port transport
#      (ncalrpc), over a TCP binding to this host (upgraded to ncalrpc), and
#      over TCP itself;
#   2. files: large buffers through the shared memory section, and over TCP;
#   3. lpc: the port library on its own (inline, section, view, client memory).
# Exits non-zero if any client fails.
set -euo pipefail
build=${1:-build}
export ALPACA_LPC_DIR=${ALPACA_LPC_DIR:-$(mktemp -d /tmp/alpaca-demo-XXXXXX)}
calc_port=${CALC_PORT:-4747}
files_port=${FILES_PORT:-4748}
work=$(mktemp -d /tmp/alpaca-demo-files-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() {  # a server's ncalrpc endpoint exists once it listens
  for _ in $(seq 100); do
    [[ -S "$ALPACA_LPC_DIR/RPC Control/$1" ]] && return 0
    sleep 0.05
  done
  echo "demo: server for $1 did not start" >&2
  return 1
}

echo "== calc: an IDL interface over ncalrpc and ncacn_ip_tcp"
"$build/examples/calc/calc_server" --port "$calc_port" &
pids+=($!)
wait_for calc
"$build/examples/calc/calc_client"
"$build/examples/calc/calc_client" 127.0.0.1 --port "$calc_port"
"$build/examples/calc/calc_client" 127.0.0.1 --port "$calc_port" --no-local-upgrade

echo
echo "== files: large buffers (section path over ncalrpc; fragments over TCP)"
"$build/examples/files/files_server" --root "$work/root" --port "$files_port" &
pids+=($!)
wait_for files
"$build/examples/files/files_client" --size 64
"$build/examples/files/files_client" 127.0.0.1 --port "$files_port" --no-local-upgrade --size 16

echo
echo "== lpc: the local port library on its own"
"$build/examples/lpc/lpc_demo_server" --clients 1 &
pids+=($!)
"$build/examples/lpc/lpc_demo_client"
