// Model facts from small valid IDL snippets: the contract generators rely on.
#include "idlc/sema/model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "alpaca_test_support/temp_dir.h"
#include "idlc/diag/diagnostics.h"
#include "idlc/driver/loader.h"
#include "idlc/emit/json_emitter.h"

namespace alpaca::idl {
namespace {

namespace fs = std::filesystem;

class ModelTest : public ::testing::Test {
 protected:
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  // A minimal IUnknown for [object] interfaces to derive from.
  void WriteUnknown(const std::string& name) {
    Write(name, R"(
    [object, local, uuid(00000000-0000-0000-C000-000000000046)]
    interface IUnknown
    {
        long QueryInterface([in] void *riid, [out] void **ppv);
        unsigned long AddRef(void);
        unsigned long Release(void);
    }
  )");
  }

  const Model& Compile(const std::string& text, const std::string& name = "t.idl") {
    Write(name, text);
    model_ = CompileFile((dir_ / name).string(), options_, sources_, sink_);
    for (const Diagnostic& d : sink_.diagnostics()) {
      if (d.severity == Severity::kWarning && allow_warnings_) continue;
      ADD_FAILURE() << FormatDiagnosticHeader(sources_, d);
    }
    return *model_;
  }

  const Interface& Find(const std::string& name) {
    for (const Interface* iface : model_->interfaces) {
      if (iface->name == name) return *iface;
    }
    throw std::runtime_error("no interface " + name);
  }

  alpaca::test_support::TempDir temp_{"idlc-model"};
  const fs::path& dir_ = temp_.Path();
  PreprocessorOptions options_;
  SourceManager sources_;
  CollectingSink sink_;
  std::unique_ptr<Model> model_;
  bool allow_warnings_ = false;
};

TEST_F(ModelTest, RpcInterfaceUuidVersionOpnumsAndDirections) {
  Compile(R"(
    [uuid(6B29FC40-CA47-1067-B31D-00DD010662DA), version(2.3), pointer_default(unique)]
    interface ICalc
    {
        long Add([in] long a, [in] long b);
        void Get([out] long *value);
        void Swap([in, out] long *value);
    }
  )");
  const Interface& calc = Find("ICalc");
  EXPECT_EQ(calc.uuid, Uuid::Parse("6b29fc40-ca47-1067-b31d-00dd010662da"));
  EXPECT_EQ(calc.version_major, 2);
  EXPECT_EQ(calc.version_minor, 3);
  EXPECT_EQ(calc.pointer_default, PointerKind::kUnique);
  ASSERT_EQ(calc.methods.size(), 3u);
  EXPECT_EQ(calc.methods[0].opnum, 0);
  EXPECT_EQ(calc.methods[2].opnum, 2);
  EXPECT_EQ(calc.methods[1].params[0].direction, Direction::kOut);
  EXPECT_EQ(calc.methods[2].params[0].direction, Direction::kInOut);
  EXPECT_EQ(calc.methods[0].return_type->StripAliases().AsBase().kind, BaseKind::kLong);
}

// A top-level library is parsed one definition at a time (idlc/parse's
// fast path); everything inside it, and what follows it, is still modelled
// in order.
TEST_F(ModelTest, TopLevelLibraryContentsAndWhatFollows) {
  WriteUnknown("unknwn.idl");
  Compile(R"(
    import "unknwn.idl";
    typedef long HRESULT;
    [uuid(11111111-2222-3333-4444-555555555555), version(1.2), helpstring("lib")]
    library Lib
    {
        importlib("stdole2.tlb");
        typedef enum { kOne = 1, kTwo = kOne + 1 } Numbers;
        [object, uuid(11111111-2222-3333-4444-555555555556)]
        interface IInLib : IUnknown { HRESULT Get([out, retval] long* value); }
        [uuid(11111111-2222-3333-4444-555555555557)]
        dispinterface DInLib { properties: [id(1)] long x; methods: [id(2)] void Ping(); };
        [uuid(11111111-2222-3333-4444-555555555558)]
        coclass CInLib { [default] interface IInLib; };
    };
    [object, uuid(11111111-2222-3333-4444-555555555559)]
    interface IAfter : IUnknown { HRESULT Put([in] long value); }
  )",
          "lib.idl");
  ASSERT_EQ(model_->libraries.size(), 1u);
  EXPECT_EQ(model_->libraries[0].name, "Lib");
  EXPECT_EQ(model_->libraries[0].uuid, Uuid::Parse("11111111-2222-3333-4444-555555555555"));
  ASSERT_EQ(model_->coclasses.size(), 1u);
  EXPECT_EQ(model_->coclasses[0].name, "CInLib");
  ASSERT_EQ(model_->coclasses[0].interfaces.size(), 1u);
  EXPECT_EQ(model_->coclasses[0].interfaces[0], "IInLib");
  EXPECT_EQ(Find("IInLib").methods.size(), 1u);
  EXPECT_EQ(Find("DInLib").properties.size(), 1u);
  EXPECT_EQ(Find("IAfter").methods[0].name, "Put");
  std::vector<std::string> order;
  for (const Interface* iface : model_->interfaces) {
    if (iface->from_main_file) order.push_back(iface->name);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"IInLib", "DInLib", "IAfter"}));
}

