#!/usr/bin/env bash
# Sets up, builds and runs the demo: the calc IDL interface called over the
# local port transport and over TCP, the files service moving large
# buffers, and the local port library on its own (examples/run_demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
bash examples/run_demo.sh build
