#!/usr/bin/env python3
"""idlc vs widl over Wine's IDL corpus: one table of wall times and their ratio.

Both compilers run sequentially, one process per file, over the same files
(every corpus file widl accepts), in the same run: widl producing a header
(-h), idlc producing its JSON model (--emit=json), and idlc again with an
import cache that starts empty (--import-cache), twice: the first pass fills
the cache, the second is a rebuild with every file unchanged. Outputs go to a temporary
directory and are discarded. Each tool's pass is repeated --rounds times; the
best round is reported (least disturbed by the other work on this machine).
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

WINE_DIR = "/usr/include/wine/wine"
INCLUDES = ["-I", WINE_DIR + "/windows", "-I", WINE_DIR]


def run_all(commands):
    """Wall time of running every command in turn; a failing command aborts
    the benchmark (a compiler that stops early would look fast)."""
    start = time.perf_counter()
    for cmd in commands:
        result = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if result.returncode != 0:
            raise SystemExit("%s failed (exit %d):\n%s" % (" ".join(cmd), result.returncode,
                                                          result.stderr.decode(errors="replace")[:2000]))
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idlc", required=True)
    parser.add_argument("--widl", default=shutil.which("widl") or "/usr/lib/wine/widl")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    files = sorted(glob.glob(WINE_DIR + "/windows/*.idl") + glob.glob(WINE_DIR + "/*.idl"))
    if not files or not os.access(args.widl, os.X_OK):
        print("corpus or widl missing")
        return 1
    with tempfile.TemporaryDirectory(prefix="idlc-bench-") as tmp:
        accepted = [f for f in files
                    if subprocess.run([args.widl, "-h", *INCLUDES, "-o", os.path.join(tmp, "probe.h"), f],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0]
        widl_cmds = [[args.widl, "-h", *INCLUDES, "-o", os.path.join(tmp, os.path.basename(f) + ".h"), f]
                     for f in accepted]
        idlc_cmds = [[args.idlc, *INCLUDES, "--emit=json", "-o", tmp, f] for f in accepted]

        def cached_passes():
            # A fresh, empty cache: in the first pass the first file that
            # imports objidl.idl pays for parsing it and later files reuse
            # it; the second pass is a rebuild with nothing changed.
            with tempfile.TemporaryDirectory(prefix="idlc-import-cache-") as cache:
                cmds = [cmd[:1] + ["--import-cache", cache] + cmd[1:] for cmd in idlc_cmds]
                return run_all(cmds), run_all(cmds)

        # Rounds interleave the tools, so a slow stretch of this shared
        # machine hits all of them rather than one.
        widl_times, idlc_times, passes = [], [], []
        for _ in range(args.rounds):
            widl_times.append(run_all(widl_cmds))
            idlc_times.append(run_all(idlc_cmds))
            passes.append(cached_passes())
        widl_best = min(widl_times)
        idlc_best = min(idlc_times)
        cold_best = min(p[0] for p in passes)
        warm_best = min(p[1] for p in passes)
    rows = [("widl -h", widl_best), ("idlc --emit=json", idlc_best),
            ("idlc --emit=json --import-cache, empty at the start", cold_best),
            ("idlc --emit=json --import-cache, second pass (a rebuild)", warm_best)]
    print("%d files, one process per file, best of %d round(s)\n" % (len(accepted), args.rounds))
    print("| compiler | wall time (s) | ratio to widl |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print("| %s | %.2f | %.2f |" % (name, seconds, seconds / widl_best))
    return 0


if __name__ == "__main__":
    sys.exit(main())
