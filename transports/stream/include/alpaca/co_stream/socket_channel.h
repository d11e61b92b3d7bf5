// The client side of a CO stream transport: a blocking
// dcerpc::ClientChannel on a connected stream socket (PDUs framed by
// frag_length), with poll() so per-call deadlines and cancellation need no
// event loop; and a connect with a timeout for any socket family.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <system_error>

#include "alpaca/base/unique_fd.h"
#include "alpaca/dcerpc/channel.h"

namespace alpaca::co_stream {

std::unique_ptr<dcerpc::ClientChannel> MakeSocketChannel(UniqueFd connected);

// Connects `fd` to `address` within `timeout`; leaves it blocking.
std::error_code ConnectSocket(int fd, const sockaddr* address, socklen_t length,
                              std::chrono::milliseconds timeout);

}  // namespace alpaca::co_stream
