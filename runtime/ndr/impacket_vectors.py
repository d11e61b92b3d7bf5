#!/usr/bin/python3
"""Compares alpaca's NDR encoding with Impacket's NDR encoder, byte for byte.

argv[1] is alpaca_ndr_vectors, which prints "name hex" lines. Exit 77 (ctest
SKIP) if Impacket is missing. Referent ids are set to MIDL's sequence
(0x20000, +4) since Impacket otherwise picks random ones.
"""
import subprocess
import os
import sys

import importlib.util
import re


def load_zero_padding_ndr():
    """Loads impacket.dcerpc.v5.ndr with its padding filler set to zero.

    NDR leaves the contents of alignment padding unspecified; Impacket fills
    it with marker bytes (0xbf, 0xca, ...) and alpaca with zeros. Only those
    filler literals are rewritten, nothing that affects layout.
    """
    spec = importlib.util.find_spec('impacket.dcerpc.v5.ndr')
    source = open(spec.origin).read()
    source, count = re.subn(r"b'\\x[0-9a-fA-F]{2}' ?\* ?(pad0?)", r"b'\\x00'*\1", source)
    module = importlib.util.module_from_spec(spec)
    sys.modules['impacket.dcerpc.v5.ndr'] = module
    exec(compile(source, spec.origin, 'exec'), module.__dict__)
    return count


try:
    load_zero_padding_ndr()
    from impacket.dcerpc.v5 import ndr
    from impacket.dcerpc.v5.dtypes import (DWORD, WORD, LONGLONG, ULONGLONG,
                                           STR, WSTR, LPWSTR, NULL)
    from impacket.uuid import string_to_bin
except ImportError:
    # A missing prerequisite fails (CI installs it); ALPACA_ALLOW_SKIP=1
    # turns it into a ctest SKIP for developers.
    print("impacket not installed")
    sys.exit(77 if os.environ.get("ALPACA_ALLOW_SKIP") == "1" else 1)


class BaseTypes(ndr.NDRSTRUCT):
    structure = (('a', ndr.NDRSMALL), ('b', ndr.NDRSHORT), ('c', ndr.NDRLONG),
                 ('d', ndr.NDRHYPER), ('e', ndr.NDRFLOAT),
                 ('f', ndr.NDRDOUBLEFLOAT))


class DwordArray(ndr.NDRUniConformantArray):
    item = DWORD


class WordArray(ndr.NDRUniConformantArray):
    item = WORD


class StructConformant(ndr.NDRSTRUCT):
    structure = (('n', DWORD), ('a', WordArray))


class PDWORD(ndr.NDRPOINTER):
    referent = (('Data', DWORD),)


class StructEmbedded(ndr.NDRSTRUCT):
    structure = (('x', DWORD), ('p', PDWORD), ('s', LPWSTR))


class HyperUnion(ndr.NDRUNION):
    commonHdr = (('tag', ndr.NDRULONG),)
    union = {1: ('v1', DWORD), 2: ('v2', ULONGLONG)}


class ArrayCall(ndr.NDRCALL):
    structure = (('a', DwordArray),)


class CharStringCall(ndr.NDRCALL):
    structure = (('s', STR),)


class UniqueCall(ndr.NDRCALL):
    structure = (('p', PDWORD), ('q', PDWORD))


class Handle(ndr.NDRSTRUCT):
    structure = (('attributes', DWORD), ('uuid', '16s="'))


def items(cls, values):
    out = []
    for v in values:
        item = cls()
        item['Data'] = v
        out.append(item)
    return out


def vectors():
    out = {}
    s = BaseTypes()
    s['a'] = 1; s['b'] = 0x0203; s['c'] = 0x04050607
    s['d'] = -2; s['e'] = 1.5; s['f'] = -0.25
    out['base_types'] = s.getData()

    a = ArrayCall()
    a['a'] = items(DWORD, [1, 2, 0xdeadbeef])
    out['conformant_dword_array'] = a.getData()

    w = WSTR()
    w['Data'] = 'alpaca\x00'
    out['wide_string'] = w.getData()

    c = CharStringCall()
    c['s'] = 'hello\x00'
    out['char_string'] = c.getData()

    sc = StructConformant()
    sc['n'] = 3
    sc['a'] = items(WORD, [7, 8, 9])
    out['struct_conformant_array'] = sc.getData()

    # Two top-level [unique] DWORD* parameters: NULL, then 42. A top-level
    # pointee follows its own pointer, so encode them one at a time.
    up = UniqueCall()
    up['p'] = NULL
    p2 = PDWORD(); p2['ReferentID'] = 0x20000; p2['Data'] = 42
    up['q'] = p2
    out['unique_pointers'] = up.getData()

    se = StructEmbedded()
    se['x'] = 5
    pp = PDWORD(); pp['ReferentID'] = 0x20000; pp['Data'] = 0x11223344
    ps = LPWSTR(); ps['ReferentID'] = 0x20004; ps['Data'] = 'ab\x00'
    se['p'] = pp
    se['s'] = ps
    out['struct_embedded_pointers'] = se.getData() + se.getDataReferents()

    u = HyperUnion()
    u['tag'] = 2
    u['v2'] = 0x0102030405060708
    out['union_hyper_arm'] = u.getData()

    h = Handle()
    h['attributes'] = 0
    h['uuid'] = string_to_bin('01234567-89ab-cdef-0123-456789abcdef')
    out['context_handle'] = h.getData()
    return out


def main():
    theirs = vectors()
    text = subprocess.run([sys.argv[1]], check=True, capture_output=True,
                          text=True).stdout
    ours = dict(line.split(' ', 1) for line in text.splitlines())
    failed = 0
    for name, data in theirs.items():
        mine = ours.get(name, '').strip()
        if mine != data.hex():
            print(f'MISMATCH {name}\n  alpaca   {mine}\n  impacket {data.hex()}')
            failed += 1
        else:
            print(f'ok {name} ({len(data)} bytes)')
    missing = set(ours) - set(theirs)
    if missing:
        print('not compared:', sorted(missing))
        failed += 1
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
