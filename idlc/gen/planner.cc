// Planner, part 1: shapes, names, types, aliases, constants and the
// definition order. Methods and interfaces are in planner_methods.cc.
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
  bool u = base.is_unsigned;
  switch (base.base) {
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
  if (base.base == BaseKind::kBoolean) return "bool";
  if (base.base == BaseKind::kHandle) return "alpaca::rpc::BindingHandle";
  return WireType(base);
}

// The C++ literal for an integer constant of any width.
std::string Literal(std::int64_t v) {
  if (v == std::numeric_limits<std::int64_t>::min()) return "(-9223372036854775807LL - 1)";
  return std::to_string(v) + (v > 2147483647 || v < -2147483647 ? "LL" : "");
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

std::string Planner::NameOf(const Type& type) {
  if (auto it = names_.find(&type); it != names_.end()) return it->second;
  std::string name;
  // A typedef that names the type directly reads better than a tag such as
  // `_SERVICE_STATUS`; the tag, when it differs, becomes an alias.
  if (auto it = remoting_.typedef_of.find(&type); it != remoting_.typedef_of.end()) {
    name = it->second->name;
  }
  if (name.empty() && !type.name.empty()) name = type.name;
  if (name.empty()) name = "Anonymous" + std::to_string(names_.size());
  name = Identifier(name);
  names_[&type] = name;
  return name;
}

// An anonymous struct, union or enum declared in a field is named after
// its place: <outer>_<member>. Outer types first (the remoting pass reached
// them last), so nested anonymous types compose their names.
void Planner::NameNestedTypes() {
  auto name_after = [&](const Type& outer, const Type* field_type, const std::string& member,
                        bool enums) {
    const Type& inner = field_type->StripAliases();
    bool tagged = inner.kind == TypeKind::kStruct || inner.kind == TypeKind::kUnion ||
                  (enums && inner.kind == TypeKind::kEnum);
    if (!tagged || !inner.name.empty() || names_.contains(&inner)) return;
    if (enums && remoting_.typedef_of.contains(&inner)) return;
    names_[&inner] = Identifier(NameOf(outer) + "_" + member);
  };
  for (auto it = remoting_.type_order.rbegin(); it != remoting_.type_order.rend(); ++it) {
    const RemotedType& resolved = remoting_.types.at(*it);
    int anonymous = 0;
    for (const RemotedMember& m : resolved.members) {
      std::string member = m.field->name.empty()
                               ? (anonymous++ == 0 ? "u" : "u" + std::to_string(anonymous))
                               : Identifier(m.field->name);
      name_after(**it, m.field->type, member, true);
    }
    for (std::size_t i = 0; i < resolved.arms.size(); ++i) {
      const std::optional<RemotedMember>& m = resolved.arms[i].member;
      if (!m) continue;
      name_after(**it, m->field->type,
                 Identifier(m->field->name.empty() ? "arm" + std::to_string(i) : m->field->name),
                 false);
    }
  }
}

void Planner::PlanType(const RemotedType& resolved) {
  const Type& type = *resolved.type;
  TypePlan& plan = plans_[&type];
  plan.type = &type;
  plan.name = NameOf(type);
  plan.loc = type.loc;
  if (type.kind == TypeKind::kEnum) {
    plan.kind = TypePlan::Kind::kEnum;
    plan.enum32 = resolved.enum32;
    plan.alignment = plan.enum32 ? 4 : 2;
    plan.min_wire = plan.enum32 ? 4 : 2;
  } else if (type.kind == TypeKind::kStruct) {
    plan.kind = TypePlan::Kind::kStruct;
    plan.conformant = resolved.conformant;
    int anonymous = 0;
    for (const RemotedMember& m : resolved.members) {
      const Field& field = *m.field;
      std::string member = field.name.empty()
                               ? (anonymous++ == 0 ? "u" : "u" + std::to_string(anonymous))
                               : Identifier(field.name);
      plan.members.push_back(MemberPlan{member, field.name, field.loc, Lower(*m.wire), {}});
    }
    PlanDerivations(plan.members);
    plan.alignment = 1;
    plan.min_wire = 0;
    for (const MemberPlan& m : plan.members) {
      plan.alignment = std::max(plan.alignment, Alignment(*m.shape));
      plan.min_wire += MinWire(*m.shape);
    }
  } else {
    plan.kind = TypePlan::Kind::kUnion;
    plan.discriminant = Lower(*resolved.discriminant);
    plan.arm_alignment = 1;
    for (std::size_t i = 0; i < resolved.arms.size(); ++i) {
      const RemotedArm& arm = resolved.arms[i];
      ArmPlan out;
      out.values = arm.values;
      out.is_default = arm.is_default;
      out.index = static_cast<int>(i);
      if (arm.member) {
        const Field& field = *arm.member->field;
        std::string member =
            Identifier(field.name.empty() ? "arm" + std::to_string(i) : field.name);
        out.member = MemberPlan{member, field.name, field.loc, Lower(*arm.member->wire), {}};
        plan.arm_alignment = std::max(plan.arm_alignment, Alignment(*out.member->shape));
      }
      plan.arms.push_back(std::move(out));
    }
    plan.alignment = std::max(plan.arm_alignment, Alignment(*plan.discriminant));
    plan.min_wire = MinWire(*plan.discriminant);
  }
}

// Fields only used as the count of one sibling array, or the discriminant
// of one sibling union, are computed from it when marshalled (plan.h).
void Planner::PlanDerivations(std::vector<MemberPlan>& members) {
  std::map<std::string, int> references;
  std::map<std::string, Derivation> candidates;
  auto note = [&](const SizeExpr& e, Derivation::Kind kind, const MemberPlan& source) {
    if (!e) return;
    if (e.bound->kind != BoundExpr::Kind::kName) {
      // A referent inside an expression is read, not derived.
      std::vector<std::string> names;
      e.bound->CollectNames(names);
      for (const std::string& name : names) ++references[name];
      return;
    }
    const std::string& name = e.bound->name;
    ++references[name];
    candidates[name] =
        Derivation{e.plus_one ? Derivation::Kind::kSizeMinusOne : kind, source.name, source.shape};
  };
  for (const MemberPlan& m : members) {
    const Shape* s = m.shape.get();
    if (s->kind == ShapeKind::kPointer) s = s->target.get();
    if (s->kind == ShapeKind::kArray) {
      note(s->size_is, Derivation::Kind::kSize, m);
      note(s->length_is, Derivation::Kind::kSize, m);
    } else if (s->kind == ShapeKind::kString) {
      note(s->size_is, Derivation::Kind::kNone, m);  // a capacity: read, never derived
    } else if (s->kind == ShapeKind::kUnion) {
      note(s->switch_is, Derivation::Kind::kSwitch, m);
    }
  }
  for (MemberPlan& m : members) {
    auto it = candidates.find(m.idl_name);
    if (it == candidates.end() || references[m.idl_name] != 1) continue;
    if (it->second.kind == Derivation::Kind::kNone) continue;
    bool integer = m.shape->kind == ShapeKind::kPrimitive || m.shape->kind == ShapeKind::kEnum;
    if (!integer || (m.shape->kind == ShapeKind::kPrimitive &&
                     (m.shape->wire == "float" || m.shape->wire == "double"))) {
      continue;
    }
    // A size and its array in one varying/conformant-varying pair are
    // derived from the same vector: both counts equal its size.
    m.derived = it->second;
  }
}

int Planner::Alignment(const Shape& shape) const {
  switch (shape.kind) {
    case ShapeKind::kPrimitive:
      return shape.size;
    case ShapeKind::kBool:
      return 1;
    case ShapeKind::kEnum:
      return shape.enum32 ? 4 : 2;
    case ShapeKind::kContextHandle:
      return 4;
    case ShapeKind::kHandle:
      return 1;
    case ShapeKind::kPointer:
      return 4;
    case ShapeKind::kString:
      return 4;
    case ShapeKind::kArray: {
      int element = Alignment(*shape.element);
      return shape.array == ArrayKind::kFixed || shape.array == ArrayKind::kConformant
                 ? element
                 : std::max(4, element);
    }
    case ShapeKind::kStruct:
    case ShapeKind::kUnion: {
      auto it = plans_.find(shape.type);
      return it == plans_.end() ? 4 : std::max(1, it->second.alignment);
    }
  }
  return 1;
}

std::uint64_t Planner::MinWire(const Shape& shape) const {
  switch (shape.kind) {
    case ShapeKind::kPrimitive:
      return static_cast<std::uint64_t>(shape.size);
    case ShapeKind::kBool:
      return 1;
    case ShapeKind::kEnum:
      return shape.enum32 ? 4 : 2;
    case ShapeKind::kContextHandle:
      return 20;
    case ShapeKind::kHandle:
      return 0;
    case ShapeKind::kPointer:
      return 4;
    case ShapeKind::kString:
      return 8 + (shape.wide ? 2 : 1);
    case ShapeKind::kArray:
      if (shape.array == ArrayKind::kFixed) {
        std::uint64_t element = MinWire(*shape.element);
        return shape.bound > (std::uint64_t{1} << 32) ? 0 : shape.bound * element;
      }
      return shape.IsVarying() ? 8 : 0;
    case ShapeKind::kStruct:
    case ShapeKind::kUnion: {
      auto it = plans_.find(shape.type);
      return it == plans_.end() ? 0 : it->second.min_wire;
    }
  }
  return 0;
}

// Definition order: a type before every type that needs it complete (by
// value, in std::array, std::optional or std::variant); std::vector and
// smart pointers take incomplete types, so cycles through them are fine.
void Planner::OrderTypes(FilePlan& out) {
  std::set<const Type*> done, visiting;
  std::function<void(const Type*)> visit;
  std::function<void(const Shape&)> deps = [&](const Shape& s) {
    switch (s.kind) {
      case ShapeKind::kStruct:
      case ShapeKind::kUnion:
      case ShapeKind::kEnum:
        visit(s.type);
        break;
      case ShapeKind::kArray:
        deps(*s.element);
        break;
      case ShapeKind::kPointer:
        if (!s.boxed) deps(*s.target);
        break;
      default:
        break;
    }
  };
  visit = [&](const Type* t) {
    if (done.contains(t) || visiting.contains(t) || !plans_.contains(t)) return;
    visiting.insert(t);
    const TypePlan& plan = plans_.at(t);
    if (plan.discriminant) deps(*plan.discriminant);
    for (const MemberPlan& m : plan.members) deps(*m.shape);
    for (const ArmPlan& a : plan.arms) {
      if (a.member) deps(*a.member->shape);
    }
    visiting.erase(t);
    done.insert(t);
    out.types.push_back(plan);
  };
  for (const Type* t : remoting_.type_order) {
    if (plans_.at(t).kind == TypePlan::Kind::kEnum) visit(t);
  }
  for (const Type* t : remoting_.type_order) visit(t);
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
    const Type* target = alias->target;
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
      plan.value = Literal(*c.integer);
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
  out.type_sizes = remoting_.integer_sizes;
  return out;
}

FilePlan PlanFile(const Model& model, const PlanOptions& options) {
  return Planner(model, options).Run();
}

}  // namespace alpaca::idl::gen
