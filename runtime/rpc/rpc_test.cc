// In-process server + client over loopback TCP.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "alpaca/rpc/client.h"
#include "alpaca/rpc/endpoint_mapper.h"
#include "alpaca/rpc/server.h"
#include "alpaca/rpc/status.h"
#include "alpaca/tcp/client_channel.h"
#include "alpaca/tcp/transport.h"
#include "alpaca/transport/registry.h"
#include "server_connection.h"

namespace alpaca::rpc {
namespace {

using namespace std::chrono_literals;

const InterfaceId kEcho{UuidFromLiteral("6e0cf6a2-4c6f-4b57-9d43-7d0d8f7e2a10"), 1, 2};

// What the slow method reports, so that tests order events on it (never on
// sleeps): calls started, and calls that saw their cancel.
struct SlowCalls {
  std::atomic<int> started{0};
  std::atomic<int> cancelled{0};
};

void Bump(std::atomic<int>& counter) {
  ++counter;
  counter.notify_all();
}

// Blocks until `counter` reaches `n` (a test that never gets there is cut by
// ctest's timeout).
void WaitFor(const std::atomic<int>& counter, int n) {
  for (int seen = counter.load(); seen < n; seen = counter.load()) counter.wait(seen);
}

// opnum 0: u32 Add(u32 a, u32 b); 1: bytes Echo(bytes) (conformant array);
// 2: throws; 3: runs until the client cancels it or goes away; 4: unused
// (nullptr).
InterfaceRegistration EchoInterface(SlowCalls* slow = nullptr) {
  InterfaceRegistration r;
  r.id = kEcho;
  r.methods.resize(5);
  r.methods[0] = [](CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
    auto a = in.Read<std::uint32_t>();
    auto b = in.Read<std::uint32_t>();
    if (in.Finish()) return status::kBadStubData;
    out.Write(a + b);
    return status::kOk;
  };
  r.methods[1] = [](CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
    std::vector<std::uint8_t> data;
    in.ReadConformantArray(data);
    if (in.Finish()) return status::kBadStubData;
    out.WriteConformantArray<std::uint8_t>(data);
    return status::kOk;
  };
  r.methods[2] = [](CallContext&, ndr::Decoder&, ndr::Encoder&) -> std::uint32_t {
    throw std::runtime_error("boom");
  };
  r.methods[3] = [slow](CallContext& call, ndr::Decoder&, ndr::Encoder&) {
    if (slow != nullptr) Bump(slow->started);
    call.cancelled.wait(false);
    if (slow != nullptr) Bump(slow->cancelled);
    return status::kNcaFaultCancel;
  };
  return r;
}

struct RpcServerClient : ::testing::Test {
  ServerOptions options;
  std::unique_ptr<Server> server;
  SlowCalls slow;
  std::string binding;

  void Start(InterfaceRegistration r) {
    options.tcp_address = "127.0.0.1";
    server = std::make_unique<Server>(options);
    server->UseProtseqEp("ncacn_ip_tcp", "0");
    server->RegisterInterface(std::move(r));
    server->Listen();
    binding = "ncacn_ip_tcp:127.0.0.1[" + std::to_string(server->TcpPorts()[0]) + "]";
  }
  void SetUp() override {}
};

std::uint32_t Add(Client& c, std::uint32_t a, std::uint32_t b) {
  ndr::Encoder e;
  e.Write(a);
  e.Write(b);
  auto reply = c.Call(0, e.Bytes());
  ndr::Decoder d(reply);
  auto sum = d.Read<std::uint32_t>();
  EXPECT_FALSE(d.Finish());
  return sum;
}

std::uint32_t StatusOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const RpcError& e) {
    return e.Status();
  }
  return 0;
}

