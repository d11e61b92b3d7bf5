#include "idlc/emit/json_emitter.h"

#include <cctype>

namespace alpaca::idl {
namespace {

using Json = nlohmann::ordered_json;

// Lower case, empty when absent.
std::string UuidText(const std::optional<Uuid>& uuid) { return uuid ? uuid->ToString() : ""; }

const char* PointerName(PointerKind kind) {
  switch (kind) {
    case PointerKind::kDefault:
      return "default";
    case PointerKind::kRef:
      return "ref";
    case PointerKind::kUnique:
      return "unique";
    case PointerKind::kFull:
      return "ptr";
  }
  return "default";
}

const char* BaseName(const Type& type) {
  switch (type.AsBase().kind) {
    case BaseKind::kChar:
      return "char";
    case BaseKind::kWChar:
      return "wchar_t";
    case BaseKind::kSmall:
      return "small";
    case BaseKind::kShort:
      return "short";
    case BaseKind::kLong:
      return "long";
    case BaseKind::kHyper:
      return "hyper";
    case BaseKind::kInt:
      return "int";
    case BaseKind::kInt3264:
      return "int3264";
    case BaseKind::kByte:
      return "byte";
    case BaseKind::kBoolean:
      return "boolean";
    case BaseKind::kFloat:
      return "float";
    case BaseKind::kDouble:
      return "double";
    case BaseKind::kHandle:
      return "handle_t";
    case BaseKind::kErrorStatus:
      return "error_status_t";
  }
  return "int";
}

Json Attributes(const AttributeList& attrs) {
  Json out = Json::object();
  for (const Attribute& attr : attrs) {
    Json args = Json::array();
    for (const AttrValue& arg : attr.args) {
      if (arg.value && arg.expr && arg.expr->kind != ast::ExprKind::kName) {
        args.push_back(*arg.value);
      } else {
        args.push_back(arg.text);
      }
    }
    out[attr.name] = std::move(args);
  }
  return out;
}

Json TypeRef(const Type& type, int depth = 0);

Json Params(const std::vector<Param>& params) {
  Json out = Json::array();
  for (const Param& p : params) {
    Json param;
    param["name"] = p.name;
    param["direction"] = p.direction == Direction::kIn    ? "in"
                         : p.direction == Direction::kOut ? "out"
                                                          : "inout";
    if (p.retval) param["retval"] = true;
    param["type"] = TypeRef(*p.type);
    if (!p.attrs.empty()) param["attributes"] = Attributes(p.attrs);
    out.push_back(std::move(param));
  }
  return out;
}

// A use of a type: structure spelled out through pointers/arrays, named
// aggregates referenced by name (they may be recursive).
Json TypeRef(const Type& type, int depth) {
  Json out;
  const Type& t = type.StripAliases();
  if (type.kind == TypeKind::kAlias) out["alias"] = type.name;
  out["kind"] = TypeKindName(t.kind);
  if (depth > 64) return out;  // defensive: types are acyclic through pointers only
  switch (t.kind) {
    case TypeKind::kBase:
      out["base"] = BaseName(t);
      out["unsigned"] = t.AsBase().is_unsigned;
      break;
    case TypeKind::kPointer:
      out["pointer"] = PointerName(t.AsPointer().kind);
      out["target"] = TypeRef(*t.AsPointer().target, depth + 1);
      break;
    case TypeKind::kArray:
      if (t.AsArray().size) {
        out["size"] = *t.AsArray().size;
      } else {
        out["conformant"] = true;
      }
      out["element"] = TypeRef(*t.AsArray().element, depth + 1);
      break;
    case TypeKind::kStruct:
    case TypeKind::kUnion:
    case TypeKind::kEnum:
    case TypeKind::kInterface:
      out["name"] = t.name;
      break;
    case TypeKind::kFunction:
      out["return"] = TypeRef(*t.AsFunction().return_type, depth + 1);
      out["params"] = Params(t.AsFunction().params);
      break;
    case TypeKind::kPipe:
      out["element"] = TypeRef(*t.AsPipe().element, depth + 1);
      break;
    case TypeKind::kVoid:
    case TypeKind::kAlias:
      break;
  }
  return out;
}

Json Fields(const std::vector<Field>& fields) {
  Json out = Json::array();
  for (const Field& f : fields) {
    Json field;
    field["name"] = f.name;
    field["type"] = TypeRef(*f.type);
    if (!f.attrs.empty()) field["attributes"] = Attributes(f.attrs);
    out.push_back(std::move(field));
  }
  return out;
}

// A named type's definition.
Json TypeDefinition(const Type& type) {
  Json out;
  out["name"] = type.name;
  out["kind"] = TypeKindName(type.kind);
  if (type.kind == TypeKind::kAlias) {
    out["type"] = TypeRef(*type.AsAlias().target);
  } else if (type.kind == TypeKind::kStruct) {
    out["fields"] = Fields(type.AsStruct().fields);
  } else if (type.kind == TypeKind::kEnum) {
    Json values = Json::array();
    for (const Enumerator& e : type.AsEnum().enumerators)
      values.push_back(Json{{"name", e.name}, {"value", e.value}});
    out["values"] = std::move(values);
  } else if (type.kind == TypeKind::kUnion) {
    const UnionInfo& info = type.AsUnion();
    out["encapsulated"] = info.encapsulated;
    // Encapsulated: its switch; otherwise from [switch_type] when declared.
    if (info.switch_type != nullptr) out["switch_type"] = TypeRef(*info.switch_type);
    if (info.encapsulated) out["switch_name"] = info.switch_name;
    Json cases = Json::array();
    for (const UnionCase& c : info.cases) {
      Json arm;
      arm["values"] = c.values;
      if (c.is_default) arm["default"] = true;
      if (c.field) arm["field"] = Fields({*c.field})[0];
      cases.push_back(std::move(arm));
    }
    out["cases"] = std::move(cases);
  }
  if (!type.attrs.empty()) out["attributes"] = Attributes(type.attrs);
  return out;
}

}  // namespace

Json ModelToJson(const Model& model, bool include_imported) {
  Json out;
  out["file"] = model.main_file;
  out["winrt"] = model.winrt;
  out["imports"] = model.imports;
  Json types = Json::array();
  for (const NamedType& named : model.types) {
    if (named.from_main_file || include_imported) types.push_back(TypeDefinition(*named.type));
  }
  out["types"] = std::move(types);
  Json constants = Json::array();
  for (const Constant& c : model.constants) {
    if (!c.from_main_file && !include_imported) continue;
    Json constant;
    constant["name"] = c.name;
    constant["type"] = TypeRef(*c.type);
    if (c.integer) {
      constant["value"] = *c.integer;
    } else if (c.string) {
      constant["value"] = *c.string;
    } else {
      constant["value"] = c.text;
    }
    constants.push_back(std::move(constant));
  }
  out["constants"] = std::move(constants);
  Json interfaces = Json::array();
  for (const Interface* iface : model.interfaces) {
    if (!iface->from_main_file && !include_imported) continue;
    Json i;
    i["name"] = iface->name;
    i["kind"] = iface->dispinterface ? "dispinterface" : "interface";
    i["uuid"] = UuidText(iface->uuid);
    i["version"] =
        std::to_string(iface->version_major) + "." + std::to_string(iface->version_minor);
    i["object"] = iface->object;
    i["local"] = iface->local;
    i["base"] = iface->base != nullptr ? iface->base->name : "";
    i["pointer_default"] = PointerName(iface->pointer_default);
    if (!iface->library.empty()) i["library"] = iface->library;
    i["attributes"] = Attributes(iface->attrs);
    Json methods = Json::array();
    for (const Method& m : iface->methods) {
      Json method;
      method["name"] = m.name;
      method["opnum"] = m.opnum;
      if (!m.call_as.empty()) method["call_as"] = m.call_as;
      method["return"] = TypeRef(*m.return_type);
      method["params"] = Params(m.params);
      method["attributes"] = Attributes(m.attrs);
      methods.push_back(std::move(method));
    }
    i["methods"] = std::move(methods);
    if (iface->dispinterface) i["properties"] = Fields(iface->properties);
    interfaces.push_back(std::move(i));
  }
  out["interfaces"] = std::move(interfaces);
  Json coclasses = Json::array();
  for (const Coclass& c : model.coclasses) {
    if (!c.from_main_file && !include_imported) continue;
    coclasses.push_back(
        Json{{"name", c.name}, {"uuid", UuidText(c.uuid)}, {"interfaces", c.interfaces}});
  }
  out["coclasses"] = std::move(coclasses);
  Json libraries = Json::array();
  for (const Library& l : model.libraries) {
    if (!l.from_main_file && !include_imported) continue;
    libraries.push_back(Json{{"name", l.name}, {"uuid", UuidText(l.uuid)}});
  }
  out["libraries"] = std::move(libraries);
  out["cpp_quotes"] = model.cpp_quotes;
  return out;
}

}  // namespace alpaca::idl
