// Naming, connecting, accepting and refusing, across processes.
#include <unistd.h>

#include "alpaca/lpc/port_name.h"
#include "lpc_fixture.h"

namespace alpaca::lpc::testing {
namespace {

TEST_F(LpcTest, NamesMapIntoTheNamespaceDirectory) {
  ResolvedPortName resolved;
  ASSERT_FALSE(ResolvePortName("\\RPC Control\\calc", resolved));
  EXPECT_EQ(resolved.nt_name, "\\RPC Control\\calc");
  EXPECT_EQ(resolved.socket_path, dir_ + "/RPC Control/calc");
  ASSERT_FALSE(ResolvePortName("calc", resolved));
  EXPECT_EQ(resolved.nt_name, "\\RPC Control\\calc");
}

TEST_F(LpcTest, InvalidNamesAreRejected) {
  ResolvedPortName resolved;
  for (std::string bad :
       {std::string(""), std::string("\\"), std::string("\\a\\\\b"), std::string("\\a\\..\\b"),
        std::string("\\a/b"), std::string("a\nb"), std::string(200, 'x')}) {
    EXPECT_EQ(ResolvePortName(bad, resolved), Status::kObjectNameInvalid) << bad;
  }
  std::unique_ptr<ConnectionPort> port;
  EXPECT_EQ(ConnectionPort::Create("\\x\\..\\y", {}, {}, port), Status::kObjectNameInvalid);
}

TEST_F(LpcTest, MissingNameIsNotFound) {
  std::unique_ptr<ClientPort> client;
  EXPECT_EQ(ClientPort::Connect("nobody-serves-this", Bytes("x"), {}, client),
            Status::kObjectNameNotFound);
}

TEST_F(LpcTest, NameHeldByAnotherProcessCollides) {
  auto server = StartServer("taken");
  std::unique_ptr<ConnectionPort> port;
  EXPECT_EQ(ConnectionPort::Create("taken", {}, {}, port), Status::kObjectNameCollision);
}

TEST_F(LpcTest, NameOfKilledServerCanBeReused) {
  {
    auto server = StartServer("reused");
    server->Kill(SIGKILL);
    server->Wait();
  }
  std::unique_ptr<ClientPort> client;
  EXPECT_EQ(ClientPort::Connect("reused", Bytes("x"), {}, client), Status::kObjectNameNotFound);
  auto port = CreatePort("reused");
  ASSERT_TRUE(port);
}

TEST_F(LpcTest, ServerSeesKernelIdentityAndConnectInfo) {
  auto port = CreatePort("ident");
  auto client = StartClient("ident", "connect", {"--info", "my connect info"});
  ConnectionRequest request;
  ASSERT_FALSE(port->Listen(request, std::chrono::seconds(20)));
  EXPECT_EQ(request.Client().pid, client->Pid());
  EXPECT_EQ(request.Client().uid, ::geteuid());
  EXPECT_EQ(request.Client().gid, ::getegid());
  EXPECT_EQ(Text(request.ConnectInfo()), "my connect info");
  EXPECT_EQ(request.SectionSize(), size_t{1} << 20);
  std::shared_ptr<ServerPort> comm;
  ASSERT_FALSE(port->Accept(std::move(request), Bytes("reply info!"), nullptr, comm));
  ASSERT_FALSE(port->Complete(comm));
  EXPECT_EQ(comm->Client().pid, client->Pid());
  EXPECT_EQ(client->WaitForLine("CONNECTED").value(), "CONNECTED OK reply info!");
  EXPECT_EQ(client->Wait(), 0);
}

TEST_F(LpcTest, RefusedClientGetsReplyInfoAndRefusedStatus) {
  auto server = StartServer("refuser");
  auto client = StartClient("refuser", "connect", {"--info", "refuse please"});
  EXPECT_EQ(client->WaitForLine("CONNECTED").value(), "CONNECTED kConnectionRefused go away");
  EXPECT_EQ(client->Wait(), 0);
}

TEST_F(LpcTest, ConnectInfoLongerThanMaximumIsRefused) {
  auto server = StartServer("small-info", {"--max-connect-info", "16"});
  auto ok = StartClient("small-info", "connect", {"--info", std::string(16, 'a')});
  EXPECT_EQ(ok->WaitForLine("CONNECTED").value(), "CONNECTED OK welcome:aaaaaaaa");
  auto too_long = StartClient("small-info", "connect", {"--info", std::string(17, 'a')});
  EXPECT_EQ(too_long->WaitForLine("CONNECTED").value(), "CONNECTED kConnectInfoTooLong ");
}

TEST_F(LpcTest, EachClientGetsItsOwnCommunicationPort) {
  auto port = CreatePort("per-client");
  auto a = StartClient("per-client", "idle");
  auto b = StartClient("per-client", "idle");
  std::vector<std::shared_ptr<ServerPort>> ports;
  for (int i = 0; i < 2; ++i) {
    ConnectionRequest request;
    ASSERT_FALSE(port->Listen(request, std::chrono::seconds(20)));
    std::shared_ptr<ServerPort> comm;
    ASSERT_FALSE(port->AcceptAndComplete(std::move(request), {}, nullptr, comm));
    ports.push_back(comm);
  }
  EXPECT_NE(ports[0].get(), ports[1].get());
  EXPECT_NE(ports[0]->Client().pid, ports[1]->Client().pid);
  EXPECT_EQ(port->Query().connected_clients, 2u);
}

TEST_F(LpcTest, ReceiveTimesOutWhenNothingArrives) {
  auto port = CreatePort("quiet");
  ReceivedMessage in;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(port->ReplyWaitReceive(in, std::chrono::milliseconds(100)), Status::kTimeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_EQ(port->ReplyWaitReceive(in, std::chrono::milliseconds(0)), Status::kTimeout);
}

}  // namespace
}  // namespace alpaca::lpc::testing
