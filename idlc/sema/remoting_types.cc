// The remoting pass: structs, unions and enums: their members'
// wire forms, union discriminants, conformance, and which types contain
// themselves through pointers.
#include <algorithm>
#include <functional>

#include "idlc/sema/remoting.h"

namespace alpaca::idl {
namespace {

// Whether `wire` reaches, by value or through pointers, a type in `bad`.
bool Reaches(const WireForm& wire, const std::set<const Type*>& bad) {
  if (wire.type != nullptr && bad.contains(wire.type)) return true;
  if (wire.element && Reaches(*wire.element, bad)) return true;
  return wire.target && Reaches(*wire.target, bad);
}

}  // namespace

// Recursive types: strongly connected components of "contains, by value or
// through pointers" over structs and unions (Tarjan).
void RemotingAnalyzer::ComputeRecursion() {
  std::vector<const Type*> nodes;
  for (const Type& t : model_.type_arena) {
    if ((t.kind == TypeKind::kStruct || t.kind == TypeKind::kUnion) && t.IsComplete())
      nodes.push_back(&t);
  }
  auto edges = [](const Type* t) {
    std::vector<const Type*> out;
    std::function<void(const Type*, int)> walk = [&](const Type* x, int depth) {
      if (x == nullptr || depth > 64) return;
      const Type& s = x->StripAliases();
      if (s.kind == TypeKind::kStruct || s.kind == TypeKind::kUnion) {
        out.push_back(&s);
      } else if (s.kind == TypeKind::kPointer || s.kind == TypeKind::kArray) {
        walk(s.Target(), depth + 1);
      }
    };
    if (t->kind == TypeKind::kStruct) {
      for (const Field& f : t->AsStruct().fields) walk(f.type, 0);
    } else {
      for (const UnionCase& c : t->AsUnion().cases) {
        if (c.field) walk(c.field->type, 0);
      }
    }
    return out;
  };
  std::map<const Type*, int> index, low;
  std::vector<const Type*> stack;
  std::set<const Type*> on_stack;
  int counter = 0, component = 0;
  std::function<void(const Type*)> connect = [&](const Type* v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack.insert(v);
    for (const Type* w : edges(v)) {
      if (!index.contains(w)) {
        connect(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack.contains(w)) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] == index[v]) {
      const Type* w = nullptr;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack.erase(w);
        scc_[w] = component;
      } while (w != v);
      ++component;
    }
  };
  for (const Type* v : nodes) {
    if (!index.contains(v)) connect(v);
  }
}

bool RemotingAnalyzer::Recursive(const Type& pointee, const UseSite& site) const {
  if (site.owner == nullptr) return false;
  auto a = scc_.find(&pointee);
  auto b = scc_.find(site.owner);
  return a != scc_.end() && b != scc_.end() && a->second == b->second;
}

// The name a person knows the type by: the typedef that names it directly
// (as generators do), else its tag.
std::string RemotingAnalyzer::DisplayName(const Type& type) const {
  if (auto it = out_.typedef_of.find(&type); it != out_.typedef_of.end()) return it->second->name;
  if (!type.name.empty()) return type.name;
  return type.kind == TypeKind::kUnion ? "anonymous union" : "anonymous struct";
}

bool RemotingAnalyzer::Enum32(const Type& type) const {
  if (FindAttribute(type.attrs, "v1_enum") != nullptr) return true;
  return v1_enum_typedefs_.contains(&type);
}

void RemotingAnalyzer::Require(const Type& type) {
  if (in_remoted_use_) remoted_types_.insert(&type);
  if (out_.types.contains(&type) || bad_types_.contains(&type)) return;
  RemotedType& resolved = out_.types[&type];
  resolved.type = &type;
  resolving_.insert(&type);
  bool saved_failed = failed_;
  failed_ = false;
  if (type.kind == TypeKind::kEnum) {
    resolved.enum32 = Enum32(type);
  } else if (type.kind == TypeKind::kStruct) {
    ResolveStruct(resolved);
  } else {
    ResolveUnion(resolved);
  }
  resolving_.erase(&type);
  if (failed_) {
    out_.types.erase(&type);
    bad_types_.insert(&type);
  } else {
    out_.type_order.push_back(&type);
  }
  failed_ = saved_failed || failed_;
}