TEST_F(RpcServerClient, CallsAndFaults) {
  Start(EchoInterface());
  Client c(binding, kEcho);
  EXPECT_EQ(Add(c, 2, 40), 42u);
  EXPECT_EQ(c.NegotiatedFeatures(), dcerpc::kFeatureKeepConnectionOnOrphan);
  EXPECT_NE(c.AssocGroupId(), 0u);
  EXPECT_EQ(StatusOf([&] { c.Call(7, {}); }), status::kNcaOpRangeError);
  EXPECT_EQ(StatusOf([&] { c.Call(4, {}); }), status::kNcaOpRangeError);
  EXPECT_EQ(StatusOf([&] { c.Call(2, {}); }), status::kNcaFaultUnspec);
  std::vector<std::uint8_t> short_stub{1, 2};
  EXPECT_EQ(StatusOf([&] { c.Call(0, short_stub); }), status::kBadStubData);
  // The association survives faults.
  EXPECT_EQ(Add(c, 1, 1), 2u);
}

TEST_F(RpcServerClient, CallsRunInlineWithoutWorkers) {
  options.worker_threads = 0;
  Start(EchoInterface());
  Client a(binding, kEcho), b(binding, kEcho);
  EXPECT_EQ(Add(a, 2, 3), 5u);
  EXPECT_EQ(Add(b, 4, 5), 9u);
  EXPECT_EQ(StatusOf([&] { a.Call(2, {}); }), status::kNcaFaultUnspec);
  server->Stop();
}

TEST_F(RpcServerClient, UnknownInterfaceAndVersion) {
  Start(EchoInterface());
  InterfaceId other{UuidFromLiteral("00000000-1111-2222-3333-444444444444"), 1, 0};
  EXPECT_EQ(StatusOf([&] { Client c(binding, other); }), status::kUnknownIf);
  InterfaceId newer_minor{kEcho.uuid, 1, 3};
  EXPECT_EQ(StatusOf([&] { Client c(binding, newer_minor); }), status::kUnknownIf);
  InterfaceId older_minor{kEcho.uuid, 1, 0};
  Client ok(binding, older_minor);
  EXPECT_EQ(Add(ok, 3, 4), 7u);
}

TEST_F(RpcServerClient, LargeCallsAreFragmentedBothWays) {
  Start(EchoInterface());
  ClientOptions co;
  co.max_frag = dcerpc::kMinFragSize;
  Client c(binding, kEcho, co);
  std::vector<std::uint8_t> data(100000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31);
  ndr::Encoder e;
  e.WriteConformantArray<std::uint8_t>(data);
  auto reply = c.Call(1, e.Bytes());
  ndr::Decoder d(reply);
  std::vector<std::uint8_t> back;
  d.ReadConformantArray(back);
  EXPECT_FALSE(d.Finish());
  EXPECT_EQ(back, data);
}

TEST_F(RpcServerClient, SecurityCallbackSeesCaller) {
  auto r = EchoInterface();
  std::string seen;
  r.security = [&](const CallContext& call) {
    seen = call.peer.address;
    return call.opnum != 0;
  };
  Start(std::move(r));
  Client c(binding, kEcho);
  EXPECT_EQ(StatusOf([&] { Add(c, 1, 2); }), status::kAccessDenied);
  EXPECT_EQ(seen, "127.0.0.1");
}

TEST_F(RpcServerClient, TimeoutAndCancelReachServer) {
  Start(EchoInterface(&slow));
  Client c(binding, kEcho);
  CallOptions o;
  o.timeout = 100ms;  // the call runs until cancelled: it can only time out
  EXPECT_EQ(StatusOf([&] { c.Call(3, {}, o); }), status::kTimeout);
  std::atomic<bool> cancel{false};
  std::thread t([&] {
    WaitFor(slow.started, 2);  // the second call is running on the server
    cancel = true;
  });
  CallOptions o2;
  o2.cancel = &cancel;
  EXPECT_EQ(StatusOf([&] { c.Call(3, {}, o2); }), status::kCallCancelled);
  t.join();
  // Both abandoned calls saw the cancel, and the connection still works.
  EXPECT_EQ(Add(c, 5, 6), 11u);
  WaitFor(slow.cancelled, 2);
  EXPECT_EQ(slow.cancelled, 2);
}

