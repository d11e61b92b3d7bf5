#include "alpaca/lpc/port_message.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "alpaca/lpc/status.h"

namespace alpaca::lpc {
namespace {

TEST(PortMessage, InlineAndLargeDataRoundTrip) {
  PortMessage message;
  message.SetData("short");
  EXPECT_EQ(message.DataSize(), 5u);
  EXPECT_EQ(std::memcmp(message.Data().data(), "short", 5), 0);
  auto big = message.ResizeData(100000);
  std::memset(big.data(), 'q', big.size());
  EXPECT_EQ(message.Data()[99999], std::byte{'q'});
  const std::byte* before = message.Data().data();
  message.ResizeData(5000);
  EXPECT_EQ(message.Data().data(), before) << "capacity is kept: no reallocation";
}

TEST(PortMessage, CopiesAreDeep) {
  PortMessage a;
  a.ResizeData(1000);
  std::memset(a.MutableData().data(), 1, 1000);
  PortMessage b = a;
  b.MutableData()[0] = std::byte{2};
  EXPECT_EQ(a.Data()[0], std::byte{1});
}

// A server thread reuses its message after handing the data elsewhere: a
// moved-from message must be empty, not name a buffer it gave away.
TEST(PortMessage, MovedFromMessageIsEmptyAndReusable) {
  PortMessage large;
  large.ResizeData(100000)[99999] = std::byte{7};
  PortMessage taken = std::move(large);
  EXPECT_EQ(taken.DataSize(), 100000u);
  EXPECT_EQ(taken.Data()[99999], std::byte{7});
  EXPECT_EQ(large.DataSize(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  auto again = large.ResizeData(50000);
  ASSERT_NE(again.data(), nullptr);
  again[49999] = std::byte{9};
  EXPECT_EQ(large.Data()[49999], std::byte{9});

  PortMessage small;
  small.SetData("inline");
  PortMessage moved;
  moved = std::move(small);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(moved.Data().data()), moved.DataSize()),
            "inline");
  EXPECT_EQ(small.DataSize(), 0u);  // NOLINT(bugprone-use-after-move)
}

TEST(PortMessage, AtMostEightDeclaredBuffers) {
  PortMessage message;
  std::byte buffer[16];
  for (int i = 0; i < 8; ++i) message.DeclareBuffer(std::span<const std::byte>(buffer));
  EXPECT_THROW(message.DeclareBuffer(std::span<const std::byte>(buffer)), std::length_error);
  EXPECT_EQ(message.DataInfo().size(), 8u);
  EXPECT_EQ(message.DataInfo()[0].access, kDataRead);
}

TEST(Status, MessagesAreReadableAndComparable) {
  std::error_code ec = Status::kAccessDenied;
  EXPECT_EQ(ec, Status::kAccessDenied);
  EXPECT_EQ(ec.message(), "access denied by the port's security");
  EXPECT_STREQ(ec.category().name(), "alpaca.lpc");
  EXPECT_STREQ(MessageTypeName(MessageType::kClientDied), "client died");
  EXPECT_EQ(static_cast<int>(MessageType::kConnectionRequest), 10);
}

}  // namespace
}  // namespace alpaca::lpc
