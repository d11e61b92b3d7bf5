#include "alpaca/dcerpc/pdu.h"

#include "alpaca/ndr/decoder.h"
#include "alpaca/ndr/encoder.h"

namespace alpaca::dcerpc {
namespace {

void WriteHeader(ndr::Encoder& e, PacketType type, std::uint8_t flags, std::uint32_t call_id) {
  e.Write<std::uint8_t>(5);
  e.Write<std::uint8_t>(0);
  e.Write(static_cast<std::uint8_t>(type));
  e.Write(flags);
  ndr::Drep drep;
  e.WriteBytes(drep.bytes);
  e.Write<std::uint16_t>(0);  // frag_length, patched by Finish
  e.Write<std::uint16_t>(0);  // auth_length
  e.Write(call_id);
}

Bytes Finish(ndr::Encoder& e) {
  Bytes out = e.Take();
  auto len = static_cast<std::uint16_t>(out.size());
  out[8] = static_cast<std::uint8_t>(len & 0xff);
  out[9] = static_cast<std::uint8_t>(len >> 8);
  return out;
}

void WriteSyntax(ndr::Encoder& e, const SyntaxId& s) {
  e.WriteUuid(s.uuid);
  e.Write(s.major);
  e.Write(s.minor);
}

SyntaxId ReadSyntax(ndr::Decoder& d) {
  SyntaxId s;
  s.uuid = d.ReadUuid();
  s.major = d.Read<std::uint16_t>();
  s.minor = d.Read<std::uint16_t>();
  return s;
}

// A decoder over the PDU body (after the header), with the header's drep;
// alignment stays relative to the PDU start since the header is 16 bytes.
// The body excludes the auth verifier (auth_length + 8-byte trailer).
std::span<const std::uint8_t> Body(std::span<const std::uint8_t> pdu, const Header& h) {
  std::size_t end = h.frag_length;
  if (h.auth_length != 0) end -= h.auth_length + 8u;  // checked in ParseHeader
  return pdu.subspan(0, end);
}

std::error_code Done(ndr::Decoder& d) {
  if (!d.Ok()) return Errc::kTruncated;
  return {};
}

}  // namespace

SyntaxId Ndr20Syntax() { return {ndr::kNdr20Uuid, 2, 0}; }
SyntaxId Ndr64Syntax() { return {UuidFromLiteral("71710533-beba-4937-8319-b5dbef9ccc36"), 1, 0}; }

bool IsBindTimeFeatureSyntax(const SyntaxId& s, std::uint16_t* features) {
  if (s.uuid.time_low != 0x6cb71c2c || s.uuid.time_mid != 0x9812 ||
      s.uuid.time_hi_and_version != 0x4540) {
    return false;
  }
  if (features) {
    // The bitmask is the first two bytes of clock_seq_and_node, little-endian.
    *features = static_cast<std::uint16_t>(s.uuid.clock_seq_and_node[0] |
                                           s.uuid.clock_seq_and_node[1] << 8);
  }
  return true;
}

SyntaxId BindTimeFeatureSyntax(std::uint16_t features) {
  SyntaxId s{UuidFromLiteral("6cb71c2c-9812-4540-0000-000000000000"), 1, 0};
  s.uuid.clock_seq_and_node[0] = static_cast<std::uint8_t>(features & 0xff);
  s.uuid.clock_seq_and_node[1] = static_cast<std::uint8_t>(features >> 8);
  return s;
}

std::error_code PeekFragLength(std::span<const std::uint8_t, kCommonHeaderSize> b,
                               std::uint16_t& frag_length) {
  if (b[0] != 5) return Errc::kBadVersion;
  bool little = (b[4] & 0xf0) == 0x10;
  frag_length = little ? static_cast<std::uint16_t>(b[8] | b[9] << 8)
                       : static_cast<std::uint16_t>(b[8] << 8 | b[9]);
  if (frag_length < kCommonHeaderSize) return Errc::kBadFragLength;
  return {};
}

std::error_code ParseHeader(std::span<const std::uint8_t> data, Header& out) {
  if (data.size() < kCommonHeaderSize) return Errc::kTruncated;
  if (data[0] != 5 || data[1] > 1) return Errc::kBadVersion;
  out.rpc_vers_minor = data[1];
  for (int i = 0; i < 4; ++i) out.drep.bytes[i] = data[4 + i];
  if (!out.drep.Supported()) return Errc::kUnsupportedDrep;
  std::uint8_t t = data[2];
  switch (static_cast<PacketType>(t)) {
    case PacketType::kRequest:
    case PacketType::kResponse:
    case PacketType::kFault:
    case PacketType::kBind:
    case PacketType::kBindAck:
    case PacketType::kBindNak:
    case PacketType::kAlterContext:
    case PacketType::kAlterContextResp:
    case PacketType::kAuth3:
    case PacketType::kShutdown:
    case PacketType::kCoCancel:
    case PacketType::kOrphaned:
      break;
    default:
      return Errc::kUnknownPacketType;
  }
  out.ptype = static_cast<PacketType>(t);
  out.pfc_flags = data[3];
  ndr::Decoder d(data.subspan(8, 8), out.drep);
  out.frag_length = d.Read<std::uint16_t>();
  out.auth_length = d.Read<std::uint16_t>();
  out.call_id = d.Read<std::uint32_t>();
  if (out.frag_length < kCommonHeaderSize || out.frag_length > data.size()) {
    return Errc::kBadFragLength;
  }
  if (out.auth_length != 0 &&
      std::size_t{out.auth_length} + 8 + kCommonHeaderSize > out.frag_length) {
    return Errc::kBadFragLength;
  }
  return {};
}

std::error_code ParseBind(std::span<const std::uint8_t> pdu, const Header& h, BindPdu& out) {
  ndr::Decoder d(Body(pdu, h), h.drep);
  d.Read<std::uint64_t>();
  d.Read<std::uint64_t>();
  out.max_xmit_frag = d.Read<std::uint16_t>();
  out.max_recv_frag = d.Read<std::uint16_t>();
  out.assoc_group_id = d.Read<std::uint32_t>();
  std::uint8_t n = d.Read<std::uint8_t>();
  d.Read<std::uint8_t>();
  d.Read<std::uint16_t>();
  // Each p_cont_elem_t is at least 4 + 20 + 20 bytes.
  if (!d.Ok()) return Errc::kTruncated;
  if (std::size_t{n} * 44 > d.Remaining()) return Errc::kBadCount;
  out.contexts.clear();
  out.contexts.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    PresentationContext c;
    c.context_id = d.Read<std::uint16_t>();
    std::uint8_t n_syn = d.Read<std::uint8_t>();
    d.Read<std::uint8_t>();
    c.abstract_syntax = ReadSyntax(d);
    if (!d.Ok()) return Errc::kTruncated;
    if (n_syn == 0 || std::size_t{n_syn} * 20 > d.Remaining()) return Errc::kBadCount;
    for (unsigned j = 0; j < n_syn; ++j) c.transfer_syntaxes.push_back(ReadSyntax(d));
    out.contexts.push_back(std::move(c));
  }
  return Done(d);
}

