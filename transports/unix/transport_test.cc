// ncacn_unix_stream's endpoint life cycle, through the RPC core as a user
// reaches it (the multi-process suite is idl.conformance_unix_stream and
// the idl.unix_stream_* security tests).
#include "alpaca/unix_stream/transport.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>

#include "alpaca/base/unique_fd.h"
#include "alpaca/rpc/client.h"
#include "alpaca/rpc/server.h"
#include "alpaca/rpc/status.h"
#include "alpaca_test_support/temp_dir.h"

namespace alpaca::unix_stream {
namespace {

namespace status = rpc::status;

const rpc::InterfaceId kPing{UuidFromLiteral("0b5f6f1e-7d1c-4d43-9a0a-6f1f3e8b8c21"), 1, 0};

// opnum 0: returns the caller's uid as the kernel reports it.
rpc::InterfaceRegistration Ping() {
  rpc::InterfaceRegistration r;
  r.id = kPing;
  r.methods.resize(1);
  r.methods[0] = [](rpc::CallContext& call, ndr::Decoder& in, ndr::Encoder& out) {
    if (in.Finish()) return status::kBadStubData;
    out.Write<std::uint32_t>(call.peer.local ? call.peer.local->uid : 0xffffffffu);
    return status::kOk;
  };
  return r;
}

std::uint32_t StatusOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const RpcError& e) {
    return e.Status();
  }
  return status::kOk;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

TEST(UnixStream, ServesCallsAndRemovesItsSocketOnStop) {
  test_support::TempDir dir("unix-stream");
  const std::string base = dir.Path().string();
  const std::string path = base + "/calls.sock";
  {
    rpc::Server server;
    server.UseProtseqEp(kProtseq, path);
    server.RegisterInterface(Ping());
    server.Listen();
    EXPECT_EQ(server.Bindings(), std::vector<std::string>{"ncacn_unix_stream:[" + path + "]"});
    rpc::Client client("ncacn_unix_stream:[" + path + "]", kPing);
    const std::vector<std::uint8_t> reply = client.Call(0, {});
    ndr::Decoder d(reply);
    EXPECT_EQ(d.Read<std::uint32_t>(), ::getuid());
    EXPECT_EQ(client.Protseq(), "ncacn_unix_stream");
    EXPECT_TRUE(Exists(path));
  }
  EXPECT_FALSE(Exists(path));
}

TEST(UnixStream, ALiveEndpointIsADuplicateAStaleOneIsReplaced) {
  test_support::TempDir dir("unix-stream");
  const std::string base = dir.Path().string();
  const std::string path = base + "/dup.sock";
  rpc::Server first;
  first.UseProtseqEp(kProtseq, path);
  first.RegisterInterface(Ping());
  first.Listen();
  rpc::Server second;
  second.UseProtseqEp(kProtseq, path);
  second.RegisterInterface(Ping());
  EXPECT_EQ(StatusOf([&] { second.Listen(); }), status::kDuplicateEndpoint);
  first.Stop();

  // A socket file nobody listens on (a server that died) is replaced.
  const std::string stale = base + "/stale.sock";
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, stale.data(), stale.size());
  ASSERT_EQ(::bind(fd.Get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  fd.Reset();
  ASSERT_TRUE(Exists(stale));
  rpc::Server revived;
  revived.UseProtseqEp(kProtseq, stale);
  revived.RegisterInterface(Ping());
  revived.Listen();
  rpc::Client client("ncacn_unix_stream:[" + stale + "]", kPing);
  EXPECT_EQ(StatusOf([&] { client.Call(0, {}); }), status::kOk);
}

TEST(UnixStream, WhatIsNotASocketIsNeverRemoved) {
  test_support::TempDir dir("unix-stream");
  const std::string path = dir.Path().string() + "/precious";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("data", f);
  std::fclose(f);
  rpc::Server server;
  server.UseProtseqEp(kProtseq, path);
  server.RegisterInterface(Ping());
  EXPECT_EQ(StatusOf([&] { server.Listen(); }), status::kDuplicateEndpoint);
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 4);
}

TEST(UnixStream, EndpointsAndAddressesAreChecked) {
  rpc::Server server;
  EXPECT_EQ(StatusOf([&] { server.UseProtseqEp(kProtseq, "a/b"); }),
            status::kInvalidEndpointFormat);
  EXPECT_EQ(StatusOf([&] { server.UseProtseqEp(kProtseq, ".."); }), status::kInvalidEndpointFormat);
  EXPECT_EQ(StatusOf([&] { server.UseProtseqEp(kProtseq, "/" + std::string(200, 'x')); }),
            status::kInvalidEndpointFormat);
  EXPECT_EQ(StatusOf([] { rpc::Client c("ncacn_unix_stream:", kPing); }),
            status::kInvalidEndpointFormat);
  EXPECT_EQ(StatusOf([] { rpc::Client c("ncacn_unix_stream:[/nonexistent/alpaca.sock]", kPing); }),
            status::kServerUnavailable);
}

}  // namespace
}  // namespace alpaca::unix_stream
