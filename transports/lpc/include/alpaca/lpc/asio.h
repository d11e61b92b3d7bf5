// Boost.Asio front for the waitable ports: completion-based receive on a
// ConnectionPort and request/reply on a ClientPort, with any completion token
// (callbacks, use_future, use_awaitable). The templates forward to
// non-template members taking any_completion_handler, so the port code is
// compiled once.
//
// Thread contract: an AsyncConnectionPort / AsyncClientPort is driven from
// its executor; the wrapped port must outlive it. Blocking and asynchronous
// waits must not be mixed on one ClientPort at the same time.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <system_error>

#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/connection_port.h"

namespace alpaca::lpc {

class AsyncConnectionPort {
 public:
  using Handler = boost::asio::any_completion_handler<void(std::error_code)>;

  AsyncConnectionPort(const boost::asio::any_io_executor& executor, ConnectionPort& port);

  // Completes with {} and fills `out` (which must stay alive until then)
  // when a message or connection request arrives.
  template <typename Token>
  auto AsyncReceive(ReceivedMessage& out, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::error_code)>(
        [this, &out](auto handler) { StartReceive(out, Handler(std::move(handler))); }, token);
  }

  void Cancel() { waiter_.cancel(); }

 private:
  void StartReceive(ReceivedMessage& out, Handler handler);

  ConnectionPort& port_;
  boost::asio::posix::stream_descriptor waiter_;
};

class AsyncClientPort {
 public:
  using Handler = boost::asio::any_completion_handler<void(std::error_code)>;

  AsyncClientPort(const boost::asio::any_io_executor& executor, ClientPort& port);

  // Sends `request` and completes when `reply` (kept alive by the caller)
  // holds the answer.
  template <typename Token>
  auto AsyncRequest(const PortMessage& request, PortMessage& reply, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::error_code)>(
        [this, &request, &reply](auto handler) {
          StartRequest(request, reply, Handler(std::move(handler)));
        },
        token);
  }

 private:
  void StartRequest(const PortMessage& request, PortMessage& reply, Handler handler);
  void WaitForReply(uint32_t id, Handler handler);

  ClientPort& port_;
  boost::asio::posix::stream_descriptor waiter_;
};

}  // namespace alpaca::lpc
