#include "alpaca/dcerpc/fragments.h"

#include <algorithm>

namespace alpaca::dcerpc {
namespace {

template <typename Build>
std::vector<Bytes> Split(std::span<const std::uint8_t> stub, std::size_t header,
                         std::uint16_t max_frag, Build build) {
  std::size_t room = max_frag > header + 8 ? (max_frag - header) & ~std::size_t{7} : 8;
  std::vector<Bytes> out;
  std::size_t pos = 0;
  do {
    std::size_t n = std::min(room, stub.size() - pos);
    std::uint8_t flags = 0;
    if (pos == 0) flags |= kPfcFirstFrag;
    if (pos + n == stub.size()) flags |= kPfcLastFrag;
    out.push_back(
        build(flags, static_cast<std::uint32_t>(stub.size() - pos), stub.subspan(pos, n)));
    pos += n;
  } while (pos < stub.size());
  return out;
}

}  // namespace

std::vector<Bytes> BuildRequestFragments(std::uint32_t call_id, std::uint16_t context_id,
                                         std::uint16_t opnum, const std::optional<Uuid>& object,
                                         std::span<const std::uint8_t> stub,
                                         std::uint16_t max_frag) {
  std::size_t header = kRequestHeaderSize + (object ? kObjectUuidSize : 0);
  return Split(stub, header, max_frag,
               [&](std::uint8_t flags, std::uint32_t hint, std::span<const std::uint8_t> part) {
                 RequestPdu r;
                 r.alloc_hint = hint;
                 r.context_id = context_id;
                 r.opnum = opnum;
                 r.object = object;
                 r.stub = part;
                 return EncodeRequest(call_id, flags, r);
               });
}

std::vector<Bytes> BuildResponseFragments(std::uint32_t call_id, std::uint16_t context_id,
                                          std::span<const std::uint8_t> stub,
                                          std::uint16_t max_frag) {
  return Split(stub, kResponseHeaderSize, max_frag,
               [&](std::uint8_t flags, std::uint32_t hint, std::span<const std::uint8_t> part) {
                 ResponsePdu r;
                 r.alloc_hint = hint;
                 r.context_id = context_id;
                 r.stub = part;
                 return EncodeResponse(call_id, flags, r);
               });
}

bool ReassemblyBudget::TryCharge(std::size_t n) {
  std::size_t used = used_.load(std::memory_order_relaxed);
  do {
    if (n > limit_ - std::min(used, limit_)) return false;
  } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
  return true;
}

bool Reassembler::Charge(std::size_t total) {
  if (!budget_ || total <= charged_) return true;
  if (!budget_->TryCharge(total - charged_)) return false;
  charged_ = total;
  return true;
}

void Reassembler::Uncharge() {
  if (budget_ && charged_ != 0) budget_->Release(charged_);
  charged_ = 0;
}

std::error_code Reassembler::Add(bool first, bool last, std::uint32_t alloc_hint,
                                 std::span<const std::uint8_t> stub) {
  // A first fragment must start a call; any other must continue one.
  if (first == started_ || complete_) return Errc::kBadFragmentSequence;
  if (first) {
    started_ = true;
    complete_ = false;
    data_.clear();
  }
  if (stub.size() > max_ - data_.size()) return Errc::kFragmentTooLarge;
  if (first && last) {
    // A whole call in one fragment is not charged: it is no larger than the
    // fragment the transport already holds, and it is handed on at once.
    data_.assign(stub.begin(), stub.end());
    complete_ = true;
    return {};
  }
  if (first) {
    // alloc_hint is only a hint from the peer: reserve at most the limit,
    // and only what the budget grants (otherwise the data grows as it comes).
    std::size_t hint = std::min<std::size_t>(alloc_hint, max_);
    if (hint > stub.size() && Charge(hint)) data_.reserve(hint);
  }
  std::size_t total = data_.size() + stub.size();
  // Growth past the charge is charged ahead, to double what is held, so a
  // call without a hint is not charged fragment by fragment.
  if (total > charged_ && !Charge(std::min(max_, std::max(total, 2 * charged_))) &&
      !Charge(total)) {
    return Errc::kBudgetExhausted;
  }
  data_.insert(data_.end(), stub.begin(), stub.end());
  if (last) complete_ = true;
  return {};
}

std::vector<std::uint8_t> Reassembler::Take() {
  started_ = false;
  complete_ = false;
  Uncharge();
  return std::move(data_);
}

}  // namespace alpaca::dcerpc
