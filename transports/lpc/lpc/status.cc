#include "alpaca/lpc/status.h"

namespace alpaca::lpc {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "alpaca.lpc"; }

  std::string message(int value) const override {
    switch (static_cast<Status>(value)) {
      case Status::kSuccess:
        return "success";
      case Status::kObjectNameNotFound:
        return "no port of that name exists";
      case Status::kObjectNameCollision:
        return "a port of that name already exists";
      case Status::kObjectNameInvalid:
        return "the port name is invalid or too long";
      case Status::kAccessDenied:
        return "access denied by the port's security";
      case Status::kConnectionRefused:
        return "the server refused the connection";
      case Status::kPortDisconnected:
        return "the port is disconnected (peer gone)";
      case Status::kTimeout:
        return "the wait timed out";
      case Status::kInvalidParameter:
        return "invalid parameter";
      case Status::kMessageTooLong:
        return "message data exceeds the port's maximum length";
      case Status::kConnectInfoTooLong:
        return "connect info exceeds MaxConnectInfoLength";
      case Status::kQuotaExceeded:
        return "port quota exceeded (MaxPoolUsage or queue full)";
      case Status::kInvalidMessage:
        return "malformed port message from the peer";
      case Status::kInvalidView:
        return "section offset or length out of range";
      case Status::kSectionError:
        return "the section is unusable (not a sealed memfd?)";
      case Status::kReplyMismatch:
        return "reply does not match a pending request";
      case Status::kInvalidDataInfo:
        return "request data range not declared by the client";
      case Status::kPartialCopy:
        return "client memory could not be fully copied";
      case Status::kSystemError:
        return "unexpected system error";
    }
    return "unknown alpaca.lpc status " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& LpcCategory() noexcept {
  static const Category category;
  return category;
}

}  // namespace alpaca::lpc
