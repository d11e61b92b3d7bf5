// Port security (checked on every connect against the kernel's view of the
// caller) and direct access to client memory (NtRead/WriteRequestData).
#include <sys/mman.h>
#include <unistd.h>

#include <array>

#include "lpc_fixture.h"
#include "pattern.h"

namespace alpaca::lpc::testing {
namespace {

TEST_F(LpcTest, UnprivilegedUidIsRefusedWithAccessDenied) {
  if (::geteuid() != 0) GTEST_FAIL() << "needs root to start a child as nobody (CI runs as root)";
  auto server = StartServer("owner-only");
  auto client = StartClient("owner-only", "connect", {"--as-nobody"});
  EXPECT_EQ(client->WaitForLine("CONNECTED").value_or(""), "CONNECTED kAccessDenied ");
  EXPECT_EQ(client->Wait(), 0);
  // The server application never saw the refused caller.
  auto ok = StartClient("owner-only", "connect");
  auto line = server->WaitForLine("CONNECT pid=");
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("uid=0 "), std::string::npos) << *line;
}

TEST_F(LpcTest, AllowedUidMayConnect) {
  if (::geteuid() != 0) GTEST_FAIL() << "needs root to start a child as nobody";
  auto server = StartServer("allow-nobody", {"--allow-uid", "65534"});
  auto client = StartClient("allow-nobody", "echo", {"--as-nobody", "--count", "3"});
  EXPECT_EQ(client->WaitForLine("CONNECTED").value_or(""), "CONNECTED OK welcome:hello");
  EXPECT_EQ(client->WaitForLine("ECHO").value_or(""), "ECHO_OK 3");
  auto line = server->WaitForLine("CONNECT pid=");
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("uid=65534 gid=65534"), std::string::npos) << *line;
}

TEST_F(LpcTest, AllowedGidMayConnect) {
  if (::geteuid() != 0) GTEST_FAIL() << "needs root to start a child as nobody";
  // nobody's uid is not listed, its primary gid (nogroup, 65534) is.
  auto server = StartServer("allow-gid", {"--allow-gid", "65534"});
  auto client = StartClient("allow-gid", "echo", {"--as-nobody", "--count", "2"});
  EXPECT_EQ(client->WaitForLine("CONNECTED").value_or(""), "CONNECTED OK welcome:hello");
  EXPECT_EQ(client->WaitForLine("ECHO").value_or(""), "ECHO_OK 2");
  // Another gid is not enough.
  auto other = StartServer("allow-other-gid", {"--allow-gid", "12345"});
  auto refused = StartClient("allow-other-gid", "connect", {"--as-nobody"});
  EXPECT_EQ(refused->WaitForLine("CONNECTED").value_or(""), "CONNECTED kAccessDenied ");
}

TEST_F(LpcTest, RequiredServerUidIsCheckedBeforeConnecting) {
  auto server = StartServer("server-uid");
  std::unique_ptr<ClientPort> port;
  ConnectOptions options;
  options.required_server_uid = ::geteuid() + 1;
  EXPECT_EQ(ClientPort::Connect("server-uid", Bytes("secret"), options, port),
            Status::kAccessDenied);
  options.required_server_uid = ::geteuid();
  ASSERT_FALSE(ClientPort::Connect("server-uid", Bytes("fine"), options, port));
  // The server only ever heard from the second attempt.
  auto line = server->WaitForLine("CONNECT pid=");
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("info=fine"), std::string::npos) << *line;
}

TEST_F(LpcTest, ServerReadsAndWritesDeclaredClientBuffers) {
  auto server = StartServer("rw");
  std::unique_ptr<ClientPort> port;
  ConnectOptions options;
  options.allow_server_memory_access = true;
  ASSERT_FALSE(ClientPort::Connect("rw", Bytes("x"), options, port));

  std::vector<std::byte> source(size_t{8} << 20);
  FillPattern(source, 5);
  PortMessage request, reply;
  request.SetData("read:" + std::to_string(source.size()));
  request.DeclareBuffer(std::span<const std::byte>(source));
  ASSERT_FALSE(port->RequestWaitReply(request, reply));
  ASSERT_EQ(reply.DataSize(), source.size());
  EXPECT_EQ(FirstMismatch(reply.Data(), 5), source.size());

  std::vector<std::byte> sink(size_t{2} << 20);
  PortMessage write_request;
  write_request.SetData("write:" + std::to_string(sink.size()));
  write_request.DeclareBuffer(std::span(sink), kDataWrite);
  ASSERT_FALSE(port->RequestWaitReply(write_request, reply));
  EXPECT_EQ(Text(reply.Data()), "OK");
  EXPECT_EQ(FirstMismatch(sink, 99), sink.size());
}

