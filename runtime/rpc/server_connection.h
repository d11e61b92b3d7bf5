// The server side of one CO association: binds and alter_contexts,
// reassembly of request fragments, validation before dispatch, dispatch on
// the call pool, fragmented responses, faults, co_cancel and orphaned.
// It sees only messages (dcerpc::MessageHandler / MessageSink), never a
// socket. A malformed PDU or a protocol violation closes this connection;
// a call over the size limits is answered with a fault, its remaining
// fragments are discarded, and the connection stays.
//
// Threading: OnMessage/OnClosed come sequentially from the transport; calls
// run on the executor; responses are sent under a mutex so one response's
// fragments are never interleaved with another's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "alpaca/dcerpc/channel.h"
#include "alpaca/dcerpc/fragments.h"
#include "alpaca/ndr/types.h"
#include "alpaca/rpc/interface.h"
#include "alpaca/transport/server.h"

namespace alpaca::rpc {

// State shared by the server and its connections; what transports reach
// the core through (transport::ServerHost, server_host.cc).
struct ServerCore final : transport::ServerHost, std::enable_shared_from_this<ServerCore> {
  std::mutex mu;
  std::condition_variable idle;
  std::vector<InterfaceRegistration> interfaces;
  std::size_t max_concurrent_calls = 64;
  std::size_t active_calls = 0;
  std::size_t max_call_bytes = 4u << 20;  // reassembled request stub limit
  ndr::Limits call_limits;                // ServerOptions::CallLimits()
  // Calls of one connection running at once; beyond, the connection is not
  // read from until one ends (a peer pipelining requests cannot make the
  // server queue unbounded work and replies).
  std::size_t max_calls_per_connection = 8;
  // Bytes of partially received requests, all connections together.
  std::shared_ptr<dcerpc::ReassemblyBudget> reassembly_budget =
      std::make_shared<dcerpc::ReassemblyBudget>(std::size_t{64} << 20);
  bool stopping = false;
  std::atomic<std::uint32_t> next_assoc_group{0x1000};

  const InterfaceRegistration* Find(const dcerpc::SyntaxId& s) const;
  // Admission of one call (mu held by the caller): a fault status when the
  // server is stopping or at max_concurrent_calls, else kOk and counted.
  std::uint32_t AdmitCall();
  // The end of an admitted call (takes mu).
  void EndCall();

  std::shared_ptr<dcerpc::MessageHandler> NewCoSession(std::shared_ptr<dcerpc::MessageSink> sink,
                                                       const dcerpc::PeerInfo& peer,
                                                       dcerpc::Executor executor,
                                                       std::string secondary_address) override;
  transport::BindResult Bind(const dcerpc::SyntaxId& abstract, const dcerpc::SyntaxId& transfer,
                             const dcerpc::PeerInfo& peer) override;
};

class ServerConnection : public dcerpc::MessageHandler,
                         public std::enable_shared_from_this<ServerConnection> {
 public:
  ServerConnection(std::shared_ptr<ServerCore> core, std::shared_ptr<dcerpc::MessageSink> sink,
                   dcerpc::PeerInfo peer, dcerpc::Executor executor, std::string secondary_address);

  void OnMessage(std::vector<std::uint8_t> message) override;
  void OnClosed() override;
  bool ReadyForMessage() override;

 private:
  struct Call {
    std::uint32_t call_id = 0;
    std::uint16_t context_id = 0;
    std::uint16_t opnum = 0;
    std::optional<Uuid> object;
    ndr::Drep drep;
    std::atomic<bool> cancelled{false};
    std::atomic<bool> orphaned{false};
  };

  void OnBind(std::span<const std::uint8_t> pdu, const dcerpc::Header& h);
  void OnRequest(std::span<const std::uint8_t> pdu, const dcerpc::Header& h);
  void Dispatch(std::shared_ptr<Call> call, std::vector<std::uint8_t> stub);
  void Run(const std::shared_ptr<Call>& call, const InterfaceRegistration& iface,
           const std::vector<std::uint8_t>& stub);

  // A call refused for its size: fault now, drop the rest of its fragments.
  void RefuseOversizedCall(std::uint32_t call_id, std::uint16_t context_id, bool last,
                           std::error_code why);
  void SendFault(std::uint32_t call_id, std::uint16_t context_id, std::uint32_t status,
                 bool did_not_execute);
  void SendPdus(const std::vector<std::vector<std::uint8_t>>& pdus);
  void ProtocolError();

  std::shared_ptr<ServerCore> core_;
  std::shared_ptr<dcerpc::MessageSink> sink_;
  dcerpc::PeerInfo peer_;
  dcerpc::Executor executor_;
  std::string secondary_address_;  // our port, for bind_ack
  std::shared_ptr<Association> association_ = std::make_shared<Association>();

  // Touched only from OnMessage (sequential).
  bool bound_ = false;
  std::uint16_t max_xmit_frag_ = dcerpc::kMinFragSize;
  std::map<std::uint16_t, dcerpc::SyntaxId> contexts_;
  dcerpc::Reassembler reassembler_;
  std::shared_ptr<Call> assembling_;
  std::optional<std::uint32_t> discarding_;  // call whose fragments are dropped
  bool logged_oversized_ = false;

  std::mutex mu_;  // guards running_ and sending
  std::map<std::uint32_t, std::shared_ptr<Call>> running_;
};

}  // namespace alpaca::rpc
