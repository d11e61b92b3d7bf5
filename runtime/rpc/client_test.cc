// rpc::Client against hostile or vanishing peers (issue 14): responses with
// call ids the client never issued, late answers to abandoned calls, and
// connections that break between calls (the next call reconnects).
//
// The misbehaving peers are hand-made servers on plain sockets, scripted on
// a thread; every step waits for a message or an event, never for time.
#include "alpaca/rpc/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "alpaca/base/unique_fd.h"
#include "alpaca/dcerpc/fragments.h"
#include "alpaca/dcerpc/pdu.h"
#include "alpaca/rpc/server.h"
#include "alpaca/rpc/status.h"
#include "alpaca/tcp/client_channel.h"

namespace alpaca::rpc {
namespace {

using namespace std::chrono_literals;
using dcerpc::PacketType;

const InterfaceId kEcho{UuidFromLiteral("0f4a5e2c-3b1d-4c7e-9a8b-6d5e4f3a2b1c"), 1, 0};

// A call long enough that only a hang (caught by ctest's timeout) could
// end it by timing out: the assertions are on statuses, not on clocks.
CallOptions Patient() {
  CallOptions o;
  o.timeout = 60s;
  return o;
}

std::uint32_t StatusOf(const std::function<void()>& fn, std::string* what = nullptr) {
  try {
    fn();
  } catch (const RpcError& e) {
    if (what) *what = e.what();
    return e.Status();
  }
  return 0;
}

std::uint32_t CallId(const std::vector<std::uint8_t>& pdu) {
  return static_cast<std::uint32_t>(pdu[12] | pdu[13] << 8 | pdu[14] << 16 | pdu[15] << 24);
}

PacketType TypeOf(const std::vector<std::uint8_t>& pdu) { return static_cast<PacketType>(pdu[2]); }

// A hand-made ncacn_ip_tcp server on loopback: the test's script accepts
// connections and reads and writes raw PDUs on its own thread.
class FakeServer {
 public:
  FakeServer() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listener_.Get(), 4), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listener_.Get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~FakeServer() {
    if (script_.joinable()) script_.join();
  }

  std::string Binding() const { return "ncacn_ip_tcp:127.0.0.1[" + std::to_string(port_) + "]"; }
  void Run(std::function<void()> script) { script_ = std::thread(std::move(script)); }

  UniqueFd Accept() { return UniqueFd(::accept(listener_.Get(), nullptr, nullptr)); }

  // One whole PDU, or nullopt once the client closed the connection.
  static std::optional<std::vector<std::uint8_t>> ReadPdu(int fd) {
    std::vector<std::uint8_t> pdu(16);
    if (!ReadExactly(fd, pdu.data(), 16)) return std::nullopt;
    std::size_t frag = pdu[8] | pdu[9] << 8;
    pdu.resize(frag);
    if (!ReadExactly(fd, pdu.data() + 16, frag - 16)) return std::nullopt;
    return pdu;
  }
  // The next request PDU, skipping co_cancel / orphaned.
  static std::optional<std::vector<std::uint8_t>> ReadRequest(int fd) {
    for (;;) {
      auto pdu = ReadPdu(fd);
      if (!pdu || TypeOf(*pdu) == PacketType::kRequest) return pdu;
    }
  }
  static void Send(int fd, const std::vector<std::uint8_t>& pdu) {
    (void)!::send(fd, pdu.data(), pdu.size(), MSG_NOSIGNAL);
  }
  // Reads the bind and accepts the first presentation context.
  static void AnswerBind(int fd) {
    auto bind = ReadPdu(fd);
    ASSERT_TRUE(bind);
    dcerpc::BindAckPdu ack;
    ack.max_xmit_frag = ack.max_recv_frag = 5840;
    ack.assoc_group_id = 0x1234;
    ack.results.push_back({dcerpc::ContextResult::kAcceptance, 0, dcerpc::Ndr20Syntax()});
    Send(fd, dcerpc::EncodeBindAck(PacketType::kBindAck, CallId(*bind), ack));
  }
  // A one-fragment response carrying `value` as a u32 stub.
  static void Respond(int fd, std::uint32_t call_id, std::uint8_t value) {
    std::vector<std::uint8_t> stub{value, 0, 0, 0};
    Send(fd, dcerpc::BuildResponseFragments(call_id, 0, stub, 5840)[0]);
  }
  // Reads until the client closes the connection.
  static void DrainUntilClosed(int fd) {
    while (ReadPdu(fd)) {
    }
  }

 private:
  static bool ReadExactly(int fd, std::uint8_t* at, std::size_t n) {
    while (n > 0) {
      ssize_t got = ::recv(fd, at, n, 0);
      if (got <= 0) return false;
      at += got;
      n -= static_cast<std::size_t>(got);
    }
    return true;
  }

