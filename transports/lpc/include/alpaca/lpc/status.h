// Status codes of the local port library and their std::error_category.
//
// Each value corresponds to the NTSTATUS that the matching NT port call would
// return (named in the comment), so that code written against NtXxxPort
// semantics finds the same outcomes here. Errors travel as std::error_code
// with LpcCategory(); `status == lpc::Status::kTimeout` works directly.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>

namespace alpaca::lpc {

enum class Status : int {
  kSuccess = 0,
  kObjectNameNotFound,   // STATUS_OBJECT_NAME_NOT_FOUND: no port of that name
  kObjectNameCollision,  // STATUS_OBJECT_NAME_COLLISION: name already served
  kObjectNameInvalid,    // STATUS_OBJECT_NAME_INVALID: bad characters or too long
  kAccessDenied,         // STATUS_ACCESS_DENIED: port security refused the caller
  kConnectionRefused,    // STATUS_PORT_CONNECTION_REFUSED: server refused the connect
  kPortDisconnected,     // STATUS_PORT_DISCONNECTED: the peer is gone
  kTimeout,              // STATUS_TIMEOUT
  kInvalidParameter,     // STATUS_INVALID_PARAMETER
  kMessageTooLong,       // STATUS_PORT_MESSAGE_TOO_LONG
  kConnectInfoTooLong,   // STATUS_INVALID_PARAMETER on over-long connect info
  kQuotaExceeded,        // STATUS_QUOTA_EXCEEDED: MaxPoolUsage or queue limit hit
  kInvalidMessage,       // STATUS_INVALID_PORT_MESSAGE? malformed bytes from the peer
  kInvalidView,          // STATUS_INVALID_VIEW_SIZE: section offset/length out of range
  kSectionError,         // STATUS_SECTION_NOT_IMAGE-like: the section fd is unusable
  kReplyMismatch,        // STATUS_REPLY_MESSAGE_MISMATCH: reply to a message not pending
  kInvalidDataInfo,      // STATUS_INVALID_PARAMETER on NtRead/WriteRequestData ranges
  kPartialCopy,          // STATUS_PARTIAL_COPY: client memory changed or unmapped
  kSystemError,          // an unexpected errno; the message carries it
};

const std::error_category& LpcCategory() noexcept;

inline std::error_code make_error_code(Status s) noexcept {
  return {static_cast<int>(s), LpcCategory()};
}

// Wraps an errno value that has no port meaning (kept as a system error so
// the message stays precise).
inline std::error_code ErrnoCode(int err) noexcept { return {err, std::system_category()}; }

// Thrown only at the user's edge (helpers that return values rather than
// codes); the library itself reports through std::error_code.
class PortError : public std::system_error {
 public:
  using std::system_error::system_error;
};

}  // namespace alpaca::lpc

template <>
struct std::is_error_code_enum<alpaca::lpc::Status> : std::true_type {};
