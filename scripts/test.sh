#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite through ctest: first the
# normal build, then the runtime and transport tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
#   scripts/test.sh            everything
#   ALPACA_SKIP_SANITIZERS=1   only the normal build
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600)
if [[ "${ALPACA_SKIP_SANITIZERS:-0}" != 1 ]]; then
  bash scripts/build.sh build-asan -DALPACA_SANITIZE=ON -DALPACA_BUILD_BENCH=OFF \
    -DALPACA_BUILD_IDLC=OFF
  (cd build-asan && ctest --output-on-failure -j"$(nproc)" --timeout 900)
fi
