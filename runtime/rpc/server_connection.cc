#include "server_connection.h"

#include <algorithm>

#include "alpaca/base/log.h"
#include "alpaca/dcerpc/negotiation.h"
#include "alpaca/rpc/dispatch.h"
#include "alpaca/rpc/status.h"

namespace alpaca::rpc {

using dcerpc::PacketType;

const InterfaceRegistration* ServerCore::Find(const dcerpc::SyntaxId& s) const {
  for (const auto& r : interfaces) {
    // Same major version; the server's minor must be >= the client's.
    if (r.id.uuid == s.uuid && r.id.major == s.major && r.id.minor >= s.minor) return &r;
  }
  return nullptr;
}

std::uint32_t ServerCore::AdmitCall() {
  if (stopping || active_calls >= max_concurrent_calls) return status::kNcaServerTooBusy;
  ++active_calls;
  return status::kOk;
}

void ServerCore::EndCall() {
  std::lock_guard lock(mu);
  if (--active_calls == 0) idle.notify_all();
}

ServerConnection::ServerConnection(std::shared_ptr<ServerCore> core,
                                   std::shared_ptr<dcerpc::MessageSink> sink, dcerpc::PeerInfo peer,
                                   dcerpc::Executor executor, std::string secondary_address)
    : core_(std::move(core)),
      sink_(std::move(sink)),
      peer_(std::move(peer)),
      executor_(std::move(executor)),
      secondary_address_(std::move(secondary_address)),
      reassembler_(core_->max_call_bytes, core_->reassembly_budget) {}

void ServerConnection::ProtocolError() { sink_->Close(); }

void ServerConnection::OnMessage(std::vector<std::uint8_t> message) {
  dcerpc::Header h;
  if (auto ec = dcerpc::ParseHeader(message, h)) {
    // A bind for a protocol version we do not speak (e.g. 5.2) is answered
    // as C706 12.6.4.5 says, with bind_nak, before the connection closes.
    if (ec == dcerpc::Errc::kBadVersion && message.size() >= dcerpc::kCommonHeaderSize &&
        message[0] == 5 && message[2] == static_cast<std::uint8_t>(PacketType::kBind)) {
      std::uint32_t call_id = message[12] | message[13] << 8 | message[14] << 16 |
                              static_cast<std::uint32_t>(message[15]) << 24;
      sink_->Send(
          dcerpc::EncodeBindNak(call_id, {dcerpc::RejectReason::kProtocolVersionNotSupported}));
    }
    return ProtocolError();
  }
  std::span<const std::uint8_t> pdu(message.data(), h.frag_length);
  // C706 12.6.4: an association starts with a bind. Anything else first is
  // a peer that is not speaking the protocol (and would otherwise hold its
  // connection past the transport's handshake deadline).
  if (!bound_ && h.ptype != PacketType::kBind) return ProtocolError();
  if (bound_ && h.frag_length > dcerpc::kDefaultFragSize) {
    // Larger than the max_recv_frag our bind_ack announced.
    Log(LogLevel::kInfo, peer_.protseq + " peer " + peer_.address + ": fragment of " +
                             std::to_string(h.frag_length) + " bytes after " +
                             std::to_string(dcerpc::kDefaultFragSize) +
                             " was negotiated; connection closed");
    SendFault(h.call_id, 0, status::kNcaProtoError, true);
    return ProtocolError();
  }
  switch (h.ptype) {
    case PacketType::kBind:
    case PacketType::kAlterContext:
      return OnBind(pdu, h);
    case PacketType::kRequest:
      return OnRequest(pdu, h);
    case PacketType::kCoCancel:
    case PacketType::kOrphaned: {
      std::lock_guard lock(mu_);
      if (auto it = running_.find(h.call_id); it != running_.end()) {
        it->second->cancelled = true;
        it->second->cancelled.notify_all();  // under mu_: the call is still running
        if (h.ptype == PacketType::kOrphaned) it->second->orphaned = true;
      }
      if (h.ptype == PacketType::kOrphaned && assembling_ && assembling_->call_id == h.call_id) {
        assembling_.reset();
        reassembler_.Discard();
      }
      if (h.ptype == PacketType::kOrphaned && discarding_ == h.call_id) discarding_.reset();
      return;
    }
    case PacketType::kAuth3:
    case PacketType::kShutdown:
      return;  // no security providers; shutdown is server->client only
    default:
      return ProtocolError();  // client must not send responses, acks, ...
  }
}

void ServerConnection::OnClosed() {
  {
    // Running calls notice through `cancelled`; their responses go nowhere.
    std::lock_guard lock(mu_);
    for (auto& [id, call] : running_) {
      call->cancelled = true;
      call->cancelled.notify_all();
      call->orphaned = true;
    }
  }
  association_->Close();  // context handle rundown, after running calls end
}

void ServerConnection::OnBind(std::span<const std::uint8_t> pdu, const dcerpc::Header& h) {
  bool alter = h.ptype == PacketType::kAlterContext;
  dcerpc::BindPdu bind;
  if (dcerpc::ParseBind(pdu, h, bind)) return ProtocolError();
  if (alter != bound_) return ProtocolError();  // bind once, then alter_context
  if (h.auth_length != 0) {
    // No security providers yet: refuse rather than run unauthenticated
    // calls for a client that asked for authentication.
    dcerpc::BindNakPdu nak{dcerpc::RejectReason::kAuthenticationTypeNotRecognized};
    sink_->Send(dcerpc::EncodeBindNak(h.call_id, nak));
    return;
  }
  dcerpc::NegotiationResult negotiated;
  {
    std::lock_guard lock(core_->mu);
    negotiated = dcerpc::NegotiateContexts(
        bind.contexts, [&](const dcerpc::SyntaxId& s) { return core_->Find(s) != nullptr; });
  }
  for (auto& [id, syntax] : negotiated.accepted) contexts_[id] = syntax;

  dcerpc::BindAckPdu ack;
  if (!alter) {
    // C706 12.6.3.1: fragments must allow at least 1432 bytes; alpaca caps
    // at its default and never sends more than the client can receive.
    max_xmit_frag_ = std::clamp<std::uint16_t>(bind.max_recv_frag, dcerpc::kMinFragSize,
                                               dcerpc::kDefaultFragSize);
    ack.secondary_address = secondary_address_;
    ack.assoc_group_id =
        bind.assoc_group_id != 0 ? bind.assoc_group_id : core_->next_assoc_group.fetch_add(1);
    bound_ = true;
  } else {
    ack.assoc_group_id = bind.assoc_group_id;
  }
  ack.max_xmit_frag = max_xmit_frag_;
  ack.max_recv_frag = dcerpc::kDefaultFragSize;
  ack.results = std::move(negotiated.results);
  sink_->Send(dcerpc::EncodeBindAck(alter ? PacketType::kAlterContextResp : PacketType::kBindAck,
                                    h.call_id, ack));
}

void ServerConnection::OnRequest(std::span<const std::uint8_t> pdu, const dcerpc::Header& h) {
  if (!bound_ || h.auth_length != 0) return ProtocolError();
  dcerpc::RequestPdu req;
  if (dcerpc::ParseRequest(pdu, h, req)) return ProtocolError();
  bool first = h.pfc_flags & dcerpc::kPfcFirstFrag;
  bool last = h.pfc_flags & dcerpc::kPfcLastFrag;
  if (discarding_) {
    if (!first && h.call_id == *discarding_) {
      if (last) discarding_.reset();
      return;
    }
    discarding_.reset();  // the client gave up on that call and moved on
  }
  if (first) {
    if (assembling_) return ProtocolError();  // previous call unfinished
    assembling_ = std::make_shared<Call>();
    assembling_->call_id = h.call_id;
    assembling_->context_id = req.context_id;
    assembling_->opnum = req.opnum;
    assembling_->object = req.object;
    assembling_->drep = h.drep;
  } else if (!assembling_ || assembling_->call_id != h.call_id) {
    // A fragment of a call that was orphaned, or garbage.
    if (!assembling_) return;
    return ProtocolError();
  }
  if (auto ec = reassembler_.Add(first, last, req.alloc_hint, req.stub)) {
    std::uint32_t call_id = assembling_->call_id;
    std::uint16_t ctx = assembling_->context_id;
    assembling_.reset();
    reassembler_.Discard();
    if (ec == dcerpc::Errc::kFragmentTooLarge || ec == dcerpc::Errc::kBudgetExhausted) {
      return RefuseOversizedCall(call_id, ctx, last, ec);
    }
    return ProtocolError();
  }
  if (!reassembler_.Complete()) return;
  auto call = std::move(assembling_);
  Dispatch(std::move(call), reassembler_.Take());
}

void ServerConnection::RefuseOversizedCall(std::uint32_t call_id, std::uint16_t context_id,
                                           bool last, std::error_code why) {
  // Once per connection at error level: a peer must not be able to flood
  // the log; the rest at debug.
  Log(logged_oversized_ ? LogLevel::kDebug : LogLevel::kError,
      peer_.protseq + " peer " + peer_.address + ": call " + std::to_string(call_id) +
          " refused with nca_s_fault_remote_no_memory: " + why.message() + " (max_call_bytes " +
          std::to_string(core_->max_call_bytes) + ", budget " +
          std::to_string(core_->reassembly_budget->Limit()) + ")");
  logged_oversized_ = true;
  SendFault(call_id, context_id, status::kNcaFaultRemoteNoMemory, true);
  if (!last) discarding_ = call_id;
}

bool ServerConnection::ReadyForMessage() {
  std::lock_guard lock(mu_);
  return running_.size() < core_->max_calls_per_connection;
}

void ServerConnection::Dispatch(std::shared_ptr<Call> call, std::vector<std::uint8_t> stub) {
  auto ctx = contexts_.find(call->context_id);
  if (ctx == contexts_.end()) {
    return SendFault(call->call_id, call->context_id, status::kNcaUnknownInterface, true);
  }
  const InterfaceRegistration* iface = nullptr;
  {
    std::lock_guard lock(core_->mu);
    iface = core_->Find(ctx->second);
    if (!iface) {
      return SendFault(call->call_id, call->context_id, status::kNcaUnknownInterface, true);
    }
    if (auto refused = core_->AdmitCall()) {
      return SendFault(call->call_id, call->context_id, refused, true);
    }
  }
  bool duplicate = false;
  {
    std::lock_guard lock(mu_);
    duplicate = !running_.emplace(call->call_id, call).second;
  }
  if (duplicate) {
    // A call id still running: the peer would otherwise slip past the
    // per-connection call limit, which counts running ids.
    core_->EndCall();
    return ProtocolError();
  }
  association_->BeginCall();
  // Registrations are never removed while listening, so `iface` stays valid.
  executor_([self = shared_from_this(), call, iface, stub = std::move(stub)] {
    self->Run(call, *iface, stub);
    bool was_full = false;
    {
      std::lock_guard lock(self->mu_);
      was_full = self->running_.size() >= self->core_->max_calls_per_connection;
      self->running_.erase(call->call_id);
    }
    // Only a connection that was at its limit can have stopped reading; the
    // wake costs the I/O thread a hop, so it is not sent after every call.
    if (was_full) self->sink_->Wake();
    self->association_->EndCall();
    self->core_->EndCall();
  });
}

void ServerConnection::Run(const std::shared_ptr<Call>& call, const InterfaceRegistration& iface,
                           const std::vector<std::uint8_t>& stub) {
  CallContext context{peer_,         iface.id,        call->opnum,  call->object,
                      call->call_id, call->cancelled, *association_};
  ndr::Encoder out;
  DispatchResult result = DispatchCall(iface, context, stub, call->drep, core_->call_limits, out);
  if (call->orphaned) return;
  if (result.status != status::kOk) {
    return SendFault(call->call_id, call->context_id, result.status, result.did_not_execute);
  }
  SendPdus(
      dcerpc::BuildResponseFragments(call->call_id, call->context_id, out.Bytes(), max_xmit_frag_));
}

void ServerConnection::SendFault(std::uint32_t call_id, std::uint16_t context_id,
                                 std::uint32_t fault_status, bool did_not_execute) {
  dcerpc::FaultPdu f;
  f.context_id = context_id;
  f.status = fault_status;
  SendPdus({dcerpc::EncodeFault(call_id, f, did_not_execute ? dcerpc::kPfcDidNotExecute : 0)});
}

void ServerConnection::SendPdus(const std::vector<std::vector<std::uint8_t>>& pdus) {
  std::lock_guard lock(mu_);
  for (const auto& p : pdus) sink_->Send(p);
}

}  // namespace alpaca::rpc