// A response that arrives after its call timed out, cut in the middle of a
// PDU by the timeout, must not leave the connection out of step: the next
// call still parses its own response.
TEST(Client, TimeoutInsideAPduKeepsTheConnectionInStep) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::uint16_t port = ntohs(addr.sin_port);

  // A hand-made server: answers the bind, then the first request with a
  // response split in two around the client's timeout, then the second at once.
  std::atomic<bool> timed_out{false};
  std::thread server([&] {
    int fd = ::accept(listener, nullptr, nullptr);
    auto read_pdu = [&] {
      std::vector<std::uint8_t> pdu(16);
      std::size_t got = 0;
      while (got < 16) got += static_cast<std::size_t>(::recv(fd, pdu.data() + got, 16 - got, 0));
      std::size_t frag = pdu[8] | pdu[9] << 8;
      pdu.resize(frag);
      while (got < frag)
        got += static_cast<std::size_t>(::recv(fd, pdu.data() + got, frag - got, 0));
      return pdu;
    };
    auto call_id = [](const std::vector<std::uint8_t>& p) {
      return static_cast<std::uint32_t>(p[12] | p[13] << 8 | p[14] << 16 | p[15] << 24);
    };
    auto bind = read_pdu();
    dcerpc::BindAckPdu ack;
    ack.max_xmit_frag = ack.max_recv_frag = 5840;
    ack.assoc_group_id = 1;
    ack.results.push_back({dcerpc::ContextResult::kAcceptance, 0, dcerpc::Ndr20Syntax()});
    auto ack_pdu = dcerpc::EncodeBindAck(dcerpc::PacketType::kBindAck, call_id(bind), ack);
    (void)!::send(fd, ack_pdu.data(), ack_pdu.size(), 0);
    for (int k = 0; k < 2; ++k) {
      auto request = read_pdu();
      if (request[2] != static_cast<std::uint8_t>(dcerpc::PacketType::kRequest)) {
        --k;  // co_cancel / orphaned of the abandoned call
        continue;
      }
      std::vector<std::uint8_t> stub{static_cast<std::uint8_t>(40 + k), 0, 0, 0};
      auto response = dcerpc::BuildResponseFragments(call_id(request), 0, stub, 5840)[0];
      if (k == 0) {
        (void)!::send(fd, response.data(), 10, 0);
        timed_out.wait(false);
        (void)!::send(fd, response.data() + 10, response.size() - 10, 0);
      } else {
        (void)!::send(fd, response.data(), response.size(), 0);
      }
    }
    // Until the client hangs up (whatever it still sends is read and dropped).
    std::uint8_t sink[512];
    while (::recv(fd, sink, sizeof(sink), 0) > 0) {
    }
    ::close(fd);
  });
  {
    Client c("ncacn_ip_tcp:127.0.0.1[" + std::to_string(port) + "]", kEcho);
    CallOptions quick;
    quick.timeout = 100ms;
    EXPECT_EQ(StatusOf([&] { c.Call(0, {}, quick); }), status::kTimeout);
    timed_out = true;  // now the rest of the late response is sent
    timed_out.notify_all();
    auto reply = c.Call(0, {});
    ASSERT_EQ(reply.size(), 4u);
    EXPECT_EQ(reply[0], 41);
  }
  server.join();
  ::close(listener);
}

TEST_F(RpcServerClient, MaxConcurrentCallsAndGracefulStop) {
  options.max_concurrent_calls = 1;
  options.stop_grace = 10min;  // Stop waits for the call however slow the machine
  // opnum 3 here runs until the test releases it, then succeeds.
  std::atomic<int> started{0};
  std::atomic<bool> release{false};
  auto r = EchoInterface();
  r.methods[3] = [&](CallContext&, ndr::Decoder&, ndr::Encoder&) {
    Bump(started);
    release.wait(false);
    return status::kOk;
  };
  Start(std::move(r));
  Client held(binding, kEcho), fast(binding, kEcho);
  std::uint32_t held_status = 1;
  std::thread t([&] { held_status = StatusOf([&] { held.Call(3, {}); }); });
  WaitFor(started, 1);
  EXPECT_EQ(StatusOf([&] { Add(fast, 1, 1); }), status::kNcaServerTooBusy);
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server->Stop();
    stopped = true;
  });
  // Stop has begun once the listener no longer takes new clients (until
  // then a new client is only refused as too busy).
  for (;;) {
    auto probed = StatusOf([&] {
      Client probe(binding, kEcho);
      Add(probe, 1, 1);
    });
    if (probed != status::kNcaServerTooBusy) break;
  }
  // ... and it waits for the running call, which then finishes with success.
  EXPECT_FALSE(stopped.load());
  release = true;
  release.notify_all();
  t.join();
  stopper.join();
  EXPECT_EQ(held_status, 0u);
  EXPECT_NE(StatusOf([&] { Add(fast, 1, 1); }), 0u);
}