std::error_code ParseBindAck(std::span<const std::uint8_t> pdu, const Header& h, BindAckPdu& out) {
  ndr::Decoder d(Body(pdu, h), h.drep);
  d.Read<std::uint64_t>();
  d.Read<std::uint64_t>();
  out.max_xmit_frag = d.Read<std::uint16_t>();
  out.max_recv_frag = d.Read<std::uint16_t>();
  out.assoc_group_id = d.Read<std::uint32_t>();
  std::uint16_t addr_len = d.Read<std::uint16_t>();
  if (!d.Ok() || addr_len > d.Remaining()) return Errc::kTruncated;
  std::string addr(addr_len, '\0');
  d.ReadBytes({reinterpret_cast<std::uint8_t*>(addr.data()), addr.size()});
  if (!addr.empty() && addr.back() == '\0') addr.pop_back();
  out.secondary_address = std::move(addr);
  d.Align(4);
  std::uint8_t n = d.Read<std::uint8_t>();
  d.Read<std::uint8_t>();
  d.Read<std::uint16_t>();
  if (!d.Ok()) return Errc::kTruncated;
  if (std::size_t{n} * 24 > d.Remaining()) return Errc::kBadCount;
  out.results.clear();
  for (unsigned i = 0; i < n; ++i) {
    ContextResultEntry r;
    r.result = static_cast<ContextResult>(d.Read<std::uint16_t>());
    r.reason = d.Read<std::uint16_t>();
    r.transfer_syntax = ReadSyntax(d);
    out.results.push_back(r);
  }
  return Done(d);
}

