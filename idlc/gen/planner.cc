// Planner: wire forms lowered to shapes, aliases and constants, and the run
// over the whole file. Names are in planner_names.cc, types and their order
// in planner_types.cc, derived members and parameters in
// planner_derivations.cc, interfaces and methods in planner_methods.cc.
#include "idlc/gen/planner.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>

#include "idlc/gen/names.h"

namespace alpaca::idl::gen {
namespace {

// The fixed-width C++ type NDR20 writes for a base type.
std::string WireType(const Type& base) {
  bool u = base.AsBase().is_unsigned;
  switch (base.AsBase().kind) {
    case BaseKind::kChar:
      return u ? "std::uint8_t" : "char";
    case BaseKind::kWChar:
      return "char16_t";
    case BaseKind::kSmall:
      return u ? "std::uint8_t" : "std::int8_t";
    case BaseKind::kByte:
    case BaseKind::kBoolean:
      return "std::uint8_t";
    case BaseKind::kShort:
      return u ? "std::uint16_t" : "std::int16_t";
    case BaseKind::kLong:
    case BaseKind::kInt:
    case BaseKind::kInt3264:  // 4 bytes in NDR20
      return u ? "std::uint32_t" : "std::int32_t";
    case BaseKind::kErrorStatus:
      return "std::uint32_t";
    case BaseKind::kHyper:
      return u ? "std::uint64_t" : "std::int64_t";
    case BaseKind::kFloat:
      return "float";
    case BaseKind::kDouble:
      return "double";
    case BaseKind::kHandle:
      return {};
  }
  return {};
}

// A base type as C++ where no typedef names it.
std::string CppOfBase(const Type& base) {
  if (base.IsBase(BaseKind::kBoolean)) return "bool";
  if (base.IsBase(BaseKind::kHandle)) return "alpaca::rpc::BindingHandle";
  return WireType(base);
}

}  // namespace

const TypePlan* FilePlan::Find(const Type* type) const {
  for (const TypePlan& t : types) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

Planner::Planner(const Model& model, const PlanOptions& options)
    : model_(model), remoting_(model.remoting), options_(options) {
  if (options_.ns.empty()) options_.ns = NamespaceFromStem(options_.stem);
}

std::string Planner::UseAlias(const std::string& alias) {
  used_aliases_.insert(alias);
  return Identifier(alias);
}

ShapePtr Planner::Lower(const WireForm& form) {
  auto shape = std::make_shared<Shape>();
  static_cast<WireFacts&>(*shape) = form;
  if (form.element) shape->element = Lower(*form.element);
  if (form.target) shape->target = Lower(*form.target);
  switch (form.kind) {
    case ShapeKind::kPrimitive:
    case ShapeKind::kBool:
      shape->wire = WireType(*form.base);
      shape->cpp = form.alias.empty() ? CppOfBase(*form.base) : UseAlias(form.alias);
      break;
    case ShapeKind::kHandle:
      shape->cpp = CppOfBase(*form.base);
      break;
    case ShapeKind::kEnum:
    case ShapeKind::kStruct:
    case ShapeKind::kUnion:
      shape->cpp = NameOf(*form.type);
      if (!form.alias.empty() && Identifier(form.alias) != shape->cpp) {
        shape->cpp = UseAlias(form.alias);
      }
      break;
    case ShapeKind::kString:
      shape->cpp = form.wide ? "std::u16string" : "std::string";
      break;
    case ShapeKind::kArray:
      shape->cpp = form.array == ArrayKind::kFixed ? "std::array<" + shape->element->cpp + ", " +
                                                         std::to_string(form.bound) + ">"
                                                   : "std::vector<" + shape->element->cpp + ">";
      break;
    case ShapeKind::kPointer: {
      // A std::optional of an incomplete type does not compile: a unique
      // pointer back into its own type is a std::unique_ptr.
      const std::string& pointee = shape->target->cpp;
      switch (form.pointer) {
        case PointerKind::kRef:
          shape->boxed = form.recursive;
          shape->cpp = form.recursive ? "std::unique_ptr<" + pointee + ">" : pointee;
          break;
        case PointerKind::kDefault:
        case PointerKind::kUnique:
          shape->boxed = form.recursive;
          shape->cpp = form.recursive ? "std::unique_ptr<" + pointee + ">"
                                      : "std::optional<" + pointee + ">";
          break;
        case PointerKind::kFull:
          shape->boxed = true;
          shape->cpp = "std::shared_ptr<" + pointee + ">";
          break;
      }
      break;
    }
    case ShapeKind::kContextHandle:
      shape->context_type =
          form.context_type.empty() ? "ContextHandle" : Identifier(form.context_type);
      shape->cpp = shape->context_type;
      context_types_.insert(shape->context_type);
      all_context_types_.insert(shape->context_type);
      break;
  }
  return shape;
}

void Planner::PlanAliasesAndConstants(FilePlan& out) {
  std::set<std::string> emitted;
  for (const TypePlan& t : out.types) emitted.insert(t.name);
  for (const NamedType& named : model_.types) {
    const Type* alias = named.type;
    if (alias->kind != TypeKind::kAlias || !used_aliases_.contains(alias->name)) continue;
    std::string name = Identifier(alias->name);
    if (emitted.contains(name)) continue;
    // The target as C++: another emitted alias, or the type itself.
    const Type* target = alias->AsAlias().target;
    std::string spelling;
    if (target->kind == TypeKind::kAlias && used_aliases_.contains(target->name)) {
      spelling = Identifier(target->name);
    } else {
      const Type& stripped = target->StripAliases();
      if (stripped.kind == TypeKind::kBase) {
        spelling = CppOfBase(stripped);
      } else if (plans_.contains(&stripped)) {
        spelling = plans_.at(&stripped).name;
      } else {
        continue;
      }
    }
    if (spelling == name) continue;
    out.aliases.push_back(AliasPlan{name, spelling});
    emitted.insert(name);
  }
  for (const Constant& c : model_.constants) {
    if (!c.from_main_file) continue;
    ConstantPlan plan;
    plan.name = Identifier(c.name);
    if (c.integer) {
      plan.cpp_type = "std::int64_t";
      plan.value = IntegerLiteral(*c.integer);
    } else if (c.string) {
      plan.cpp_type = "char";
      std::string escaped;
      for (char ch : *c.string) {
        if (ch == '"' || ch == '\\') escaped += '\\';
        escaped += ch;
      }
      plan.value = "\"" + escaped + "\"";
    } else {
      continue;  // float and pointer constants: kept as text in the model only
    }
    out.constants.push_back(plan);
  }
}

FilePlan Planner::Run() {
  FilePlan out;
  out.stem = options_.stem;
  out.ns = options_.ns;
  // The file name only: generated files must not depend on where the
  // checkout is (reproducible builds, golden tests).
  out.source = std::filesystem::path(model_.main_file).filename().string();
  out.cpp_quotes = model_.cpp_quotes;
  NameNestedTypes();
  for (const RemotedInterface& iface : remoting_.interfaces) PlanInterface(iface, out);
  // Inner types before the types that contain them: the remoting pass
  // reached them in that order.
  for (const Type* t : remoting_.type_order) PlanType(remoting_.types.at(t));
  OrderTypes(out);
  PlanAliasesAndConstants(out);
  out.context_types.assign(all_context_types_.begin(), all_context_types_.end());
  return out;
}

FilePlan PlanFile(const Model& model, const PlanOptions& options) {
  return Planner(model, options).Run();
}

}  // namespace alpaca::idl::gen