TEST_F(RpcServerClient, MalformedPduClosesOnlyThatConnection) {
  Start(EchoInterface());
  Client good(binding, kEcho);
  std::unique_ptr<dcerpc::ClientChannel> raw;
  ASSERT_FALSE(tcp::ConnectChannel("127.0.0.1", server->TcpPorts()[0], 1s, raw));
  // A request before bind is a protocol violation.
  dcerpc::RequestPdu req;
  ASSERT_FALSE(raw->Send(dcerpc::EncodeRequest(1, 3, req)));
  std::vector<std::uint8_t> got;
  EXPECT_EQ(raw->Receive(got, std::chrono::steady_clock::now() + 2s, nullptr),
            std::errc::connection_reset);
  EXPECT_EQ(Add(good, 20, 22), 42u);
}

TEST_F(RpcServerClient, ObjectUuidReachesHandler) {
  auto r = EchoInterface();
  std::optional<Uuid> seen;
  r.methods[4] = [&](CallContext& call, ndr::Decoder&, ndr::Encoder&) {
    seen = call.object;
    return status::kOk;
  };
  Start(std::move(r));
  const Uuid object = UuidFromLiteral("01234567-89ab-cdef-0123-456789abcdef");
  Client plain(binding, kEcho);
  plain.Call(4, {});
  EXPECT_FALSE(seen);
  CallOptions o;
  o.object = object;
  plain.Call(4, {}, o);
  EXPECT_EQ(seen, object);
  // From the string binding's "uuid@" prefix.
  Client with_object(object.ToString() + "@" + binding, kEcho);
  seen.reset();
  with_object.Call(4, {});
  EXPECT_EQ(seen, object);
}

TEST_F(RpcServerClient, BindWithAuthVerifierIsRefused) {
  Start(EchoInterface());
  std::unique_ptr<dcerpc::ClientChannel> raw;
  ASSERT_FALSE(tcp::ConnectChannel("127.0.0.1", server->TcpPorts()[0], 1s, raw));
  dcerpc::BindPdu bind;
  bind.contexts.push_back({0, kEcho.Syntax(), {dcerpc::Ndr20Syntax()}});
  auto pdu = dcerpc::EncodeBind(dcerpc::PacketType::kBind, 1, bind);
  // sec_trailer (8 bytes: NTLM, connect level) + a 16-byte token.
  std::vector<std::uint8_t> trailer{10, 2, 0, 0, 0, 0, 0, 0};
  trailer.resize(8 + 16, 0xaa);
  pdu.insert(pdu.end(), trailer.begin(), trailer.end());
  pdu[8] = static_cast<std::uint8_t>(pdu.size());
  pdu[10] = 16;
  ASSERT_FALSE(raw->Send(pdu));
  std::vector<std::uint8_t> got;
  ASSERT_FALSE(raw->Receive(got, std::chrono::steady_clock::now() + 2s, nullptr));
  dcerpc::Header h;
  ASSERT_FALSE(dcerpc::ParseHeader(got, h));
  ASSERT_EQ(h.ptype, dcerpc::PacketType::kBindNak);
  dcerpc::BindNakPdu nak;
  ASSERT_FALSE(dcerpc::ParseBindNak(got, h, nak));
  EXPECT_EQ(nak.reason, dcerpc::RejectReason::kAuthenticationTypeNotRecognized);
}