  UniqueFd listener_;
  std::uint16_t port_ = 0;
  std::thread script_;
};

// Finding 8: a server that answers with the call id of an earlier,
// completed call (Wine 8.0's rpcrt4 answers every call with one id) must
// fail the call at once, not leave it waiting for its own call id.
TEST(ClientHostilePeer, ResponseToACompletedCallIdIsAProtocolError) {
  FakeServer server;
  server.Run([&] {
    UniqueFd fd = server.Accept();
    FakeServer::AnswerBind(fd.Get());
    std::optional<std::uint32_t> first;
    while (auto request = FakeServer::ReadRequest(fd.Get())) {
      if (!first) first = CallId(*request);
      FakeServer::Respond(fd.Get(), *first, 7);
    }
  });
  Client c(server.Binding(), kEcho);
  auto reply = c.Call(0, {}, Patient());
  ASSERT_EQ(reply.size(), 4u);
  EXPECT_EQ(reply[0], 7);
  std::string what;
  EXPECT_EQ(StatusOf([&] { c.Call(0, {}, Patient()); }, &what), status::kProtocolError);
  // Both ids are named: the one answered and the one waited for.
  EXPECT_NE(what.find("call_id 2"), std::string::npos) << what;
  EXPECT_NE(what.find("call_id 3"), std::string::npos) << what;
}

// The same with the bind's call id (1), which no request ever had.
TEST(ClientHostilePeer, ResponseToTheBindCallIdIsAProtocolError) {
  FakeServer server;
  server.Run([&] {
    UniqueFd fd = server.Accept();
    FakeServer::AnswerBind(fd.Get());
    while (FakeServer::ReadRequest(fd.Get())) FakeServer::Respond(fd.Get(), 1, 7);
  });
  Client c(server.Binding(), kEcho);
  EXPECT_EQ(StatusOf([&] { c.Call(0, {}, Patient()); }), status::kProtocolError);
}

// A late answer to a timed-out call is dropped however many fragments it
// has, and the next call gets its own response; once the late answer is
// complete its call id is not expected any more, so a second answer to it
// is a protocol error.
TEST(ClientHostilePeer, LateAnswerToAnAbandonedCallIsDroppedExactlyOnce) {
  FakeServer server;
  server.Run([&] {
    UniqueFd fd = server.Accept();
    FakeServer::AnswerBind(fd.Get());
    auto abandoned = FakeServer::ReadRequest(fd.Get());
    ASSERT_TRUE(abandoned);
    const std::uint32_t late_id = CallId(*abandoned);
    // Answer only once the client has given up (its orphaned PDU): the
    // client's timeout is then certain, whatever the machine's speed.
    for (;;) {
      auto pdu = FakeServer::ReadPdu(fd.Get());
      ASSERT_TRUE(pdu);
      if (TypeOf(*pdu) == PacketType::kOrphaned && CallId(*pdu) == late_id) break;
    }
    std::vector<std::uint8_t> big(4000, 0xab);
    auto fragments = dcerpc::BuildResponseFragments(late_id, 0, big, dcerpc::kMinFragSize);
    EXPECT_GT(fragments.size(), 2u);
    for (const auto& f : fragments) FakeServer::Send(fd.Get(), f);
    auto next = FakeServer::ReadRequest(fd.Get());
    ASSERT_TRUE(next);
    FakeServer::Respond(fd.Get(), CallId(*next), 42);
    auto last = FakeServer::ReadRequest(fd.Get());
    ASSERT_TRUE(last);
    FakeServer::Respond(fd.Get(), late_id, 1);  // answered already
    FakeServer::DrainUntilClosed(fd.Get());
  });
  Client c(server.Binding(), kEcho);
  CallOptions quick;
  quick.timeout = 50ms;
  EXPECT_EQ(StatusOf([&] { c.Call(0, {}, quick); }), status::kTimeout);
  auto reply = c.Call(0, {}, Patient());
  ASSERT_EQ(reply.size(), 4u);
  EXPECT_EQ(reply[0], 42);
  EXPECT_EQ(StatusOf([&] { c.Call(0, {}, Patient()); }), status::kProtocolError);
}

// Finding 9: after the server closed the connection, the call that finds
// out fails, and the next one reconnects (a new association).
TEST(ClientReconnect, NextCallAfterAClosedConnectionReconnects) {
  FakeServer server;
  std::promise<void> closed;
  server.Run([&] {
    {
      UniqueFd fd = server.Accept();
      FakeServer::AnswerBind(fd.Get());
      auto request = FakeServer::ReadRequest(fd.Get());
      ASSERT_TRUE(request);
      FakeServer::Respond(fd.Get(), CallId(*request), 1);
    }  // closed
    closed.set_value();
    UniqueFd fd = server.Accept();
    FakeServer::AnswerBind(fd.Get());
    while (auto request = FakeServer::ReadRequest(fd.Get())) {
      FakeServer::Respond(fd.Get(), CallId(*request), 2);
    }
  });
  Client c(server.Binding(), kEcho);
  EXPECT_EQ(c.Call(0, {}, Patient())[0], 1);
  const std::uint64_t first_association = c.Association();
  closed.get_future().wait();
  EXPECT_EQ(StatusOf([&] { c.Call(0, {}, Patient()); }), status::kCallFailed);
  EXPECT_EQ(c.Call(0, {}, Patient())[0], 2);
  EXPECT_NE(c.Association(), first_association);
  EXPECT_EQ(c.Call(0, {}, Patient())[0], 2);
}

InterfaceRegistration AddInterface() {
  InterfaceRegistration r;
  r.id = kEcho;
  r.methods.push_back([](CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
    auto a = in.Read<std::uint32_t>();
    auto b = in.Read<std::uint32_t>();
    if (in.Finish()) return status::kBadStubData;
    out.Write(a + b);
    return status::kOk;
  });
  return r;
}

std::uint32_t Add(Client& c, std::uint32_t a, std::uint32_t b) {
  ndr::Encoder e;
  e.Write(a);
  e.Write(b);
  auto reply = c.Call(0, e.Bytes(), Patient());
  ndr::Decoder d(reply);
  return d.Read<std::uint32_t>();
}

std::unique_ptr<Server> StartServer(std::string_view protseq, std::string_view endpoint) {
  ServerOptions options;
  options.tcp_address = "127.0.0.1";
  auto server = std::make_unique<Server>(options);
  server->UseProtseqEp(protseq, endpoint);
  server->RegisterInterface(AddInterface());
  server->Listen();
  return server;
}

struct TestHandleTag;

// A real server restarted on the same port: the client carries on, and a
// context handle from the old association is refused before it is sent.
TEST(ClientReconnect, ServerRestartOverTcp) {
  auto server = StartServer("ncacn_ip_tcp", "0");
  const std::string port = std::to_string(server->TcpPorts()[0]);
  ClientOptions options;
  options.local_upgrade = LocalUpgrade::kNever;
  Client c("ncacn_ip_tcp:127.0.0.1[" + port + "]", kEcho, options);
  EXPECT_EQ(Add(c, 2, 40), 42u);
  ndr::ContextHandle wire;
  wire.uuid = Uuid::Random();
  ClientContext<TestHandleTag> handle;
  handle.SetWire(wire, c.Association());
  EXPECT_EQ(&c.ContextWire(handle, "Use: handle"), &handle.Wire());

  server->Stop();
  server = StartServer("ncacn_ip_tcp", port);
  const std::uint32_t failed = StatusOf([&] { Add(c, 1, 1); });
  EXPECT_TRUE(failed == status::kCallFailed || failed == status::kServerUnavailable) << failed;
  EXPECT_EQ(Add(c, 3, 4), 7u);
  std::string what;
  EXPECT_EQ(StatusOf([&] { c.ContextWire(handle, "Use: handle"); }, &what),
            status::kNcaFaultContextMismatch);
  EXPECT_NE(what.find("Use: handle"), std::string::npos) << what;
  // NULL handles and handles of no known association are the server's to judge.
  ClientContext<TestHandleTag> null_handle;
  EXPECT_NO_THROW(c.ContextWire(null_handle, "x"));
  ClientContext<TestHandleTag> bare(wire);
  EXPECT_NO_THROW(c.ContextWire(bare, "x"));
}

TEST(ClientReconnect, ServerRestartOverNcalrpc) {
  const std::string endpoint = "alpaca-client-test-" + std::to_string(::getpid());
  auto server = StartServer("ncalrpc", endpoint);
  Client c("ncalrpc:[" + endpoint + "]", kEcho);
  EXPECT_EQ(Add(c, 2, 40), 42u);
  const std::uint64_t first_association = c.Association();
  server->Stop();
  server = StartServer("ncalrpc", endpoint);
  EXPECT_NE(StatusOf([&] { Add(c, 1, 1); }), 0u);
  EXPECT_EQ(Add(c, 3, 4), 7u);
  EXPECT_NE(c.Association(), first_association);
}

// A Client made from a raw channel has nothing to reconnect with: it says so.
TEST(ClientReconnect, ClientFromAChannelCannotReconnect) {
  auto server = StartServer("ncacn_ip_tcp", "0");
  std::unique_ptr<dcerpc::ClientChannel> channel;
  ASSERT_FALSE(tcp::ConnectChannel("127.0.0.1", server->TcpPorts()[0], 5s, channel));
  Client c(std::move(channel), kEcho);
  EXPECT_EQ(Add(c, 2, 40), 42u);
  server->Stop();
  EXPECT_NE(StatusOf([&] { Add(c, 1, 1); }), 0u);
  std::string what;
  EXPECT_EQ(StatusOf([&] { Add(c, 1, 1); }, &what), status::kServerUnavailable);
  EXPECT_NE(what.find("cannot reconnect"), std::string::npos) << what;
}

}  // namespace
}  // namespace alpaca::rpc
