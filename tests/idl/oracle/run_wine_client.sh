#!/usr/bin/env bash
# Runs the Wine client against the oracle server's port and checks that it
# ran every check and none failed (its last line is "N checks, 0 failures").
#   run_wine_client.sh WINE64 WINESERVER PREFIX CLIENT.exe.so PORT CHECKS
# The Wine prefix lives in the build tree: created on the first run (about
# ten seconds), reused after. Whatever happens, the wineserver (and with it
# every Wine process of this prefix) is stopped on exit.
set -uo pipefail
wine64=$1 wineserver=$2 prefix=$3 client=$4 port=$5 checks=$6
export WINEPREFIX=$prefix WINEDEBUG=-all
# No desktop integration (menus, file associations) from the prefix.
export WINEDLLOVERRIDES="mscoree,mshtml,winemenubuilder.exe=d"
mkdir -p "$prefix"
trap '"$wineserver" -k 2>/dev/null || true' EXIT
# A hang guard, not a timing assertion: a first run creates the prefix.
output=$(timeout 180 "$wine64" "$client" "$port")
status=$?
printf '%s\n' "$output"
last=$(printf '%s\n' "$output" | tail -n 1)
if [[ $status -ne 0 || $last != "$checks checks, 0 failures" ]]; then
  echo "FAIL: the Wine client exited $status; last line: '$last' (want '$checks checks, 0 failures')" >&2
  exit 1
fi
