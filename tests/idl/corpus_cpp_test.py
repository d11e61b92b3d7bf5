#!/usr/bin/env python3
"""Generated C++ for Wine's real MIDL files must compile.

For every file of the Wine corpus that idlc's front end accepts, idlc
--emit=cpp must succeed (constructs the generators cannot express are
warnings unless a remoted method needs them). Every file that has plain RPC
interfaces (svcctl.idl among them) has its generated types, codecs, client
proxy and server stub compiled with the project's warnings as errors.
Fails (never skips) when the corpus is missing.

usage: corpus_cpp_test.py --idlc IDLC --cxx CXX --include DIR [--include DIR]...
"""
import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import tempfile

WINE_DIR = "/usr/include/wine/wine"
WINDOWS_DIR = WINE_DIR + "/windows"
WARNINGS = ["-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Wnon-virtual-dtor", "-Wold-style-cast",
            "-Wcast-align", "-Woverloaded-virtual", "-Werror"]


def check(path, args, tmp):
    includes = ["-I", WINDOWS_DIR, "-I", WINE_DIR]
    stem = os.path.splitext(os.path.basename(path))[0]
    out = os.path.join(tmp, stem)
    run = subprocess.run([args.idlc, *includes, "--emit=cpp", "-o", out, path],
                         capture_output=True, text=True)
    if run.returncode != 0:
        front = subprocess.run([args.idlc, *includes, "--emit=none", path], capture_output=True, text=True)
        if front.returncode != 0:
            return "skipped", []  # a fragment (#included by other files), not a unit of its own
        return "failed", ["idlc --emit=cpp failed where the front end accepts the file:\n" + run.stderr[:3000]]
    with open(os.path.join(out, stem + "_client.h"), encoding="utf-8") as f:
        interfaces = re.findall(r"^class (\w+)Client \{", f.read(), re.M)
    if not interfaces:
        return "types", []
    problems = []
    for unit in ("ndr", "client", "server"):
        source = os.path.join(out, "%s_%s.cc" % (stem, unit))
        compile_run = subprocess.run(
            [args.cxx, "-std=c++20", *WARNINGS, "-fsyntax-only", "-I", out,
             *[flag for d in args.include for flag in ("-I", d)], source],
            capture_output=True, text=True)
        if compile_run.returncode != 0:
            problems.append("%s does not compile:\n%s" % (source, compile_run.stderr[:4000]))
    return ("failed" if problems else "compiled"), problems or interfaces


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idlc", required=True)
    parser.add_argument("--cxx", default="c++")
    parser.add_argument("--include", action="append", default=[])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    # --include takes one directory or a list joined with ':' (CMake passes
    # the include directories of alpaca::rpc and what it links that way).
    args.include = [d for item in args.include for d in item.split(os.pathsep) if d]
    files = args.files or sorted(glob.glob(WINDOWS_DIR + "/*.idl") + glob.glob(WINE_DIR + "/*.idl"))
    if not files:
        print("FAIL: no IDL corpus under %s (install libwine-dev)" % WINE_DIR)
        return 1
    with tempfile.TemporaryDirectory(prefix="idlc-cpp-") as tmp:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda p: (p, check(p, args, tmp)), files))
    counts = {"compiled": 0, "types": 0, "skipped": 0, "failed": 0}
    compiled = []
    for path, (status, detail) in results:
        counts[status] += 1
        if status == "failed":
            print("FAIL %s\n%s\n" % (path, "\n".join(detail)))
        if status == "compiled":
            compiled.append("%s (%s)" % (os.path.basename(path), ", ".join(detail)))
    print("corpus C++: %d files; %d with plain RPC interfaces generated and compiled: %s; "
          "%d more generated (types only); %d fragments skipped; %d failed" %
          (len(files), counts["compiled"], "; ".join(compiled) or "none", counts["types"],
           counts["skipped"], counts["failed"]))
    if not any(c.startswith("svcctl.idl") for c in compiled):
        print("FAIL: svcctl.idl was not among the compiled files")
        return 1
    return 0 if counts["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
