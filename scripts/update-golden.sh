#!/usr/bin/env bash
# Rewrites tests/idl/golden/expected/ with what the current idlc generates
# for tests/idl/golden/*.idl; review `git diff` before committing it.
#   scripts/update-golden.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake --build "$build" --target idlc
includes=()
for root in runtime/base/include runtime/ndr/include runtime/dcerpc/include runtime/transport/include \
  runtime/rpc/include; do
  includes+=(--include "$root")
done
python3 tests/idl/golden/golden_test.py --idlc "$build/idlc/idlc" --cxx "${CXX:-c++}" \
  "${includes[@]}" --update
git status --short tests/idl/golden/expected
