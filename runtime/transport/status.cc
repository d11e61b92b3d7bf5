#include "alpaca/transport/status.h"

#include <cstdio>

namespace alpaca::rpc::status {
namespace {

const char* Name(std::uint32_t s) {
  switch (s) {
    case kOk:
      return "success";
    case kNcaFaultIntDivByZero:
      return "nca_s_fault_int_div_by_zero: integer division by zero";
    case kNcaFaultCancel:
      return "nca_s_fault_cancel: call cancelled";
    case kNcaFaultUnspec:
      return "nca_s_fault_unspec: unspecified server fault";
    case kNcaFaultContextMismatch:
      return "nca_s_fault_context_mismatch: context handle mismatch";
    case kNcaFaultRemoteNoMemory:
      return "nca_s_fault_remote_no_memory: server out of memory";
    case kNcaOpRangeError:
      return "nca_s_op_rng_error: operation number out of range";
    case kNcaUnknownInterface:
      return "nca_s_unk_if: unknown interface";
    case kNcaProtoError:
      return "nca_s_proto_error: protocol error";
    case kNcaServerTooBusy:
      return "nca_s_server_too_busy: server too busy";
    case kAccessDenied:
      return "ERROR_ACCESS_DENIED: access denied";
    case kTimeout:
      return "ERROR_TIMEOUT: call timed out";
    case kInvalidStringBinding:
      return "RPC_S_INVALID_STRING_BINDING: invalid string binding";
    case kWrongKindOfBinding:
      return "RPC_S_WRONG_KIND_OF_BINDING: wrong kind of binding";
    case kProtseqNotSupported:
      return "RPC_S_PROTSEQ_NOT_SUPPORTED: protocol sequence not supported";
    case kInvalidEndpointFormat:
      return "RPC_S_INVALID_ENDPOINT_FORMAT: invalid endpoint format";
    case kInvalidNetAddr:
      return "RPC_S_INVALID_NET_ADDR: invalid network address";
    case kAlreadyRegistered:
      return "RPC_S_TYPE_ALREADY_REGISTERED: interface already registered";
    case kAlreadyListening:
      return "RPC_S_ALREADY_LISTENING: server already listening";
    case kNoProtseqs:
      return "RPC_S_NO_PROTSEQS: no protocol sequences registered";
    case kUnknownIf:
      return "RPC_S_UNKNOWN_IF: unknown interface";
    case kCantCreateEndpoint:
      return "RPC_S_CANT_CREATE_ENDPOINT: the endpoint cannot be created";
    case kDuplicateEndpoint:
      return "RPC_S_DUPLICATE_ENDPOINT: the endpoint is already in use";
    case kServerUnavailable:
      return "RPC_S_SERVER_UNAVAILABLE: server unavailable";
    case kServerTooBusy:
      return "RPC_S_SERVER_TOO_BUSY: server too busy";
    case kCallFailed:
      return "RPC_S_CALL_FAILED: call failed";
    case kCallFailedDne:
      return "RPC_S_CALL_FAILED_DNE: call failed and did not execute";
    case kProtocolError:
      return "RPC_S_PROTOCOL_ERROR: protocol error";
    case kUnsupportedTransSyn:
      return "RPC_S_UNSUPPORTED_TRANS_SYN: transfer syntax not supported";
    case kProcnumOutOfRange:
      return "RPC_S_PROCNUM_OUT_OF_RANGE: procedure number out of range";
    case kEptNotRegistered:
      return "EPT_S_NOT_REGISTERED: no endpoint registered";
    case kBadStubData:
      return "RPC_X_BAD_STUB_DATA: bad stub data";
    case kNoCallActive:
      return "RPC_S_NO_CALL_ACTIVE: no remote procedure call is active in this thread";
    case kInvalidTag:
      return "RPC_S_INVALID_TAG: union discriminant has no arm";
    case kInvalidBound:
      return "RPC_S_INVALID_BOUND: array bounds do not match their size attribute";
    case kSsInNullContext:
      return "RPC_X_SS_IN_NULL_CONTEXT: NULL context handle passed as [in]";
    case kNullRefPointer:
      return "RPC_X_NULL_REF_POINTER: NULL reference pointer";
    case kEnumValueOutOfRange:
      return "RPC_X_ENUM_VALUE_OUT_OF_RANGE: enumeration value out of range";
    case kCallCancelled:
      return "RPC_S_CALL_CANCELLED: call cancelled";
  }
  return nullptr;
}

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "alpaca.rpc"; }
  std::string message(int v) const override { return Describe(static_cast<std::uint32_t>(v)); }
};

}  // namespace

std::string Describe(std::uint32_t s) {
  char code[16];
  std::snprintf(code, sizeof(code), "0x%08x", s);
  const char* name = Name(s);
  if (!name) return std::string("status ") + code;
  std::string text(name);
  // Most names are "SYMBOL: explanation"; the code goes after the symbol.
  // "success" has no explanation (and substr(npos) would throw).
  auto colon = text.find(':');
  if (colon == std::string::npos) return text + " (" + code + ")";
  return text.substr(0, colon) + " (" + code + ")" + text.substr(colon);
}

const std::error_category& RpcCategory() {
  static const Category category;
  return category;
}

}  // namespace alpaca::rpc::status
