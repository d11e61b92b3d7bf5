// rpc::Client: one association (connection) to a server interface, bound
// once, then calls by opnum with NDR stub data. Generated proxies marshal
// [in] parameters with an ndr::Encoder, call Call() and unmarshal the
// returned stub data with an ndr::Decoder.
//
// Errors are alpaca::RpcError: faults carry the server's status
// (nca_s_op_rng_error, ...); transport failures RPC_S_SERVER_UNAVAILABLE or
// RPC_S_CALL_FAILED; a timed-out call ERROR_TIMEOUT and a cancelled one
// RPC_S_CALL_CANCELLED (the server is told with co_cancel + orphaned, and a
// late response is discarded by call id).
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
#include <string_view>
#include <vector>

#include "dcerpc/channel.h"
#include "rpc/interface.h"

namespace alpaca::rpc {

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::uint16_t max_frag = 5840;        // proposed max_xmit/recv_frag
  std::uint16_t epmapper_port = 135;    // for bindings without an endpoint
  bool negotiate_features = true;       // send a bind time feature context
  std::size_t max_response_bytes = 64u << 20;
};

struct CallOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  const std::atomic<bool>* cancel = nullptr;  // set it to cancel the call
  std::optional<Uuid> object;                 // overrides the binding's
};

class Client {
 public:
  // Connects per the string binding (ncacn_ip_tcp; an empty endpoint is
  // looked up with the endpoint mapper) and binds to `iface`.
  Client(std::string_view string_binding, InterfaceId iface, ClientOptions options = {});
  // Binds over an already connected channel (any transport).
  Client(std::unique_ptr<dcerpc::ClientChannel> channel, InterfaceId iface,
         ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  std::vector<std::uint8_t> Call(std::uint16_t opnum, std::span<const std::uint8_t> stub,
                                 const CallOptions& options = {});

  std::uint32_t AssocGroupId() const { return assoc_group_id_; }
  std::uint16_t MaxXmitFrag() const { return max_xmit_frag_; }
  // The features the server acknowledged in bind time feature negotiation.
  std::optional<std::uint16_t> NegotiatedFeatures() const { return features_; }

 private:
  void Bind();
  std::vector<std::uint8_t> Receive(std::uint32_t call_id,
                                    std::chrono::steady_clock::time_point deadline,
                                    const std::atomic<bool>* cancel);
  [[noreturn]] void Broken(std::uint32_t status, const std::string& what);

  std::mutex mu_;
  std::unique_ptr<dcerpc::ClientChannel> channel_;
  InterfaceId iface_;
  ClientOptions options_;
  std::optional<Uuid> object_;
  std::uint32_t next_call_id_ = 1;
  std::uint32_t assoc_group_id_ = 0;
  std::uint16_t max_xmit_frag_ = 0;
  std::optional<std::uint16_t> features_;
};

}  // namespace alpaca::rpc
