// co_stream::Listener on TCP sockets (tcp/socket.h), without the RPC core.
#include "alpaca/co_stream/listener.h"

#include <gtest/gtest.h>

#include <thread>

#include "alpaca/dcerpc/pdu.h"
#include "alpaca/tcp/client_channel.h"
#include "alpaca/tcp/socket.h"

namespace alpaca::tcp {
namespace {

using co_stream::Listener;
using co_stream::ListenerOptions;

using namespace std::chrono_literals;

// Echoes each PDU back; a second copy goes through the call pool to prove
// the executor runs work (tests read it as a count, order not guaranteed).
class Echo : public dcerpc::MessageHandler {
 public:
  Echo(std::shared_ptr<dcerpc::MessageSink> sink, dcerpc::Executor ex,
       std::shared_ptr<std::atomic<int>> pool_runs)
      : sink_(std::move(sink)), ex_(std::move(ex)), pool_runs_(std::move(pool_runs)) {}
  void OnMessage(std::vector<std::uint8_t> m) override {
    sink_->Send(m);
    // Captures the counter, not `this`: the handler may be gone by then.
    ex_([runs = pool_runs_] {
      ++*runs;
      runs->notify_all();
    });
  }
  void OnClosed() override {}

 private:
  std::shared_ptr<dcerpc::MessageSink> sink_;
  dcerpc::Executor ex_;
  std::shared_ptr<std::atomic<int>> pool_runs_;
};

struct EchoServer {
  std::unique_ptr<Listener> listener;
  std::uint16_t port = 0;
  std::shared_ptr<std::atomic<int>> pool_runs = std::make_shared<std::atomic<int>>(0);
  EchoServer(ListenerOptions o = {}) {
    UniqueFd socket;
    EXPECT_FALSE(ListenSocket("127.0.0.1", 0, socket, port));
    listener =
        std::make_unique<Listener>(o, AdmitPeer, [this](auto sink, const dcerpc::PeerInfo& peer) {
          EXPECT_EQ(peer.protseq, "ncacn_ip_tcp");
          EXPECT_EQ(peer.address, "127.0.0.1");
          return std::make_shared<Echo>(std::move(sink), listener->GetExecutor(), pool_runs);
        });
    EXPECT_FALSE(listener->Start(std::move(socket)));
  }
};

std::unique_ptr<dcerpc::ClientChannel> Connect(std::uint16_t port) {
  std::unique_ptr<dcerpc::ClientChannel> c;
  EXPECT_FALSE(ConnectChannel("127.0.0.1", port, 2s, c));
  return c;
}

TEST(StreamListenerOnTcp, EchoesWholePdus) {
  EchoServer server;
  auto c = Connect(server.port);
  auto pdu = dcerpc::EncodeHeaderOnly(dcerpc::PacketType::kShutdown, 42);
  std::vector<std::uint8_t> big = dcerpc::EncodeFault(1, {});
  big.resize(5000);
  big[8] = 5000 & 0xff;
  big[9] = 5000 >> 8;
  ASSERT_FALSE(c->Send(pdu));
  ASSERT_FALSE(c->Send(big));
  std::vector<std::uint8_t> got;
  ASSERT_FALSE(c->Receive(got, std::chrono::steady_clock::now() + 2s, nullptr));
  EXPECT_EQ(got, pdu);
  ASSERT_FALSE(c->Receive(got, std::chrono::steady_clock::now() + 2s, nullptr));
  EXPECT_EQ(got, big);
  // Both echoes arrived, so both pool items were posted; wait for them.
  for (int runs = *server.pool_runs; runs < 2; runs = *server.pool_runs) {
    server.pool_runs->wait(runs);
  }
  EXPECT_EQ(*server.pool_runs, 2);
}

TEST(StreamListenerOnTcp, MalformedFramingClosesOnlyThatConnection) {
  EchoServer server;
  auto bad = Connect(server.port);
  auto good = Connect(server.port);
  std::vector<std::uint8_t> garbage(16, 0xff);
  ASSERT_FALSE(bad->Send(garbage));
  std::vector<std::uint8_t> got;
  auto ec = bad->Receive(got, std::chrono::steady_clock::now() + 2s, nullptr);
  EXPECT_EQ(ec, std::errc::connection_reset);
  auto pdu = dcerpc::EncodeHeaderOnly(dcerpc::PacketType::kOrphaned, 7);
  ASSERT_FALSE(good->Send(pdu));
  ASSERT_FALSE(good->Receive(got, std::chrono::steady_clock::now() + 2s, nullptr));
  EXPECT_EQ(got, pdu);
}

TEST(StreamListenerOnTcp, IdleConnectionTimesOut) {
  ListenerOptions o;
  o.idle_timeout = 100ms;
  EchoServer server(o);
  auto c = Connect(server.port);
  auto pdu = dcerpc::EncodeHeaderOnly(dcerpc::PacketType::kShutdown, 1);
  ASSERT_FALSE(c->Send(pdu));
  std::vector<std::uint8_t> got;
  ASSERT_FALSE(c->Receive(got, std::chrono::steady_clock::now() + 60s, nullptr));
  // Then silence: the server ends the connection (the deadline here only
  // bounds a hang; the event is the close).
  EXPECT_EQ(c->Receive(got, std::chrono::steady_clock::now() + 60s, nullptr),
            std::errc::connection_reset);
}

TEST(StreamListenerOnTcp, SilentConnectionClosedAtHandshakeDeadline) {
  ListenerOptions o;
  o.handshake_timeout = 100ms;
  EchoServer server(o);
  auto c = Connect(server.port);
  std::vector<std::uint8_t> got;
  EXPECT_EQ(c->Receive(got, std::chrono::steady_clock::now() + 60s, nullptr),
            std::errc::connection_reset);
  EXPECT_EQ(server.listener->Stats().handshake_timeouts, 1u);
}

TEST(StreamListenerOnTcp, ReceiveHonoursDeadlineAndCancel) {
  EchoServer server;
  auto c = Connect(server.port);
  std::vector<std::uint8_t> got;
  EXPECT_EQ(c->Receive(got, std::chrono::steady_clock::now() + 50ms, nullptr),
            std::errc::timed_out);
  // Set from another thread while (or before) Receive waits: either way
  // nothing arrives and the cancel ends the wait.
  std::atomic<bool> cancel{false};
  std::thread t([&] { cancel = true; });
  EXPECT_EQ(c->Receive(got, std::chrono::steady_clock::now() + 60s, &cancel),
            std::errc::operation_canceled);
  t.join();
}

TEST(StreamListenerOnTcp, ConnectRefused) {
  std::unique_ptr<dcerpc::ClientChannel> c;
  EchoServer server;
  std::uint16_t port = server.port;
  server.listener->Stop();
  EXPECT_TRUE(ConnectChannel("127.0.0.1", port, 1s, c));
}

}  // namespace
}  // namespace alpaca::tcp