TEST_F(LpcTest, UndeclaredRangesAndAccessAreRefused) {
  auto server = StartServer("rw-limits");
  std::unique_ptr<ClientPort> port;
  ASSERT_FALSE(ClientPort::Connect("rw-limits", Bytes("x"), {}, port));
  std::vector<std::byte> buffer(100);
  PortMessage request, reply;
  request.SetData("read:101");  // one byte past what was declared
  request.DeclareBuffer(std::span<const std::byte>(buffer));
  ASSERT_FALSE(port->RequestWaitReply(request, reply));
  EXPECT_EQ(Text(reply.Data()), "ERR kInvalidDataInfo");

  PortMessage write_request;
  write_request.SetData("write:10");
  write_request.DeclareBuffer(std::span<const std::byte>(buffer));  // read-only
  ASSERT_FALSE(port->RequestWaitReply(write_request, reply));
  EXPECT_EQ(Text(reply.Data()), "ERR kInvalidDataInfo");

  PortMessage none;
  none.SetData("read:1");
  ASSERT_FALSE(port->RequestWaitReply(none, reply));
  EXPECT_EQ(Text(reply.Data()), "ERR kInvalidDataInfo");
}

TEST_F(LpcTest, UnmappedClientMemoryIsAPartialCopy) {
  auto server = StartServer("rw-unmapped");
  std::unique_ptr<ClientPort> port;
  ConnectOptions options;
  options.allow_server_memory_access = true;
  ASSERT_FALSE(ClientPort::Connect("rw-unmapped", Bytes("x"), options, port));
  // Declare a range and unmap its second page before the server reads.
  long page = ::sysconf(_SC_PAGESIZE);
  void* area =
      ::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(area, MAP_FAILED);
  ::munmap(static_cast<char*>(area) + page, page);
  PortMessage request, reply;
  request.SetData("read:" + std::to_string(2 * page));
  request.DeclareBuffer(std::span<const std::byte>(static_cast<std::byte*>(area), 2 * page));
  ASSERT_FALSE(port->RequestWaitReply(request, reply));
  EXPECT_EQ(Text(reply.Data()), "ERR kPartialCopy");
  ::munmap(area, page);
}

// Memory access is the client's to give, at connect: without it the server
// may not read a declared buffer, and holds no descriptor on its memory.
TEST_F(LpcTest, MemoryAccessNeedsTheClientsConsent) {
  auto server = StartServer("rw-consent");
  std::unique_ptr<ClientPort> port;
  ASSERT_FALSE(ClientPort::Connect("rw-consent", Bytes("x"), {}, port));
  std::array<std::byte, 64> buffer{};
  PortMessage request, reply;
  request.SetData("read:64");
  request.DeclareBuffer(std::span<const std::byte>(buffer));
  ASSERT_FALSE(port->RequestWaitReply(request, reply));
  EXPECT_EQ(Text(reply.Data()), "ERR kAccessDenied");
}

TEST_F(LpcTest, KernelRefusalOfMemoryAccessIsAccessDenied) {
  if (::geteuid() != 0) GTEST_FAIL() << "needs root to run the server as nobody";
  // A server running as nobody may not read a root client's memory: the
  // kernel says no, and the server gets a status, not a crash.
  auto server = StartServer("rw-denied", {"--as-nobody", "--everyone"});
  std::unique_ptr<ClientPort> port;
  ConnectOptions options;
  options.allow_server_memory_access = true;
  ASSERT_FALSE(ClientPort::Connect("rw-denied", Bytes("x"), options, port));
  std::vector<std::byte> buffer(4096);
  PortMessage request, reply;
  request.SetData("read:4096");
  request.DeclareBuffer(std::span<const std::byte>(buffer));
  ASSERT_FALSE(port->RequestWaitReply(request, reply));
  EXPECT_EQ(Text(reply.Data()), "ERR kAccessDenied");
}

}  // namespace
}  // namespace alpaca::lpc::testing
