#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite through ctest:
#   1. the normal build: every unit, multi-process and interop test;
#   2. everything again (idlc included) under AddressSanitizer + UBSan;
#   3. the libFuzzer targets (clang) with a short smoke run each.
# ALPACA_SKIP_SANITIZERS=1 skips 2 and 3.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

bash scripts/build.sh build -DALPACA_REQUIRE_WINE=ON
(cd build && ctest --output-on-failure -j"$jobs" --timeout 900)

if [[ "${ALPACA_SKIP_SANITIZERS:-0}" != 1 ]]; then
  # idlc is built with the sanitizers too: its tests (hostile IDL, damaged
  # import-cache entries) and the Wine corpus run through an instrumented
  # front end, and it generates the code (conformance, examples) that is
  # built and run with the sanitizers.
  bash scripts/build.sh build-asan -DALPACA_SANITIZE=ON -DALPACA_BUILD_BENCH=OFF \
    -DALPACA_REQUIRE_WINE=ON
  (cd build-asan && ctest --output-on-failure -j"$jobs" --timeout 900)

  if [[ ! -f build-fuzz/CMakeCache.txt ]]; then
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DALPACA_BUILD_FUZZ=ON \
      -DALPACA_BUILD_IDLC=OFF -DALPACA_BUILD_BENCH=OFF -DALPACA_IDLC="$PWD/build/idlc/idlc"
  fi
  mapfile -t fuzzers < <(cmake --build build-fuzz --target help | sed -n 's/^\(fuzz_[a-z_]*\):.*/\1/p')
  cmake --build build-fuzz -j"$jobs" --target "${fuzzers[@]}"
  (cd build-fuzz && ctest --output-on-failure -R '^fuzz\.' --timeout 300)
fi
