// A blocking ncacn_ip_tcp client channel on a plain socket with poll(),
// so per-call deadlines and cancellation need no event loop.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "alpaca/dcerpc/channel.h"

namespace alpaca::tcp {

// Connects to host:port (name or literal address) within `timeout`.
std::error_code ConnectChannel(const std::string& host, std::uint16_t port,
                               std::chrono::milliseconds timeout,
                               std::unique_ptr<dcerpc::ClientChannel>& out);

}  // namespace alpaca::tcp
