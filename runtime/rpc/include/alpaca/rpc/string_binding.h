// String bindings as in MS RPC (RpcStringBindingCompose/Parse):
//   [ObjectUuid@]ProtocolSequence:NetworkAddress[Endpoint,Option=Value,...]
// e.g. "ncacn_ip_tcp:127.0.0.1[4747]", "ncacn_ip_tcp:host" (endpoint from
// the endpoint mapper), "ncalrpc:[calc]". A value type; parse errors are
// RPC_S_INVALID_STRING_BINDING / RPC_S_INVALID_ENDPOINT_FORMAT statuses.
#pragma once

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
  // For ncacn_ip_tcp: the endpoint as a port; nullopt if empty or invalid.
  std::optional<std::uint16_t> TcpPort() const;
};

}  // namespace alpaca::rpc
