// Planner: struct, union and enum plans, their NDR alignment and minimum
// wire size, and the order that defines each before what needs it.
#include <algorithm>
#include <functional>
#include <limits>

#include "idlc/gen/names.h"
#include "idlc/gen/planner.h"

namespace alpaca::idl::gen {

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
    int largest_arm = 1;
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
        const int alignment = Alignment(*out.member->shape);
        largest_arm = std::max(largest_arm, alignment);
        // A union arm that is itself a union starts at its discriminant,
        // which aligns itself.
        out.alignment = out.member->shape->kind == ShapeKind::kUnion ? 1 : alignment;
      }
      plan.arms.push_back(std::move(out));
    }
    plan.alignment = std::max(largest_arm, Alignment(*plan.discriminant));
    plan.min_wire = MinWire(*plan.discriminant);
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

}  // namespace alpaca::idl::gen
