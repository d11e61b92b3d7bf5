#include "idlc/sema/analyzer.h"

#include <algorithm>
#include <utility>

#include "idlc/sema/remoting.h"

namespace alpaca::idl {
std::unique_ptr<Model> Analyze(const std::vector<SourceUnit>& units, DiagnosticSink& sink) {
  auto model = std::make_unique<Model>();
  CountingSink counting(sink);
  Analyzer analyzer(*model, counting);
  analyzer.Run(units);
  // The remoting rules need every name resolved: after a clean analysis only.
  if (counting.errors() == 0) ResolveRemoting(*model, counting);
  return model;
}

Analyzer::Analyzer(Model& model, DiagnosticSink& sink) : model_(model), sink_(sink) {
  error_type_ = NewType(TypeKind::kVoid);
  error_type_->name = "<error>";
  const_scope_.lookup = [this](const std::string& name) -> std::optional<std::int64_t> {
    auto found = values_.find(name);
    if (found == values_.end()) return std::nullopt;
    return found->second.value;
  };
  const_scope_.size_of = [this](const ast::TypeSpec& spec,
                                int pointers) -> std::optional<std::int64_t> {
    if (pointers > 0) return 8;
    const Type* type = ResolveSpec(spec, Context{});
    return type->CSize();
  };
}

// Imports are analyzed where the import statement stands, as widl does:
// an imported file may use types the importer defined before the import.
void Analyzer::Run(const std::vector<SourceUnit>& units) {
  const ast::File* main = nullptr;
  for (const SourceUnit& unit : units) {
    files_[unit.file->path] = unit.file;
    if (unit.is_main) main = unit.file;
  }
  if (main == nullptr) return;
  model_.main_file = main->path;
  for (const ast::Definition& def : main->definitions) {
    if (def.kind == ast::DefKind::kImport) {
      model_.imports.insert(model_.imports.end(), def.strings.begin(), def.strings.end());
    }
  }
  analyzed_.insert(main->path);
  Context ctx;
  ctx.is_main = true;
  Definitions(main->definitions, ctx);
  // Like widl, a coclass may name an interface declared nowhere (it is an
  // implicit forward declaration); naming a non-interface type is an error.
  for (const PendingMember& member : coclass_members_) {
    auto name = names_.find(member.name);
    if (interfaces_.count(member.name) == 0 && name != names_.end() &&
        name->second.type != error_type_) {
      sink_.Error(member.loc,
                  "'" + member.name + "' in coclass '" + member.coclass + "' is not an interface");
    }
  }
}

bool Analyzer::DeclareName(const std::string& name, Location loc, const Type* type) {
  auto [it, inserted] = names_.emplace(name, NameEntry{type, loc});
  if (inserted) return true;
  sink_.ErrorWithNote(loc, "redefinition of '" + name + "'", it->second.loc,
                      "previously defined here");
  return false;
}

bool Analyzer::DeclareValue(const std::string& name, Location loc,
                            std::optional<std::int64_t> value) {
  auto [it, inserted] = values_.emplace(name, ValueEntry{value, loc});
  if (inserted) return true;
  sink_.ErrorWithNote(loc, "redefinition of '" + name + "'", it->second.loc,
                      "previously defined here");
  return false;
}

void Analyzer::Definitions(const ast::Definitions& defs, const Context& ctx) {
  for (const ast::Definition& def : defs) {
    switch (def.kind) {
      case ast::DefKind::kImport:
        for (const std::string& path : def.resolved) {
          auto file = files_.find(path);
          if (path.empty() || file == files_.end() || !analyzed_.insert(path).second) continue;
          Definitions(file->second->definitions, Context{});
        }
        break;
      case ast::DefKind::kImportlib:
      case ast::DefKind::kIgnored:
        break;
      case ast::DefKind::kWinrt:
        if (ctx.is_main) model_.winrt = true;
        break;
      case ast::DefKind::kCppQuote:
        if (ctx.is_main) model_.cpp_quotes.push_back(def.strings.empty() ? "" : def.strings[0]);
        break;
      case ast::DefKind::kInterface:
        DefineInterface(def, ctx);
        break;
      case ast::DefKind::kDispinterface:
        DefineDispinterface(def, ctx);
        break;
      case ast::DefKind::kCoclass:
        DefineCoclass(def, ctx);
        break;
      case ast::DefKind::kLibrary: {
        Library library;
        library.name = def.name;
        library.loc = def.name_loc;
        library.from_main_file = ctx.is_main;
        library.attrs = Attributes(def.attrs);
        if (const Attribute* uuid = FindAttribute(library.attrs, "uuid")) {
          CheckUuid(*uuid);
          if (!uuid->args.empty()) library.uuid = Uuid::Parse(uuid->args[0].text);
        }
        model_.libraries.push_back(std::move(library));
        Context inner = ctx;
        inner.library = def.name;
        Definitions(def.items, inner);
        break;
      }
      case ast::DefKind::kModule: {
        Context inner = ctx;
        Definitions(def.items, inner);
        break;
      }
      case ast::DefKind::kTypedef:
        DefineTypedef(def, ctx);
        break;
      case ast::DefKind::kConst:
        DefineConst(def, ctx);
        break;
      case ast::DefKind::kDeclaration:
        Declaration(def, ctx);
        break;
    }
  }
}

void Analyzer::DefineInterface(const ast::Definition& def, const Context& ctx) {
  Interface* iface = nullptr;
  auto found = interfaces_.find(def.name);
  if (found != interfaces_.end()) {
    iface = found->second;
    if (!def.forward && !iface->methods.empty()) {
      sink_.ErrorWithNote(def.name_loc, "redefinition of interface '" + def.name + "'", iface->loc,
                          "previously defined here");
      return;
    }
  } else {
    auto name_found = names_.find(def.name);
    if (name_found != names_.end()) {
      sink_.ErrorWithNote(def.name_loc, "redefinition of '" + def.name + "'",
                          name_found->second.loc, "previously defined here");
      return;
    }
    iface = &model_.interface_arena.emplace_back();
    iface->name = def.name;
    iface->loc = def.name_loc;
    interfaces_[def.name] = iface;
    Type* type = NewType(TypeKind::kInterface);
    type->name = def.name;
    type->loc = def.name_loc;
    names_[def.name] = NameEntry{type, def.name_loc};
  }
  if (def.forward) return;
  iface->loc = def.name_loc;
  iface->from_main_file = ctx.is_main;
  iface->library = ctx.library;
  iface->attrs = Attributes(def.attrs);
  iface->object = FindAttribute(iface->attrs, "object") != nullptr;
  iface->local = FindAttribute(iface->attrs, "local") != nullptr;
  if (const Attribute* uuid = FindAttribute(iface->attrs, "uuid");
      uuid != nullptr && !uuid->args.empty()) {
    iface->uuid = Uuid::Parse(uuid->args[0].text);
  }
  CheckInterfaceAttributes(*iface, def);
  if (!def.base.empty()) {
    auto base = interfaces_.find(def.base);
    if (base == interfaces_.end()) {
      if (names_.count(def.base) != 0) {
        sink_.Error(def.base_loc,
                    "base of interface '" + def.name + "' is not an interface: '" + def.base + "'");
      } else {
        sink_.Error(def.base_loc, "unknown base interface '" + def.base + "'");
      }
    } else if (base->second == iface) {
      sink_.Error(def.base_loc, "interface '" + def.name + "' cannot derive from itself");
    } else {
      iface->base = base->second;
      iface->inherited_methods =
          base->second->inherited_methods +
          static_cast<int>(std::count_if(base->second->methods.begin(), base->second->methods.end(),
                                         [](const Method& m) { return m.call_as.empty(); }));
    }
  } else if (iface->object && !iface->local && FindAttribute(iface->attrs, "uuid") != nullptr &&
             def.name != "IUnknown") {
    sink_.Error(def.name_loc,
                "object interface '" + def.name + "' must derive from another interface");
  }
  Context inner = ctx;
  inner.interface = iface;
  Definitions(def.items, inner);
  AssignOpnums(*iface);
  model_.interfaces.push_back(iface);
}

void Analyzer::DefineDispinterface(const ast::Definition& def, const Context& ctx) {
  Interface* iface = nullptr;
  auto found = interfaces_.find(def.name);
  if (found != interfaces_.end()) {
    iface = found->second;
  } else {
    iface = &model_.interface_arena.emplace_back();
    iface->name = def.name;
    interfaces_[def.name] = iface;
    Type* type = NewType(TypeKind::kInterface);
    type->name = def.name;
    if (!DeclareName(def.name, def.name_loc, type)) return;
  }
  iface->loc = def.name_loc;
  if (def.forward) return;
  iface->dispinterface = true;
  iface->from_main_file = ctx.is_main;
  iface->library = ctx.library;
  iface->attrs = Attributes(def.attrs);
  if (const Attribute* uuid = FindAttribute(iface->attrs, "uuid")) {
    CheckUuid(*uuid);
    if (!uuid->args.empty()) iface->uuid = Uuid::Parse(uuid->args[0].text);
  }
  auto dispatch = interfaces_.find("IDispatch");
  if (dispatch != interfaces_.end()) iface->base = dispatch->second;
  if (!def.disp_interface.empty() && interfaces_.count(def.disp_interface) == 0) {
    sink_.Error(def.base_loc, "unknown interface '" + def.disp_interface + "'");
  }
  Context inner = ctx;
  for (const ast::Field& prop : def.properties) {
    Field field;
    field.name = prop.decl.name;
    field.loc = prop.decl.loc;
    field.attrs = Attributes(prop.attrs);
    field.type = ApplyDeclarator(ResolveSpec(prop.type, inner), prop.decl, field.attrs, inner);
    iface->properties.push_back(std::move(field));
  }
  for (const ast::Field& m : def.methods) {
    const Type* return_type = ResolveSpec(m.type, inner);
    iface->methods.push_back(MakeMethod(m.decl, return_type, Attributes(m.attrs)));
    Method& method = iface->methods.back();
    if (!m.decl.suffixes.empty() && m.decl.suffixes.back().kind == ast::Suffix::Kind::kFunction) {
      method.params = Params(m.decl.suffixes.back().params, inner);
    }
  }
  AssignOpnums(*iface);
  model_.interfaces.push_back(iface);
}

void Analyzer::DefineCoclass(const ast::Definition& def, const Context& ctx) {
  if (def.forward) return;
  Coclass coclass;
  coclass.name = def.name;
  coclass.loc = def.name_loc;
  coclass.from_main_file = ctx.is_main;
  coclass.attrs = Attributes(def.attrs);
  if (const Attribute* uuid = FindAttribute(coclass.attrs, "uuid")) {
    CheckUuid(*uuid);
    if (!uuid->args.empty()) coclass.uuid = Uuid::Parse(uuid->args[0].text);
  }
  for (const ast::CoclassMember& member : def.members) {
    coclass_members_.push_back(PendingMember{member.name, def.name, member.loc});
    coclass.interfaces.push_back(member.name);
  }
  model_.coclasses.push_back(std::move(coclass));
}

void Analyzer::DefineTypedef(const ast::Definition& def, const Context& ctx) {
  AttributeList attrs = Attributes(def.attrs);
  const Type* base = ResolveSpec(def.type, ctx);
  if (def.type.kind == ast::TypeSpec::Kind::kTag) ApplySwitchType(base, def.attrs, ctx);
  for (const ast::Declarator& decl : def.declarators) {
    if (decl.name.empty()) continue;
    const Type* target = ApplyDeclarator(base, decl, attrs, ctx);
    auto existing = names_.find(decl.name);
    // `typedef struct X X;` after `struct X` or a repeated identical typedef
    // of the same tag is harmless (C allows it; Wine's headers rely on it).
    if (existing != names_.end() && existing->second.type->kind == TypeKind::kAlias &&
        existing->second.type->AsAlias().target == target) {
      continue;
    }
    // widl accepts a typedef repeated in another file (Wine's dcommon.idl
    // and windef.h both define POINT); only the same file is an error.
    if (existing != names_.end() && existing->second.loc.file != decl.loc.file &&
        existing->second.type->kind == TypeKind::kAlias) {
      continue;
    }
    Type* alias = NewType(TypeKind::kAlias);
    alias->name = decl.name;
    alias->loc = decl.loc;
    alias->attrs = attrs;
    alias->AsAlias().target = target;
    if (!DeclareName(decl.name, decl.loc, alias)) continue;
    CheckDeclAttributes("typedef", decl.name, decl.loc, target, attrs, nullptr, nullptr);
    model_.types.push_back(NamedType{alias, ctx.is_main});
  }
}

void Analyzer::DefineConst(const ast::Definition& def, const Context& ctx) {
  Constant constant;
  constant.name = def.name;
  constant.loc = def.name_loc;
  constant.from_main_file = ctx.is_main;
  constant.type = ApplyDeclarator(ResolveSpec(def.type, ctx), def.declarators[0], {}, ctx);
  const Type& stripped = constant.type->StripAliases();
  if (def.value->kind == ast::ExprKind::kString) {
    constant.string = def.value->text;
  } else if (stripped.IsBase(BaseKind::kFloat) || stripped.IsBase(BaseKind::kDouble)) {
    constant.text = def.value->text;
  } else if (stripped.kind == TypeKind::kPointer && def.value->kind != ast::ExprKind::kString) {
    constant.text = def.value->text;
  } else {
    constant.integer = Evaluate(*def.value);
  }
  DeclareValue(def.name, def.name_loc, constant.integer);
  model_.constants.push_back(std::move(constant));
}

void Analyzer::Declaration(const ast::Definition& def, const Context& ctx) {
  const Type* base = ResolveSpec(def.type, ctx);
  AttributeList attrs = Attributes(def.attrs);
  // `[switch_type(long)] union u {...};`
  if (def.type.kind == ast::TypeSpec::Kind::kTag) ApplySwitchType(base, def.attrs, ctx);
  for (const ast::Declarator& decl : def.declarators) {
    if (decl.name.empty() && decl.suffixes.empty() && decl.pointers.empty())
      continue;  // struct X {...};
    bool is_function = !decl.suffixes.empty() &&
                       decl.suffixes.back().kind == ast::Suffix::Kind::kFunction &&
                       decl.inner == nullptr;
    if (ctx.interface != nullptr && is_function) {
      Method method = MakeMethod(
          decl,
          ApplyDeclarator(base, ast::Declarator{"", decl.loc, decl.pointers, {}, nullptr, nullptr},
                          {}, ctx),
          attrs);
      method.params = Params(decl.suffixes.back().params, ctx);
      auto clash = std::find_if(ctx.interface->methods.begin(), ctx.interface->methods.end(),
                                [&](const Method& m) {
                                  auto prop = [](const Method& x) {
                                    for (const char* p : {"propget", "propput", "propputref"}) {
                                      if (FindAttribute(x.attrs, p) != nullptr)
                                        return std::string(p);
                                    }
                                    return std::string();
                                  };
                                  return m.name == method.name && prop(m) == prop(method);
                                });
      if (clash != ctx.interface->methods.end()) {
        sink_.ErrorWithNote(method.loc,
                            "redefinition of method '" + method.name + "' in interface '" +
                                ctx.interface->name + "'",
                            clash->loc, "previously defined here");
        continue;
      }
      CheckMethod(method, *ctx.interface);
      ctx.interface->methods.push_back(std::move(method));
    } else {
      // Top-level function prototypes (module/[local] helpers) and variable
      // declarations: resolved for their diagnostics, not modelled.
      ApplyDeclarator(base, decl, attrs, ctx);
    }
  }
}

Method Analyzer::MakeMethod(const ast::Declarator& decl, const Type* return_type,
                            AttributeList attrs) {
  Method method;
  method.name = decl.name;
  method.loc = decl.loc;
  method.return_type = return_type;
  method.attrs = std::move(attrs);
  method.local = FindAttribute(method.attrs, "local") != nullptr;
  if (const Attribute* call_as = FindAttribute(method.attrs, "call_as");
      call_as != nullptr && !call_as->args.empty()) {
    method.call_as = call_as->args[0].text;
  }
  return method;
}

// Opnums follow declaration order after the inherited methods; a
// [call_as(X)] method is the wire form of X and takes X's opnum.
void Analyzer::AssignOpnums(Interface& iface) {
  int next = iface.inherited_methods;
  for (Method& method : iface.methods) {
    if (method.call_as.empty()) method.opnum = next++;
  }
  for (Method& method : iface.methods) {
    if (method.call_as.empty()) continue;
    auto target = std::find_if(iface.methods.begin(), iface.methods.end(), [&](const Method& m) {
      return m.call_as.empty() && m.name == method.call_as;
    });
    if (target == iface.methods.end()) {
      sink_.Error(method.loc, "call_as target '" + method.call_as + "' of '" + method.name +
                                  "' is not a method of '" + iface.name + "'");
      continue;
    }
    method.opnum = target->opnum;
  }
}

}  // namespace alpaca::idl
