#!/usr/bin/python3
"""Impacket (Debian python3-impacket), a third-party NDR encoder, calls a
subset of conformance.idl on alpaca's generated server over ncacn_ip_tcp:
base types, enums, a conformant array, strings of both widths, unique
pointers NULL and not, embedded pointers and a conformant array behind a
pointer, a union, context handles, [retval], faults and a [range] refusal.

usage: impacket_conformance.py PORT
"""
import os
import struct
import sys

MISSING_PREREQUISITE = 77 if os.environ.get('ALPACA_ALLOW_SKIP') == '1' else 1
try:
    from impacket.dcerpc.v5 import ndr, transport
    from impacket.dcerpc.v5.dtypes import LPSTR, LPWSTR, NULL, STR, WSTR
    from impacket.dcerpc.v5.rpcrt import DCERPCException
    from impacket.uuid import uuidtup_to_bin
except ImportError:
    print('impacket not installed')
    sys.exit(MISSING_PREREQUISITE)

IFACE = uuidtup_to_bin(('0814dc89-838c-43ff-b8e3-3400382dcce7', '1.2'))


class DCERPCSessionError(DCERPCException):
    pass


class BaseTypes(ndr.NDRSTRUCT):
    structure = (('s8', ndr.NDRSMALL), ('u8', ndr.NDRUSMALL), ('s16', ndr.NDRSHORT),
                 ('u16', ndr.NDRUSHORT), ('s32', ndr.NDRLONG), ('u32', ndr.NDRULONG),
                 ('s64', ndr.NDRHYPER), ('u64', ndr.NDRUHYPER), ('f32', ndr.NDRFLOAT),
                 ('f64', ndr.NDRDOUBLEFLOAT), ('flag', ndr.NDRBOOLEAN), ('octet', ndr.NDRUSMALL),
                 ('letter', ndr.NDRCHAR), ('wide', ndr.NDRUSHORT), ('status', ndr.NDRULONG))


class Inner(ndr.NDRSTRUCT):
    structure = (('tag', ndr.NDRSHORT), ('value', ndr.NDRHYPER))


class PInner(ndr.NDRPOINTER):
    referent = (('Data', Inner),)


class LONG_ARRAY(ndr.NDRUniConformantArray):
    item = ndr.NDRLONG


class HYPER_ARRAY(ndr.NDRUniConformantArray):
    item = ndr.NDRHYPER


class PHYPER_ARRAY(ndr.NDRPOINTER):
    referent = (('Data', HYPER_ARRAY),)


class Pointers(ndr.NDRSTRUCT):
    structure = (('maybe', PInner), ('label', LPWSTR), ('n', ndr.NDRLONG),
                 ('numbers', PHYPER_ARRAY))


class PLONG(ndr.NDRPOINTER):
    referent = (('Data', ndr.NDRLONG),)


class Small(ndr.NDRUNION):
    commonHdr = (('tag', ndr.NDRLONG),)
    union = {1: ('number', ndr.NDRLONG), 2: ('text', LPWSTR)}


class COUNTER(ndr.NDRSTRUCT):
    structure = (('Data', '20s=b""'),)

    def getAlignment(self):
        return 4


def call(name, opnum, request_fields, response_fields):
    # Impacket finds a request's response class by name in this module.
    request = type(name, (ndr.NDRCALL,), {'opnum': opnum, 'structure': request_fields})
    response = type(name + 'Response', (ndr.NDRCALL,), {'structure': response_fields})
    globals()[name + 'Response'] = response
    return request, response


SumScalars, SumScalarsResponse = call('SumScalars', 0, (
    ('a', ndr.NDRSMALL), ('b', ndr.NDRSHORT), ('c', ndr.NDRLONG), ('d', ndr.NDRHYPER),
    ('e', ndr.NDRFLOAT), ('f', ndr.NDRDOUBLEFLOAT), ('g', ndr.NDRBOOLEAN), ('h', ndr.NDRUSMALL),
    ('i', ndr.NDRCHAR), ('j', ndr.NDRUSHORT)), (('result', ndr.NDRHYPER),))
EchoBase, EchoBaseResponse = call('EchoBase', 1, (('value', BaseTypes),), (('echo', BaseTypes),))
NextColor, NextColorResponse = call('NextColor', 2, (('c', ndr.NDRUSHORT), ('s', ndr.NDRULONG)),
                                    (('bigger', ndr.NDRULONG), ('result', ndr.NDRUSHORT)))