TEST_F(RpcServerClient, EndpointMapperResolvesDynamicEndpoint) {
  Start(EchoInterface());
  EndpointMapper epm;
  epm.AddTcpEndpoint(kEcho, server->TcpPorts()[0], 0x7f000001);
  Server epm_server(options);
  epm_server.UseProtseqEp("ncacn_ip_tcp", "0");
  epm_server.RegisterInterface(epm.Registration());
  epm_server.Listen();
  ClientOptions co;
  co.epmapper_port = epm_server.TcpPorts()[0];
  Client c("ncacn_ip_tcp:127.0.0.1", kEcho, co);
  EXPECT_EQ(Add(c, 9, 9), 18u);
  InterfaceId missing{UuidFromLiteral("00000000-1111-2222-3333-444444444444"), 1, 0};
  EXPECT_EQ(StatusOf([&] { Client m("ncacn_ip_tcp:127.0.0.1", missing, co); }),
            status::kEptNotRegistered);
}

// As RpcServerUseProtseqEp on Windows: an endpoint another server holds is
// RPC_S_DUPLICATE_ENDPOINT, a status the caller can test, not a format error.
TEST_F(RpcServerClient, EndpointInUseIsADuplicateEndpoint) {
  Start(EchoInterface());
  Server second(options);
  second.UseProtseqEp("ncacn_ip_tcp", std::to_string(server->TcpPorts()[0]));
  second.RegisterInterface(EchoInterface());
  EXPECT_EQ(StatusOf([&] { second.Listen(); }), status::kDuplicateEndpoint);

  std::string name = "alpaca-duplicate-" + std::to_string(::getpid());
  Server local_first(options);
  local_first.UseProtseqEp("ncalrpc", name);
  local_first.RegisterInterface(EchoInterface());
  local_first.Listen();
  Server local_second(options);
  local_second.UseProtseqEp("ncalrpc", name);
  local_second.RegisterInterface(EchoInterface());
  EXPECT_EQ(StatusOf([&] { local_second.Listen(); }), status::kDuplicateEndpoint);
  local_first.Stop();
}

class RecordingSink : public dcerpc::MessageSink {
 public:
  void Send(std::vector<std::uint8_t> m) override { sent.push_back(std::move(m)); }
  void Close() override { closed = true; }
  std::vector<std::vector<std::uint8_t>> sent;
  bool closed = false;
};

