#!/usr/bin/env python3
"""Writes fuzz/rpc_session/corpus: scripts for session_fuzz.cc that reach
its deep states (bound, calls answered, a fragmented call in the middle of
reassembly, calls queued then cancelled or orphaned, context handles taken
from responses and sent back). Each seed calls the Script methods in the
order session_fuzz.cc consumes its input; keep the two in step."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fdp_seed import Fdp, write  # noqa: E402

TEST, COUNTER, UNKNOWN = "test", "counter", "unknown"

# Step() action numbers.
BIND_AUTO, BIND_CHOSEN, REQUEST, REQUEST_PIECEWISE, SEND_PENDING = 0, 1, 2, 3, 4
CANCEL, ORPHANED, RUN_ONE, RUN_ALL, GARBAGE, MUTATED, HEADER_ONLY, BAD_VERSION = range(5, 13)


class Script:
    def __init__(self, inline_calls):
        self.f = Fdp()
        self.recent = []
        self.next_id = 1
        self.contexts = {}
        self.handles = 0  # counter handles the server will have returned
        self.f.boolean(inline_calls)

    def action(self, n):
        self.f.int_range(0, 12, n)

    def call_id(self, reuse=None):
        """PickCallId: a fresh sequential id, or recent_ids[reuse]."""
        if self.recent:
            self.f.boolean(reuse is not None)
            if reuse is not None:
                self.f.size_range(0, len(self.recent) - 1, reuse)
                return self.recent[reuse]
        self.f.boolean(True)
        cid = self.next_id
        self.next_id += 1
        if len(self.recent) < 8:
            self.recent.append(cid)
        return cid

    def bind(self, contexts, chosen_type=None):
        """contexts: [(context_id, iface, [transfer choice...])]."""
        if chosen_type is None:
            self.action(BIND_AUTO)
        else:
            self.action(BIND_CHOSEN)
            self.f.boolean(chosen_type == "bind")
        self.bind_body(contexts)

    def bind_body(self, contexts):
        self.f.u16(5840)      # max_xmit_frag
        self.f.boolean(True)  # max_recv_frag: the default
        self.f.boolean(True)  # assoc_group_id 0: a new group
        self.f.int_range(0, 4, len(contexts))
        for context_id, iface, transfers in contexts:
            self.f.int_in_range(0, 3, context_id, 2)
            self.f.int_range(0, 5, {TEST: 0, COUNTER: 1, UNKNOWN: 4}[iface])
            self.contexts[context_id] = iface
            self.f.int_range(0, 3, len(transfers))
            for t in transfers:  # 0 NDR20, 2 NDR64, 3 bind time features
                self.f.int_range(0, 4, t)
                if t == 3:
                    self.f.u16(3)
        return self.call_id()

    def stub(self, iface, opnum, **kw):
        f = self.f
        if iface == UNKNOWN or "raw" in kw:
            if iface != UNKNOWN:
                f.int_range(0, 3, 0)
            data = kw.get("raw", b"")
            f.size_range(0, 96, len(data))
            f.raw(data)
            return
        f.int_range(0, 3, 1)
        if iface == COUNTER:
            if opnum == 0:
                f.u64(kw.get("start", 40))
            elif opnum in (1, 2):
                self.handle(kw.get("handle", 0))
                if opnum == 1:
                    f.u32(kw.get("delta", 2))
            else:
                f.i32(kw.get("value", 7))
            return
        if opnum == 0:
            f.i8(1); f.i16(2); f.i32(3); f.i64(4); f.float32(); f.float64()
        elif opnum == 1:
            f.int_in_range(0, 4000, kw.get("count", 3), 4)
            f.i32(kw.get("seed", 5))
            f.boolean(True)  # count matches the array
        elif opnum in (2, 5):
            f.string(kw.get("text", "alpaca"))
            if opnum == 5:
                f.boolean(True)
        elif opnum in (3, 4):
            if opnum == 4:
                f.i32(41)
            f.i32(1); f.i32(2); f.i16(3); f.i64(4)
        else:
            f.i32(kw.get("value", 5))

    def handle(self, index):
        """A handle the server returned (index), or None: a made-up one."""
        if self.handles:
            self.f.int_range(0, 3, 1 if index is not None else 0)
            if index is not None:
                self.f.size_range(0, self.handles - 1, index)
                return
        self.f.int_in_range(0, 1, 0, 4)
        self.f.u32(0xDEADBEEF)

    def request(self, context_id, opnum, piecewise=False, max_frag=None, reuse=None, **kw):
        self.action(REQUEST_PIECEWISE if piecewise else REQUEST)
        self.f.int_in_range(0, 3, context_id, 2)
        self.f.int_in_range(0, 8, opnum, 2)
        self.f.int_range(0, 7, 1)  # no object UUID
        self.stub(self.contexts.get(context_id, UNKNOWN), opnum, **kw)
        self.f.boolean(max_frag is None)
        if max_frag is not None:
            self.f.int_in_range(48, 9000, max_frag, 2)
        cid = self.call_id(reuse)
        self.f.int_range(0, 7, 1)  # alloc_hint as built
        return cid

    def send_pending(self, all_of_them):
        self.action(SEND_PENDING)
        self.f.boolean(all_of_them)

    def cancel(self, reuse, orphaned=False):
        self.action(ORPHANED if orphaned else CANCEL)
        self.call_id(reuse)

    def run(self, all_of_them=True):
        self.action(RUN_ALL if all_of_them else RUN_ONE)

    def garbage(self, data, valid_header):
        self.action(GARBAGE)
        self.f.size_range(16, 256, len(data))
        self.f.raw(data)
        self.f.boolean(valid_header)

    def header_only(self, which, flags=3):
        self.action(HEADER_ONLY)
        self.f.size_range(0, 6, which)  # auth3, shutdown, response, fault, ...
        self.call_id()
        self.f.u8(flags)

    def bad_version(self):
        self.action(BAD_VERSION)
        self.bind_body([(0, TEST, [0])])
        self.f.boolean(False)  # major 5
        self.f.int_in_range(2, 255, 2, 1)


def seeds():
    s = Script(inline_calls=True)
    s.bind([(0, TEST, [0]), (1, TEST, [2])])
    for opnum in range(7):
        s.request(0, opnum)
    yield "bind_then_each_method", s

    s = Script(inline_calls=True)
    s.bind([(0, TEST, [0]), (1, COUNTER, [0, 3])])
    s.request(1, 0, start=100)         # Open: the server returns a handle
    s.handles = 1
    s.request(1, 1, handle=0, delta=5)  # Add on it
    s.request(1, 1, handle=0, delta=6)
    s.request(1, 2, handle=0)          # Close
    s.request(1, 1, handle=None)       # a handle the server never gave
    s.request(1, 0, start=1)           # left open: run down on close
    yield "context_handles", s

    s = Script(inline_calls=False)
    s.bind([(0, TEST, [0])])
    s.request(0, 1, piecewise=True, max_frag=1432, count=2000)
    s.send_pending(False)
    s.cancel(reuse=1)                  # co_cancel mid-reassembly
    s.send_pending(True)
    s.request(0, 0)
    s.cancel(reuse=2)                  # co_cancel while queued
    s.run(all_of_them=False)
    s.run()
    yield "fragmented_cancel_queued", s

    s = Script(inline_calls=False)
    s.bind([(0, COUNTER, [0])])
    s.request(0, 3, value=9)           # Poll
    s.request(0, 3, value=10)
    s.cancel(reuse=1)
    s.cancel(reuse=2, orphaned=True)
    s.run()
    s.request(0, 1, piecewise=True, max_frag=64, handle=None)
    s.cancel(reuse=3, orphaned=True)   # orphaned mid-reassembly
    s.send_pending(True)
    yield "orphaned", s

    s = Script(inline_calls=False)
    s.bind([(0, TEST, [0])])
    for _ in range(6):                 # past max_concurrent_calls (4)
        s.request(0, 6, value=5)
    s.run()
    s.bind([(1, COUNTER, [0]), (2, UNKNOWN, [0])], chosen_type="alter")
    s.request(1, 3)
    s.request(2, 0, raw=b"\x01\x02\x03\x04")
    s.run()
    yield "server_too_busy_alter_context", s

    s = Script(inline_calls=True)
    s.bind([(0, TEST, [0])])
    s.request(0, 1, max_frag=4000, count=4000)  # past max_call_bytes
    yield "call_too_large", s

    s = Script(inline_calls=True)
    s.request(0, 0)                    # a request before the bind
    yield "request_unbound", s

    s = Script(inline_calls=True)
    s.bad_version()
    yield "bind_bad_version", s

    s = Script(inline_calls=True)
    s.bind([(0, TEST, [0])])
    s.header_only(0)                   # auth3: ignored
    s.request(0, 2, text="hello")
    s.garbage(bytes(range(40)), valid_header=True)
    yield "bind_garbage", s

    s = Script(inline_calls=True)
    s.bind([(0, TEST, [0])])
    s.bind([(0, TEST, [0])], chosen_type="bind")  # a second bind
    yield "bind_twice", s


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    for name, script in seeds():
        write(out, name, script.f)


if __name__ == "__main__":
    main()
