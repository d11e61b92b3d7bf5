#include "dcerpc/fragments.h"

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
    out.push_back(build(flags, static_cast<std::uint32_t>(stub.size() - pos), stub.subspan(pos, n)));
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

std::error_code Reassembler::Add(bool first, bool last, std::uint32_t alloc_hint,
                                 std::span<const std::uint8_t> stub) {
  // A first fragment must start a call; any other must continue one.
  if (first == started_ || complete_) return Errc::kBadFragmentSequence;
  if (first) {
    started_ = true;
    complete_ = false;
    data_.clear();
    // alloc_hint is only a hint from the peer: reserve at most the limit.
    data_.reserve(std::min<std::size_t>(alloc_hint, max_));
  }
  if (stub.size() > max_ - data_.size()) return Errc::kFragmentTooLarge;
  data_.insert(data_.end(), stub.begin(), stub.end());
  if (last) complete_ = true;
  return {};
}

std::vector<std::uint8_t> Reassembler::Take() {
  started_ = false;
  complete_ = false;
  return std::move(data_);
}

}  // namespace alpaca::dcerpc
