#!/usr/bin/env bash
# Fails (listing the files) when a C++ source of the project is not formatted
# as .clang-format says. Fix with: scripts/check-format.sh --fix
#   scripts/check-format.sh [--fix]
# Exit 77 when clang-format is not installed (ctest reports a skip).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format not installed" >&2; exit 77; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Generated code kept as golden test data is idlc's to format.
  mapfile -t files < <(git ls-files '*.cc' '*.h' ':!tests/idl/golden/expected')
else
  mapfile -t files < <(find idlc runtime transports examples tests bench fuzz tools \
    \( -name '*.cc' -o -name '*.h' \) -print 2>/dev/null | sort)
fi
if [[ "${1:-}" == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  [[ -f "$f" ]] || continue
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [[ ${#bad[@]} -gt 0 ]]; then
  printf 'not formatted (scripts/check-format.sh --fix):\n' >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "${#files[@]} files formatted as .clang-format says"
