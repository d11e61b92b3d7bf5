#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_idl_archive: the AST archives idlc stores in
its import cache for the repository's own IDL files (conformance.idl, the
examples, and the negative tests that parse but fail semantic checks).

usage: make_seeds.py --idlc build/idlc/idlc [--out fuzz/idl_archive/corpus]
"""
import argparse
import glob
import os
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def archive_of(entry):
    """The archive inside a cache entry (import_cache.cc): magic, key,
    dependency list, checksum, then the archive itself."""
    assert entry[:8] == b"AIDLIMP1"
    pos = 8

    def u64():
        nonlocal pos
        (value,) = struct.unpack_from("<Q", entry, pos)
        pos += 8
        return value

    key_length = u64()
    pos += key_length
    for _ in range(u64()):
        path_length = u64()
        pos += path_length + 16  # the path, its size and hash
    pos += 8  # checksum
    return entry[pos:]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idlc", required=True)
    parser.add_argument("--out", default=os.path.join(HERE, "corpus"))
    args = parser.parse_args()
    sources = (glob.glob(os.path.join(ROOT, "tests/idl/conformance/*.idl")) +
               glob.glob(os.path.join(ROOT, "examples/*/*.idl")) +
               glob.glob(os.path.join(ROOT, "tests/idl/errors/*.idl")))
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as cache:
        for path in sorted(sources):
            subprocess.run([args.idlc, "--emit=none", "--import-cache", cache, "-I", os.path.dirname(path), path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name in sorted(os.listdir(cache)):
            with open(os.path.join(cache, name), "rb") as f:
                archive = archive_of(f.read())
            with open(os.path.join(args.out, name.replace(".aidl", "")), "wb") as f:
                f.write(archive)
    print("%d seeds in %s" % (len(os.listdir(args.out)), args.out))


if __name__ == "__main__":
    main()
