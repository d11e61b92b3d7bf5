#include "alpaca/ndr/errors.h"

#include <string>

namespace alpaca::ndr {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "alpaca.ndr"; }
  std::string message(int v) const override {
    switch (static_cast<Errc>(v)) {
      case Errc::kOk:
        return "ok";
      case Errc::kTruncated:
        return "NDR data truncated";
      case Errc::kCountTooLarge:
        return "NDR count larger than the data left";
      case Errc::kAllocationLimit:
        return "NDR allocation limit exceeded";
      case Errc::kDepthExceeded:
        return "NDR nesting depth limit exceeded";
      case Errc::kBadVariance:
        return "NDR variance outside the conformance";
      case Errc::kUnterminatedString:
        return "NDR string without terminator";
      case Errc::kNullRefPointer:
        return "NDR [ref] pointer is NULL";
      case Errc::kBadReferent:
        return "NDR full pointer referent id reused";
      case Errc::kBadUnionTag:
        return "NDR union discriminant selects no arm";
      case Errc::kBadEnum:
        return "NDR enum value out of range";
      case Errc::kUnsupportedDrep:
        return "NDR data representation not supported";
      case Errc::kTrailingData:
        return "NDR data has trailing bytes";
      case Errc::kBadContextHandle:
        return "NDR context handle unknown";
      case Errc::kOutOfRange:
        return "NDR value outside its [range]";
      case Errc::kBadCorrelation:
        return "NDR size or discriminant does not match the field or parameter it comes from";
    }
    return "unknown NDR error";
  }
};

}  // namespace

const std::error_category& NdrCategory() {
  static const Category category;
  return category;
}

}  // namespace alpaca::ndr
