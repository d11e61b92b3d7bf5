#include "alpaca/transport/string_binding.h"

#include <gtest/gtest.h>

#include "alpaca/transport/status.h"

namespace alpaca::rpc {
namespace {

TEST(StringBinding, ParsesTcpWithEndpointAndOptions) {
  StringBinding b;
  ASSERT_FALSE(StringBinding::Parse("ncacn_ip_tcp:127.0.0.1[4747,timeout=5,x=y]", b));
  EXPECT_EQ(b.protseq, "ncacn_ip_tcp");
  EXPECT_EQ(b.network_address, "127.0.0.1");
  EXPECT_EQ(b.endpoint, "4747");
  ASSERT_EQ(b.options.size(), 2u);
  EXPECT_EQ(b.options[0], (std::pair<std::string, std::string>{"timeout", "5"}));
  EXPECT_EQ(b.Compose(), "ncacn_ip_tcp:127.0.0.1[4747,timeout=5,x=y]");
}

TEST(StringBinding, ObjectUuidHostOnlyAndLocal) {
  StringBinding b;
  ASSERT_FALSE(
      StringBinding::Parse("01234567-89ab-cdef-0123-456789abcdef@ncacn_ip_tcp:server.example", b));
  ASSERT_TRUE(b.object);
  EXPECT_EQ(b.object->ToString(), "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(b.network_address, "server.example");
  EXPECT_TRUE(b.endpoint.empty());
  EXPECT_EQ(b.Compose(), "01234567-89ab-cdef-0123-456789abcdef@ncacn_ip_tcp:server.example");
  ASSERT_FALSE(StringBinding::Parse("ncalrpc:[calc]", b));
  EXPECT_EQ(b.protseq, "ncalrpc");
  EXPECT_EQ(b.endpoint, "calc");
  ASSERT_FALSE(StringBinding::Parse("ncacn_ip_tcp:host[endpoint=135]", b));
  EXPECT_EQ(b.endpoint, "135");
  ASSERT_FALSE(StringBinding::Parse("ncacn_ip_tcp:host[,opt=1]", b));
  EXPECT_TRUE(b.endpoint.empty());
  EXPECT_EQ(b.options.size(), 1u);
}

TEST(StringBinding, RejectsBadOnes) {
  const auto invalid = status::MakeStatus(status::kInvalidStringBinding);
  StringBinding b;
  EXPECT_EQ(StringBinding::Parse("", b), invalid);
  EXPECT_EQ(StringBinding::Parse("127.0.0.1[4747]", b), invalid);  // no protseq
  EXPECT_EQ(StringBinding::Parse(":host", b), invalid);
  EXPECT_EQ(StringBinding::Parse("NCACN_IP_TCP:host", b), invalid);
  EXPECT_EQ(StringBinding::Parse("ncacn_ip_tcp:host[4747", b), invalid);
  EXPECT_EQ(StringBinding::Parse("ncacn_ip_tcp:host[4747]x", b), invalid);
  EXPECT_EQ(StringBinding::Parse("ncacn_ip_tcp:host[4747,novalue]", b), invalid);
  EXPECT_EQ(StringBinding::Parse("ncacn_ip_tcp:host[4747,=v]", b), invalid);
  EXPECT_EQ(StringBinding::Parse("not-a-uuid@ncacn_ip_tcp:host", b), invalid);
  EXPECT_EQ(StringBinding::Parse("ncacn_ip_tcp:ho]st", b), invalid);
}

// The syntax is the binding's; whether "http" is a port is ncacn_ip_tcp's
// to say (transports/tcp/tcp/transport_test.cc), as with
// RpcStringBindingParse.
TEST(StringBinding, LeavesTheEndpointToTheTransport) {
  StringBinding b;
  ASSERT_FALSE(StringBinding::Parse("ncacn_ip_tcp:host[http]", b));
  EXPECT_EQ(b.endpoint, "http");
}

TEST(StringBinding, TcpPortsAreDecimalOneTo65535AndNothingElse) {
  EXPECT_EQ(ParseTcpPort("135"), 135);
  EXPECT_EQ(ParseTcpPort("65535"), 65535);
  for (const char* bad :
       {"", "0", "65536", "-1", "+80", " 80", "80 ", "80a", "0x50", "99999999999"}) {
    EXPECT_EQ(ParseTcpPort(bad), std::nullopt) << bad;
  }
}

TEST(Status, DescribeNamesCodes) {
  EXPECT_EQ(status::Describe(status::kNcaOpRangeError),
            "nca_s_op_rng_error (0x1c010002): operation number out of range");
  EXPECT_EQ(status::Describe(0xdeadbeef), "status 0xdeadbeef");
  RpcError e(status::kNcaUnknownInterface, "call");
  EXPECT_EQ(e.Status(), status::kNcaUnknownInterface);
  EXPECT_STREQ(e.what(), "call: nca_s_unk_if (0x1c010003): unknown interface");
}

// Issue 14, finding 10: status 0 has a name without an explanation, and
// describing it threw std::out_of_range.
TEST(Status, DescribeAndRpcErrorOfSuccess) {
  EXPECT_EQ(status::Describe(0), "success (0x00000000)");
  RpcError e(0, "call");
  EXPECT_STREQ(e.what(), "call: success (0x00000000)");
  EXPECT_EQ(status::MakeStatus(0).message(), "success (0x00000000)");
}

}  // namespace
}  // namespace alpaca::rpc
