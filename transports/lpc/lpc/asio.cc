#include "alpaca/lpc/asio.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include "alpaca/lpc/status.h"

namespace alpaca::lpc {
namespace {

// The stream_descriptor owns what it wraps; give it a duplicate so the port
// keeps its own fd.
int Duplicate(int fd) { return ::fcntl(fd, F_DUPFD_CLOEXEC, 0); }

template <typename Handler>
void Complete(const boost::asio::any_io_executor& executor, Handler handler, std::error_code ec) {
  boost::asio::post(executor,
                    [handler = std::move(handler), ec]() mutable { std::move(handler)(ec); });
}

}  // namespace

AsyncConnectionPort::AsyncConnectionPort(const boost::asio::any_io_executor& executor,
                                         ConnectionPort& port)
    : port_(port), waiter_(executor, Duplicate(port.WaitHandle())) {}

void AsyncConnectionPort::StartReceive(ReceivedMessage& out, Handler handler) {
  auto ec = port_.ReplyWaitReceive(out, std::chrono::nanoseconds(0));
  if (ec != Status::kTimeout) {
    Complete(waiter_.get_executor(), std::move(handler), ec);
    return;
  }
  waiter_.async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [this, &out, handler = std::move(handler)](const boost::system::error_code& wait_ec) mutable {
        if (wait_ec) {
          std::move(handler)(std::error_code(wait_ec));
          return;
        }
        StartReceive(out, std::move(handler));
      });
}

AsyncClientPort::AsyncClientPort(const boost::asio::any_io_executor& executor, ClientPort& port)
    : port_(port), waiter_(executor, Duplicate(port.WaitHandle())) {}

void AsyncClientPort::StartRequest(const PortMessage& request, PortMessage& reply,
                                   Handler handler) {
  uint32_t id = 0;
  if (auto ec = port_.BeginRequest(request, reply, id)) {
    Complete(waiter_.get_executor(), std::move(handler), ec);
    return;
  }
  WaitForReply(id, std::move(handler));
}

void AsyncClientPort::WaitForReply(uint32_t id, Handler handler) {
  auto ec = port_.PollRequest(id);
  if (ec != Status::kTimeout) {
    Complete(waiter_.get_executor(), std::move(handler), ec);
    return;
  }
  waiter_.async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [this, id, handler = std::move(handler)](const boost::system::error_code& wait_ec) mutable {
        if (wait_ec) {
          port_.CancelRequest(id);
          std::move(handler)(std::error_code(wait_ec));
          return;
        }
        WaitForReply(id, std::move(handler));
      });
}

}  // namespace alpaca::lpc
