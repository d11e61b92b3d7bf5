#include "alpaca/rpc/association.h"

#include <gtest/gtest.h>

#include "alpaca/rpc/status.h"

namespace alpaca::rpc {
namespace {

struct Session {
  explicit Session(int* destroyed) : destroyed_(destroyed) {}
  ~Session() { ++*destroyed_; }
  int* destroyed_;
};

const int kSessionType = 0;
const int kOtherType = 0;

TEST(Association, StoreFindAndClose) {
  Association a;
  int destroyed = 0, rundowns = 0;
  auto wire = a.Store({}, &kSessionType, ServerContext::Make<Session>(&destroyed),
                      [&](ServerContext&) { ++rundowns; });
  ASSERT_FALSE(wire.IsNull());
  EXPECT_EQ(a.HandleCount(), 1u);

  ServerContext found;
  ASSERT_EQ(a.Find(wire, &kSessionType, false, found), status::kOk);
  ASSERT_NE(found.Get<Session>(), nullptr);
  EXPECT_EQ(found.Get<int>(), nullptr);  // the state's type is checked too

  // The method closes the handle: removed without a rundown.
  found.Reset();
  EXPECT_TRUE(a.Store(wire, &kSessionType, found, nullptr).IsNull());
  EXPECT_EQ(a.HandleCount(), 0u);
  EXPECT_EQ(rundowns, 0);
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(a.Find(wire, &kSessionType, false, found), status::kNcaFaultContextMismatch);
}

TEST(Association, RefusesForgedNullAndMistypedHandles) {
  Association a;
  int destroyed = 0;
  auto wire = a.Store({}, &kSessionType, ServerContext::Make<Session>(&destroyed), nullptr);
  ServerContext found;
  EXPECT_EQ(a.Find({}, &kSessionType, false, found), status::kSsInNullContext);
  EXPECT_EQ(a.Find({}, &kSessionType, true, found), status::kOk);
  EXPECT_FALSE(found);
  EXPECT_EQ(a.Find(wire, &kOtherType, false, found), status::kNcaFaultContextMismatch);
  ndr::ContextHandle forged{0, Uuid::Random()};
  EXPECT_EQ(a.Find(forged, &kSessionType, false, found), status::kNcaFaultContextMismatch);
  ndr::ContextHandle flagged = wire;
  flagged.attributes = 1;
  EXPECT_EQ(a.Find(flagged, &kSessionType, false, found), status::kNcaFaultContextMismatch);
}

TEST(Association, RundownWaitsForRunningCalls) {
  Association a;
  int destroyed = 0, rundowns = 0;
  for (int i = 0; i < 3; ++i) {
    a.Store({}, &kSessionType, ServerContext::Make<Session>(&destroyed), [&](ServerContext& s) {
      EXPECT_NE(s.Get<Session>(), nullptr);
      ++rundowns;
    });
  }
  a.BeginCall();
  a.Close();  // the client died during a call
  EXPECT_EQ(rundowns, 0);
  EXPECT_EQ(a.HandleCount(), 3u);
  a.EndCall();
  EXPECT_EQ(rundowns, 3);
  EXPECT_EQ(destroyed, 3);
  EXPECT_EQ(a.HandleCount(), 0u);

  // A handle made after the client went away is run down at once.
  auto late = a.Store({}, &kSessionType, ServerContext::Make<Session>(&destroyed),
                      [&](ServerContext&) { ++rundowns; });
  EXPECT_TRUE(late.IsNull());
  EXPECT_EQ(rundowns, 4);
  EXPECT_EQ(destroyed, 4);
}

TEST(Association, ThrowingRundownDoesNotStopTheOthers) {
  Association a;
  int rundowns = 0;
  for (int i = 0; i < 2; ++i) {
    a.Store({}, &kSessionType, ServerContext::Make<int>(i), [&](ServerContext&) {
      ++rundowns;
      throw std::runtime_error("rundown failed");
    });
  }
  a.Close();
  EXPECT_EQ(rundowns, 2);
}

TEST(Uuid, RandomIsVersion4AndDistinct) {
  Uuid a = Uuid::Random(), b = Uuid::Random();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.time_hi_and_version >> 12, 4);
  EXPECT_EQ(a.clock_seq_and_node[0] & 0xc0, 0x80);
}

}  // namespace
}  // namespace alpaca::rpc
