#include "alpaca/ndr/encoder.h"

namespace alpaca::ndr {

void Encoder::Flatten() {
  if (references_.empty()) return;
  std::vector<std::uint8_t> flat;
  flat.reserve(out_.size() + referenced_);
  std::size_t from = 0;
  for (const Reference& r : references_) {
    flat.insert(flat.end(), out_.begin() + static_cast<std::ptrdiff_t>(from),
                out_.begin() + static_cast<std::ptrdiff_t>(r.at));
    flat.insert(flat.end(), r.bytes.begin(), r.bytes.end());
    from = r.at;
  }
  flat.insert(flat.end(), out_.begin() + static_cast<std::ptrdiff_t>(from), out_.end());
  out_ = std::move(flat);
  references_.clear();
  referenced_ = 0;
}

void Encoder::WriteUuid(const Uuid& u) {
  Write(u.time_low);
  Write(u.time_mid);
  Write(u.time_hi_and_version);
  WriteBytes(u.clock_seq_and_node);
}

void Encoder::WriteContextHandle(const ContextHandle& h) {
  Write(h.attributes);
  WriteUuid(h.uuid);
}

void Encoder::WriteString(std::string_view s) {
  WriteConformance(static_cast<std::uint32_t>(s.size() + 1));
  WriteStringBody(s);
}

void Encoder::WriteStringBody(std::string_view s) {
  WriteVariance(0, static_cast<std::uint32_t>(s.size() + 1));
  WriteBytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  out_.push_back(0);
}

void Encoder::WriteWideString(std::u16string_view s) {
  WriteConformance(static_cast<std::uint32_t>(s.size() + 1));
  WriteWideStringBody(s);
}

void Encoder::WriteWideStringBody(std::u16string_view s) {
  WriteVariance(0, static_cast<std::uint32_t>(s.size() + 1));
  for (char16_t c : s) WriteUnaligned(static_cast<std::uint16_t>(c));
  WriteUnaligned(std::uint16_t{0});
}

bool Encoder::WriteUniquePointer(bool present) {
  if (!present) {
    Write(std::uint32_t{0});
    return false;
  }
  Write(next_referent_);
  next_referent_ += 4;
  return true;
}

bool Encoder::WriteFullPointer(const void* address) {
  if (address == nullptr) {
    Write(std::uint32_t{0});
    return false;
  }
  auto [it, inserted] = full_pointers_.try_emplace(address, next_referent_);
  if (inserted) next_referent_ += 4;
  Write(it->second);
  return inserted;
}

void Encoder::FlushDeferred() {
  // Take this level's queue, so pointees deferred while writing a pointee
  // are flushed right after it (depth first).
  std::deque<PointeeWriter> level;
  level.swap(deferred_);
  while (!level.empty()) {
    PointeeWriter writer = std::move(level.front());
    level.pop_front();
    writer(*this);
    FlushDeferred();
  }
}

}  // namespace alpaca::ndr