TEST_F(ModelTest, AliasesStripToTheUnderlyingType) {
  Compile(R"(
    typedef unsigned long DWORD;
    typedef DWORD COUNT;
    typedef [string] wchar_t *LPWSTR;
    [uuid(6B29FC40-CA47-1067-B31D-00DD010662DA)]
    interface IAlias { void Put([in] COUNT n, [in] LPWSTR name); }
  )");
  const Method& put = Find("IAlias").methods[0];
  const Type& n = put.params[0].type->StripAliases();
  EXPECT_EQ(put.params[0].type->name, "COUNT");
  EXPECT_EQ(n.kind, TypeKind::kBase);
  EXPECT_TRUE(n.AsBase().is_unsigned);
  const Type& name = put.params[1].type->StripAliases();
  ASSERT_EQ(name.kind, TypeKind::kPointer);
  EXPECT_TRUE(name.AsPointer().target->IsCharacter());
}

TEST_F(ModelTest, ObjectInterfacesInheritOpnumsAndCallAsTakesTheLocalSlot) {
  WriteUnknown("base.idl");
  Compile(R"(
    import "base.idl";
    [object, uuid(11111111-2222-3333-4444-555555555555)]
    interface IStream2 : IUnknown
    {
        [local] long Read([out, size_is(cb)] char *buf, [in] unsigned long cb);
        [call_as(Read)] long RemoteRead([out, size_is(cb)] char *buf, [in] unsigned long cb);
        long Write([in, size_is(cb)] const char *buf, [in] unsigned long cb);
    }
  )");
  const Interface& stream = Find("IStream2");
  ASSERT_NE(stream.base, nullptr);
  EXPECT_EQ(stream.base->name, "IUnknown");
  EXPECT_EQ(stream.methods[0].opnum, 3);
  EXPECT_EQ(stream.methods[1].opnum, 3);
  EXPECT_EQ(stream.methods[1].call_as, "Read");
  EXPECT_EQ(stream.methods[2].opnum, 4);
  const Attribute* size_is = FindAttribute(stream.methods[0].params[0].attrs, "size_is");
  ASSERT_NE(size_is, nullptr);
  EXPECT_EQ(size_is->args[0].text, "cb");
  // Imported interfaces are in the model but not in the default JSON.
  auto json = ModelToJson(*model_);
  ASSERT_EQ(json["interfaces"].size(), 1u);
  EXPECT_EQ(json["interfaces"][0]["methods"][2]["opnum"], 4);
}

