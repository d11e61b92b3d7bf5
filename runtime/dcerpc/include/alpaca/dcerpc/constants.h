// DCE/RPC connection-oriented protocol constants (C706 chapter 12,
// MS-RPCE 2.2.2) and the wire layout of the 16-byte common header.
#pragma once

#include <cstdint>

namespace alpaca::dcerpc {

// C706 12.6.4.1, packet types used by the CO protocol (and auth3, MS-RPCE).
enum class PacketType : std::uint8_t {
  kRequest = 0,
  kResponse = 2,
  kFault = 3,
  kBind = 11,
  kBindAck = 12,
  kBindNak = 13,
  kAlterContext = 14,
  kAlterContextResp = 15,
  kAuth3 = 16,
  kShutdown = 17,
  kCoCancel = 18,
  kOrphaned = 19,
};

// C706 12.6.3.1 pfc_flags.
inline constexpr std::uint8_t kPfcFirstFrag = 0x01;
inline constexpr std::uint8_t kPfcLastFrag = 0x02;
inline constexpr std::uint8_t kPfcPendingCancel = 0x04;  // header signing in bind (MS-RPCE)
inline constexpr std::uint8_t kPfcConcMpx = 0x10;
inline constexpr std::uint8_t kPfcDidNotExecute = 0x20;
inline constexpr std::uint8_t kPfcMaybe = 0x40;
inline constexpr std::uint8_t kPfcObjectUuid = 0x80;

// C706 12.6.3.1: the common header every CO PDU starts with. Parsers read
// it field by field (drep decides the byte order); this struct documents the
// layout and fixes its size.
struct CommonHeaderWire {
  std::uint8_t rpc_vers;        // 5
  std::uint8_t rpc_vers_minor;  // 0 or 1
  std::uint8_t ptype;
  std::uint8_t pfc_flags;
  std::uint8_t drep[4];
  std::uint16_t frag_length;
  std::uint16_t auth_length;
  std::uint32_t call_id;
};
static_assert(sizeof(CommonHeaderWire) == 16);
inline constexpr std::size_t kCommonHeaderSize = 16;
// request: header + alloc_hint(4) + p_cont_id(2) + opnum(2) (C706 12.6.4.9).
inline constexpr std::size_t kRequestHeaderSize = 24;
// response: header + alloc_hint(4) + p_cont_id(2) + cancel_count(1) + 1.
inline constexpr std::size_t kResponseHeaderSize = 24;
inline constexpr std::size_t kObjectUuidSize = 16;

// C706 12.6.3.1 / 12.6.4.3: bind result and reason codes.
enum class ContextResult : std::uint16_t {
  kAcceptance = 0,
  kUserRejection = 1,
  kProviderRejection = 2,
  kNegotiateAck = 3,  // MS-RPCE 2.2.2.4: bind time feature negotiation
};
enum class ContextReason : std::uint16_t {
  kNotSpecified = 0,
  kAbstractSyntaxNotSupported = 1,
  kProposedTransferSyntaxesNotSupported = 2,
  kLocalLimitExceeded = 3,
};
// C706 12.6.4.5 bind_nak reasons (p_reject_reason_t).
enum class RejectReason : std::uint16_t {
  kNotSpecified = 0,
  kTemporaryCongestion = 1,
  kLocalLimitExceeded = 2,
  kCalledPaddrUnknown = 3,
  kProtocolVersionNotSupported = 4,
  kDefaultContextNotSupported = 5,
  kUserDataNotReadable = 6,
  kNoPsapAvailable = 7,
  kAuthenticationTypeNotRecognized = 8,  // MS-RPCE 2.2.2.5
};

// MS-RPCE 2.2.2.14: bind time feature negotiation bits.
inline constexpr std::uint16_t kFeatureSecurityContextMultiplexing = 0x01;
inline constexpr std::uint16_t kFeatureKeepConnectionOnOrphan = 0x02;

// Fragment sizes: C706 12.6.3.1 requires max_xmit/recv_frag >= 1432
// (MustRecvFragSize); alpaca proposes and caps at 5840, as Windows does.
inline constexpr std::uint16_t kMinFragSize = 1432;
inline constexpr std::uint16_t kDefaultFragSize = 5840;

}  // namespace alpaca::dcerpc