TEST(ServerConnection, SurvivesMutatedPduStreams) {
  // The association state machine fed valid and randomly corrupted PDU
  // streams (framed as the transport frames them): it must answer the
  // valid stream correctly and never crash or hang on the others.
  auto iface = EchoInterface();
  iface.methods.resize(2);  // no sleeping method
  auto core = std::make_shared<ServerCore>();
  core->interfaces.push_back(iface);
  std::vector<std::vector<std::uint8_t>> stream;
  dcerpc::BindPdu bind;
  bind.contexts.push_back({0, kEcho.Syntax(), {dcerpc::Ndr20Syntax()}});
  bind.contexts.push_back({1, kEcho.Syntax(), {dcerpc::Ndr64Syntax()}});
  stream.push_back(dcerpc::EncodeBind(dcerpc::PacketType::kBind, 1, bind));
  std::vector<std::uint8_t> add{1, 0, 0, 0, 2, 0, 0, 0};
  for (auto& f : dcerpc::BuildRequestFragments(2, 0, 0, std::nullopt, add, 1432))
    stream.push_back(f);
  ndr::Encoder big;
  big.WriteConformantArray<std::uint8_t>(std::vector<std::uint8_t>(4000, 7));
  for (auto& f : dcerpc::BuildRequestFragments(3, 0, 1, std::nullopt, big.Bytes(), 1432)) {
    stream.push_back(f);
  }
  stream.push_back(dcerpc::EncodeHeaderOnly(dcerpc::PacketType::kCoCancel, 3));
  stream.push_back(dcerpc::EncodeBind(dcerpc::PacketType::kAlterContext, 4, bind));
  stream.push_back(dcerpc::EncodeHeaderOnly(dcerpc::PacketType::kOrphaned, 5));

  auto run = [&](const std::vector<std::vector<std::uint8_t>>& pdus) {
    auto sink = std::make_shared<RecordingSink>();
    auto conn = std::make_shared<ServerConnection>(
        core, sink, dcerpc::PeerInfo{}, [](std::function<void()> fn) { fn(); }, "4747");
    for (const auto& p : pdus) {
      if (sink->closed) break;
      conn->OnMessage(p);
    }
    conn->OnClosed();
    return sink;
  };
  auto clean = run(stream);
  EXPECT_FALSE(clean->closed);
  // bind_ack, two responses (4004 stub bytes fit one 5840-byte fragment),
  // alter_context_resp.
  ASSERT_EQ(clean->sent.size(), 4u);
  dcerpc::Header h;
  ASSERT_FALSE(dcerpc::ParseHeader(clean->sent[0], h));
  EXPECT_EQ(h.ptype, dcerpc::PacketType::kBindAck);
  dcerpc::BindAckPdu ack;
  ASSERT_FALSE(dcerpc::ParseBindAck(clean->sent[0], h, ack));
  EXPECT_EQ(ack.secondary_address, "4747");
  ASSERT_EQ(ack.results.size(), 2u);
  EXPECT_EQ(ack.results[1].result, dcerpc::ContextResult::kProviderRejection);
  ASSERT_FALSE(dcerpc::ParseHeader(clean->sent[1], h));
  EXPECT_EQ(h.ptype, dcerpc::PacketType::kResponse);
  EXPECT_EQ(h.call_id, 2u);

  // A request on a context the bind did not accept faults nca_s_unk_if,
  // flagged as not executed, and the connection stays open.
  std::vector<std::vector<std::uint8_t>> unknown_context{stream[0]};
  for (auto& f : dcerpc::BuildRequestFragments(9, /*context_id=*/1, 0, std::nullopt, add, 1432)) {
    unknown_context.push_back(f);
  }
  auto unknown = run(unknown_context);
  EXPECT_FALSE(unknown->closed);
  ASSERT_EQ(unknown->sent.size(), 2u);
  ASSERT_FALSE(dcerpc::ParseHeader(unknown->sent[1], h));
  EXPECT_EQ(h.ptype, dcerpc::PacketType::kFault);
  EXPECT_TRUE(h.pfc_flags & dcerpc::kPfcDidNotExecute);
  dcerpc::FaultPdu fault;
  ASSERT_FALSE(dcerpc::ParseFault(unknown->sent[1], h, fault));
  EXPECT_EQ(fault.status, status::kNcaUnknownInterface);

  // A bind for version 5.2 gets bind_nak protocol_version_not_supported.
  auto v52 = stream[0];
  v52[1] = 2;
  auto nak_sink = run({v52});
  EXPECT_TRUE(nak_sink->closed);
  ASSERT_EQ(nak_sink->sent.size(), 1u);
  ASSERT_FALSE(dcerpc::ParseHeader(nak_sink->sent[0], h));
  dcerpc::BindNakPdu nak;
  ASSERT_FALSE(dcerpc::ParseBindNak(nak_sink->sent[0], h, nak));
  EXPECT_EQ(nak.reason, dcerpc::RejectReason::kProtocolVersionNotSupported);
  EXPECT_EQ(h.call_id, 1u);

  std::mt19937 rng(7);
  int closed = 0;
  for (int round = 0; round < 3000; ++round) {
    auto pdus = stream;
    for (int k = 0; k < 1 + round % 4; ++k) {
      auto& p = pdus[rng() % pdus.size()];
      p[rng() % p.size()] = static_cast<std::uint8_t>(rng());
    }
    // The transport delivers exactly frag_length bytes (when it is >= 16).
    for (auto& p : pdus) {
      std::uint16_t len = static_cast<std::uint16_t>(p[8] | p[9] << 8);
      if (len >= 16) p.resize(len);
    }
    closed += run(pdus)->closed;
  }
  EXPECT_GT(closed, 0);
}

TEST(TcpTower, RoundTripAndHostile) {
  TcpTower t{kEcho.Syntax(), 4747, 0x7f000001};
  auto octets = EncodeTcpTower(t);
  EXPECT_EQ(octets.size(), 75u);  // the classic 75-byte ncacn_ip_tcp tower
  auto back = DecodeTcpTower(octets);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->interface_id, kEcho.Syntax());
  EXPECT_EQ(back->port, 4747);
  EXPECT_EQ(back->ipv4, 0x7f000001u);
  for (std::size_t n = 0; n < octets.size(); ++n) {
    EXPECT_FALSE(DecodeTcpTower(std::span(octets).first(n))) << n;
  }
}

