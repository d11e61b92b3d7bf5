// rpc::Client: one association (connection) to a server interface, bound
// once, then calls by opnum with NDR stub data. Generated proxies marshal
// [in] parameters with an ndr::Encoder, call Call() and unmarshal the
// returned stub data with an ndr::Decoder.
//
// Transports (ClientOptions::transports, DefaultTransports() unless set):
// "ncacn_ip_tcp:host[port]" (DCE/RPC over TCP; no port: asked of the
// endpoint mapper), "ncalrpc:[endpoint]" (local ports) and
// "ncacn_unix_stream:[name or /path]" (DCE/RPC over a Unix socket). A TCP
// binding to this host is upgraded to ncalrpc when the server behind the
// port offers the interface there too (docs/rpc.md); Binding() tells
// which transport is in use, ClientOptions::local_upgrade or the binding
// option "local_upgrade=off" turns the upgrade off, and ALPACA_LOG=debug
// logs the decision.
//
// Errors are alpaca::RpcError: faults carry the server's status
// (nca_s_op_rng_error, ...); transport failures RPC_S_SERVER_UNAVAILABLE or
// RPC_S_CALL_FAILED; a timed-out call ERROR_TIMEOUT and a cancelled one
// RPC_S_CALL_CANCELLED (the server is told: co_cancel + orphaned over TCP,
// a lost reply over ncalrpc; a late response is discarded).
//
// Reconnection: a transport failure (connection lost, protocol violation)
// fails the call it happens in -- which may or may not have run on the
// server, so it is not retried -- and the next call connects and binds
// again, like an MS RPC binding handle: a new association, so the server
// state tied to the old one (context handles) is gone; ContextWire()
// refuses handles from it with nca_s_fault_context_mismatch. A Client made
// from a ClientChannel has no binding to reconnect with and keeps failing
// with RPC_S_SERVER_UNAVAILABLE.
//
// Threading: calls on one Client are serialised by a mutex; use one Client
// per thread for parallel calls. Non-copyable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alpaca/dcerpc/channel.h"
#include "alpaca/ndr/types.h"
#include "alpaca/rpc/context_handle.h"
#include "alpaca/rpc/interface.h"
#include "alpaca/rpc/string_binding.h"
#include "alpaca/transport/client.h"
#include "alpaca/transport/options.h"

namespace alpaca::rpc {

class Client {
 public:
  // Connects per the string binding and binds to `iface`.
  Client(std::string_view string_binding, InterfaceId iface, ClientOptions options = {});
  // Binds over an already connected channel (connection-oriented DCE/RPC).
  Client(std::unique_ptr<dcerpc::ClientChannel> channel, InterfaceId iface,
         ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  std::vector<std::uint8_t> Call(std::uint16_t opnum, std::span<const std::uint8_t> stub,
                                 const CallOptions& options = {});
  // Same, and reports the data representation of the response stub (what
  // a decoder of it needs).
  std::vector<std::uint8_t> Call(std::uint16_t opnum, std::span<const std::uint8_t> stub,
                                 const CallOptions& options, ndr::Drep& drep);

  // What generated proxies use: an encoder whose buffer comes from this
  // client's pool (a large request reuses memory instead of faulting in
  // fresh pages on every call) with headroom for the transport's header,
  // and the call that sends it from that buffer without another copy.
  ndr::Encoder NewRequest();
  std::vector<std::uint8_t> Call(std::uint16_t opnum, ndr::Encoder&& request,
                                 const CallOptions& options, ndr::Drep& drep);

  // Bytes before the stub data that request encoders leave to transports.
  static constexpr std::size_t kRequestHeadroom = 32;
  // Primitive arrays from this size on are referenced by request encoders.
  static constexpr std::size_t kReferenceThreshold = 64 * 1024;

  // The binding in use, e.g. "ncalrpc:[calc]" after a local upgrade.
  std::string Binding() const;
  // The protocol sequence in use: "ncacn_ip_tcp", "ncalrpc", ...
  std::string Protseq() const;
  const InterfaceId& Interface() const { return iface_; }

  std::uint32_t AssocGroupId() const;
  std::uint16_t MaxXmitFrag() const;
  // The features the server acknowledged in bind time feature negotiation.
  std::optional<std::uint16_t> NegotiatedFeatures() const;
  // ncalrpc: how many messages went inline, through the connection section
  // or in sections of their own (for diagnostics and tests); TCP: nullopt.
  std::optional<MessagePaths> Paths() const;

  // The association calls go over now: an id unique in this process, a new
  // one after each reconnect. Generated proxies stamp the context handles
  // they receive with it (ClientContext::SetWire).
  std::uint64_t Association() const;
  // The wire form of a context handle to send on this client, checked
  // first: a handle obtained on another association (before a reconnect,
  // or on another Client) throws nca_s_fault_context_mismatch instead of
  // being sent; `what` ("Method: param") goes into the message. NULL
  // handles and handles of no known association pass (the server judges).
  template <typename Tag>
  const ndr::ContextHandle& ContextWire(const ClientContext<Tag>& handle,
                                        std::string_view what) const {
    if (!handle.IsNull() && handle.Association() != 0 && handle.Association() != Association()) {
      ThrowForeignContext(what, handle.Association());
    }
    return handle.Wire();
  }

 private:
  // The transport for the next call (under mu_): the current one, or a new
  // association when the current one is broken.
  transport::ClientAssociation& ConnectedTransport();
  std::shared_ptr<transport::ClientAssociation> Transport() const;
  [[noreturn]] void ThrowForeignContext(std::string_view what, std::uint64_t association) const;

  std::mutex mu_;  // serialises calls and reconnects
  // Guards replacing transport_ / association_ against the accessors
  // (Binding(), ...), which must not wait for a running call.
  mutable std::mutex state_mu_;
  std::shared_ptr<transport::ClientAssociation> transport_;
  std::uint64_t association_ = 0;
  // What a reconnect needs; no binding for a Client made from a channel.
  std::optional<StringBinding> binding_;
  ClientOptions options_;
  std::mutex pool_mu_;
  std::vector<std::vector<std::uint8_t>> pool_;  // request buffers to reuse
  InterfaceId iface_;
  std::optional<Uuid> object_;
};

}  // namespace alpaca::rpc
