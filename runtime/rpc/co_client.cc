#include "co_client.h"

#include <algorithm>

#include "alpaca/base/log.h"
#include "alpaca/dcerpc/fragments.h"
#include "alpaca/dcerpc/negotiation.h"
#include "alpaca/rpc/status.h"

namespace alpaca::rpc {

using Clock = std::chrono::steady_clock;
using dcerpc::PacketType;

CoClientAssociation::CoClientAssociation(std::unique_ptr<dcerpc::ClientChannel> channel,
                                         InterfaceId iface, const ClientOptions& options,
                                         std::string binding)
    : channel_(std::move(channel)), iface_(iface), options_(options), binding_(std::move(binding)) {
  Bind();
}

CoClientAssociation::~CoClientAssociation() {
  if (channel_) channel_->Close();
}

void CoClientAssociation::Broken(std::uint32_t s, const std::string& what) {
  if (channel_) channel_->Close();
  channel_.reset();
  throw RpcError(s, what);
}

void CoClientAssociation::Bind() {
  dcerpc::BindPdu bind;
  bind.max_xmit_frag = bind.max_recv_frag = options_.max_frag;
  bind.contexts.push_back({0, iface_.Syntax(), {dcerpc::Ndr20Syntax()}});
  if (options_.negotiate_features) {
    bind.contexts.push_back(
        {1,
         iface_.Syntax(),
         {dcerpc::BindTimeFeatureSyntax(dcerpc::kFeatureSecurityContextMultiplexing |
                                        dcerpc::kFeatureKeepConnectionOnOrphan)}});
  }
  std::uint32_t call_id = next_call_id_++;
  if (auto ec = channel_->Send(dcerpc::EncodeBind(PacketType::kBind, call_id, bind))) {
    Broken(status::kServerUnavailable, "bind: " + ec.message());
  }
  std::vector<std::uint8_t> pdu;
  if (auto ec = channel_->Receive(pdu, Clock::now() + options_.connect_timeout, nullptr)) {
    Broken(status::kServerUnavailable, "bind: " + ec.message());
  }
  dcerpc::Header h;
  if (dcerpc::ParseHeader(pdu, h)) Broken(status::kProtocolError, "malformed bind reply");
  if (h.call_id != call_id) {
    Broken(status::kProtocolError, "bind reply for call_id " + std::to_string(h.call_id) +
                                       ", the bind was call_id " + std::to_string(call_id));
  }
  if (h.ptype == PacketType::kBindNak) {
    dcerpc::BindNakPdu nak;
    (void)dcerpc::ParseBindNak(pdu, h, nak);
    Broken(nak.reason == dcerpc::RejectReason::kTemporaryCongestion ? status::kServerTooBusy
                                                                    : status::kCallFailedDne,
           "bind_nak reason " + std::to_string(static_cast<int>(nak.reason)));
  }
  dcerpc::BindAckPdu ack;
  if (h.ptype != PacketType::kBindAck || dcerpc::ParseBindAck(pdu, h, ack) || ack.results.empty()) {
    Broken(status::kProtocolError, "bind_ack");
  }
  const auto& r = ack.results[0];
  if (r.result != dcerpc::ContextResult::kAcceptance) {
    Broken(r.reason == static_cast<std::uint16_t>(
                           dcerpc::ContextReason::kProposedTransferSyntaxesNotSupported)
               ? status::kUnsupportedTransSyn
               : status::kUnknownIf,
           "bind to " + iface_.uuid.ToString());
  }
  if (ack.results.size() > 1 && ack.results[1].result == dcerpc::ContextResult::kNegotiateAck) {
    features_ = ack.results[1].reason;
  }
  assoc_group_id_ = ack.assoc_group_id;
  // We send no fragment larger than the server can receive.
  max_xmit_frag_ = std::min(options_.max_frag, ack.max_recv_frag);
  if (max_xmit_frag_ < dcerpc::kMinFragSize) max_xmit_frag_ = dcerpc::kMinFragSize;
}

std::vector<std::uint8_t> CoClientAssociation::Call(std::uint16_t opnum,
                                                    const std::optional<Uuid>& object,
                                                    ndr::Encoder& request,
                                                    const CallOptions& options, ndr::Drep& drep) {
  if (!channel_) throw RpcError(status::kServerUnavailable, "connection closed");
  request.Flatten();  // fragments are cut from one buffer
  std::span<const std::uint8_t> stub = request.Stub();
  std::uint32_t call_id = next_call_id_++;
  auto deadline = Clock::now() + options.timeout;
  for (const auto& frag :
       dcerpc::BuildRequestFragments(call_id, 0, opnum, object, stub, max_xmit_frag_)) {
    if (auto ec = channel_->Send(frag)) Broken(status::kCallFailed, ec.message());
  }
  return Receive(call_id, deadline, options.cancel, drep);
}

std::vector<std::uint8_t> CoClientAssociation::Receive(std::uint32_t call_id,
                                                       Clock::time_point deadline,
                                                       const std::atomic<bool>* cancel,
                                                       ndr::Drep& drep) {
  dcerpc::Reassembler reassembler(options_.max_response_bytes);
  std::vector<std::uint8_t> pdu;
  for (;;) {
    if (auto ec = channel_->Receive(pdu, deadline, cancel)) {
      if (ec == std::errc::timed_out || ec == std::errc::operation_canceled) {
        // Tell the server (C706 12.4: co_cancel, then orphaned since we stop
        // waiting); a late response is discarded by call id.
        (void)channel_->Send(dcerpc::EncodeHeaderOnly(PacketType::kCoCancel, call_id));
        (void)channel_->Send(dcerpc::EncodeHeaderOnly(PacketType::kOrphaned, call_id));
        abandoned_.push_back(call_id);
        if (abandoned_.size() > kMaxAbandoned) abandoned_.pop_front();
        throw RpcError(ec == std::errc::timed_out ? status::kTimeout : status::kCallCancelled);
      }
      Broken(status::kCallFailed, ec.message());
    }
    dcerpc::Header h;
    if (dcerpc::ParseHeader(pdu, h)) Broken(status::kProtocolError, "malformed PDU");
    if (h.ptype == PacketType::kShutdown) Broken(status::kServerUnavailable, "server shutdown");
    if (h.call_id != call_id) {
      if (IsLateAnswer(h)) continue;
      // Not ours and not a straggler: the server answers some other call
      // than ours (Wine's rpcrt4 answers every call with one id). Waiting
      // for our id would only wait out the timeout, so fail now and say why.
      std::string what = "response for call_id " + std::to_string(h.call_id) +
                         " while waiting for call_id " + std::to_string(call_id) +
                         " (not a call in progress on this connection)";
      Log(LogLevel::kInfo, binding_ + ": " + what);
      Broken(status::kProtocolError, what);
    }
    if (h.ptype == PacketType::kFault) {
      dcerpc::FaultPdu f;
      if (dcerpc::ParseFault(pdu, h, f)) Broken(status::kProtocolError, "malformed fault");
      throw RpcError(f.status);
    }
    if (h.ptype != PacketType::kResponse) Broken(status::kProtocolError, "unexpected PDU");
    dcerpc::ResponsePdu r;
    if (dcerpc::ParseResponse(pdu, h, r) ||
        reassembler.Add(h.pfc_flags & dcerpc::kPfcFirstFrag, h.pfc_flags & dcerpc::kPfcLastFrag,
                        r.alloc_hint, r.stub)) {
      Broken(status::kProtocolError, "bad response fragment");
    }
    drep = h.drep;
    if (reassembler.Complete()) return reassembler.Take();
  }
}

bool CoClientAssociation::IsLateAnswer(const dcerpc::Header& h) {
  auto it = std::find(abandoned_.begin(), abandoned_.end(), h.call_id);
  if (it == abandoned_.end()) return false;
  // A fault or a last fragment ends that answer: its id is not expected again.
  if (h.ptype == PacketType::kFault || (h.pfc_flags & dcerpc::kPfcLastFrag)) abandoned_.erase(it);
  Log(LogLevel::kDebug,
      binding_ + ": dropped a late answer for abandoned call_id " + std::to_string(h.call_id));
  return true;
}

}  // namespace alpaca::rpc
