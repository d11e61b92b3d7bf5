// The connection-oriented DCE/RPC client (C706 chapter 12) over any
// dcerpc::ClientChannel (what every ncacn_* transport connects): bind with presentation
// context negotiation and bind time feature negotiation, fragmented
// requests, reassembled responses, faults, co_cancel + orphaned on timeout
// or cancellation (a late response is dropped by call id).
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "alpaca/dcerpc/channel.h"
#include "alpaca/transport/client.h"

namespace alpaca::rpc {

class CoClientAssociation final : public transport::ClientAssociation {
 public:
  // Binds `iface` over `channel`; throws RpcError when refused.
  CoClientAssociation(std::unique_ptr<dcerpc::ClientChannel> channel, InterfaceId iface,
                      const ClientOptions& options, std::string binding);
  ~CoClientAssociation() override;

  std::vector<std::uint8_t> Call(std::uint16_t opnum, const std::optional<Uuid>& object,
                                 ndr::Encoder& request, const CallOptions& options,
                                 ndr::Drep& drep) override;
  transport::AssociationInfo Info() const override {
    return {binding_, assoc_group_id_, max_xmit_frag_, features_, std::nullopt};
  }
  bool Connected() const override { return channel_ != nullptr; }

 private:
  void Bind();
  std::vector<std::uint8_t> Receive(std::uint32_t call_id,
                                    std::chrono::steady_clock::time_point deadline,
                                    const std::atomic<bool>* cancel, ndr::Drep& drep);
  [[noreturn]] void Broken(std::uint32_t status, const std::string& what);
  // A PDU for another call than `call_id`: true to drop it (a late answer
  // to a call we gave up on), false when no such answer is expected.
  bool IsLateAnswer(const dcerpc::Header& h);

  std::unique_ptr<dcerpc::ClientChannel> channel_;
  InterfaceId iface_;
  ClientOptions options_;
  std::string binding_;
  std::uint32_t next_call_id_ = 1;
  // Calls abandoned (timed out or cancelled) whose answer has not fully
  // arrived: the only other call ids a response may carry. Bounded, oldest
  // first: a server that never answers an orphaned call (alpaca's does not)
  // must not make it grow.
  std::deque<std::uint32_t> abandoned_;
  static constexpr std::size_t kMaxAbandoned = 64;
  std::uint32_t assoc_group_id_ = 0;
  std::uint16_t max_xmit_frag_ = 0;
  std::optional<std::uint16_t> features_;
};

}  // namespace alpaca::rpc