SumArray, SumArrayResponse = call('SumArray', 4, (('n', ndr.NDRLONG), ('values', LONG_ARRAY)),
                                  (('result', ndr.NDRHYPER),))
Concat, ConcatResponse = call('Concat', 9, (('a', STR), ('b', WSTR)),
                              (('joined', LPWSTR), ('result', ndr.NDRLONG)))
MaybeLength, MaybeLengthResponse = call('MaybeLength', 10, (('text', LPSTR),), (('result', ndr.NDRLONG),))
Twice, TwiceResponse = call('Twice', 13, (('value', PLONG),), (('value', PLONG),))
EchoPointers, EchoPointersResponse = call('EchoPointers', 14, (('value', Pointers),), (('echo', Pointers),))
Answer, AnswerResponse = call('Answer', 22, (('fail', ndr.NDRBOOLEAN),),
                              (('answer', ndr.NDRLONG), ('result', ndr.NDRLONG)))
Fault, FaultResponse = call('Fault', 23, (('status', ndr.NDRULONG),), ())
Percent, PercentResponse = call('Percent', 24, (('value', ndr.NDRLONG),), (('result', ndr.NDRLONG),))
OpenCounter, OpenCounterResponse = call('OpenCounter', 25, (('start', ndr.NDRLONG),), (('counter', COUNTER),))
Increment, IncrementResponse = call('Increment', 26, (('counter', COUNTER),), (('result', ndr.NDRLONG),))
CloseCounter, CloseCounterResponse = call('CloseCounter', 27, (('counter', COUNTER),), (('counter', COUNTER),))
EchoSmall, EchoSmallResponse = call('EchoSmall', 29, (('kind', ndr.NDRLONG), ('value', Small)),
                                    (('echo', Small),))
CountGroups, CountGroupsResponse = call('CountGroups', 33, (('n', ndr.NDRLONG), ('per', ndr.NDRLONG),
                                                            ('groups', LONG_ARRAY)),
                                        (('result', ndr.NDRLONG),))

failures = []


def check(name, got, want):
    if got != want:
        failures.append(name)
        print(f'FAIL {name}: got {got!r}, want {want!r}')
    else:
        print(f'ok   {name}')


def request(dce, cls, response_cls, **fields):
    r = cls()
    for k, v in fields.items():
        r[k] = v
    data = dce.request(r, checkError=False)
    return data


def fault_of(dce, cls, **fields):
    """The fault Impacket reports, by the name it gives the status."""
    try:
        r = cls()
        for k, v in fields.items():
            r[k] = v
        dce.request(r, checkError=False)
    except DCERPCException as e:
        return str(e)
    return 'no fault'


def longs(values):
    out = []
    for v in values:
        item = ndr.NDRLONG()
        item['Data'] = v
        out.append(item)
    return out


def counter_of(data):
    c = COUNTER()
    c['Data'] = data
    return c


