// dcerpc errors: malformed PDUs and protocol violations, as named values.
// Any of these on a connection means the peer is treated as broken: the
// server closes that connection and keeps serving the others.
#pragma once

#include <system_error>

namespace alpaca::dcerpc {

enum class Errc {
  kOk = 0,
  kTruncated = 1,    // fewer bytes than a field or frag_length says
  kBadVersion,       // rpc_vers != 5 or rpc_vers_minor > 1
  kBadFragLength,    // frag_length < header, > buffer or > limit
  kUnsupportedDrep,  // EBCDIC or non-IEEE data representation
  kUnknownPacketType,
  kBadCount,             // n_context_elem / n_transfer_syn / n_results
  kAuthNotSupported,     // auth_length != 0 (no security providers yet)
  kFragmentTooLarge,     // reassembled call larger than the limit
  kBadFragmentSequence,  // FIRST_FRAG/LAST_FRAG/call_id out of order
  kBudgetExhausted,      // the server-wide budget for unfinished calls is spent
};

const std::error_category& DcerpcCategory();

inline std::error_code make_error_code(Errc e) { return {static_cast<int>(e), DcerpcCategory()}; }

}  // namespace alpaca::dcerpc

template <>
struct std::is_error_code_enum<alpaca::dcerpc::Errc> : std::true_type {};
