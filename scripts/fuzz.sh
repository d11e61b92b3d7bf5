#!/usr/bin/env bash
# Runs every libFuzzer target for MINUTES minutes each, one at a time, under
# ASan/UBSan, and prints a table: executions, coverage (cov: and ft: from
# libFuzzer's final stats), working corpus size and findings.
#   scripts/fuzz.sh MINUTES
#
# Builds build-fuzz (configured as scripts/test.sh does: clang, the fuzz
# targets, the normal build's idlc for the generated-stub target). The
# targets, their seed corpora and extra arguments are those ctest's smoke
# runs know (alpaca_fuzz_target in fuzz/CMakeLists.txt), so a new target
# needs nothing here. Each target fuzzes a scratch copy of its committed
# corpus (build-fuzz/fuzz-run/<target>/corpus; the committed one is never
# written) and stops early after 10^7 executions. Crash, leak, timeout and
# out-of-memory inputs are copied with the target's log to
# $ALPACA_FUZZ_FINDINGS (default build-fuzz/fuzz-findings/<target>/), and
# the script then exits 1.
#
# ALPACA_BUILD_LOCK=FILE runs the builds (only) under flock FILE, for
# machines where several builds share the cores.
# ALPACA_FUZZ_TARGETS="fuzz_a fuzz_b" runs only those targets, so a long
# campaign can be split across machines or days; ALPACA_FUZZ_KEEP=1 resumes
# from the scratch corpus of an earlier run instead of the committed one.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -ne 1 || ! "$1" =~ ^[0-9]+$ || "$1" -eq 0 ]]; then
  echo "usage: scripts/fuzz.sh MINUTES" >&2
  exit 2
fi
seconds=$(($1 * 60))
root=$PWD
findings_root=${ALPACA_FUZZ_FINDINGS:-$root/build-fuzz/fuzz-findings}
run_root=$root/build-fuzz/fuzz-run

locked() {
  if [[ -n "${ALPACA_BUILD_LOCK:-}" ]]; then flock "$ALPACA_BUILD_LOCK" "$@"; else "$@"; fi
}

# The generated-stub target needs an idlc; the normal build has one.
if [[ ! -x build/idlc/idlc ]]; then
  if [[ ! -f build/CMakeCache.txt ]]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  locked cmake --build build --target idlc
fi
if [[ ! -f build-fuzz/CMakeCache.txt ]]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DALPACA_BUILD_FUZZ=ON \
    -DALPACA_BUILD_IDLC=OFF -DALPACA_BUILD_BENCH=OFF -DALPACA_IDLC="$root/build/idlc/idlc"
fi
mapfile -t fuzzers < <(cmake --build build-fuzz --target help | sed -n 's/^\(fuzz_[a-z_]*\):.*/\1/p')
locked cmake --build build-fuzz --target "${fuzzers[@]}"

# One line per target from ctest's smoke tests: executable, committed
# corpus, extra arguments (tab-separated).
mapfile -t targets < <(ctest --test-dir build-fuzz --show-only=json-v1 | python3 -c '
import json, shlex, sys
for test in json.load(sys.stdin)["tests"]:
    if not test["name"].startswith("fuzz."):
        continue
    # sh -c SCRIPT sh SCRATCH EXE CORPUS; SCRIPT execs "$2" with the
    # extra arguments before "$1" "$3".
    cmd = test["command"]
    words = shlex.split(cmd[2])
    start = words.index("$2") + 1
    extra = [w for w in words[start:] if w not in ("$1", "$3")
             and not w.startswith("-max_total_time=")]
    print("\t".join([cmd[5], cmd[6], " ".join(extra)]))
')
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz.sh: no fuzz targets (is ALPACA_BUILD_TESTS on in build-fuzz?)" >&2
  exit 1
fi

rows=()
failed=0
for line in "${targets[@]}"; do
  IFS=$'\t' read -r exe corpus extra <<<"$line"
  name=$(basename "$exe")
  if [[ -n "${ALPACA_FUZZ_TARGETS:-}" && " ${ALPACA_FUZZ_TARGETS//,/ } " != *" $name "* ]]; then
    continue
  fi
  work=$run_root/$name
  if [[ "${ALPACA_FUZZ_KEEP:-0}" != 1 || ! -d "$work/corpus" ]]; then
    rm -rf "$work"
    mkdir -p "$work/corpus"
    cp -R "$corpus/." "$work/corpus/"
  fi
  rm -rf "$work/artifacts"
  mkdir -p "$work/artifacts"
  echo "== $name: ${seconds}s, seeds $(find "$corpus" -type f | wc -l)" >&2
  status=0
  started=$(date +%s)
  # shellcheck disable=SC2086  # extra holds separate arguments
  (cd "$work" && "$exe" -max_total_time="$seconds" -runs=10000000 -timeout=60 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" $extra corpus) \
    >"$work/log" 2>&1 || status=$?
  took=$(($(date +%s) - started))

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  stats=$(grep -E '^#[0-9]+.*cov: ' "$work/log" | tail -1 || true)
  # A run that crashed prints no final stats: its last status line counts.
  [[ -z "$execs" ]] && execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$stats")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$stats")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$stats")
  files=$(find "$work/corpus" -type f | wc -l)
  kib=$(( $(du -sk "$work/corpus" | cut -f1) ))
  mapfile -t found < <(find "$work/artifacts" -type f \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  finding="${#found[@]}"
  if [[ $status -ne 0 || ${#found[@]} -gt 0 ]]; then
    failed=1
    dest=$findings_root/$name
    mkdir -p "$dest"
    cp "$work/log" "$dest/log"
    for f in "${found[@]}"; do cp "$f" "$dest/"; done
    [[ $status -ne 0 && ${#found[@]} -eq 0 ]] && finding="exit $status"
    echo "   findings in $dest" >&2
  fi
  rows+=("$(printf '%-22s %12s %7ss %8s %8s %8s %10s  %s' "$name" "${execs:-?}" "$took" \
    "${cov:-?}" "${ft:-?}" "$files" "${kib}KiB" "$finding")")
done

printf '\n%-22s %12s %8s %8s %8s %8s %10s  %s\n' target executions time cov ft corpus "" findings
for row in "${rows[@]}"; do echo "$row"; done
if [[ $failed -ne 0 ]]; then
  echo "fuzz.sh: findings copied to $findings_root" >&2
  exit 1
fi
