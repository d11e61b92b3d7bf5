// The options of rpc::Server and rpc::Client. They live in the seam library
// because transports read them (the TCP listener's limits, the ncalrpc
// section size); users include them through alpaca/rpc/server.h and
// alpaca/rpc/client.h.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alpaca/base/uuid.h"
#include "alpaca/ndr/types.h"

namespace alpaca::transport {
class TransportRegistry;
}  // namespace alpaca::transport

namespace alpaca::rpc {

// Who may connect to the server's local endpoints (ncalrpc,
// ncacn_unix_stream), checked against the kernel's view of the caller. The
// server's own uid is always allowed (as with NT ports, root is not
// special).
struct LocalSecurity {
  bool allow_everyone = false;
  std::vector<std::uint32_t> allowed_uids;
  std::vector<std::uint32_t> allowed_gids;  // the caller's primary gid
};

struct ServerOptions {
  std::string tcp_address = "0.0.0.0";  // where ncacn_ip_tcp endpoints listen
  std::size_t io_threads = 1;
  std::size_t worker_threads = 4;         // the bounded call pool; 0: calls run
                                          // on the I/O threads (no hop, but no
                                          // co_cancel is read while they run)
  std::size_t max_concurrent_calls = 64;  // beyond: fault nca_s_server_too_busy
  std::size_t max_call_bytes = 4u << 20;  // reassembled request limit
  // Memory one call's stub may allocate for its [in] data and for the [out]
  // buffers [in] values size (as MIDL stubs presize them); past it, fault
  // nca_s_fault_remote_no_memory before the method runs. It stops a short
  // request from asking for a huge reply. 0: 4 * max_call_bytes.
  std::size_t max_call_memory = 0;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(2)};
  std::chrono::milliseconds stop_grace{std::chrono::seconds(30)};
  // What one remote peer can make the server hold (docs/rpc.md, "Limits").
  // Connections of a stream endpoint in all, and from one address (IPv6:
  // one /64; local sockets: one uid).
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 128;
  // From accept to a whole bind PDU; then idle_timeout applies.
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
  // Replies queued on one connection past which it is not read from.
  std::size_t max_queued_bytes_per_connection = 1u << 20;
  // Calls of one connection running at once; past it, not read from.
  std::size_t max_calls_per_connection = 8;
  // Partially received requests, all connections together; a call that
  // does not fit is refused with nca_s_fault_remote_no_memory.
  std::size_t reassembly_budget = std::size_t{64} << 20;
  LocalSecurity local_security;  // ncalrpc and ncacn_unix_stream endpoints
  // Let local clients given one of this server's bindings use a faster
  // endpoint of the same server instead (ncalrpc for ncacn_ip_tcp;
  // docs/rpc.md, "Local upgrade"). Only when both are used.
  bool offer_local_upgrade = true;
  // The transports UseProtseqEp may name; null: DefaultTransports().
  std::shared_ptr<const transport::TransportRegistry> transports;

  // The decoder limits of one call (max_call_memory resolved).
  ndr::Limits CallLimits() const;
};

enum class LocalUpgrade {
  kAuto,   // use ncalrpc for a TCP binding to this host when the server offers it
  kNever,  // always the transport the binding names
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::uint16_t max_frag = 5840;      // proposed max_xmit/recv_frag
  std::uint16_t epmapper_port = 135;  // for bindings without an endpoint
  bool negotiate_features = true;     // send a bind time feature context
  std::size_t max_response_bytes = 64u << 20;
  LocalUpgrade local_upgrade = LocalUpgrade::kAuto;
  // ncalrpc: the connection section (both directions) created at connect;
  // larger messages stream through it.
  std::size_t local_section_size = 1u << 20;
  // ncalrpc: the uid the server must run as (checked before the bind is
  // sent). Unset: the owner of the default namespace (ourselves, or root
  // for /run/alpaca); no check under an explicit $ALPACA_LPC_DIR.
  std::optional<std::uint32_t> local_server_uid;
  // The transports a binding may name; null: DefaultTransports().
  std::shared_ptr<const transport::TransportRegistry> transports;
};

struct CallOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  const std::atomic<bool>* cancel = nullptr;  // set it to cancel the call
  std::optional<Uuid> object;                 // overrides the binding's
};

// How the messages of a connection's calls have travelled so far, both
// directions together. ncalrpc reports it (NtQueryInformationPort on the
// client's port): a message not in a section was copied inline.
struct MessagePaths {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t in_section = 0;           // through the connection section
  std::uint64_t in_message_sections = 0;  // in a section of its own
};

}  // namespace alpaca::rpc
