// The generation plan of one IDL file: which types, constants and
// interfaces the C++ generators emit, under which names, in which order,
// with every use site resolved to a Shape. Built once by the Planner from
// the checked model; each generator reads only this plan (and prints
// through a Printer), so the types header, the codecs, the proxy and the
// stub cannot disagree about a name or a wire form.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "idlc/gen/shapes.h"
#include "idlc/sema/model.h"

namespace alpaca::idl::gen {

// A member that is computed when marshalled instead of being taken from the
// user: the count of a sibling array (size_is/length_is/max_is) or the
// discriminant of a sibling union (switch_is). Fields keep their member and
// are overwritten on the wire; parameters disappear from the C++ signature.
struct Derivation {
  enum class Kind { kNone, kSize, kSizeMinusOne, kSwitch } kind = Kind::kNone;
  std::string source;  // C++ name of the array / union member or parameter
  ShapePtr source_shape;
  explicit operator bool() const { return kind != Kind::kNone; }
};

struct MemberPlan {
  std::string name;  // C++ identifier
  std::string idl_name;
  Location loc;
  ShapePtr shape;
  Derivation derived;
};

struct ArmPlan {
  std::vector<std::int64_t> values;
  bool is_default = false;
  std::optional<MemberPlan> member;  // empty arm: none
  int index = 0;                     // alternative in the variant
  // Each arm is aligned to its own NDR alignment after the discriminant
  // (Wine's rpcrt4 and Windows: not to the largest arm's).
  int alignment = 1;
};

struct TypePlan {
  enum class Kind { kStruct, kUnion, kEnum } kind = Kind::kStruct;
  const Type* type = nullptr;  // aliases stripped
  std::string name;            // C++ name
  Location loc;
  // kStruct
  std::vector<MemberPlan> members;
  bool conformant = false;  // ends in a conformant array (max_count hoisted)
  // kUnion
  ShapePtr discriminant;  // shape of the tag
  std::vector<ArmPlan> arms;
  // kEnum
  bool enum32 = false;
  // NDR facts
  int alignment = 1;
  std::uint64_t min_wire = 0;
};

struct AliasPlan {
  std::string name;
  std::string target;  // C++ spelling
};

struct ConstantPlan {
  std::string name;
  std::string cpp_type;
  std::string value;  // C++ literal
};

struct ParamPlan {
  const Param* param = nullptr;
  std::string name;       // in generated function bodies (never a local's name)
  std::string user_name;  // as in the IDL, in the declarations users read
  ShapePtr shape;
  bool in = false, out = false;
  Derivation derived;  // elided from the signature, computed from `source`
  bool retval = false;
};

struct MethodPlan {
  const Method* method = nullptr;
  std::string name;  // C++ method name
  int opnum = 0;
  std::vector<ParamPlan> params;
  ShapePtr result;                // the IDL return value; null for void
  int retval = -1;                // index of the [retval] parameter, if any
  bool result_is_status = false;  // HRESULT / error_status_t with a [retval]
};

struct InterfacePlan {
  const Interface* iface = nullptr;
  std::string name;  // C++ base name (client: <name>Client, ...)
  std::string uuid;
  std::uint16_t major = 0, minor = 0;
  std::vector<MethodPlan> methods;
  int opnum_count = 0;
  std::vector<std::string> context_types;  // context handle typedefs used
};

struct FilePlan {
  std::string stem;             // output file names: <stem>_types.h, ...
  std::string ns;               // C++ namespace
  std::string source;           // the IDL file, for the banner
  std::vector<TypePlan> types;  // in an order that defines before use
  std::vector<AliasPlan> aliases;
  std::vector<ConstantPlan> constants;
  std::vector<std::string> context_types;  // every context handle typedef
  std::vector<InterfacePlan> interfaces;
  std::vector<std::string> cpp_quotes;

  const TypePlan* Find(const Type* type) const;
};

struct PlanOptions {
  std::string stem;
  std::string ns;  // empty: derived from the stem
};

// Plans `model`, which analysis accepted (no errors): what its remoting
// pass left out (Model::remoting.unremotable) is not in the plan.
FilePlan PlanFile(const Model& model, const PlanOptions& options);

}  // namespace alpaca::idl::gen
