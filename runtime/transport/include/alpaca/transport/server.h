// The server half of the transport seam. A transport turns an endpoint
// ("ncacn_ip_tcp" port 4747, "ncalrpc" name "calc") into connections and
// hands what arrives on them to the RPC core through ServerHost, which the
// core implements. Two shapes of protocol meet the core here:
//
//  - message-framed (ncacn_*: whole CO PDUs over a byte stream): the
//    transport frames PDUs and gives each connection to NewCoSession; the
//    core runs binds, fragments, faults and cancels (dcerpc/channel.h).
//  - call-framed (ncalrpc: one port message is one call): the transport
//    binds at connect time through Bind and then hands each call to its
//    ServerAssociation, which answers through a ServerReply.
//
// Completion: the interface lets ServerReply::Complete come on any thread
// after ServerAssociation::Call returns (a method that completes later, the
// async API's server half). Today the core always completes before Call
// returns, and ncalrpc relies on it: its reply, the request views and the
// cancel flag live on the receive thread for the duration of Call. A
// deferred completion needs each call to own its reply first.
//
// Errors at the user's edge are alpaca::RpcError (transport/status.h).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alpaca/base/uuid.h"
#include "alpaca/dcerpc/channel.h"
#include "alpaca/dcerpc/pdu.h"
#include "alpaca/ndr/encoder.h"
#include "alpaca/ndr/types.h"
#include "alpaca/transport/interface_id.h"
#include "alpaca/transport/options.h"
#include "alpaca/transport/string_binding.h"

namespace alpaca::transport {

// What a connection-oriented endpoint holds, for operators and tests.
struct EndpointStats {
  std::size_t connections = 0;
  std::size_t queued_bytes = 0;           // replies not yet written
  std::size_t peak_queued_bytes = 0;      // most ever queued on one connection
  std::size_t paused_connections = 0;     // not read from (flow control)
  std::uint64_t accept_errors = 0;        // accept() failures, each retried
  std::uint64_t refused_connections = 0;  // connection caps, or the peer was refused
  std::uint64_t handshake_timeouts = 0;
};

// One call as a call-framed transport received it. The views are valid
// until the reply completes.
struct CallRequest {
  std::uint16_t opnum = 0;
  std::optional<Uuid> object;
  std::uint32_t call_id = 0;
  std::span<const std::uint8_t> stub;
  ndr::Drep drep;
  // Set (and notified) by the transport when the client stops waiting.
  const std::atomic<bool>* cancelled = nullptr;
};

struct CallResult {
  std::uint32_t status = 0;      // rpc::status::kOk, or the fault status
  bool did_not_execute = false;  // the method never started (safe to retry)
};

// Where one call's answer goes; owned by the transport.
class ServerReply {
 public:
  // The response stub is encoded here (the transport may have left headroom
  // for its own header in front of it).
  virtual ndr::Encoder& Out() = 0;
  // Exactly once, from any thread; Out() holds the response stub when
  // result.status is kOk.
  virtual void Complete(CallResult result) = 0;

 protected:
  ~ServerReply() = default;
};

// One bound client of a call-framed transport: its context handles and
// running calls. Made by ServerHost::Bind.
class ServerAssociation {
 public:
  virtual ~ServerAssociation() = default;
  // Admission, the security callback, dispatch; never throws (a failure is
  // a fault status in the reply).
  virtual void Call(const CallRequest& call, ServerReply& reply) noexcept = 0;
  // The client closed its connection or died: context handle rundown.
  virtual void Close() = 0;
};

struct BindResult {
  std::uint32_t status = 0;  // kOk, kUnknownIf, kUnsupportedTransSyn, kServerTooBusy
  std::uint32_t assoc_group_id = 0;
  std::uint32_t max_request_bytes = 0;             // the server's max_call_bytes
  std::shared_ptr<ServerAssociation> association;  // set when status is kOk
};

// The core's side of the seam, given to every endpoint it creates.
class ServerHost {
 public:
  virtual ~ServerHost() = default;
  // The CO session for one new connection of a message-framed transport.
  // `executor` runs calls off the transport's I/O threads;
  // `secondary_address` is what bind_ack reports (the TCP port, a path).
  virtual std::shared_ptr<dcerpc::MessageHandler> NewCoSession(
      std::shared_ptr<dcerpc::MessageSink> sink, const dcerpc::PeerInfo& peer,
      dcerpc::Executor executor, std::string secondary_address) = 0;
  // Binds one interface for a call-framed transport.
  virtual BindResult Bind(const dcerpc::SyntaxId& abstract, const dcerpc::SyntaxId& transfer,
                          const dcerpc::PeerInfo& peer) = 0;
};

// While alive, local clients given another endpoint's binding are told
// they may use this one instead (the local upgrade); withdrawn when
// destroyed.
class Advertisement {
 public:
  virtual ~Advertisement() = default;
};

// One endpoint of a Server (RpcServerUseProtseqEp): created at
// UseProtseqEp, started at Listen. Start/StopAccepting/Stop come from one
// controlling thread; Binding and Stats from any.
class ServerEndpoint {
 public:
  virtual ~ServerEndpoint() = default;
  // Starts serving; throws RpcError: RPC_S_DUPLICATE_ENDPOINT (someone
  // holds it), RPC_S_INVALID_ENDPOINT_FORMAT, RPC_S_CANT_CREATE_ENDPOINT.
  virtual void Start() = 0;
  // New connections are refused from now on; open ones keep being served.
  virtual void StopAccepting() = 0;
  // Closes every connection and joins the endpoint's threads. Idempotent.
  virtual void Stop() = 0;
  // What a client connects to, e.g. "ncacn_ip_tcp:0.0.0.0[4747]" (the port
  // actually bound once started).
  virtual rpc::StringBinding Binding() const = 0;
  // Connection counters; nullopt for a transport that keeps none.
  virtual std::optional<EndpointStats> Stats() const { return std::nullopt; }
  // Offers this endpoint, for `interfaces`, to local clients that were
  // given `other` (another endpoint of the same server). Null: this
  // transport does not upgrade such clients, or publishing failed.
  virtual std::unique_ptr<Advertisement> Advertise(const rpc::StringBinding& other,
                                                   std::span<const rpc::InterfaceId> interfaces) {
    (void)other;
    (void)interfaces;
    return nullptr;
  }
};

class ServerTransport {
 public:
  virtual ~ServerTransport() = default;
  // Checks `endpoint` (throws RpcError RPC_S_INVALID_ENDPOINT_FORMAT) and
  // makes the endpoint, not yet started.
  virtual std::unique_ptr<ServerEndpoint> CreateEndpoint(
      std::string_view endpoint, const rpc::ServerOptions& options,
      std::shared_ptr<ServerHost> host) const = 0;
};

}  // namespace alpaca::transport
