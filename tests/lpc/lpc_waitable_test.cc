// Waitable ports: the wait handle works with epoll, and the Asio front
// receives and calls with completion handlers.
#include <sys/epoll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <functional>
#include <thread>

#include "alpaca/lpc/asio.h"
#include "lpc_fixture.h"

namespace alpaca::lpc::testing {
namespace {

TEST_F(LpcTest, WaitHandleBecomesReadableForEpoll) {
  auto port = CreatePort("epoll");
  int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ASSERT_EQ(::epoll_ctl(epfd, EPOLL_CTL_ADD, port->WaitHandle(), &ev), 0);
  epoll_event got{};
  EXPECT_EQ(::epoll_wait(epfd, &got, 1, 50), 0) << "readable with nothing pending";
  auto client = StartClient("epoll", "echo", {"--count", "1"});
  // Readable means "ReplyWaitReceive has work"; the work (accepting the
  // socket) may not yet yield a message, so poll after each wake.
  ReceivedMessage in;
  std::error_code ec = Status::kTimeout;
  for (int wakes = 0; wakes < 10 && ec == Status::kTimeout; ++wakes) {
    ASSERT_EQ(::epoll_wait(epfd, &got, 1, 20000), 1);
    ec = port->ReplyWaitReceive(in, std::chrono::nanoseconds(0));
  }
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(in.message.Type(), MessageType::kConnectionRequest);
  ::close(epfd);
}

TEST_F(LpcTest, AsioServerAndAsioClient) {
  auto port = CreatePort("asio");
  boost::asio::io_context server_io;
  AsyncConnectionPort async_port(server_io.get_executor(), *port);
  // Server: an asynchronous accept/echo loop until three clients are done.
  int finished = 0;
  ReceivedMessage in;
  PortMessage reply;
  std::function<void(std::error_code)> on_message = [&](std::error_code ec) {
    ASSERT_FALSE(ec) << ec.message();
    switch (in.message.Type()) {
      case MessageType::kConnectionRequest: {
        std::shared_ptr<ServerPort> comm;
        EXPECT_FALSE(port->AcceptAndComplete(std::move(in.connection), {}, nullptr, comm));
        break;
      }
      case MessageType::kRequest:
        reply.SetData(in.message.Data());
        EXPECT_FALSE(in.port->Reply(in.message, reply));
        break;
      case MessageType::kPortClosed:
      case MessageType::kClientDied:
        ++finished;
        break;
      default:
        break;
    }
    if (finished < 3) async_port.AsyncReceive(in, on_message);
  };
  async_port.AsyncReceive(in, on_message);
  std::thread server([&] { server_io.run(); });

  // Two clients in other processes, one here through the Asio client front.
  auto a = StartClient("asio", "echo", {"--count", "20", "--size", "100"});
  auto b = StartClient("asio", "echo", {"--count", "20", "--size", "5000"});
  {
    std::unique_ptr<ClientPort> client;
    ASSERT_FALSE(ClientPort::Connect("asio", Bytes("x"), {}, client));
    boost::asio::io_context client_io;
    AsyncClientPort async_client(client_io.get_executor(), *client);
    PortMessage request, response;
    for (int i = 0; i < 20; ++i) {
      request.SetData("async call " + std::to_string(i));
      auto done = async_client.AsyncRequest(request, response, boost::asio::use_future);
      client_io.restart();
      client_io.run();
      ASSERT_FALSE(done.get());
      EXPECT_EQ(Text(response.Data()), "async call " + std::to_string(i));
    }
  }
  EXPECT_EQ(a->WaitForLine("ECHO").value_or(""), "ECHO_OK 20");
  EXPECT_EQ(b->WaitForLine("ECHO").value_or(""), "ECHO_OK 20");
  server.join();
  EXPECT_EQ(finished, 3);
}

}  // namespace
}  // namespace alpaca::lpc::testing