def run(port):
    rpc = transport.DCERPCTransportFactory(f'ncacn_ip_tcp:127.0.0.1[{port}]')
    dce = rpc.get_dce_rpc()
    dce.connect()
    dce.bind(IFACE)

    resp = request(dce, SumScalars, SumScalarsResponse, a=-100, b=-30000, c=2000000000, d=1 << 40,
                   e=2.5, f=1000.75, g=True, h=200, i=b'A', j=0xe9)
    check('SumScalars', resp['result'],
          -100 - 30000 + 2000000000 + (1 << 40) + 2 + 1000 + 1 + 200 + 65 + 0xe9)

    b = BaseTypes()
    values = dict(s8=-8, u8=250, s16=-16000, u16=65000, s32=-2000000000, u32=4000000000,
                  s64=-(1 << 60), u64=0xfedcba9876543210, f32=3.25, f64=-1e300, flag=True,
                  octet=0xab, letter=b'z', wide=0x20ac, status=0xdeadbeef)
    for k, v in values.items():
        b[k] = v
    resp = request(dce, EchoBase, EchoBaseResponse, value=b)
    check('EchoBase', {k: resp['echo'][k] for k in values}, values)

    resp = request(dce, NextColor, NextColorResponse, c=1, s=1)
    check('NextColor (16-bit enum)', resp['result'], 0x7fff)
    check('NextColor (v1_enum)', resp['bigger'], 0x10000)

    values = [i * 3 - 7000 for i in range(5000)]
    arr = []
    for v in values:
        item = ndr.NDRLONG()
        item['Data'] = v
        arr.append(item)
    resp = request(dce, SumArray, SumArrayResponse, n=len(values), values=arr)
    check('SumArray', resp['result'], sum(values))

    resp = request(dce, Concat, ConcatResponse, a='abc\x00', b='\u00e9\u4e2d\x00')
    check('Concat result', resp['result'], 5)
    check('Concat joined', resp['joined'], 'abc\u00e9\u4e2d\x00')

    check('MaybeLength NULL', request(dce, MaybeLength, MaybeLengthResponse, text=NULL)['result'], -1)
    check('MaybeLength "four"',
          request(dce, MaybeLength, MaybeLengthResponse, text='four\x00')['result'], 4)

    p = PLONG()
    p['Data'] = 21
    check('Twice 21', request(dce, Twice, TwiceResponse, value=p)['value'], 42)
    resp = request(dce, Twice, TwiceResponse, value=NULL)
    check('Twice NULL stays NULL', resp.fields['value'].fields['ReferentID'], 0)

    ptrs = Pointers()
    inner = Inner()
    inner['tag'], inner['value'] = 3, 1 << 50
    ptrs['maybe'] = inner
    ptrs['label'] = 'label\x00'
    numbers = []
    for v in (1, -2, 3):
        item = ndr.NDRHYPER()
        item['Data'] = v
        numbers.append(item)
    ptrs['n'] = 3
    ptrs['numbers'] = numbers
    echo = request(dce, EchoPointers, EchoPointersResponse, value=ptrs)['echo']
    check('EchoPointers maybe', (echo['maybe']['tag'], echo['maybe']['value']), (3, 1 << 50))
    check('EchoPointers label', echo['label'], 'label\x00')
    check('EchoPointers numbers', [x['Data'] for x in echo['numbers']], [1, -2, 3])
    check('EchoPointers n', echo['n'], 3)

    small = Small()
    small['tag'] = 2
    small['text'] = 'small\x00'
    echo = request(dce, EchoSmall, EchoSmallResponse, kind=2, value=small)['echo']
    check('EchoSmall tag', echo['tag'], 2)
    check('EchoSmall text', echo['text'], 'small\x00')

    check('Answer', request(dce, Answer, AnswerResponse, fail=False)['answer'], 42)
    check('Answer failing (E_INVALIDARG as a fault)',
          'E_INVALIDARG' in fault_of(dce, Answer, fail=True), True)
    check('Fault nca_s_unk_if', 'nca_s_unk_if' in fault_of(dce, Fault, status=0x1c010003), True)
    check('Percent 100', request(dce, Percent, PercentResponse, value=100)['result'], 100)
    check('Percent 101 refused (RPC_X_INVALID_BOUND, as Windows answers [range])',
          'invalid_bound' in fault_of(dce, Percent, value=101).lower(), True)

    # size_is(n / per) with the peer's per = 0: a fault for this call, and
    # the server (and this connection) keep serving.
    check('CountGroups 6 / 2', request(dce, CountGroups, CountGroupsResponse, n=6, per=2,
                                       groups=longs([1, 2, 3]))['result'], 3)
    check('CountGroups n / 0 refused (RPC_X_INVALID_BOUND)',
          'rpc_x_invalid_bound' in fault_of(dce, CountGroups, n=6, per=0, groups=[]), True)
    # Computed in 64 bits: INT_MIN / -1 is 2^31, which the 0 elements sent
    # do not match (bad stub data), not an overflow.
    check('CountGroups INT_MIN / -1 is 2^31 elements, not an overflow',
          'bad_stub_data' in fault_of(dce, CountGroups, n=-2**31, per=-1, groups=[]).lower(), True)
    check('served after the refusals',
          request(dce, CountGroups, CountGroupsResponse, n=4, per=4, groups=longs([7]))['result'], 1)

    counter = request(dce, OpenCounter, OpenCounterResponse, start=10)['counter']
    check('OpenCounter handle is not NULL', counter != b'\x00' * 20 and len(counter) == 20, True)
    check('Increment',
          request(dce, Increment, IncrementResponse, counter=counter_of(counter))['result'], 11)
    closed = request(dce, CloseCounter, CloseCounterResponse, counter=counter_of(counter))['counter']
    check('CloseCounter returns NULL', closed, b'\x00' * 20)
    check('Increment after close (context mismatch)',
          'context_mismatch' in fault_of(dce, Increment, counter=counter_of(counter)), True)
    dce.disconnect()


def main():
    run(int(sys.argv[1]))
    print(f'{len(failures)} failure(s)')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
