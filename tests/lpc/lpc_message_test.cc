// Moving data: inline up to 256 bytes, the connection section beyond, a
// per-message section past the view; request/reply, datagrams, several
// server threads. The test process is the client; lpc_peer serves.
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "lpc_fixture.h"
#include "pattern.h"

namespace alpaca::lpc::testing {
namespace {

std::unique_ptr<ClientPort> Connect(const std::string& name, ConnectOptions options = {}) {
  std::unique_ptr<ClientPort> port;
  auto ec = ClientPort::Connect(name, Bytes("test"), options, port);
  EXPECT_FALSE(ec) << ec.message();
  return port;
}

// Sends `size` pattern bytes; checks the echo byte by byte.
void ExpectEcho(ClientPort& port, size_t size, uint32_t seed) {
  PortMessage request, reply;
  FillPattern(request.ResizeData(size), seed);
  ASSERT_FALSE(port.RequestWaitReply(request, reply, std::chrono::seconds(60)));
  ASSERT_EQ(reply.DataSize(), size);
  EXPECT_EQ(FirstMismatch(reply.Data(), seed), size);
  EXPECT_EQ(reply.Type(), MessageType::kReply);
}

TEST_F(LpcTest, InlineBoundaryAt256Bytes) {
  auto server = StartServer("boundary");
  auto port = Connect("boundary");
  ExpectEcho(*port, 0, 1);
  ExpectEcho(*port, 1, 2);
  ExpectEcho(*port, 255, 3);
  ExpectEcho(*port, 256, 4);
  EXPECT_EQ(port->Query().section_messages, 0u) << "255 and 256 bytes must travel inline";
  ExpectEcho(*port, 257, 5);
  // 257 bytes out through our half, 257 back through the server's half.
  EXPECT_EQ(port->Query().section_messages, 2u);
  EXPECT_EQ(port->Query().large_section_messages, 0u);
}

TEST_F(LpcTest, OneMebibyteThroughTheSectionBothWays) {
  auto server = StartServer("one-mib");
  ConnectOptions options;
  options.section_size = size_t{4} << 20;
  auto port = Connect("one-mib", options);
  for (uint32_t round = 0; round < 3; ++round) ExpectEcho(*port, size_t{1} << 20, round);
  EXPECT_EQ(port->Query().section_messages, 6u);
  EXPECT_EQ(port->Query().large_section_messages, 0u);
}

TEST_F(LpcTest, SixtyFourMebibytesThroughTheSectionRingAndBack) {
  auto server = StartServer("big");
  auto port = Connect("big");  // a 1 MiB section: 64 MiB cannot fit a half
  ExpectEcho(*port, size_t{64} << 20, 42);
  auto info = port->Query();
  // The request streamed through the client's half as a ring; the server
  // never waits on a client, so its 64 MiB reply took a per-message section.
  EXPECT_EQ(info.section_messages, 1u);
  EXPECT_EQ(info.large_section_messages, 1u);
}

TEST_F(LpcTest, SectionViewIsWrittenInPlaceAndReused) {
  auto server = StartServer("view");
  ConnectOptions options;
  options.section_size = size_t{4} << 20;
  auto port = Connect("view", options);
  SectionView too_big;
  EXPECT_EQ(port->AcquireView(size_t{3} << 20, too_big), Status::kInvalidView);
  SectionView view;
  ASSERT_FALSE(port->AcquireView(100000, view));
  SectionView second;
  EXPECT_EQ(port->AcquireView(10, second), Status::kInvalidParameter) << "one view per port";
  PortMessage header, reply;
  for (uint32_t round = 0; round < 3; ++round) {
    FillPattern(view.Data(), round);
    ASSERT_FALSE(port->RequestWaitReply(view, header, reply));
    ASSERT_EQ(reply.DataSize(), 100000u);
    EXPECT_EQ(FirstMismatch(reply.Data(), round), 100000u);
  }
  // While the view is leased, ordinary long messages still get through.
  ExpectEcho(*port, 5000, 77);
  view = SectionView();
  ASSERT_FALSE(port->AcquireView(10, second));
}

TEST_F(LpcTest, ViewIsNotLeasedWhileThePeerStillReadsTheHalf) {
  auto port = CreatePort("view-busy");
  std::unique_ptr<ClientPort> client;
  std::shared_ptr<ServerPort> comm;
  std::thread accept([&] {
    ConnectionRequest request;
    ASSERT_FALSE(port->Listen(request, std::chrono::seconds(20)));
    ASSERT_FALSE(port->AcceptAndComplete(std::move(request), {}, nullptr, comm));
  });
  ASSERT_FALSE(ClientPort::Connect("view-busy", Bytes("x"), {}, client));
  accept.join();
  PortMessage datagram;
  FillPattern(datagram.ResizeData(10000), 3);
  ASSERT_FALSE(client->Request(datagram));  // sits in the half, unread
  SectionView view;
  EXPECT_EQ(client->AcquireView(100, view), Status::kQuotaExceeded);
  auto in = ReceiveType(*port, MessageType::kDatagram);
  EXPECT_EQ(FirstMismatch(in.message.Data(), 3), 10000u) << "the datagram kept its bytes";
  EXPECT_FALSE(client->AcquireView(100, view));
}

TEST_F(LpcTest, LargeReplyToSmallRequest) {
  auto server = StartServer("big-reply");
  auto port = Connect("big-reply");
  PortMessage request, reply;
  request.SetData("big:3000000");
  ASSERT_FALSE(port->RequestWaitReply(request, reply));
  ASSERT_EQ(reply.DataSize(), 3000000u);
  EXPECT_EQ(FirstMismatch(reply.Data(), 7), reply.DataSize());
}

TEST_F(LpcTest, WithoutASectionLongDataStillArrives) {
  auto server = StartServer("no-view");
  ConnectOptions options;
  options.section_size = 0;
  auto port = Connect("no-view", options);
  ExpectEcho(*port, 300, 9);
  ExpectEcho(*port, 100000, 10);
  EXPECT_EQ(port->Query().section_messages, 0u);
  EXPECT_EQ(port->Query().large_section_messages, 4u);
}

TEST_F(LpcTest, SmallerMaxMessageLengthMovesDataToTheSection) {
  auto server = StartServer("small-inline", {"--max-message-length", "64"});
  auto port = Connect("small-inline");
  ExpectEcho(*port, 64, 1);
  EXPECT_EQ(port->Query().section_messages, 0u);
  ExpectEcho(*port, 65, 2);
  EXPECT_EQ(port->Query().section_messages, 2u);
}

TEST_F(LpcTest, DatagramsArriveWithSenderIdentity) {
  auto port = CreatePort("datagrams");
  auto client = StartClient("datagrams", "flood");
  auto in = ReceiveType(*port, MessageType::kDatagram);
  EXPECT_EQ(in.message.DataSize(), 200u);
  EXPECT_EQ(in.message.Sender().pid, client->Pid());
  EXPECT_EQ(in.message.Header().process_id, static_cast<uint32_t>(client->Pid()));
  ASSERT_TRUE(in.port);
  EXPECT_EQ(in.port->Client().pid, client->Pid());
}

TEST_F(LpcTest, ServerDatagramReachesClientReceive) {
  auto server = StartServer("ping-back");
  auto port = Connect("ping-back");
  PortMessage ping, got;
  ping.SetData("ping-back");
  ASSERT_FALSE(port->Request(ping));
  ASSERT_FALSE(port->Receive(got, std::chrono::seconds(20)));
  EXPECT_EQ(got.Type(), MessageType::kDatagram);
  EXPECT_EQ(Text(got.Data()), "pong");
  EXPECT_EQ(port->Receive(got, std::chrono::milliseconds(50)), Status::kTimeout);
}

TEST_F(LpcTest, RepliesMatchRequestsAcrossClientThreads) {
  auto server = StartServer("threads", {"--threads", "4"});
  ConnectOptions options;
  options.section_size = size_t{8} << 20;
  auto port = Connect("threads", options);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (uint32_t t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      PortMessage request, reply;
      for (uint32_t i = 0; i < 200; ++i) {
        size_t size = (i % 5 == 0) ? 5000 + t : 16 + t;  // mixes inline and section
        FillPattern(request.ResizeData(size), t * 1000 + i);
        if (port->RequestWaitReply(request, reply) || reply.DataSize() != size ||
            FirstMismatch(reply.Data(), t * 1000 + i) != size) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(LpcTest, SeveralServerThreadsReceiveAtOnce) {
  auto port = CreatePort("pool");
  constexpr int kClients = 6;
  std::vector<std::unique_ptr<ChildProcess>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(StartClient("pool", "echo", {"--count", "50", "--size", "300"}));
  }
  std::mutex mutex;
  std::condition_variable overlap;
  int inside = 0;
  bool overlapped = false;
  bool gave_up = false;
  std::set<std::thread::id> threads_that_served;
  std::atomic<int> closed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      ReceivedMessage in;
      PortMessage reply;
      while (closed.load() < kClients) {
        if (port->ReplyWaitReceive(in, std::chrono::milliseconds(200))) continue;
        switch (in.message.Type()) {
          case MessageType::kConnectionRequest: {
            std::shared_ptr<ServerPort> comm;
            EXPECT_FALSE(port->AcceptAndComplete(std::move(in.connection), {}, nullptr, comm));
            break;
          }
          case MessageType::kRequest: {
            // Until two threads have held a request at the same time, each
            // holds its own until another thread takes one: the other
            // clients' requests are queued, so the port must hand them to
            // another thread while this one is busy.
            {
              std::unique_lock lock(mutex);
              ++inside;
              if (inside >= 2) overlapped = true;
              overlap.notify_all();
              // The bound only turns a hang into a failure; the first
              // thread to give up releases the others at once.
              if (!overlap.wait_for(lock, std::chrono::seconds(20), [&] { return overlapped; })) {
                gave_up = true;
                overlapped = true;
                overlap.notify_all();
              }
              --inside;
            }
            reply.SetData(in.message.Data());
            EXPECT_FALSE(in.port->Reply(in.message, reply));
            std::lock_guard lock(mutex);
            threads_that_served.insert(std::this_thread::get_id());
            break;
          }
          case MessageType::kPortClosed:
          case MessageType::kClientDied:
            ++closed;
            break;
          default:
            break;
        }
      }
    });
  }
  for (auto& c : clients) {
    EXPECT_EQ(c->WaitForLine("ECHO").value_or("none"), "ECHO_OK 50");
    EXPECT_EQ(c->Wait(), 0);
  }
  for (auto& w : workers) w.join();
  EXPECT_FALSE(gave_up) << "no two threads ever held a request at once";
  EXPECT_GT(threads_that_served.size(), 1u);
}

}  // namespace
}  // namespace alpaca::lpc::testing