std::error_code ParseBindNak(std::span<const std::uint8_t> pdu, const Header& h, BindNakPdu& out) {
  ndr::Decoder d(Body(pdu, h), h.drep);
  d.Read<std::uint64_t>();
  d.Read<std::uint64_t>();
  out.reason = static_cast<RejectReason>(d.Read<std::uint16_t>());
  return Done(d);
}

std::error_code ParseRequest(std::span<const std::uint8_t> pdu, const Header& h, RequestPdu& out) {
  auto body = Body(pdu, h);
  ndr::Decoder d(body, h.drep);
  d.Read<std::uint64_t>();
  d.Read<std::uint64_t>();
  out.alloc_hint = d.Read<std::uint32_t>();
  out.context_id = d.Read<std::uint16_t>();
  out.opnum = d.Read<std::uint16_t>();
  out.object.reset();
  if (h.pfc_flags & kPfcObjectUuid) out.object = d.ReadUuid();
  if (!d.Ok()) return Errc::kTruncated;
  out.stub = body.subspan(d.Position());
  return {};
}

std::error_code ParseResponse(std::span<const std::uint8_t> pdu, const Header& h,
                              ResponsePdu& out) {
  auto body = Body(pdu, h);
  ndr::Decoder d(body, h.drep);
  d.Read<std::uint64_t>();
  d.Read<std::uint64_t>();
  out.alloc_hint = d.Read<std::uint32_t>();
  out.context_id = d.Read<std::uint16_t>();
  out.cancel_count = d.Read<std::uint8_t>();
  d.Read<std::uint8_t>();
  if (!d.Ok()) return Errc::kTruncated;
  out.stub = body.subspan(d.Position());
  return {};
}

std::error_code ParseFault(std::span<const std::uint8_t> pdu, const Header& h, FaultPdu& out) {
  ndr::Decoder d(Body(pdu, h), h.drep);
  d.Read<std::uint64_t>();
  d.Read<std::uint64_t>();
  out.alloc_hint = d.Read<std::uint32_t>();
  out.context_id = d.Read<std::uint16_t>();
  out.cancel_count = d.Read<std::uint8_t>();
  d.Read<std::uint8_t>();
  out.status = d.Read<std::uint32_t>();
  return Done(d);
}

Bytes EncodeBind(PacketType type, std::uint32_t call_id, const BindPdu& bind) {
  ndr::Encoder e;
  WriteHeader(e, type, kPfcFirstFrag | kPfcLastFrag, call_id);
  e.Write(bind.max_xmit_frag);
  e.Write(bind.max_recv_frag);
  e.Write(bind.assoc_group_id);
  e.Write(static_cast<std::uint8_t>(bind.contexts.size()));
  e.Write<std::uint8_t>(0);
  e.Write<std::uint16_t>(0);
  for (const auto& c : bind.contexts) {
    e.Write(c.context_id);
    e.Write(static_cast<std::uint8_t>(c.transfer_syntaxes.size()));
    e.Write<std::uint8_t>(0);
    WriteSyntax(e, c.abstract_syntax);
    for (const auto& t : c.transfer_syntaxes) WriteSyntax(e, t);
  }
  return Finish(e);
}

