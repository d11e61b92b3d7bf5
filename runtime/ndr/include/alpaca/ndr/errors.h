// NDR decode/encode failures as named values in an alpaca error category.
// A decoder failure means the peer sent bad stub data: the RPC layer turns
// any of these into the fault nca_s_fault_ndr (RPC_X_BAD_STUB_DATA).
#pragma once

#include <system_error>

namespace alpaca::ndr {

enum class Errc {
  kOk = 0,
  kTruncated = 1,       // a read ran past the end of the buffer
  kCountTooLarge,       // a conformance/variance count exceeds the bytes left
  kAllocationLimit,     // Limits::max_allocation would be exceeded
  kDepthExceeded,       // Limits::max_depth nesting exceeded
  kBadVariance,         // offset + actual_count > max_count, or overflow
  kUnterminatedString,  // [string] without its terminator where required
  kNullRefPointer,      // a [ref] pointer was NULL
  kBadReferent,         // a full pointer referent id reused inconsistently
  kBadUnionTag,         // a discriminant selects no arm
  kBadEnum,             // an enum value out of range for 16-bit enums
  kUnsupportedDrep,     // EBCDIC characters or non-IEEE floating point
  kTrailingData,        // bytes left over after the last parameter
  kBadContextHandle,    // a context handle the server does not know
  kBadCorrelation,      // a size or discriminant disagrees with the field
                        // or parameter it is computed from (size_is, switch_is)
  kOutOfRange,          // a value outside its [range(min, max)]
};

const std::error_category& NdrCategory();

inline std::error_code make_error_code(Errc e) { return {static_cast<int>(e), NdrCategory()}; }

}  // namespace alpaca::ndr

template <>
struct std::is_error_code_enum<alpaca::ndr::Errc> : std::true_type {};
