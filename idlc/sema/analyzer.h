// Semantic analysis: AST of the main file and its imports -> checked Model.
// Resolves names (types, tags, constants, interfaces), evaluates constant
// expressions, assigns opnums and checks declarations (idlc/sema/checks.cc);
// then, on a model without errors, the remoting pass resolves what remoted
// interfaces carry on the wire (idlc/sema/remoting.h). Reports through the
// sink and goes on after errors, so one run shows them all.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "idlc/ast/ast.h"
#include "idlc/diag/diagnostics.h"
#include "idlc/sema/const_eval.h"
#include "idlc/sema/model.h"

namespace alpaca::idl {

struct SourceUnit {
  const ast::File* file = nullptr;
  bool is_main = false;
};

// Imports first, the main file last (the Loader's order).
std::unique_ptr<Model> Analyze(const std::vector<SourceUnit>& units, DiagnosticSink& sink);

// Implementation detail shared by analyzer*.cc and checks.cc.
class Analyzer {
 public:
  Analyzer(Model& model, DiagnosticSink& sink);
  void Run(const std::vector<SourceUnit>& units);

 private:
  struct Context {
    bool is_main = false;
    std::string library;
    Interface* interface = nullptr;
  };
  struct NameEntry {
    const Type* type = nullptr;
    Location loc;
  };
  struct ValueEntry {
    std::optional<std::int64_t> value;
    Location loc;
  };

  // analyzer.cc: definitions
  void Definitions(const ast::Definitions& defs, const Context& ctx);
  void DefineInterface(const ast::Definition& def, const Context& ctx);
  void DefineDispinterface(const ast::Definition& def, const Context& ctx);
  void DefineCoclass(const ast::Definition& def, const Context& ctx);
  void DefineTypedef(const ast::Definition& def, const Context& ctx);
  void DefineConst(const ast::Definition& def, const Context& ctx);
  void Declaration(const ast::Definition& def, const Context& ctx);
  Method MakeMethod(const ast::Declarator& decl, const Type* return_type, AttributeList attrs);
  void AssignOpnums(Interface& iface);
  bool DeclareName(const std::string& name, Location loc, const Type* type);
  bool DeclareValue(const std::string& name, Location loc, std::optional<std::int64_t> value);

  // analyzer_types.cc: types and attributes
  const Type* ResolveSpec(const ast::TypeSpec& spec, const Context& ctx);
  const Type* ResolveBase(const std::string& words, Location loc);
  Type* ResolveTag(const ast::TagType& tag, const Context& ctx);
  void DefineStruct(Type& type, const ast::TagType& tag, const Context& ctx);
  void DefineUnion(Type& type, const ast::TagType& tag, const Context& ctx);
  // [switch_type(T)] on a union's definition or on a typedef of it.
  void ApplySwitchType(const Type* target, const ast::Attributes& attrs, const Context& ctx);
  void DefineEnum(Type& type, const ast::TagType& tag);
  const Type* ApplyDeclarator(const Type* base, const ast::Declarator& decl,
                              const AttributeList& attrs, const Context& ctx, bool top = true);
  std::vector<Param> Params(const std::vector<ast::Param>& params, const Context& ctx);
  AttributeList Attributes(const ast::Attributes& attrs);
  Type* NewType(TypeKind kind);
  std::optional<std::int64_t> Evaluate(const ast::Expr& expr, bool report = true);

  // checks.cc: the remoting rules
  void CheckInterfaceAttributes(const Interface& iface, const ast::Definition& def);
  void CheckUuid(const Attribute& attr);
  void CheckMethod(const Method& method, const Interface& iface);
  void CheckDeclAttributes(const std::string& owner, const std::string& name, Location loc,
                           const Type* type, const AttributeList& attrs,
                           const std::vector<Field>* fields, const std::vector<Param>* params);
  void CheckDuplicateCases(const Type& union_type);
  void CheckUnionCases(const Type& union_type, const Type* switch_type, Location loc);
  void CheckByValueRecursion(const Type& type, const Field& field);

  Model& model_;
  DiagnosticSink& sink_;
  std::map<std::string, NameEntry> names_;    // typedefs and interfaces
  std::map<std::string, Type*> tags_;         // "struct x", "union x", "enum x"
  std::map<std::string, ValueEntry> values_;  // constants and enumerators
  std::map<std::string, Interface*> interfaces_;
  std::map<std::string, const Type*> base_types_;
  std::vector<const Type*> defining_;              // structs being defined (recursion check)
  std::map<std::string, const ast::File*> files_;  // by path, for imports
  std::set<std::string> analyzed_;
  struct PendingMember {
    std::string name;
    std::string coclass;
    Location loc;
  };
  std::vector<PendingMember> coclass_members_;  // checked at the end: may name later interfaces
  Type* error_type_ = nullptr;
  ConstScope const_scope_;
};

}  // namespace alpaca::idl