TEST_F(ModelTest, UnionsEnumsArraysAndConstants) {
  Compile(R"(
    const long MAX = 4 * 2 + 1;
    typedef enum { KIND_A = 1, KIND_B = KIND_A << 3, KIND_C } KIND;
    typedef union switch (KIND kind) u { case KIND_A: long a; case KIND_B: case KIND_C: short b; default: ; } ENC;
    typedef [switch_type(short)] union { [case(1)] long x; [default] ; } NONENC;
    typedef struct { long grid[2][MAX]; [size_is(n)] long *items; long n; } ARRAYS;
  )");
  ASSERT_EQ(model_->constants.size(), 1u);
  EXPECT_EQ(*model_->constants[0].integer, 9);
  const Type* kind = nullptr;
  const Type* enc = nullptr;
  const Type* arrays = nullptr;
  for (const NamedType& named : model_->types) {
    if (named.type->name == "KIND") kind = &named.type->StripAliases();
    if (named.type->name == "ENC") enc = &named.type->StripAliases();
    if (named.type->name == "ARRAYS") arrays = &named.type->StripAliases();
  }
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->AsEnum().enumerators[1].value, 8);
  EXPECT_EQ(kind->AsEnum().enumerators[2].value, 9);
  ASSERT_NE(enc, nullptr);
  const UnionInfo& u = enc->AsUnion();
  EXPECT_TRUE(u.encapsulated);
  ASSERT_EQ(u.cases.size(), 3u);
  EXPECT_EQ(u.cases[1].values, (std::vector<std::int64_t>{8, 9}));
  EXPECT_TRUE(u.cases[2].is_default);
  ASSERT_NE(arrays, nullptr);
  const Type& grid = arrays->AsStruct().fields[0].type->StripAliases();
  ASSERT_EQ(grid.kind, TypeKind::kArray);
  EXPECT_EQ(*grid.AsArray().size, 2u);
  EXPECT_EQ(*grid.AsArray().element->AsArray().size, 9u);
}

// A generator that reads a type as the wrong kind fails loudly.
TEST_F(ModelTest, TypeAccessorsCheckTheKind) {
  Compile(R"(
    typedef struct { long a; } S;
  )");
  const Type* s = nullptr;
  for (const NamedType& named : model_->types) {
    if (named.type->name == "S") s = named.type;
  }
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->AsAlias().target->AsStruct().fields.size(), 1u);
  EXPECT_THROW(s->AsStruct(), std::logic_error);
  EXPECT_THROW(s->AsAlias().target->AsUnion(), std::logic_error);
  EXPECT_THROW(s->AsAlias().target->Target(), std::logic_error);
  EXPECT_EQ(s->Target(), s->AsAlias().target);
}

TEST_F(ModelTest, PreprocessorMacrosAndDefinesApply) {
  options_.defines.push_back("WITH_EXTRA=1");
  Compile(R"(
    #define unistr [string] wchar_t *
    [uuid(6B29FC40-CA47-1067-B31D-00DD010662DA)]
    interface IMacro
    {
        void Put([in] unistr name);
    #if WITH_EXTRA
        void Extra(void);
    #endif
    }
  )");
  const Interface& iface = Find("IMacro");
  ASSERT_EQ(iface.methods.size(), 2u);
  EXPECT_NE(FindAttribute(iface.methods[0].params[0].attrs, "string"), nullptr);
}

TEST_F(ModelTest, UnknownAttributesAreKeptAndWarnedAbout) {
  allow_warnings_ = true;
  Compile(R"(
    [uuid(6B29FC40-CA47-1067-B31D-00DD010662DA), frobnicate(42), helpstring("x")]
    interface IKeep { [id(7), propget] void Value([out, retval] long *v); }
  )");
  const Interface& iface = Find("IKeep");
  ASSERT_NE(FindAttribute(iface.attrs, "frobnicate"), nullptr);
  EXPECT_EQ(FindAttribute(iface.attrs, "frobnicate")->args[0].value, 42);
  EXPECT_EQ(FindAttribute(iface.attrs, "helpstring")->args[0].text, "x");
  EXPECT_TRUE(iface.methods[0].params[0].retval);
  ASSERT_EQ(sink_.diagnostics().size(), 1u);
  EXPECT_EQ(sink_.diagnostics()[0].message, "unknown attribute 'frobnicate'");
}

TEST_F(ModelTest, WinrtConstructsAreAcceptedAndNotModelled) {
  Compile(R"(
    namespace Windows.Foundation {
      runtimeclass Uri { [default] interface IUriRuntimeClass; }
      interface IVector<T> : IInspectable { HRESULT GetAt([in] UINT32 i, [out, retval] T *v); }
    }
  )");
  EXPECT_TRUE(model_->winrt);
  EXPECT_TRUE(model_->interfaces.empty());
}

}  // namespace
}  // namespace alpaca::idl
