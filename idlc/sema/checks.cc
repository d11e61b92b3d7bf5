// The remoting rules: attribute arguments, [out] pointers, size_is and
// friends naming integer parameters or fields in scope, [string] element
// types, union case values, by-value recursion. widl's catalogue of checks,
// kept in one place and out of the grammar.
#include <algorithm>
#include <cctype>

#include "alpaca/base/uuid.h"
#include "idlc/sema/analyzer.h"

namespace alpaca::idl {
namespace {

bool IsUuid(const std::string& text) { return Uuid::Parse(text).has_value(); }

// digits, or digits '.' digits
bool IsVersion(const std::string& text) {
  auto digits = [&](std::size_t from) {
    std::size_t end = from;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    return end;
  };
  std::size_t major_end = digits(0);
  if (major_end == 0) return false;
  if (major_end == text.size()) return true;
  return text[major_end] == '.' && digits(major_end + 1) == text.size() &&
         major_end + 1 < text.size();
}

// Attributes whose arguments name parameters or fields.
constexpr const char* kSizeAttributes[] = {"size_is",  "length_is", "max_is",    "min_is",
                                           "first_is", "last_is",   "switch_is", "iid_is"};

std::string Quote(const std::string& name) { return "'" + name + "'"; }
std::string UnionName(const std::string& name) {
  return name.empty() ? "anonymous union" : "union '" + name + "'";
}

}  // namespace

void Analyzer::CheckUuid(const Attribute& attr) {
  if (attr.args.size() != 1 || !IsUuid(attr.args[0].text)) {
    std::string text = attr.args.empty() ? std::string() : attr.args[0].text;
    sink_.Error(attr.args.empty() ? attr.loc : attr.loc, "invalid uuid " + Quote(text));
  }
}

void Analyzer::CheckInterfaceAttributes(const Interface& iface, const ast::Definition& def) {
  for (const Attribute& attr : iface.attrs) {
    if (attr.name == "uuid") {
      CheckUuid(attr);
    } else if (attr.name == "version") {
      if (attr.args.size() != 1 || !IsVersion(attr.args[0].text)) {
        sink_.Error(attr.loc,
                    "invalid version " + Quote(attr.args.empty() ? "" : attr.args[0].text));
      }
    } else if (attr.name == "pointer_default") {
      if (attr.args.size() != 1 || (attr.args[0].text != "ref" && attr.args[0].text != "unique" &&
                                    attr.args[0].text != "ptr")) {
        sink_.Error(attr.loc, "invalid pointer_default " +
                                  Quote(attr.args.empty() ? "" : attr.args[0].text) +
                                  ": expected ref, unique or ptr");
      }
    }
  }
  (void)def;
  auto& mutable_iface = const_cast<Interface&>(iface);  // still under construction
  if (const Attribute* version = FindAttribute(iface.attrs, "version");
      version != nullptr && !version->args.empty()) {
    const std::string& text = version->args[0].text;
    std::size_t dot = text.find('.');
    mutable_iface.version_major =
        static_cast<std::uint16_t>(std::strtoul(text.c_str(), nullptr, 10));
    if (dot != std::string::npos) {
      mutable_iface.version_minor =
          static_cast<std::uint16_t>(std::strtoul(text.c_str() + dot + 1, nullptr, 10));
    }
  }
  if (const Attribute* pd = FindAttribute(iface.attrs, "pointer_default");
      pd != nullptr && !pd->args.empty()) {
    const std::string& text = pd->args[0].text;
    mutable_iface.pointer_default = text == "ref"   ? PointerKind::kRef
                                    : text == "ptr" ? PointerKind::kFull
                                                    : PointerKind::kUnique;
  }
}

// The remoting rules ([out] is a pointer, size_is names an integer in
// scope, ...) apply to what is remoted through generated stubs: methods of
// non-[local] RPC interfaces. For [object] interfaces widl checks them only
// when it generates proxies; idlc's COM proxy generator will do the same, so
// the front end accepts every header-only file widl accepts.
void Analyzer::CheckMethod(const Method& method, const Interface& iface) {
  bool remoted = !iface.local && !iface.object && !method.local;
  for (std::size_t i = 0; i < method.params.size(); ++i) {
    const Param& param = method.params[i];
    const std::string pname = param.name.empty() ? "#" + std::to_string(i + 1) : param.name;
    if (param.retval && param.direction == Direction::kIn) {
      sink_.Error(param.loc, "retval parameter " + Quote(pname) + " of method " +
                                 Quote(method.name) + " is not an out parameter");
    }
    if (!remoted) continue;
    if (param.direction != Direction::kIn && !param.type->IsPointerLike() &&
        param.type != error_type_ && param.type->StripAliases().kind != TypeKind::kInterface) {
      sink_.Error(param.loc, "out parameter " + Quote(pname) + " of method " + Quote(method.name) +
                                 " is not a pointer");
    }
    CheckDeclAttributes("method '" + method.name + "'", pname, param.loc, param.type, param.attrs,
                        nullptr, &method.params);
  }
}

void Analyzer::CheckDeclAttributes(const std::string& owner, const std::string& name, Location loc,
                                   const Type* type, const AttributeList& attrs,
                                   const std::vector<Field>* fields,
                                   const std::vector<Param>* params) {
  if (type == error_type_) return;
  for (const Attribute& attr : attrs) {
    bool sizing =
        std::find_if(std::begin(kSizeAttributes), std::end(kSizeAttributes),
                     [&](const char* a) { return attr.name == a; }) != std::end(kSizeAttributes);
    if (attr.name == "string") {
      // [string] must end, through pointers and arrays, at a character type.
      const Type* t = &type->StripAliases();
      bool layered = false;
      while (t->kind == TypeKind::kPointer || t->kind == TypeKind::kArray) {
        t = &t->Target()->StripAliases();
        layered = true;
      }
      if (t == error_type_) continue;  // already reported as an unknown type
      if (!layered || !t->IsCharacter()) {
        sink_.Error(attr.loc, "[string] attribute on " + Quote(name) +
                                  " which is not a character array or pointer");
      }
      continue;
    }
    if (attr.name == "range" && attr.args.size() == 2 && attr.args[0].value && attr.args[1].value &&
        *attr.args[0].value > *attr.args[1].value) {
      sink_.Error(attr.loc,
                  "invalid range for " + Quote(name) + ": minimum is greater than maximum");
      continue;
    }
    if (!sizing) continue;
    if (attr.args.empty()) {
      sink_.Error(attr.loc, "attribute " + Quote(attr.name) + " requires an argument");
      continue;
    }
    if (params == nullptr && fields == nullptr) continue;  // typedef: checked where used
    if ((attr.name == "size_is" || attr.name == "length_is" || attr.name == "max_is" ||
         attr.name == "first_is" || attr.name == "last_is" || attr.name == "min_is") &&
        !type->IsPointerLike()) {
      sink_.Error(attr.loc,
                  attr.name + " on " + Quote(name) + " which is neither a pointer nor an array");
      continue;
    }
    for (const AttrValue& arg : attr.args) {
      if (!arg.expr) continue;
      std::vector<const ast::Expr*> refs;
      CollectNames(*arg.expr, refs);
      for (const ast::Expr* ref : refs) {
        const Type* ref_type = nullptr;
        if (params != nullptr) {
          for (const Param& p : *params) {
            if (p.name == ref->text) ref_type = p.type;
          }
        } else {
          for (const Field& f : *fields) {
            if (f.name == ref->text) ref_type = f.type;
          }
        }
        if (ref_type == nullptr) {
          if (values_.count(ref->text) != 0) continue;  // a constant
          sink_.Error(ref->loc, attr.name + " of " + Quote(name) + " refers to " +
                                    Quote(ref->text) + ", which is not a " +
                                    (params != nullptr ? "parameter of " : "field of ") + owner);
          continue;
        }
        if (ref_type == error_type_) continue;
        const Type* t = &ref_type->StripAliases();
        while (t->kind == TypeKind::kPointer && t->Target() != nullptr)
          t = &t->Target()->StripAliases();
        bool ok = attr.name == "iid_is" ? true : t->IsInteger();
        if (!ok) {
          sink_.Error(ref->loc, attr.name + " of " + Quote(name) + " refers to " +
                                    Quote(ref->text) + ", which is not an integer");
        }
      }
    }
    if (attr.name == "switch_is") {
      // Check the union's case values against the switch variable's type.
      const Type* t = &type->StripAliases();
      while (t->kind == TypeKind::kPointer && t->Target() != nullptr)
        t = &t->Target()->StripAliases();
      if (t->kind == TypeKind::kUnion && !t->AsUnion().encapsulated && attr.args[0].expr) {
        std::vector<const ast::Expr*> refs;
        CollectNames(*attr.args[0].expr, refs);
        const Type* switch_type = nullptr;
        for (const ast::Expr* ref : refs) {
          if (params != nullptr) {
            for (const Param& p : *params)
              if (p.name == ref->text) switch_type = p.type;
          } else {
            for (const Field& f : *fields)
              if (f.name == ref->text) switch_type = f.type;
          }
        }
        if (switch_type != nullptr) {
          const Type* s = &switch_type->StripAliases();
          while (s->kind == TypeKind::kPointer && s->Target() != nullptr)
            s = &s->Target()->StripAliases();
          if (s->IsInteger()) CheckUnionCases(*t, s, attr.loc);
        }
      }
    }
  }
  (void)loc;
}

void Analyzer::CheckDuplicateCases(const Type& union_type) {
  std::vector<std::pair<std::int64_t, Location>> seen;
  for (const UnionCase& c : union_type.AsUnion().cases) {
    Location where = c.field ? c.field->loc : union_type.loc;
    for (std::int64_t value : c.values) {
      for (const auto& [previous, previous_loc] : seen) {
        if (previous == value) {
          sink_.ErrorWithNote(
              where,
              "duplicate case value " + std::to_string(value) + " in " + UnionName(union_type.name),
              previous_loc, "previously used here");
        }
      }
      seen.emplace_back(value, where);
    }
  }
}

void Analyzer::CheckUnionCases(const Type& union_type, const Type* switch_type, Location loc) {
  (void)loc;
  const Type& s = switch_type->StripAliases();
  for (const UnionCase& c : union_type.AsUnion().cases) {
    Location where = c.field ? c.field->loc : union_type.loc;
    for (std::int64_t value : c.values) {
      if (s.kind == TypeKind::kEnum) {
        const std::vector<Enumerator>& enumerators = s.AsEnum().enumerators;
        bool found = std::any_of(enumerators.begin(), enumerators.end(),
                                 [&](const Enumerator& e) { return e.value == value; });
        if (!found) {
          sink_.Error(where, "case value " + std::to_string(value) +
                                 " is not a value of switch type " +
                                 Quote(switch_type->Spelling()));
        }
      } else if (s.kind == TypeKind::kBase) {
        const BaseKind base = s.AsBase().kind;
        const bool is_unsigned = s.AsBase().is_unsigned;
        int bits = base == BaseKind::kSmall || base == BaseKind::kChar || base == BaseKind::kByte ||
                           base == BaseKind::kBoolean
                       ? 8
                   : base == BaseKind::kShort || base == BaseKind::kWChar ? 16
                   : base == BaseKind::kHyper                             ? 64
                                                                          : 32;
        if (bits < 64) {
          std::int64_t min = is_unsigned ? 0 : -(std::int64_t{1} << (bits - 1));
          std::int64_t max =
              is_unsigned ? (std::int64_t{1} << bits) - 1 : (std::int64_t{1} << (bits - 1)) - 1;
          // Allow the unsigned spelling of negative values (0xffffffff for -1).
          bool fits = (value >= min && value <= max) ||
                      (!is_unsigned && value >= 0 && value <= (std::int64_t{1} << bits) - 1);
          if (!fits) {
            sink_.Error(where, "case value " + std::to_string(value) +
                                   " does not fit switch type " + Quote(switch_type->Spelling()));
          }
        }
      }
    }
  }
}

void Analyzer::CheckByValueRecursion(const Type& type, const Field& field) {
  const Type* t = &field.type->StripAliases();
  while (t->kind == TypeKind::kArray && t->Target() != nullptr && t->AsArray().size)
    t = &t->Target()->StripAliases();
  if ((t->kind == TypeKind::kStruct || t->kind == TypeKind::kUnion) &&
      std::find(defining_.begin(), defining_.end(), t) != defining_.end()) {
    std::string what = type.name.empty() ? "anonymous type" : Quote(type.name);
    sink_.Error(field.loc,
                "field " + Quote(field.name) + " makes " + what + " contain itself by value");
  }
}

}  // namespace alpaca::idl
