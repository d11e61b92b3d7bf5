"""Raw DCE/RPC connection-oriented PDUs (C706 chapter 12) over a socket, for
tests that must misbehave on purpose: pipelining without reading, oversized
fragments, unfinished calls. Only what those tests need; Impacket is the
well-behaved client elsewhere.
"""
import socket
import struct
import uuid

BIND, BIND_ACK, BIND_NAK, REQUEST, RESPONSE, FAULT = 11, 12, 13, 0, 2, 3
FIRST, LAST = 0x01, 0x02
NDR20 = ('8a885d04-1ceb-11c9-9fe8-08002b104860', 2, 0)
ALPACA_TEST = ('4b8d1f2e-7a3c-4e5b-9c0d-1a2b3c4d5e6f', 1, 0)
GREET = 2

NCA_S_FAULT_REMOTE_NO_MEMORY = 0x1c00001b
NCA_S_PROTO_ERROR = 0x1c01000b
HEADER = 16
REQUEST_HEADER = 24


def header(ptype, flags, frag_length, call_id):
    return struct.pack('<BBBB4sHHI', 5, 0, ptype, flags, b'\x10\0\0\0', frag_length, 0, call_id)


def syntax(s):
    u, major, minor = s
    return uuid.UUID(u).bytes_le + struct.pack('<HH', major, minor)


def bind_pdu(call_id=1, iface=ALPACA_TEST, max_frag=5840):
    body = struct.pack('<HHI', max_frag, max_frag, 0)
    body += struct.pack('<BBH', 1, 0, 0)
    body += struct.pack('<HBB', 0, 1, 0) + syntax(iface) + syntax(NDR20)
    return header(BIND, FIRST | LAST, HEADER + len(body), call_id) + body


def request_pdu(call_id, opnum, stub, flags=FIRST | LAST, alloc_hint=None):
    hint = len(stub) if alloc_hint is None else alloc_hint
    body = struct.pack('<IHH', hint, 0, opnum) + stub
    return header(REQUEST, flags, HEADER + len(body), call_id) + body


def request_fragments(call_id, opnum, stub, max_frag=5840):
    """The request split as a well-behaved client splits it."""
    room = (max_frag - REQUEST_HEADER) & ~7
    out = []
    pos = 0
    while True:
        part = stub[pos:pos + room]
        flags = (FIRST if pos == 0 else 0) | (LAST if pos + len(part) == len(stub) else 0)
        out.append(request_pdu(call_id, opnum, part, flags, alloc_hint=len(stub) - pos))
        pos += len(part)
        if pos >= len(stub):
            return out


def greet_stub(name):
    """[in, string] wchar_t* name: a conformant varying string, NUL included."""
    chars = name + '\0'
    data = chars.encode('utf-16-le')
    stub = struct.pack('<III', len(chars), 0, len(chars)) + data
    return stub + b'\0' * (-len(stub) % 4)


def recv_exact(sock, n):
    buf = b''
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def recv_pdu(sock):
    """(ptype, flags, call_id, body) or None at end of stream."""
    h = recv_exact(sock, HEADER)
    if h is None:
        return None
    _, _, ptype, flags, _, frag_length, _, call_id = struct.unpack('<BBBB4sHHI', h)
    body = recv_exact(sock, frag_length - HEADER)
    if body is None:
        return None
    return ptype, flags, call_id, body


def fault_status(body):
    return struct.unpack_from('<I', body, 8)[0]


def connect(port, source='127.0.0.1', timeout=60):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)  # a safety net against a hang, not a test condition
    s.bind((source, 0))
    s.connect(('127.0.0.1', port))
    return s


def bind(sock):
    sock.sendall(bind_pdu())
    pdu = recv_pdu(sock)
    assert pdu is not None and pdu[0] == BIND_ACK, f'no bind_ack: {pdu!r}'


def greet(sock, call_id, name='alpaca'):
    """One Greet call; returns the reply PDU (RESPONSE or FAULT)."""
    sock.sendall(request_pdu(call_id, GREET, greet_stub(name)))
    pdu = recv_pdu(sock)
    assert pdu is not None, 'connection closed instead of a reply'
    return pdu


def reset(sock):
    """Closes with an RST, as a peer that crashes or aborts does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    sock.close()