void RemotingAnalyzer::ResolveStruct(RemotedType& out) {
  const Type& type = *out.type;
  const std::vector<Field>& fields = type.AsStruct().fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const Field& field = fields[i];
    UseSite site;
    site.attrs = {&field.attrs};
    site.owner = &type;
    site.what = "field '" + field.name + "' of '" + DisplayName(type) + "'";
    site.loc = field.loc;
    WirePtr wire = Build(field.type, site);
    if (!wire) continue;
    if (wire->kind == WireKind::kHandle || wire->kind == WireKind::kContextHandle) {
      Fail(site, "handles cannot be fields");
      continue;
    }
    bool last = i + 1 == fields.size();
    auto inner = out_.types.find(wire->type);
    bool conformant_member =
        wire->IsConformant() ||
        (wire->kind == WireKind::kStruct && inner != out_.types.end() && inner->second.conformant);
    if (conformant_member && !last) {
      Fail(site, "a conformant array must be the last field");
      continue;
    }
    if (conformant_member) out.conformant = true;
    const WireForm* reached = wire->kind == WireKind::kPointer ? wire->target.get() : wire.get();
    if (reached->kind == WireKind::kUnion) {
      std::string referent = reached->switch_is.PlainName();
      for (const Field& f : fields) {
        if (!referent.empty() && f.name == referent) TakeDiscriminant(*reached, f.type, field.loc);
      }
    }
    out.members.push_back(RemotedMember{&field, wire});
  }
  // Expressions may name any sibling field, an earlier or a later one.
  ExprScope scope;
  for (const Field& field : fields) scope.emplace(field.name, nullptr);
  for (const RemotedMember& m : out.members) scope[m.field->name] = m.wire;
  for (RemotedMember& m : out.members) {
    UseSite site;
    site.owner = &type;
    site.what = "field '" + m.field->name + "' of '" + DisplayName(type) + "'";
    site.loc = m.field->loc;
    m.wire = BindExpressions(m.wire, scope, site);  // null: reported, failed_ set
  }
}

void RemotingAnalyzer::TakeDiscriminant(const WireForm& use, const Type* referent,
                                        const Location& loc) {
  auto it = out_.types.find(use.type);
  if (it == out_.types.end() || it->second.discriminant || referent == nullptr) return;
  UseSite site;
  site.what = "discriminant of '" + DisplayName(*use.type) + "'";
  site.loc = loc;
  WirePtr d = Build(referent, site);
  if (!d) return;
  out_.types.at(use.type).discriminant = d;
}

void RemotingAnalyzer::ResolveUnion(RemotedType& out) {
  const Type& type = *out.type;
  // Analysis resolved [switch_type] (or the encapsulated switch); without
  // one the first switch_is use gives the type (TakeDiscriminant).
  const Type* switch_type = type.AsUnion().switch_type;
  if (switch_type != nullptr) {
    UseSite site;
    site.what = "discriminant of '" + DisplayName(type) + "'";
    site.loc = type.loc;
    out.discriminant = Build(switch_type, site);
    if (!out.discriminant) return;
  }
  for (const UnionCase& c : type.AsUnion().cases) {
    RemotedArm arm;
    arm.values = c.values;
    arm.is_default = c.is_default;
    if (c.field) {
      UseSite site;
      site.attrs = {&c.field->attrs};
      site.owner = &type;
      site.what = "arm '" + c.field->name + "' of '" + DisplayName(type) + "'";
      site.loc = c.field->loc;
      WirePtr wire = Build(c.field->type, site);
      // An arm's expressions can name nothing but constants.
      if (wire) wire = BindExpressions(wire, ExprScope{}, site);
      if (!wire) continue;
      if (wire->IsConformant()) {
        Fail(site, "a union arm cannot be a conformant array");
        continue;
      }
      arm.member = RemotedMember{&*c.field, wire};
    }
    out.arms.push_back(std::move(arm));
  }
}

// Unions without [switch_type] that no use site gave a discriminant cannot
// be generated; nor can anything that contains one.
void RemotingAnalyzer::CheckDiscriminants() {
  std::set<const Type*> dropped;
  for (const auto& [type, resolved] : out_.types) {
    if (type->kind != TypeKind::kUnion || resolved.discriminant) continue;
    UseSite site;
    site.owner = type;
    site.loc = type->loc;
    site.what = "union '" + DisplayName(*type) + "'";
    in_remoted_use_ = remoted_types_.contains(type);
    Fail(site, "no [switch_type], and no [switch_is] use to take the discriminant type from");
    dropped.insert(type);
  }
  in_remoted_use_ = false;
  for (bool more = !dropped.empty(); more;) {
    more = false;
    for (const auto& [type, resolved] : out_.types) {
      if (dropped.contains(type)) continue;
      bool reaches = resolved.discriminant && Reaches(*resolved.discriminant, dropped);
      for (const RemotedMember& m : resolved.members)
        reaches = reaches || Reaches(*m.wire, dropped);
      for (const RemotedArm& a : resolved.arms) {
        reaches = reaches || (a.member && Reaches(*a.member->wire, dropped));
      }
      if (reaches) {
        dropped.insert(type);
        more = true;
        UseSite site;
        site.owner = type;
        site.loc = type->loc;
        Fail(site, "'" + DisplayName(*type) + "' contains a union that cannot be generated");
      }
    }
  }
  for (const Type* type : dropped) {
    out_.types.erase(type);
    bad_types_.insert(type);
  }
  std::erase_if(out_.type_order, [&](const Type* t) { return dropped.contains(t); });
}

}  // namespace alpaca::idl