Bytes EncodeBindAck(PacketType type, std::uint32_t call_id, const BindAckPdu& ack) {
  ndr::Encoder e;
  WriteHeader(e, type, kPfcFirstFrag | kPfcLastFrag, call_id);
  e.Write(ack.max_xmit_frag);
  e.Write(ack.max_recv_frag);
  e.Write(ack.assoc_group_id);
  if (ack.secondary_address.empty()) {
    e.Write<std::uint16_t>(0);
  } else {
    e.Write(static_cast<std::uint16_t>(ack.secondary_address.size() + 1));
    e.WriteBytes({reinterpret_cast<const std::uint8_t*>(ack.secondary_address.data()),
                  ack.secondary_address.size()});
    e.Write<std::uint8_t>(0);
  }
  e.Align(4);
  e.Write(static_cast<std::uint8_t>(ack.results.size()));
  e.Write<std::uint8_t>(0);
  e.Write<std::uint16_t>(0);
  for (const auto& r : ack.results) {
    e.Write(static_cast<std::uint16_t>(r.result));
    e.Write(r.reason);
    WriteSyntax(e, r.transfer_syntax);
  }
  return Finish(e);
}

Bytes EncodeBindNak(std::uint32_t call_id, const BindNakPdu& nak) {
  ndr::Encoder e;
  WriteHeader(e, PacketType::kBindNak, kPfcFirstFrag | kPfcLastFrag, call_id);
  e.Write(static_cast<std::uint16_t>(nak.reason));
  // p_rt_versions_supported_t: one protocol version, 5.0.
  e.Write<std::uint8_t>(1);
  e.Write<std::uint8_t>(5);
  e.Write<std::uint8_t>(0);
  e.Align(4);
  return Finish(e);
}

Bytes EncodeRequest(std::uint32_t call_id, std::uint8_t flags, const RequestPdu& req) {
  ndr::Encoder e;
  if (req.object) flags |= kPfcObjectUuid;
  WriteHeader(e, PacketType::kRequest, flags, call_id);
  e.Write(req.alloc_hint);
  e.Write(req.context_id);
  e.Write(req.opnum);
  if (req.object) e.WriteUuid(*req.object);
  e.WriteBytes(req.stub);
  return Finish(e);
}

Bytes EncodeResponse(std::uint32_t call_id, std::uint8_t flags, const ResponsePdu& resp) {
  ndr::Encoder e;
  WriteHeader(e, PacketType::kResponse, flags, call_id);
  e.Write(resp.alloc_hint);
  e.Write(resp.context_id);
  e.Write(resp.cancel_count);
  e.Write<std::uint8_t>(0);
  e.WriteBytes(resp.stub);
  return Finish(e);
}

Bytes EncodeFault(std::uint32_t call_id, const FaultPdu& fault, std::uint8_t extra_flags) {
  ndr::Encoder e;
  WriteHeader(e, PacketType::kFault, kPfcFirstFrag | kPfcLastFrag | extra_flags, call_id);
  e.Write(fault.alloc_hint);
  e.Write(fault.context_id);
  e.Write(fault.cancel_count);
  e.Write<std::uint8_t>(0);
  e.Write(fault.status);
  e.Write<std::uint32_t>(0);  // reserved (C706 12.6.4.7)
  return Finish(e);
}

Bytes EncodeHeaderOnly(PacketType type, std::uint32_t call_id, std::uint8_t flags) {
  ndr::Encoder e;
  WriteHeader(e, type, flags, call_id);
  return Finish(e);
}

}  // namespace alpaca::dcerpc
