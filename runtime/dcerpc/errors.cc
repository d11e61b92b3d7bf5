#include "alpaca/dcerpc/errors.h"

#include <string>

namespace alpaca::dcerpc {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "alpaca.dcerpc"; }
  std::string message(int v) const override {
    switch (static_cast<Errc>(v)) {
      case Errc::kOk:
        return "ok";
      case Errc::kTruncated:
        return "PDU truncated";
      case Errc::kBadVersion:
        return "PDU has an unsupported RPC version";
      case Errc::kBadFragLength:
        return "PDU frag_length invalid";
      case Errc::kUnsupportedDrep:
        return "PDU data representation not supported";
      case Errc::kUnknownPacketType:
        return "unknown PDU type";
      case Errc::kBadCount:
        return "PDU element count exceeds its length";
      case Errc::kAuthNotSupported:
        return "PDU carries an auth verifier (not supported)";
      case Errc::kFragmentTooLarge:
        return "reassembled call exceeds the size limit";
      case Errc::kBadFragmentSequence:
        return "fragments out of sequence";
      case Errc::kBudgetExhausted:
        return "the server's budget for partially received calls is spent";
    }
    return "unknown dcerpc error";
  }
};

}  // namespace

const std::error_category& DcerpcCategory() {
  static const Category category;
  return category;
}

}  // namespace alpaca::dcerpc
