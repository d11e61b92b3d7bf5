// Closing and dying: each end learns about the other at once, and nothing
// the dead peer held stays behind.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include "lpc_fixture.h"

namespace alpaca::lpc::testing {
namespace {

// A thread's scheduler state as the kernel reports it ('R' running, 'S'
// sleeping in a wait, ...): lets a test act once a thread is blocked.
char ThreadState(pid_t tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto paren = line.rfind(')');  // the name may hold spaces and parentheses
  return paren != std::string::npos && paren + 2 < line.size() ? line[paren + 2] : '?';
}

TEST_F(LpcTest, ClientCloseReachesServerAsPortClosed) {
  auto port = CreatePort("close");
  auto client = StartClient("close", "connect");
  auto closed = ReceiveType(*port, MessageType::kPortClosed);
  EXPECT_EQ(closed.message.Sender().pid, client->Pid());
  ASSERT_TRUE(closed.port);
  EXPECT_FALSE(closed.port->Connected());
  EXPECT_EQ(port->Query().connected_clients, 0u);
}

TEST_F(LpcTest, KilledClientReachesServerAsClientDiedAndIsFreed) {
  auto port = CreatePort("die");
  auto client = StartClient("die", "call", {"--size", "100000"});
  auto request = ReceiveType(*port, MessageType::kRequest);
  std::weak_ptr<ServerPort> weak = request.port;
  EXPECT_EQ(port->Query().connected_clients, 1u);
  client->Kill(SIGKILL);
  auto died = ReceiveType(*port, MessageType::kClientDied);
  EXPECT_EQ(died.message.Sender().pid, client->Pid());
  EXPECT_EQ(died.port.get(), request.port.get());
  // Replying to a dead client is an error, not a crash.
  PortMessage reply;
  reply.SetData("too late");
  EXPECT_EQ(request.port->Reply(request.message, reply), Status::kPortDisconnected);
  EXPECT_EQ(port->Query().connected_clients, 0u);
  request.port.reset();
  died.port.reset();
  accepted_.clear();
  EXPECT_TRUE(weak.expired()) << "the connection port still holds the dead client";
}

TEST_F(LpcTest, KilledServerUnblocksWaitingClient) {
  auto server = StartServer("server-dies");
  auto client = StartClient("server-dies", "call", {"--size", "100000"});
  ASSERT_TRUE(client->WaitForLine("CALLING"));
  ASSERT_TRUE(server->WaitForLine("SLEEPING"));  // holding the request: the client waits
  server->Kill(SIGKILL);
  // The client's wait ends with the server, not with its 100 s request.
  auto done = client->WaitForLine("CALL_DONE", std::chrono::seconds(60));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->substr(0, 27), "CALL_DONE kPortDisconnected");
}

TEST_F(LpcTest, ServerClosingCommunicationPortReachesClient) {
  auto server = StartServer("server-closes");
  std::unique_ptr<ClientPort> port;
  ASSERT_FALSE(ClientPort::Connect("server-closes", Bytes("x"), {}, port));
  PortMessage message;
  message.SetData("close-me");
  ASSERT_FALSE(port->Request(message));
  PortMessage got;
  ASSERT_FALSE(port->Receive(got, std::chrono::seconds(20)));
  EXPECT_EQ(got.Type(), MessageType::kPortClosed);
  PortMessage reply;
  EXPECT_EQ(port->RequestWaitReply(message, reply, std::chrono::seconds(5)),
            Status::kPortDisconnected);
}

TEST_F(LpcTest, ClosingTheConnectionPortWakesWaitersAndClients) {
  auto port = CreatePort("shutdown");
  auto client = StartClient("shutdown", "call", {"--size", "100000"});
  auto request = ReceiveType(*port, MessageType::kRequest);
  std::atomic<pid_t> waiter_tid{0};
  std::thread waiter([&] {
    waiter_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    ReceivedMessage in;
    EXPECT_EQ(port->ReplyWaitReceive(in), Status::kPortDisconnected);
  });
  // Close while the waiter sleeps in ReplyWaitReceive (the kernel says when).
  while (waiter_tid == 0) std::this_thread::yield();
  while (ThreadState(waiter_tid) != 'S') std::this_thread::yield();
  port->Close();
  waiter.join();
  EXPECT_EQ(client->WaitForLine("CALL_DONE").value_or("").substr(0, 27),
            "CALL_DONE kPortDisconnected");
}

TEST_F(LpcTest, TimedOutRequestReachesServerAsLostReply) {
  auto server = StartServer("lost");
  std::unique_ptr<ClientPort> port;
  ASSERT_FALSE(ClientPort::Connect("lost", Bytes("x"), {}, port));
  PortMessage request, reply;
  request.SetData("sleep:300");
  EXPECT_EQ(port->RequestWaitReply(request, reply, std::chrono::milliseconds(50)),
            Status::kTimeout);
  EXPECT_TRUE(server->WaitForLine("LOST_REPLY"));
  // The late reply is dropped; the next call gets its own reply.
  request.SetData("fresh");
  ASSERT_FALSE(port->RequestWaitReply(request, reply, std::chrono::seconds(20)));
  EXPECT_EQ(Text(reply.Data()), "fresh");
}

TEST_F(LpcTest, ReplyToUnknownRequestIsAMismatch) {
  auto port = CreatePort("mismatch");
  auto client = StartClient("mismatch", "flood");
  auto datagram = ReceiveType(*port, MessageType::kDatagram);
  PortMessage reply;
  EXPECT_EQ(datagram.port->Reply(datagram.message, reply), Status::kReplyMismatch);
}

}  // namespace
}  // namespace alpaca::lpc::testing
