#!/usr/bin/env python3
"""Corpus test: idlc against widl on Wine's real MIDL files.

For every /usr/include/wine/wine/windows/*.idl and /usr/include/wine/wine/*.idl
that widl accepts (`widl -h`, run now into a temporary directory; files widl
rejects, such as #include fragments, are skipped by that criterion), idlc must
accept the file with zero diagnostics and its --emit=json model must agree
with widl's header on the set of interface names, their UUIDs and the method
order of each COM interface, and compiling it again through an import cache
shared by the whole run must give the same model byte for byte. Fails (never
skips) when widl or the corpus is missing. Only the standard library; nothing produced here is kept.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

WINE_DIR = "/usr/include/wine/wine"
WINDOWS_DIR = WINE_DIR + "/windows"

NAME_RE = re.compile(r"^ \* (\w+) (interface|dispinterface)(?: \(v\d+\.\d+\))?$", re.M)
BLOCK_RE = re.compile(r'MIDL_INTERFACE\("([0-9a-fA-F-]+)"\)\n(\w+) : public \w+\n\{\n(.*?)\n\};', re.S)
METHOD_RE = re.compile(r"^\s*virtual [^(\n]*?\b(\w+)\(", re.M)
GUID_RE = re.compile(r"DEFINE_GUID\((?:IID|DIID)_(\w+), 0x([0-9a-f]{8}), 0x([0-9a-f]{4}), 0x([0-9a-f]{4}), "
                     r"0x(..),0x(..), 0x(..),0x(..),0x(..),0x(..),0x(..),0x(..)\)")


def find_widl(explicit):
    for candidate in ([explicit] if explicit else []) + ["widl", "/usr/lib/wine/widl", "widl-stable"]:
        path = shutil.which(candidate) or (candidate if os.access(candidate, os.X_OK) else None)
        if path:
            return path
    return None


def parse_header(text):
    """Interfaces in widl's header: name -> (uuid or None, [methods] or None)."""
    result = {name: [None, None] for name, _ in NAME_RE.findall(text)}
    for m in GUID_RE.finditer(text):
        g = m.groups()
        uuid = "%s-%s-%s-%s%s-%s" % (g[1], g[2], g[3], g[4], g[5], "".join(g[6:]))
        if g[0] in result:
            result[g[0]][0] = uuid.lower()
    for uuid, name, body in BLOCK_RE.findall(text):
        methods = []
        for method in METHOD_RE.findall(body):
            if not methods or methods[-1] != method:  # WIDL_EXPLICIT_AGGREGATE_RETURNS twins
                methods.append(method)
        if name in result:
            result[name] = [uuid.lower(), methods]
    return result


def vtbl_name(method):
    attrs = method.get("attributes", {})
    for prop, prefix in (("propget", "get_"), ("propput", "put_"), ("propputref", "putref_")):
        if prop in attrs:
            return prefix + method["name"]
    return method["name"]


def check_file(path, idlc, widl, tmp):
    """Returns (status, message) with status in accepted/skipped/failed."""
    includes = ["-I", WINDOWS_DIR, "-I", WINE_DIR]
    header = os.path.join(tmp, os.path.basename(path) + ".h")
    widl_run = subprocess.run([widl, "-h", *includes, "-o", header, path], capture_output=True, text=True)
    if widl_run.returncode != 0:
        return "skipped", "widl rejects it"
    run = subprocess.run([idlc, *includes, "--emit=json", path], capture_output=True, text=True)
    if run.returncode != 0 or run.stderr:
        return "failed", "idlc diagnostics (exit %d):\n%s" % (run.returncode, run.stderr[:3000])
    # The same compile through the import cache shared by the whole run (and
    # by two compiles at a time): byte-for-byte the same model.
    cached = subprocess.run([idlc, *includes, "--import-cache", os.path.join(tmp, "import-cache"), "--emit=json",
                             path], capture_output=True, text=True)
    if cached.returncode != 0 or cached.stderr or cached.stdout != run.stdout:
        return "failed", "idlc with --import-cache differs (exit %d):\n%s" % (cached.returncode, cached.stderr[:3000])
    model = json.loads(run.stdout)
    if model.get("winrt"):
        return "winrt", ""  # WinRT constructs are parsed, not modelled
    with open(header, encoding="utf-8", errors="replace") as f:
        expected = parse_header(f.read())
    ours = {i["name"]: i for i in model["interfaces"]}
    problems = []
    if set(ours) != set(expected):
        problems.append("interface names differ: only idlc %s, only widl %s" %
                        (sorted(set(ours) - set(expected)), sorted(set(expected) - set(ours))))
    for name, (uuid, methods) in expected.items():
        if name not in ours:
            continue
        if uuid is not None and ours[name]["uuid"] != uuid:
            problems.append("%s: uuid %s, widl %s" % (name, ours[name]["uuid"], uuid))
        if methods is not None and ours[name]["kind"] == "interface":
            got = [vtbl_name(m) for m in ours[name]["methods"] if "call_as" not in m]
            if got != methods:
                problems.append("%s: methods %s, widl %s" % (name, got, methods))
    if problems:
        return "failed", "\n".join(problems)
    return "accepted", ""


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idlc", required=True)
    parser.add_argument("--widl")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--expect-accepted", type=int,
                        help="how many files widl must accept (the corpus's standalone files); "
                             "a different number fails, so a shrunken corpus cannot pass unnoticed")
    parser.add_argument("files", nargs="*", help="default: the whole Wine corpus")
    args = parser.parse_args()
    widl = find_widl(args.widl)
    if widl is None:
        print("FAIL: widl not found (install wine64-tools)")
        return 1
    files = args.files or sorted(glob.glob(WINDOWS_DIR + "/*.idl") + glob.glob(WINE_DIR + "/*.idl"))
    if not files:
        print("FAIL: no IDL corpus under %s (install libwine-dev)" % WINE_DIR)
        return 1
    counts = {"accepted": 0, "winrt": 0, "skipped": 0, "failed": 0}
    with tempfile.TemporaryDirectory(prefix="idlc-corpus-") as tmp:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda p: (p, check_file(p, args.idlc, widl, tmp)), files))
    for path, (status, message) in results:
        counts[status] += 1
        if status == "failed":
            print("FAIL %s\n%s\n" % (path, message))
    checked = counts["accepted"] + counts["winrt"] + counts["failed"]
    print("corpus: %d files, widl accepts %d; idlc accepts %d of them with zero diagnostics "
          "(%d compared and agreeing with widl, %d WinRT-mode files accepted without comparison), "
          "%d failed, %d skipped (widl rejects)" %
          (len(files), checked, counts["accepted"] + counts["winrt"], counts["accepted"], counts["winrt"],
           counts["failed"], counts["skipped"]))
    if checked == 0:
        print("FAIL: widl accepted no file")
        return 1
    if args.expect_accepted is not None and checked != args.expect_accepted:
        print("FAIL: widl accepted %d files, expected %d" % (checked, args.expect_accepted))
        return 1
    return 0 if counts["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
