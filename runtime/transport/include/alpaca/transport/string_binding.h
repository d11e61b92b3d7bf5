// String bindings as in MS RPC (RpcStringBindingCompose/Parse):
//   [ObjectUuid@]ProtocolSequence:NetworkAddress[Endpoint,Option=Value,...]
// e.g. "ncacn_ip_tcp:127.0.0.1[4747]", "ncacn_ip_tcp:host" (endpoint from
// the endpoint mapper), "ncalrpc:[calc]". A value type. Parse checks the
// syntax only (RPC_S_INVALID_STRING_BINDING), as RpcStringBindingParse
// does; whether the endpoint suits the protocol sequence (a TCP port
// number, ...) is the transport's to say when a client uses the binding
// (RPC_S_INVALID_ENDPOINT_FORMAT).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "alpaca/base/uuid.h"

namespace alpaca::rpc {

struct StringBinding {
  std::optional<Uuid> object;
  std::string protseq;          // "ncacn_ip_tcp", "ncalrpc"
  std::string network_address;  // host name or address; may be empty
  std::string endpoint;         // port for ncacn_ip_tcp; empty: ask epmapper
  std::vector<std::pair<std::string, std::string>> options;

  friend bool operator==(const StringBinding&, const StringBinding&) = default;

  static std::error_code Parse(std::string_view text, StringBinding& out);
  std::string Compose() const;
};

// An ncacn_ip_tcp endpoint: a decimal port 1-65535 and nothing else. Here,
// not in alpaca::tcp, because the core (Server::TcpPorts) and ncalrpc's
// local upgrade of TCP bindings read TCP ports too.
std::optional<std::uint16_t> ParseTcpPort(std::string_view endpoint);

}  // namespace alpaca::rpc
