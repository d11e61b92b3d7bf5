#!/usr/bin/env bash
# Runs the Wine client against the oracle server's port and checks that it
# ran every check and none failed (its last line is "N checks, 0 failures").
#   run_wine_client.sh WINE64 WINESERVER PREFIX CLIENT.exe.so PORT
# The Wine prefix lives in the build tree: created on the first run (about
# ten seconds), reused after. The wineserver is stopped at the end so that
# nothing outlives the test.
set -uo pipefail
wine64=$1 wineserver=$2 prefix=$3 client=$4 port=$5
export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$prefix"
output=$("$wine64" "$client" "$port")
status=$?
"$wineserver" -k 2>/dev/null || true
printf '%s\n' "$output"
last=$(printf '%s\n' "$output" | tail -n 1)
if [[ $status -ne 0 || ! $last =~ ^[1-9][0-9]*\ checks,\ 0\ failures$ ]]; then
  echo "FAIL: the Wine client exited $status; last line: '$last'" >&2
  exit 1
fi
