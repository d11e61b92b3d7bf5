// CO PDUs as values, with one encoder and one parser per PDU type
// (C706 12.6.4, MS-RPCE 2.2.2). Parsers take the whole PDU (exactly
// frag_length bytes) and treat every byte as hostile: each count is checked
// against the bytes left before anything is allocated.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "alpaca/base/uuid.h"
#include "alpaca/dcerpc/constants.h"
#include "alpaca/dcerpc/errors.h"
#include "alpaca/ndr/types.h"

namespace alpaca::dcerpc {

using Bytes = std::vector<std::uint8_t>;

struct Header {
  std::uint8_t rpc_vers_minor = 0;
  PacketType ptype = PacketType::kRequest;
  std::uint8_t pfc_flags = kPfcFirstFrag | kPfcLastFrag;
  ndr::Drep drep;
  std::uint16_t frag_length = 0;
  std::uint16_t auth_length = 0;
  std::uint32_t call_id = 0;
};

// p_syntax_id_t (C706 12.6.3.1): interface or transfer syntax + version.
// if_version is major in the low 16 bits, minor in the high 16 bits.
struct SyntaxId {
  Uuid uuid;
  std::uint16_t major = 0;
  std::uint16_t minor = 0;
  friend bool operator==(const SyntaxId&, const SyntaxId&) = default;
};

SyntaxId Ndr20Syntax();
SyntaxId Ndr64Syntax();
// MS-RPCE 2.2.2.14: 6cb71c2c-9812-4540-<features>-000000000000 v1.0.
bool IsBindTimeFeatureSyntax(const SyntaxId& s, std::uint16_t* features);
SyntaxId BindTimeFeatureSyntax(std::uint16_t features);

struct PresentationContext {  // p_cont_elem_t
  std::uint16_t context_id = 0;
  SyntaxId abstract_syntax;
  std::vector<SyntaxId> transfer_syntaxes;
};

struct BindPdu {  // bind and alter_context (C706 12.6.4.3 / 12.6.4.1)
  std::uint16_t max_xmit_frag = kDefaultFragSize;
  std::uint16_t max_recv_frag = kDefaultFragSize;
  std::uint32_t assoc_group_id = 0;
  std::vector<PresentationContext> contexts;
};

struct ContextResultEntry {  // p_result_t
  ContextResult result = ContextResult::kAcceptance;
  std::uint16_t reason = 0;  // ContextReason, or feature bits for kNegotiateAck
  SyntaxId transfer_syntax;
};

struct BindAckPdu {  // bind_ack and alter_context_resp (12.6.4.4 / 12.6.4.2)
  std::uint16_t max_xmit_frag = kDefaultFragSize;
  std::uint16_t max_recv_frag = kDefaultFragSize;
  std::uint32_t assoc_group_id = 0;
  std::string secondary_address;  // port_any_t, without its NUL
  std::vector<ContextResultEntry> results;
};

struct BindNakPdu {  // C706 12.6.4.5
  RejectReason reason = RejectReason::kNotSpecified;
};

struct RequestPdu {  // C706 12.6.4.9; stub is this fragment's part
  std::uint32_t alloc_hint = 0;
  std::uint16_t context_id = 0;
  std::uint16_t opnum = 0;
  std::optional<Uuid> object;
  std::span<const std::uint8_t> stub;
};

struct ResponsePdu {  // C706 12.6.4.10
  std::uint32_t alloc_hint = 0;
  std::uint16_t context_id = 0;
  std::uint8_t cancel_count = 0;
  std::span<const std::uint8_t> stub;
};

struct FaultPdu {  // C706 12.6.4.7
  std::uint32_t alloc_hint = 0;
  std::uint16_t context_id = 0;
  std::uint8_t cancel_count = 0;
  std::uint32_t status = 0;
};

// Reads the common header and validates what every PDU must satisfy:
// version 5.0/5.1, a supported drep, 16 <= frag_length <= data.size(), a
// known packet type, auth_length + 8 <= frag_length.
std::error_code ParseHeader(std::span<const std::uint8_t> data, Header& out);
// frag_length alone from the first 16 bytes, for stream framing.
std::error_code PeekFragLength(std::span<const std::uint8_t, kCommonHeaderSize> first16,
                               std::uint16_t& frag_length);

std::error_code ParseBind(std::span<const std::uint8_t> pdu, const Header& h, BindPdu& out);
std::error_code ParseBindAck(std::span<const std::uint8_t> pdu, const Header& h, BindAckPdu& out);
std::error_code ParseBindNak(std::span<const std::uint8_t> pdu, const Header& h, BindNakPdu& out);
std::error_code ParseRequest(std::span<const std::uint8_t> pdu, const Header& h, RequestPdu& out);
std::error_code ParseResponse(std::span<const std::uint8_t> pdu, const Header& h, ResponsePdu& out);
std::error_code ParseFault(std::span<const std::uint8_t> pdu, const Header& h, FaultPdu& out);

// Encoders write a complete PDU with frag_length filled in.
Bytes EncodeBind(PacketType type, std::uint32_t call_id, const BindPdu& bind);
Bytes EncodeBindAck(PacketType type, std::uint32_t call_id, const BindAckPdu& ack);
Bytes EncodeBindNak(std::uint32_t call_id, const BindNakPdu& nak);
Bytes EncodeRequest(std::uint32_t call_id, std::uint8_t flags, const RequestPdu& req);
Bytes EncodeResponse(std::uint32_t call_id, std::uint8_t flags, const ResponsePdu& resp);
Bytes EncodeFault(std::uint32_t call_id, const FaultPdu& fault, std::uint8_t extra_flags = 0);
// shutdown, co_cancel, orphaned: header only.
Bytes EncodeHeaderOnly(PacketType type, std::uint32_t call_id,
                       std::uint8_t flags = kPfcFirstFrag | kPfcLastFrag);

}  // namespace alpaca::dcerpc
