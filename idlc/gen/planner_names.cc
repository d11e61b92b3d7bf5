// Planner: the C++ names of structs, unions and enums.
#include <string>

#include "idlc/gen/names.h"
#include "idlc/gen/planner.h"

namespace alpaca::idl::gen {

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

}  // namespace alpaca::idl::gen
