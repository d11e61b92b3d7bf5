// Fragmentation of request/response stub data to the negotiated fragment
// size, and reassembly of received fragments with a size limit
// (C706 12.6.3.7, MS-RPCE 3.3.1.5.6).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "dcerpc/pdu.h"

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

// Collects the stub data of one call's fragments. Limit stops a peer from
// sending an endless stream of non-last fragments to exhaust memory.
class Reassembler {
 public:
  explicit Reassembler(std::size_t max_stub_bytes) : max_(max_stub_bytes) {}

  // Adds one fragment; `first`/`last` from pfc_flags. Returns an error for a
  // fragment that does not continue the call or exceeds the limit.
  std::error_code Add(bool first, bool last, std::uint32_t alloc_hint,
                      std::span<const std::uint8_t> stub);
  bool Complete() const { return complete_; }
  bool InProgress() const { return started_ && !complete_; }
  std::vector<std::uint8_t> Take();

 private:
  std::size_t max_;
  bool started_ = false;
  bool complete_ = false;
  std::vector<std::uint8_t> data_;
};

}  // namespace alpaca::dcerpc
