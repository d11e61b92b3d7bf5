// RPC status codes as they travel in fault PDUs and surface to users:
// nca_s_* (C706 Appendix E, MS-RPCE 2.2.2.11) and the Win32 RPC_S_* /
// RPC_X_* values. Inside the runtime a status is a std::error_code in the
// "alpaca.rpc" category whose value is the 32-bit code; at the user's edge
// it becomes alpaca::RpcError.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>

namespace alpaca::rpc::status {

inline constexpr std::uint32_t kOk = 0;
// nca_s_* (fault statuses).
inline constexpr std::uint32_t kNcaFaultIntDivByZero = 0x1c000001;
inline constexpr std::uint32_t kNcaFaultCancel = 0x1c00000d;
inline constexpr std::uint32_t kNcaFaultUnspec = 0x1c000012;
inline constexpr std::uint32_t kNcaFaultContextMismatch = 0x1c00001a;
inline constexpr std::uint32_t kNcaFaultRemoteNoMemory = 0x1c00001b;
inline constexpr std::uint32_t kNcaOpRangeError = 0x1c010002;
inline constexpr std::uint32_t kNcaUnknownInterface = 0x1c010003;
inline constexpr std::uint32_t kNcaProtoError = 0x1c01000b;
inline constexpr std::uint32_t kNcaServerTooBusy = 0x1c010014;
// Win32 codes used by MS RPC.
inline constexpr std::uint32_t kAccessDenied = 5;
inline constexpr std::uint32_t kTimeout = 1460;  // ERROR_TIMEOUT
inline constexpr std::uint32_t kInvalidStringBinding = 1700;
inline constexpr std::uint32_t kWrongKindOfBinding = 1701;
inline constexpr std::uint32_t kProtseqNotSupported = 1703;
inline constexpr std::uint32_t kInvalidEndpointFormat = 1706;
inline constexpr std::uint32_t kInvalidNetAddr = 1707;     // RPC_S_INVALID_NET_ADDR
inline constexpr std::uint32_t kAlreadyRegistered = 1711;  // RPC_S_TYPE_ALREADY_REGISTERED
inline constexpr std::uint32_t kAlreadyListening = 1713;
inline constexpr std::uint32_t kNoProtseqs = 1714;
inline constexpr std::uint32_t kUnknownIf = 1717;
inline constexpr std::uint32_t kCantCreateEndpoint = 1720;  // RPC_S_CANT_CREATE_ENDPOINT
inline constexpr std::uint32_t kServerUnavailable = 1722;
inline constexpr std::uint32_t kServerTooBusy = 1723;
inline constexpr std::uint32_t kCallFailed = 1726;
inline constexpr std::uint32_t kCallFailedDne = 1727;
inline constexpr std::uint32_t kProtocolError = 1728;
inline constexpr std::uint32_t kUnsupportedTransSyn = 1730;
inline constexpr std::uint32_t kNoCallActive = 1725;       // RPC_S_NO_CALL_ACTIVE
inline constexpr std::uint32_t kInvalidTag = 1733;         // RPC_S_INVALID_TAG
inline constexpr std::uint32_t kInvalidBound = 1734;       // RPC_S_INVALID_BOUND
inline constexpr std::uint32_t kDuplicateEndpoint = 1740;  // RPC_S_DUPLICATE_ENDPOINT
inline constexpr std::uint32_t kProcnumOutOfRange = 1745;
inline constexpr std::uint32_t kEptNotRegistered = 1753;     // EPT_S_NOT_REGISTERED
inline constexpr std::uint32_t kSsInNullContext = 1775;      // RPC_X_SS_IN_NULL_CONTEXT
inline constexpr std::uint32_t kNullRefPointer = 1780;       // RPC_X_NULL_REF_POINTER
inline constexpr std::uint32_t kEnumValueOutOfRange = 1781;  // RPC_X_ENUM_VALUE_OUT_OF_RANGE
inline constexpr std::uint32_t kBadStubData = 1783;          // RPC_X_BAD_STUB_DATA
inline constexpr std::uint32_t kCallCancelled = 1818;

// "nca_s_op_rng_error (0x1c010002): operation number out of range".
std::string Describe(std::uint32_t status);

const std::error_category& RpcCategory();
inline std::error_code MakeStatus(std::uint32_t s) { return {static_cast<int>(s), RpcCategory()}; }

}  // namespace alpaca::rpc::status

namespace alpaca {

// The exception users see: a failed call or a bad binding, with its status.
class RpcError : public std::runtime_error {
 public:
  explicit RpcError(std::uint32_t status, const std::string& context = {})
      : std::runtime_error(context.empty() ? rpc::status::Describe(status)
                                           : context + ": " + rpc::status::Describe(status)),
        status_(status) {}
  std::uint32_t Status() const { return status_; }

 private:
  std::uint32_t status_;
};

}  // namespace alpaca
