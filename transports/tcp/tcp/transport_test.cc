// ncacn_ip_tcp's side of the seam, without the core: endpoint checks at
// UseProtseqEp and at Client construction.
#include "alpaca/tcp/transport.h"

#include <gtest/gtest.h>

#include "alpaca/transport/status.h"

namespace alpaca::tcp {
namespace {

namespace status = rpc::status;

std::uint32_t ValidateStatus(const transport::TransportRegistry& registry, const char* text) {
  rpc::StringBinding b;
  EXPECT_FALSE(rpc::StringBinding::Parse(text, b)) << text;
  try {
    registry.Client(kProtseq)->Validate(b);
    return status::kOk;
  } catch (const RpcError& e) {
    return e.Status();
  }
}

TEST(TcpTransport, ClientBindingsNeedAPortNumber) {
  transport::TransportRegistry registry;
  Register(registry);
  EXPECT_EQ(ValidateStatus(registry, "ncacn_ip_tcp:host[4747]"), status::kOk);
  EXPECT_EQ(ValidateStatus(registry, "ncacn_ip_tcp:host"), status::kOk);  // the endpoint mapper
  EXPECT_EQ(ValidateStatus(registry, "ncacn_ip_tcp:host[70000]"), status::kInvalidEndpointFormat);
  EXPECT_EQ(ValidateStatus(registry, "ncacn_ip_tcp:host[0]"), status::kInvalidEndpointFormat);
  EXPECT_EQ(ValidateStatus(registry, "ncacn_ip_tcp:host[http]"), status::kInvalidEndpointFormat);
}

TEST(TcpTransport, ServerEndpointsArePortNumbersOrDynamic) {
  transport::TransportRegistry registry;
  Register(registry);
  const transport::ServerTransport& server = *registry.Server(kProtseq);
  rpc::ServerOptions options;
  options.tcp_address = "127.0.0.1";
  EXPECT_EQ(server.CreateEndpoint("4747", options, nullptr)->Binding().Compose(),
            "ncacn_ip_tcp:127.0.0.1[4747]");
  EXPECT_EQ(server.CreateEndpoint("", options, nullptr)->Binding().endpoint, "0");
  try {
    (void)server.CreateEndpoint("http", options, nullptr);
    ADD_FAILURE() << "accepted a port named http";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.Status(), status::kInvalidEndpointFormat);
  }
}

}  // namespace
}  // namespace alpaca::tcp
