// The lowering from the checked model to the generation plan (idlc/gen/
// plan.h), tested on the plan itself rather than through generated text:
// NDR facts, derived parameters, the order types are defined in, union
// discriminants, and what the remoting pass left out.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>

#include "alpaca_test_support/temp_dir.h"
#include "idlc/diag/diagnostics.h"
#include "idlc/driver/loader.h"
#include "idlc/gen/plan.h"

namespace alpaca::idl::gen {
namespace {

class PlannerTest : public ::testing::Test {
 protected:
  // Compiles `text` (which must have no errors) and plans it.
  const FilePlan& Plan(const std::string& text) {
    const auto path = temp_.Path() / "t.idl";
    std::ofstream(path) << text;
    model_ = CompileFile(path.string(), options_, sources_, sink_);
    EXPECT_FALSE((sink_.error_count() > 0)) << Diagnostics();
    plan_ = PlanFile(*model_, PlanOptions{"t", "t"});
    return plan_;
  }

  std::string Diagnostics() const {
    std::string out;
    for (const Diagnostic& d : sink_.diagnostics())
      out += FormatDiagnosticHeader(sources_, d) + "\n";
    return out;
  }

  const TypePlan& Type(const std::string& name) const {
    for (const TypePlan& t : plan_.types) {
      if (t.name == name) return t;
    }
    throw std::runtime_error("no type " + name);
  }

  const MethodPlan& Method(const std::string& name) const {
    for (const InterfacePlan& i : plan_.interfaces) {
      for (const MethodPlan& m : i.methods) {
        if (m.name == name) return m;
      }
    }
    throw std::runtime_error("no method " + name);
  }

  int IndexOf(const std::string& name) const {
    for (std::size_t i = 0; i < plan_.types.size(); ++i) {
      if (plan_.types[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  alpaca::test_support::TempDir temp_{"idlc-planner"};
  PreprocessorOptions options_;
  SourceManager sources_;
  CollectingSink sink_;
  std::unique_ptr<Model> model_;
  FilePlan plan_;
};

constexpr const char* kHeader =
    "[uuid(3f2504e0-4f89-11d3-9a0c-0305e82c3301), version(1.0), pointer_default(unique)]\n";

TEST_F(PlannerTest, StructAlignmentAndMinimumWireSize) {
  Plan(std::string(kHeader) + R"(
    interface I {
      typedef struct { char c; hyper h; short s; } Mixed;
      typedef struct { short a; char b; } Small;
      void Take([in] Mixed m, [in] Small s);
    })");
  const TypePlan& mixed = Type("Mixed");
  EXPECT_EQ(mixed.alignment, 8);
  // A lower bound a decoder checks counts against: the members' sizes,
  // padding not counted.
  EXPECT_EQ(mixed.min_wire, 11u);
  const TypePlan& small = Type("Small");
  EXPECT_EQ(small.alignment, 2);
  EXPECT_EQ(small.min_wire, 3u);
  EXPECT_FALSE(mixed.conformant);
}

TEST_F(PlannerTest, ACountParameterIsDerivedFromItsArray) {
  Plan(std::string(kHeader) + R"(
    interface I {
      long Sum([in] long count, [in, size_is(count)] long values[]);
    })");
  const MethodPlan& sum = Method("Sum");
  ASSERT_EQ(sum.params.size(), 2u);
  EXPECT_EQ(sum.params[0].derived.kind, Derivation::Kind::kSize);
  EXPECT_EQ(sum.params[0].derived.source, sum.params[1].name);
  EXPECT_FALSE(sum.params[1].derived);
  EXPECT_EQ(sum.params[1].shape->kind, ShapeKind::kArray);
  EXPECT_EQ(sum.params[1].shape->array, ArrayKind::kConformant);
  EXPECT_EQ(sum.params[1].user_name, "values");
  ASSERT_TRUE(sum.result);
  EXPECT_EQ(sum.result->size, 4);
}

TEST_F(PlannerTest, ConformantStructsHoistTheirCount) {
  Plan(std::string(kHeader) + R"(
    interface I {
      typedef struct { long n; [size_is(n)] long items[]; } Bag;
      void Put([in] Bag* bag);
    })");
  const TypePlan& bag = Type("Bag");
  EXPECT_TRUE(bag.conformant);
  ASSERT_EQ(bag.members.size(), 2u);
  EXPECT_EQ(bag.members[0].derived.kind, Derivation::Kind::kSize);
  EXPECT_EQ(bag.members[0].derived.source, bag.members[1].name);
}

TEST_F(PlannerTest, TypesAreDefinedBeforeTheirUse) {
  Plan(std::string(kHeader) + R"(
    interface I {
      typedef struct { struct Inner* next; long v; } Outer;
      typedef struct Inner { long x; } Inner;
      void Use([in] Outer o);
    })");
  ASSERT_GE(IndexOf("Inner"), 0);
  ASSERT_GE(IndexOf("Outer"), 0);
  EXPECT_LT(IndexOf("Inner"), IndexOf("Outer"));
}

TEST_F(PlannerTest, AUnionWithoutSwitchTypeTakesTheTypeOfItsSwitch) {
  Plan(std::string(kHeader) + R"(
    interface I {
      typedef union { [case(1)] long a; [case(2)] short b; [default] ; } U;
      void Pick([in] short level, [in, switch_is(level)] U* u);
    })");
  const TypePlan& u = Type("U");
  EXPECT_EQ(u.kind, TypePlan::Kind::kUnion);
  ASSERT_TRUE(u.discriminant);
  EXPECT_EQ(u.discriminant->size, 2);  // short, from the switch_is parameter
  ASSERT_EQ(u.arms.size(), 3u);
  EXPECT_TRUE(u.arms[2].is_default);
  EXPECT_FALSE(u.arms[2].member);
  const MethodPlan& pick = Method("Pick");
  EXPECT_EQ(pick.params[0].derived.kind, Derivation::Kind::kSwitch);
}

TEST_F(PlannerTest, OpnumsCountEveryMethodInOrder) {
  Plan(std::string(kHeader) + R"(
    interface I {
      void A(void);
      void B([in] long x);
      long C([out] long* y);
    })");
  ASSERT_EQ(plan_.interfaces.size(), 1u);
  const InterfacePlan& i = plan_.interfaces[0];
  EXPECT_EQ(i.opnum_count, 3);
  EXPECT_EQ(Method("A").opnum, 0);
  EXPECT_EQ(Method("C").opnum, 2);
  EXPECT_TRUE(Method("C").params[0].out);
  EXPECT_FALSE(Method("C").params[0].in);
  EXPECT_EQ(i.uuid, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  EXPECT_EQ(i.major, 1);
}

TEST_F(PlannerTest, WhatNothingRemotedUsesAndNdrCannotCarryIsLeftOut) {
  Plan(std::string(kHeader) +
       "interface I {\n"
       "  typedef struct { void (*callback)(long); } Hooks;\n"
       "  typedef struct { long x; } Point;\n"
       "  void Move([in] Point p);\n"
       "}");
  EXPECT_EQ(IndexOf("Hooks"), -1);
  EXPECT_NE(IndexOf("Point"), -1);
  ASSERT_EQ(model_->remoting.unremotable.size(), 1u);
  EXPECT_NE(model_->remoting.unremotable[0].reason.find("function pointers cannot be remoted"),
            std::string::npos);
}

}  // namespace
}  // namespace alpaca::idl::gen
