// The core's side of the server seam (transport/server.h): what a transport
// reaches when a connection arrives (a CO session, or a bind for a
// call-framed transport) and when a call-framed transport hands over a call.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>

#include "alpaca/rpc/dispatch.h"
#include "alpaca/rpc/status.h"
#include "server_connection.h"

namespace alpaca::rpc {
namespace {

// One bound client of a call-framed transport: its context handles and the
// interface it bound; each call is admitted, dispatched and answered here.
class CoreAssociation final : public transport::ServerAssociation {
 public:
  CoreAssociation(std::shared_ptr<ServerCore> core, const InterfaceRegistration& iface,
                  dcerpc::PeerInfo peer)
      : core_(std::move(core)), iface_(iface), peer_(std::move(peer)) {}

  void Call(const transport::CallRequest& request,
            transport::ServerReply& reply) noexcept override {
    {
      std::lock_guard lock(core_->mu);
      if (auto refused = core_->AdmitCall()) {
        reply.Complete({refused, true});
        return;
      }
    }
    static const std::atomic<bool> kNeverCancelled{false};
    association_.BeginCall();
    CallContext call{
        peer_,           iface_.id,
        request.opnum,   request.object,
        request.call_id, request.cancelled != nullptr ? *request.cancelled : kNeverCancelled,
        association_};
    DispatchResult result =
        DispatchCall(iface_, call, request.stub, request.drep, core_->call_limits, reply.Out());
    reply.Complete({result.status, result.did_not_execute});
    association_.EndCall();
    core_->EndCall();
  }

  void Close() override { association_.Close(); }

 private:
  std::shared_ptr<ServerCore> core_;
  // Registrations are not removed while the server listens, and the core
  // outlives every association (the transport holds both).
  const InterfaceRegistration& iface_;
  dcerpc::PeerInfo peer_;
  Association association_;
};

}  // namespace

std::shared_ptr<dcerpc::MessageHandler> ServerCore::NewCoSession(
    std::shared_ptr<dcerpc::MessageSink> sink, const dcerpc::PeerInfo& peer,
    dcerpc::Executor executor, std::string secondary_address) {
  return std::make_shared<ServerConnection>(shared_from_this(), std::move(sink), peer,
                                            std::move(executor), std::move(secondary_address));
}

transport::BindResult ServerCore::Bind(const dcerpc::SyntaxId& abstract,
                                       const dcerpc::SyntaxId& transfer,
                                       const dcerpc::PeerInfo& peer) {
  transport::BindResult result;
  if (transfer != dcerpc::Ndr20Syntax()) {
    result.status = status::kUnsupportedTransSyn;
    return result;
  }
  std::lock_guard lock(mu);
  const InterfaceRegistration* iface = Find(abstract);
  if (iface == nullptr) {
    result.status = status::kUnknownIf;
  } else if (stopping) {
    result.status = status::kServerTooBusy;
  } else {
    result.assoc_group_id = next_assoc_group.fetch_add(1);
    result.max_request_bytes = static_cast<std::uint32_t>(max_call_bytes);
    result.association = std::make_shared<CoreAssociation>(shared_from_this(), *iface, peer);
  }
  return result;
}

}  // namespace alpaca::rpc
