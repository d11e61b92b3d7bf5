#include "alpaca/ndr/decoder.h"

namespace alpaca::ndr {

Decoder::Decoder(std::span<const std::uint8_t> data, Drep drep, Limits limits)
    : data_(data), limits_(limits) {
  if (!drep.Supported()) {
    Fail(Errc::kUnsupportedDrep);
    return;
  }
  swap_ = drep.LittleEndian() != (std::endian::native == std::endian::little);
}

std::error_code Decoder::Finish() {
  if (Ok() && Remaining() >= 8) Fail(Errc::kTrailingData);
  return error_;
}

bool Decoder::Align(std::size_t n) {
  std::size_t pad = (n - pos_ % n) % n;
  if (pad > Remaining()) {
    Fail(Errc::kTruncated);
    return false;
  }
  pos_ += pad;
  return Ok();
}

bool Decoder::ReadBytes(std::span<std::uint8_t> out) {
  if (out.size() > Remaining()) {
    Fail(Errc::kTruncated);
    std::memset(out.data(), 0, out.size());
    return false;
  }
  std::memcpy(out.data(), data_.data() + pos_, out.size());
  pos_ += out.size();
  return true;
}

Uuid Decoder::ReadUuid() {
  Uuid u;
  u.time_low = Read<std::uint32_t>();
  u.time_mid = Read<std::uint16_t>();
  u.time_hi_and_version = Read<std::uint16_t>();
  ReadBytes(u.clock_seq_and_node);
  return u;
}

ContextHandle Decoder::ReadContextHandle() {
  ContextHandle h;
  h.attributes = Read<std::uint32_t>();
  h.uuid = ReadUuid();
  return h;
}

bool Decoder::CheckCount(std::uint64_t count, std::size_t min_wire_size, std::size_t memory_size) {
  if (!Ok()) return false;
  // `count` may be a product of several conformances (multi-dimensional
  // arrays), so compare by division: count * size never overflows here.
  if (min_wire_size != 0 && count > Remaining() / min_wire_size) {
    Fail(Errc::kCountTooLarge);
    return false;
  }
  std::size_t budget = limits_.max_allocation - allocated_;
  if (memory_size != 0 && count > budget / memory_size) {
    Fail(Errc::kAllocationLimit);
    return false;
  }
  std::uint64_t bytes = count * memory_size;
  if (bytes > budget) {
    Fail(Errc::kAllocationLimit);
    return false;
  }
  allocated_ += static_cast<std::size_t>(bytes);
  return true;
}

bool Decoder::ReadVariance(std::uint32_t max_count, std::uint32_t& offset,
                           std::uint32_t& actual_count) {
  offset = Read<std::uint32_t>();
  actual_count = Read<std::uint32_t>();
  if (!Ok()) return false;
  if (std::uint64_t{offset} + actual_count > max_count) {
    Fail(Errc::kBadVariance);
    return false;
  }
  return true;
}

bool Decoder::ReadString(std::string& out) {
  std::uint32_t max = ReadConformance();
  return ReadStringBody(max, out);
}

bool Decoder::ReadWideString(std::u16string& out) {
  std::uint32_t max = ReadConformance();
  return ReadWideStringBody(max, out);
}

bool Decoder::ReadStringBody(std::uint32_t max, std::string& out) {
  out.clear();
  std::uint32_t offset = 0, actual = 0;
  if (!ReadVariance(max, offset, actual)) return false;
  if (actual == 0) {
    Fail(Errc::kUnterminatedString);
    return false;
  }
  if (!CheckCount(actual, 1, 1)) return false;
  out.assign(reinterpret_cast<const char*>(data_.data() + pos_), actual);
  pos_ += actual;
  if (out.back() != '\0') {
    Fail(Errc::kUnterminatedString);
    out.clear();
    return false;
  }
  out.pop_back();
  return true;
}

bool Decoder::ReadWideStringBody(std::uint32_t max, std::u16string& out) {
  out.clear();
  std::uint32_t offset = 0, actual = 0;
  if (!ReadVariance(max, offset, actual)) return false;
  if (actual == 0) {
    Fail(Errc::kUnterminatedString);
    return false;
  }
  if (!CheckCount(actual, 2, 2)) return false;
  out.resize(actual);
  for (auto& c : out) c = static_cast<char16_t>(ReadUnaligned<std::uint16_t>());
  if (out.back() != u'\0') {
    Fail(Errc::kUnterminatedString);
    out.clear();
    return false;
  }
  out.pop_back();
  return Ok();
}

bool Decoder::ReadUniquePointer() { return Read<std::uint32_t>() != 0; }

bool Decoder::ReadRefPointer() {
  std::uint32_t id = Read<std::uint32_t>();
  if (Ok() && id == 0) Fail(Errc::kNullRefPointer);
  return Ok();
}

void Decoder::SetFullPointee(std::uint32_t referent_id, const void* type,
                             std::shared_ptr<void> object) {
  full_pointees_[referent_id] = FullPointeeSlot{type, std::move(object)};
}

std::shared_ptr<void> Decoder::FullPointee(std::uint32_t referent_id, const void* type) {
  auto it = full_pointees_.find(referent_id);
  if (it == full_pointees_.end() || it->second.type != type) {
    Fail(Errc::kBadReferent);
    return nullptr;
  }
  return it->second.object;
}

bool Decoder::ReadFullPointer(std::uint32_t& referent_id, bool& first_time) {
  referent_id = Read<std::uint32_t>();
  first_time = false;
  if (referent_id == 0 || !Ok()) return false;
  first_time = full_referents_.insert(referent_id).second;
  return true;
}

void Decoder::FlushDeferred() {
  std::deque<PointeeReader> level;
  level.swap(deferred_);
  while (!level.empty() && Ok()) {
    PointeeReader reader = std::move(level.front());
    level.pop_front();
    DepthGuard guard(*this);
    if (!Ok()) return;
    reader(*this);
    FlushDeferred();
  }
}

}  // namespace alpaca::ndr
