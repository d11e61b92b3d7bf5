#!/usr/bin/python3
"""Checks the library layering (docs/architecture.md) the build enforces.

usage: layering_test.py --cxx CXX --source-root DIR --table docs/architecture.md
                         --lib=NAME:DIR1:DIR2... ...

The rules are the table "| library | may include |" of docs/architecture.md
(the one place they are written). Each --lib gives a library and the
include directories a target linking it gets. For every pair the layering forbids (a library seeing one above it,
or a private dependency of the one it links), a one-line translation unit
including a public header of the forbidden library must fail to compile
with that header not found; for every pair it allows, it must compile. A
forbidden include that compiles means an include root leaked.
Also: no source names a header by its path in the tree ("runtime/...",
"transports/..."), which would bypass the roots.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile



def read_table(path):
    """{library: set of libraries it may include} from the markdown table
    whose header is "| library | may include |". A cell's words that name
    no library ("privately", "(its users do not see them)") are prose."""
    rows = {}
    with open(path) as f:
        lines = f.read().splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.replace(' ', '') == '|library|mayinclude|')
    for line in lines[start + 2:]:
        if not line.startswith('|'):
            break
        library, allowed = [cell.strip() for cell in line.strip('|').split('|')]
        # Only what comes before a ';' is visible to the library's users.
        visible = allowed.split(';')[0]
        rows[library] = {word.strip() for word in visible.split(',')}
    return rows
# One public header per library, included by the probes.
HEADER = {
    'base': 'alpaca/base/uuid.h',
    'ndr': 'alpaca/ndr/types.h',
    'dcerpc': 'alpaca/dcerpc/constants.h',
    'transport': 'alpaca/transport/status.h',
    'lpc': 'alpaca/lpc/status.h',
    'co_stream': 'alpaca/co_stream/socket_channel.h',
    'tcp': 'alpaca/tcp/client_channel.h',
    'unix_stream': 'alpaca/unix_stream/transport.h',
    'ncalrpc': 'alpaca/ncalrpc/transport.h',
    'default_transports': 'alpaca/default_transports/registry.h',
    'rpc': 'alpaca/rpc/server.h',
}


def compiles(cxx, includes, header, scratch):
    source = os.path.join(scratch, 'probe.cc')
    with open(source, 'w') as f:
        f.write(f'#include "{header}"\n')
    flags = [flag for d in includes for flag in ('-I', d)]
    run = subprocess.run([cxx, '-std=c++20', '-fsyntax-only', *flags, source],
                         capture_output=True, text=True)
    return run.returncode == 0, run.stderr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--cxx', required=True)
    parser.add_argument('--source-root', required=True)
    parser.add_argument('--table', required=True)
    parser.add_argument('--lib', action='append', default=[])
    args = parser.parse_args()
    ALLOWED = read_table(args.table)
    libs = {}
    for spec in args.lib:
        name, _, dirs = spec.partition(':')
        libs[name] = [d for d in dirs.split(':') if d]
    assert set(libs) == set(ALLOWED), f'libraries: {sorted(libs)} vs the table {sorted(ALLOWED)}'
    assert set(libs) == set(HEADER), f'libraries: {sorted(libs)} vs {sorted(HEADER)}'
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for lib, includes in sorted(libs.items()):
            for other, header in sorted(HEADER.items()):
                ok, err = compiles(args.cxx, includes, header, scratch)
                if other in ALLOWED[lib]:
                    if not ok:
                        failures += 1
                        print(f'FAIL {lib} -> {other}: allowed but does not compile:\n{err}')
                    continue
                not_found = re.search(re.escape(header) + r"['\"]? file not found|"
                                      + re.escape(header) + r': No such file', err)
                if ok or not not_found:
                    failures += 1
                    why = 'compiles' if ok else f'fails for another reason:\n{err}'
                    print(f'FAIL {lib} -> {other}: forbidden but {why}')
                else:
                    print(f'ok   {lib} -/-> {other}')
    # Headers named by their place in the tree bypass the include roots.
    pattern = re.compile(r'#include "(runtime|transports)/')
    for top in ('runtime', 'transports', 'idlc', 'examples', 'tests', 'bench', 'fuzz'):
        for dirpath, _, names in os.walk(os.path.join(args.source_root, top)):
            for name in names:
                if not name.endswith(('.h', '.cc', '.cpp')):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, errors='replace') as f:
                    for number, line in enumerate(f, 1):
                        if pattern.search(line):
                            failures += 1
                            print(f'FAIL {os.path.relpath(path, args.source_root)}:{number}: '
                                  f'includes by tree path: {line.strip()}')
    print(f'{failures} failure(s)')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
