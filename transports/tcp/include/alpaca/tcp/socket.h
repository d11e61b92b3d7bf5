// What makes a co_stream::Listener an ncacn_ip_tcp one: the listening
// socket and who an accepted peer is. The transport (transport.h) uses
// them; so do tests that run a listener on TCP without the RPC core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "alpaca/base/unique_fd.h"
#include "alpaca/co_stream/listener.h"

namespace alpaca::tcp {

// A listening socket on `address` (a literal IPv4/IPv6 address) and `port`
// (0: a free one, reported in `bound_port`). std::errc::invalid_argument
// for an address that does not parse; EADDRINUSE, EACCES, ... as the
// system says.
std::error_code ListenSocket(const std::string& address, std::uint16_t port, UniqueFd& out,
                             std::uint16_t& bound_port);

// The peer of an accepted connection: its address and port, keyed by the
// address (IPv6: its /64, the smallest block a host is usually given), with
// TCP_NODELAY set. nullopt when the peer is already gone.
std::optional<co_stream::Admission> AdmitPeer(int fd);

}  // namespace alpaca::tcp