// A server stopped and listened again serves on every transport (the
// endpoints are made once, at UseProtseqEp, and restarted).
TEST(Server, ListensAgainAfterStopOnEveryTransport) {
  const std::string name = "relisten-" + std::to_string(::getpid());
  ServerOptions so;
  so.tcp_address = "127.0.0.1";
  so.offer_local_upgrade = false;
  Server server(so);
  server.UseProtseqEp("ncacn_ip_tcp", "0");
  server.UseProtseqEp("ncalrpc", name);
  server.UseProtseqEp("ncacn_unix_stream", name);
  server.RegisterInterface(EchoInterface());
  for (int round = 0; round < 2; ++round) {
    server.Listen();
    for (const std::string& binding : server.Bindings()) {
      const std::string reachable =
          binding.rfind("ncacn_ip_tcp:", 0) == 0
              ? "ncacn_ip_tcp:127.0.0.1[" + std::to_string(server.TcpPorts()[0]) + "]"
              : binding;
      Client c(reachable, kEcho);
      EXPECT_EQ(Add(c, round, 1), static_cast<std::uint32_t>(round + 1)) << reachable;
    }
    server.Stop();
  }
}

// The transports come from the options' registry when one is given: a
// server and a client limited to ncacn_ip_tcp know nothing else.
TEST(TransportRegistry, OptionsChooseTheTransports) {
  auto tcp_only = std::make_shared<transport::TransportRegistry>();
  tcp::Register(*tcp_only);
  ServerOptions so;
  so.tcp_address = "127.0.0.1";
  so.transports = tcp_only;
  Server server(so);
  EXPECT_EQ(StatusOf([&] { server.UseProtseqEp("ncalrpc", "registry-test"); }),
            status::kProtseqNotSupported);
  server.UseProtseqEp("ncacn_ip_tcp", "0");
  server.RegisterInterface(EchoInterface());
  server.Listen();
  const std::string binding =
      "ncacn_ip_tcp:127.0.0.1[" + std::to_string(server.TcpPorts()[0]) + "]";
  ClientOptions co;
  co.transports = tcp_only;
  Client c(binding, kEcho, co);
  EXPECT_EQ(Add(c, 2, 3), 5u);
  EXPECT_EQ(c.Protseq(), "ncacn_ip_tcp");
  co.transports = std::make_shared<transport::TransportRegistry>();  // none at all
  EXPECT_EQ(StatusOf([&] { Client none(binding, kEcho, co); }), status::kProtseqNotSupported);
}

TEST(Client, BadBindingsThrow) {
  EXPECT_EQ(StatusOf([] { Client c("garbage", kEcho); }), status::kInvalidStringBinding);
  EXPECT_EQ(StatusOf([] { Client c("ncadg_ip_udp:127.0.0.1[1]", kEcho); }),
            status::kProtseqNotSupported);
  EXPECT_EQ(StatusOf([] { Client c("ncalrpc:[alpaca-no-such-endpoint]", kEcho); }),
            status::kServerUnavailable);
  EXPECT_EQ(StatusOf([] { Client c("ncalrpc:", kEcho); }), status::kInvalidEndpointFormat);
  EXPECT_EQ(StatusOf([] { Client c("ncacn_ip_tcp:127.0.0.1[1]", kEcho); }),
            status::kServerUnavailable);
  // The endpoint's form is the transport's to judge.
  EXPECT_EQ(StatusOf([] { Client c("ncacn_ip_tcp:127.0.0.1[http]", kEcho); }),
            status::kInvalidEndpointFormat);
  EXPECT_EQ(StatusOf([] { Client c("ncacn_unix_stream:[a/b]", kEcho); }),
            status::kInvalidEndpointFormat);
  EXPECT_EQ(StatusOf([] { Client c("ncacn_unix_stream:elsewhere[calc]", kEcho); }),
            status::kInvalidNetAddr);
}

}  // namespace
}  // namespace alpaca::rpc
