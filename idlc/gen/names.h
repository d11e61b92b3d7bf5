// Names: the one place that decides the C++ identifiers idlc emits. IDL
// names are kept as written where C++ allows them; keywords and reserved
// spellings get a trailing underscore, leading underscores are dropped
// (`_SERVICE_STATUS` is reserved in C++), and generated helper names have
// fixed shapes so they cannot collide with each other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace alpaca::idl::gen {

// A C++ identifier for the IDL name `name` (types, fields, enumerators).
std::string Identifier(std::string_view name);
// A parameter: also kept clear of the generated functions' own variables.
std::string ParamName(std::string_view name);
// A union arm: kept clear of the union's `tag` and `value` members.
std::string ArmName(std::string_view name);
// A C++ namespace name from a file stem ("svcctl-v2" -> "svcctl_v2").
std::string NamespaceFromStem(std::string_view stem);
// The C++ literal for an integer of any 64-bit value: an int literal when
// it fits one, LL past that, and INT64_MIN (which has no literal) as an
// expression.
std::string IntegerLiteral(std::int64_t value);
// A case label for the IDL case value `value` in a switch over a union's
// tag (of C++ type `tag_cpp`) converted to std::int64_t: the value the tag's
// own type gives it, so `case(0xffffffff)` on a long tag is -1.
std::string CaseLabel(const std::string& tag_cpp, std::int64_t value);

// Generated names around an interface called `base`.
inline std::string ClientClass(const std::string& base) { return base + "Client"; }
inline std::string ServerClass(const std::string& base) { return base + "Server"; }
inline std::string InterfaceIdName(const std::string& base) { return base + "Id"; }
// Per-method codec functions (in the codec namespace).
inline std::string EncodeInName(const std::string& method) { return "Encode" + method + "In"; }
inline std::string DecodeInName(const std::string& method) { return "Decode" + method + "In"; }
inline std::string EncodeOutName(const std::string& method) { return "Encode" + method + "Out"; }
inline std::string DecodeOutName(const std::string& method) { return "Decode" + method + "Out"; }
inline std::string ContextTag(const std::string& type) { return type + "Tag"; }
inline std::string RundownName(const std::string& type) { return type + "_rundown"; }
inline constexpr const char* kCodecNamespace = "ndr_codec";
// The namespace (inside kCodecNamespace) of one interface's method codecs;
// prefixed so that it cannot meet Marshal/Unmarshal/Conformance.
inline std::string MethodCodecNamespace(const std::string& iface) { return "iface_" + iface; }

}  // namespace alpaca::idl::gen
