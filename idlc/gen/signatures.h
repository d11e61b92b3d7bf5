// Signatures: how each method's parameters appear in C++ -- in the user's
// API (proxy methods and the server's pure virtual methods) and in the four
// per-method codec functions the proxy and the stub share:
//
//   Encode<M>In  (client)  [in] parameters     -> request stub data
//   Decode<M>In  (server)  request stub data   -> [in] parameters
//   Encode<M>Out (server)  [out] parameters and the return value -> response
//   Decode<M>Out (client)  response            -> [out] parameters, return value
//
// The out functions see the [in] parameters too (read only): sizes and
// discriminants of [out] data often come from them.
#pragma once

#include <set>
#include <string>

#include "idlc/gen/plan.h"

namespace alpaca::idl::gen {

enum class CodecFunction { kEncodeIn, kDecodeIn, kEncodeOut, kDecodeOut };
enum class Side { kClient, kServer };

// The C++ type a parameter's value has (a top-level [ref] pointer is the
// value it points to; context handles are their wire form in codecs).
std::string ParamValueType(const ParamPlan& p);
bool IsContext(const ParamPlan& p);
bool IsBindingHandle(const ParamPlan& p);
// Whether the parameter takes part in a codec function at all.
bool InCodec(const ParamPlan& p, CodecFunction f);

// "alpaca::ndr::Encoder& e, std::int32_t a, const Point& p" (with the leading
// encoder/decoder and, for the out functions, the result). For a definition,
// `used` names what its body reads: other parameters are left unnamed
// ("std::int32_t /*a*/"), as a person would write it.
std::string CodecParams(const MethodPlan& m, CodecFunction f,
                        const std::set<std::string>* used = nullptr);
// The matching argument list; `name(p)` spells each parameter's argument.
template <typename NameFn>
std::string CodecArgs(const MethodPlan& m, CodecFunction f, const std::string& coder,
                      const std::string& result, NameFn name) {
  std::string out = coder;
  for (const ParamPlan& p : m.params) {
    if (InCodec(p, f)) out += ", " + name(p);
  }
  if ((f == CodecFunction::kEncodeOut || f == CodecFunction::kDecodeOut) && m.result) {
    out += ", " + result;
  }
  return out;
}

// Which names parameters get: the IDL's in the declarations a user reads
// and implements (server.h, client.h), the generator's in function bodies,
// where an IDL name may clash with a local (`result`, `out`, ...).
enum class ParamNames { kIdl, kLocal };

// The user's API: parameters as the proxy takes them and the server's
// implementation receives them (without the trailing CallOptions).
std::string UserParams(const MethodPlan& m, Side side, ParamNames names);
// The user's return type: the [retval] parameter's value, else the IDL
// return value, else void.
std::string UserResult(const MethodPlan& m);
// Whether parameter `p` appears in the user's API.
bool InUserApi(const ParamPlan& p, const MethodPlan& m);

}  // namespace alpaca::idl::gen
