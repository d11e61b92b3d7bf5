#include "lpc/port_message.h"

#include <gtest/gtest.h>

#include <cstring>

#include "lpc/status.h"

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
