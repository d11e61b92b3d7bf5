#!/usr/bin/env python3
"""idlc's preprocessor against gcc's cpp over Wine's IDL corpus.

For every corpus file (the 309 .idl files of libwine-dev, fragments
included), `idlc -E` and `cpp -x c -undef -nostdinc -D__WIDL__` with the
same -I must agree on success and produce the same token sequence (line
markers and spacing aside). cpp is the oracle here: idlc no longer runs it,
but gcc is on every machine that builds alpaca. Fails, never skips, when the
corpus or cpp is missing.
"""
import argparse
import glob
import re
import shutil
import subprocess
import sys

WINE_DIR = "/usr/include/wine/wine"
INCLUDES = ["-I", WINE_DIR + "/windows", "-I", WINE_DIR]
TOKEN = re.compile(r'''L?"(?:\\.|[^"\\])*"|L?'(?:\\.|[^'\\])*'|[A-Za-z_$][A-Za-z0-9_$]*'''
                   r'''|\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*|\.\.\.|<<=|>>=|->|\+\+|--|<<|>>'''
                   r'''|<=|>=|==|!=|&&|\|\||[*/%+\-&^|]=|##|\S''')


def tokens(text):
    return TOKEN.findall("\n".join(line for line in text.split("\n") if not line.startswith("#")))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idlc", required=True)
    parser.add_argument("--cpp", default=shutil.which("cpp"))
    parser.add_argument("--expect-files", type=int, default=309)
    args = parser.parse_args()
    files = sorted(glob.glob(WINE_DIR + "/windows/*.idl") + glob.glob(WINE_DIR + "/*.idl"))
    if len(files) != args.expect_files or not args.cpp:
        print("FAIL: need the %d corpus files (found %d) and cpp (%s)" % (args.expect_files, len(files), args.cpp))
        return 1
    failures = 0
    for path in files:
        ours = subprocess.run([args.idlc, "-E", *INCLUDES, path], capture_output=True, text=True, errors="replace")
        theirs = subprocess.run([args.cpp, "-x", "c", "-undef", "-nostdinc", "-D__WIDL__", *INCLUDES, path],
                                capture_output=True, text=True, errors="replace")
        a, b = tokens(ours.stdout), tokens(theirs.stdout)
        same_status = (ours.returncode == 0) == (theirs.returncode == 0)
        if a == b and same_status and not ours.stderr:
            continue
        failures += 1
        at = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
        print("FAIL %s: idlc exit %d, cpp exit %d, %d vs %d tokens; first difference at token %d: %r vs %r\n%s"
              % (path, ours.returncode, theirs.returncode, len(a), len(b), at, a[at:at + 6], b[at:at + 6],
                 ours.stderr[:500]))
    print("%d passed, %d failed" % (len(files) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
