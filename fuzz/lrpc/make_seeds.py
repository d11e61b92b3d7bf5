#!/usr/bin/env python3
"""Writes fuzz/lrpc/corpus: clients for lrpc_fuzz.cc — binds right and
wrong, calls of every AlpacaTest method (inline and through the section
view), malformed requests, datagrams and abandoned calls. Each seed calls
the Client methods in the order lrpc_fuzz.cc consumes its input; keep the
two in step."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fdp_seed import Fdp, write  # noqa: E402

DATAGRAM, LOST_REPLY, CALL = 0, 1, 2


class Client:
    def __init__(self, bind_field=9, section=True, raw_info=None):
        """bind_field: which bind field ConnectInfo spoils (7..9: none)."""
        f = self.f = Fdp()
        if raw_info is not None:
            f.int_range(0, 7, 0)
            f.size_range(0, 64, len(raw_info))
            f.raw(raw_info)
        else:
            f.int_range(0, 7, 1)
            f.u16(0)  # flags
            f.int_range(0, 9, bind_field)
            if bind_field in (0, 1, 3, 4):
                f.u16(0x4242) if bind_field != 0 else f.u32(0x41414141)
            elif bind_field in (2, 5):
                f.int_range(0, 15, 3)
            elif bind_field == 6:
                f.u32(1)
            f.int_range(0, 15, 1)  # its size as is
        f.boolean(section)

    def request_data(self, opnum, drep=None, obj=False, **kw):
        f = self.f
        if "raw" in kw:
            f.int_range(0, 7, 0)
            f.size_range(0, 40, len(kw["raw"]))
            f.raw(kw["raw"])
            return
        f.int_range(0, 7, 1)
        f.int_in_range(0, 8, opnum, 2)
        f.int_range(0, 5, 0 if obj else 1)
        f.int_range(0, 15, 0 if "flags" in kw else 1)
        if "flags" in kw:
            f.u16(kw["flags"])
        if drep is None:
            f.int_range(0, 7, 2)
        elif drep == "big":
            f.int_range(0, 7, 0)
        else:
            f.int_range(0, 7, 1)
            for b in drep:
                f.u8(b)
        self.stub(opnum, **kw)
        if obj:
            f.u32(0x12345678)
            f.int_range(0, 7, 1)  # the whole UUID

    def stub(self, opnum, **kw):
        f = self.f
        if "stub" in kw:
            f.int_range(0, 3, 0)
            f.size_range(0, 128, len(kw["stub"]))
            f.raw(kw["stub"])
            return
        f.int_range(0, 3, 1)
        if opnum == 0:
            f.i8(1); f.i16(2); f.i32(3); f.i64(4); f.float32(); f.float64()
        elif opnum == 1:
            f.int_in_range(0, 64 * 1024 // 4 + 16, kw.get("count", 4), 4)
            f.i32(7)
        elif opnum in (2, 5):
            f.string(kw.get("text", "ncalrpc"))
            if opnum == 5:
                f.boolean(True)
        elif opnum in (3, 4):
            if opnum == 4:
                f.i32(41)
            f.i32(1); f.i32(2); f.i16(3); f.i64(4)
        else:
            f.i32(kw.get("value", 5))

    def call(self, opnum, view=False, **kw):
        self.f.int_range(0, 7, CALL)
        self.request_data(opnum, **kw)
        self.f.boolean(view)

    def datagram(self, data):
        self.f.int_range(0, 7, DATAGRAM)
        self.f.size_range(0, 32, len(data))
        self.f.raw(data)

    def lost_reply(self, opnum):
        self.f.int_range(0, 7, LOST_REPLY)
        self.request_data(opnum)


def seeds():
    c = Client()
    for opnum in range(9):  # 7 and 8: past the method table
        c.call(opnum)
    yield "each_method", c

    c = Client(section=True)
    c.call(1, view=True, count=4000)   # through the section view
    c.call(1, count=16400)             # past max_call_bytes
    yield "large_view", c

    c = Client()
    c.call(0, obj=True)
    c.call(2, drep="big", text="big endian")
    c.call(6, value=1783)
    yield "object_big_endian_fail", c

    c = Client()
    c.datagram(b"datagram")
    c.lost_reply(5)
    c.call(3)
    yield "datagram_lost_reply", c

    c = Client()
    c.call(0, flags=0x8000)            # unknown flag: fault, disconnect
    yield "bad_flags", c

    c = Client()
    c.call(0, drep=[0x11, 0, 0, 0])    # EBCDIC: fault, disconnect
    yield "bad_drep", c

    c = Client()
    c.call(0, raw=b"\x00\x00\x01\x00")  # header cut short
    yield "short_header", c

    c = Client()
    c.call(4, stub=b"\xff" * 12)       # stub the method rejects
    yield "bad_stub", c

    for field, name in [(0, "bad_magic"), (1, "bad_version"), (2, "unknown_interface"),
                        (4, "newer_minor"), (6, "bad_transfer_version")]:
        yield "bind_" + name, Client(bind_field=field)
    yield "bind_short", Client(raw_info=b"ALRB")


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    for name, client in seeds():
        write(out, name, client.f)


if __name__ == "__main__":
    main()
