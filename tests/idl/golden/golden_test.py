#!/usr/bin/python3
"""Golden tests of idlc's C++ output: every *.idl here is compiled with
--emit=cpp and each generated file must equal expected/<stem>/<file>
byte for byte (no file missing, none extra). The expected files must also
compile (-fsyntax-only against the runtime's include roots), so an update
cannot record code that does not build. With --clang-format, every
generated file must also be laid out exactly as clang-format lays it out
under the project's .clang-format: idlc writes code as a person would.

usage: golden_test.py --idlc IDLC --cxx CXX [--include DIR]... [--clang-format CF]
                      [--layout-only IDL]... [--update]

--layout-only adds an IDL file whose output is only checked for layout
(the examples and the conformance suite: more shapes than the golden set).

--update rewrites expected/ from the current idlc instead (what
scripts/update-golden.sh runs), then compiles it as above; review the diff
before committing it.
"""
import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, 'expected')
STYLE = os.path.join(HERE, '..', '..', '..', '.clang-format')


def generate(idlc, idl, out, namespace=True):
    os.makedirs(out, exist_ok=True)
    stem = os.path.splitext(os.path.basename(idl))[0]
    # The golden set's own namespace; a layout-only input gets the one its
    # build gives it (the default, from the file name).
    options = ['--cpp-namespace', f'golden::{stem}'] if namespace else []
    # Run from the IDL's directory with a relative input path, as a build
    # would from its source tree: the output must not depend on where that is.
    run = subprocess.run([os.path.abspath(idlc), '--emit=cpp', *options, '-o', out,
                          os.path.basename(idl)], cwd=os.path.dirname(os.path.abspath(idl)),
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f'idlc failed on {idl}:\n{run.stderr}')
    return {name: open(os.path.join(out, name)).read() for name in sorted(os.listdir(out))}


def check_layout(clang_format, stem, got):
    """Failures: generated files clang-format would change."""
    failures = 0
    for name, text in got.items():
        run = subprocess.run([clang_format, f'--style=file:{os.path.abspath(STYLE)}',
                              f'--assume-filename={name}'],
                             input=text, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f'clang-format failed on {name}:\n{run.stderr}')
        if run.stdout != text:
            failures += 1
            print(f'FAIL {stem}: {name} is not laid out as clang-format would:')
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(True), run.stdout.splitlines(True), f'idlc/{name}',
                f'clang-format/{name}', n=1))
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--idlc', required=True)
    parser.add_argument('--cxx')
    parser.add_argument('--include', action='append', default=[])
    parser.add_argument('--clang-format', dest='clang_format')
    parser.add_argument('--layout-only', dest='layout_only', action='append', default=[])
    parser.add_argument('--update', action='store_true')
    args = parser.parse_args()
    # --include takes one directory or a list joined with ':' (CMake passes
    # the include directories of alpaca::rpc and what it links that way).
    args.include = [d for item in args.include for d in item.split(os.pathsep) if d]
    inputs = sorted(f for f in os.listdir(HERE) if f.endswith('.idl'))
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for idl in args.layout_only if args.clang_format else []:
            stem = os.path.splitext(os.path.basename(idl))[0]
            got = generate(args.idlc, idl, os.path.join(scratch, 'layout', stem), namespace=False)
            layout_failures = check_layout(args.clang_format, stem, got)
            failures += layout_failures
            if not layout_failures:
                print(f'ok   {stem}: laid out as clang-format would ({len(got)} files)')
        for idl in inputs:
            stem = idl[:-4]
            got = generate(args.idlc, os.path.join(HERE, idl), os.path.join(scratch, stem))
            expected_dir = os.path.join(EXPECTED, stem)
            if args.clang_format:
                failures += check_layout(args.clang_format, stem, got)
            if args.update:
                shutil.rmtree(expected_dir, ignore_errors=True)
                os.makedirs(expected_dir)
                for name, text in got.items():
                    with open(os.path.join(expected_dir, name), 'w') as f:
                        f.write(text)
                print(f'updated expected/{stem}/ ({len(got)} files)')
                continue
            want = {}
            if os.path.isdir(expected_dir):
                want = {n: open(os.path.join(expected_dir, n)).read()
                        for n in sorted(os.listdir(expected_dir))}
            for name in sorted(set(got) | set(want)):
                if name not in want:
                    failures += 1
                    print(f'FAIL {stem}: {name} is generated but not expected')
                elif name not in got:
                    failures += 1
                    print(f'FAIL {stem}: {name} is expected but not generated')
                elif got[name] != want[name]:
                    failures += 1
                    print(f'FAIL {stem}: {name} differs from expected/{stem}/{name}:')
                    sys.stdout.writelines(difflib.unified_diff(
                        want[name].splitlines(True), got[name].splitlines(True),
                        f'expected/{stem}/{name}', f'idlc/{name}', n=2))
                else:
                    print(f'ok   {stem}: {name}')
    # Also after an update: a change must not record code that does not build.
    if args.cxx:
        flags = [f for d in args.include for f in ('-I', d)]
        for stem in sorted(os.listdir(EXPECTED)):
            directory = os.path.join(EXPECTED, stem)
            if not os.path.isdir(directory):  # expected/.clang-format
                continue
            for name in sorted(os.listdir(directory)):
                if not name.endswith('.cc'):
                    continue
                run = subprocess.run([args.cxx, '-std=c++20', '-fsyntax-only', '-Wall', '-Wextra',
                                      '-Werror', '-I', directory, *flags,
                                      os.path.join(directory, name)],
                                     capture_output=True, text=True)
                if run.returncode != 0:
                    failures += 1
                    print(f'FAIL {stem}: expected/{stem}/{name} does not compile:\n{run.stderr}')
    if args.update:
        if failures:
            print(f'{failures} expected file(s) do not compile: fix idlc before committing them')
        return 1 if failures else 0
    if failures:
        print(f'{failures} failure(s); if the change is intended: scripts/update-golden.sh')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
