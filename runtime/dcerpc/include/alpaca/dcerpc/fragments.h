// Fragmentation of request/response stub data to the negotiated fragment
// size, and reassembly of received fragments with a size limit
// (C706 12.6.3.7, MS-RPCE 3.3.1.5.6).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "alpaca/dcerpc/pdu.h"

namespace alpaca::dcerpc {

// Splits stub data into request PDUs no longer than max_frag. Every
// fragment but the last carries a multiple of 8 stub bytes, so NDR alignment
// is the same whether or not a receiver reassembles first.
std::vector<Bytes> BuildRequestFragments(std::uint32_t call_id, std::uint16_t context_id,
                                         std::uint16_t opnum, const std::optional<Uuid>& object,
                                         std::span<const std::uint8_t> stub,
                                         std::uint16_t max_frag);
std::vector<Bytes> BuildResponseFragments(std::uint32_t call_id, std::uint16_t context_id,
                                          std::span<const std::uint8_t> stub,
                                          std::uint16_t max_frag);

// Bytes that all connections of a server may hold in partially received
// calls together. A per-call limit alone multiplies: 1,024 connections each
// holding 4 MiB of an unfinished request would be 4 GiB. Thread-safe.
class ReassemblyBudget {
 public:
  explicit ReassemblyBudget(std::size_t limit) : limit_(limit) {}
  // Takes `n` bytes from the budget, or nothing and false.
  bool TryCharge(std::size_t n);
  void Release(std::size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }
  std::size_t Used() const { return used_.load(std::memory_order_relaxed); }
  std::size_t Limit() const { return limit_; }

 private:
  std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

// Collects the stub data of one call's fragments. Limit stops a peer from
// sending an endless stream of non-last fragments to exhaust memory; the
// optional budget is shared with other reassemblers and charged for the
// bytes this one holds until Take() hands them over (or it is destroyed).
class Reassembler {
 public:
  explicit Reassembler(std::size_t max_stub_bytes,
                       std::shared_ptr<ReassemblyBudget> budget = nullptr)
      : max_(max_stub_bytes), budget_(std::move(budget)) {}
  ~Reassembler() { Uncharge(); }
  Reassembler(const Reassembler&) = delete;
  Reassembler& operator=(const Reassembler&) = delete;

  // Adds one fragment; `first`/`last` from pfc_flags. Returns an error for a
  // fragment that does not continue the call or exceeds the limit.
  std::error_code Add(bool first, bool last, std::uint32_t alloc_hint,
                      std::span<const std::uint8_t> stub);
  bool Complete() const { return complete_; }
  bool InProgress() const { return started_ && !complete_; }
  std::vector<std::uint8_t> Take();
  // Drops a call in progress (kept: nothing; budget: released).
  void Discard() { (void)Take(); }

 private:
  bool Charge(std::size_t total);
  void Uncharge();

  std::size_t max_;
  std::shared_ptr<ReassemblyBudget> budget_;
  std::size_t charged_ = 0;
  bool started_ = false;
  bool complete_ = false;
  std::vector<std::uint8_t> data_;
};

}  // namespace alpaca::dcerpc
