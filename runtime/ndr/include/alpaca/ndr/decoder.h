// ndr::Decoder: reads NDR20 stub data received from a peer. Every byte is
// hostile: reads are bounds-checked, counts are checked against the bytes
// left before anything is allocated (each element has at least a 1-byte wire
// form, so count * wire_size <= remaining bounds memory), totals are checked
// against Limits, and nesting is bounded.
//
// Errors are sticky: the first failure is recorded, later reads yield zeros
// and empty containers, and the stub checks Error() once at the end. This
// keeps generated unmarshalling straight-line code.
//
// Threading: one decoder per message, not shared between threads.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "alpaca/ndr/errors.h"
#include "alpaca/ndr/types.h"

namespace alpaca::ndr {

class Decoder {
 public:
  using PointeeReader = std::function<void(Decoder&)>;

  explicit Decoder(std::span<const std::uint8_t> data, Drep drep = {}, Limits limits = {});
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  std::error_code Error() const { return error_; }
  bool Ok() const { return !error_; }
  void Fail(Errc e) {
    if (!error_) error_ = e;
    pos_ = data_.size();
  }
  std::size_t Position() const { return pos_; }
  std::size_t Remaining() const { return data_.size() - pos_; }
  // Fails with kTrailingData unless every byte (but alignment padding of
  // fewer than 8 bytes) was consumed. Returns Error().
  std::error_code Finish();

  bool Align(std::size_t n);

  template <Primitive T>
  T Read() {
    if (!Align(sizeof(T))) return T{};
    return ReadUnaligned<T>();
  }
  bool ReadBool() { return Read<std::uint8_t>() != 0; }
  std::int32_t ReadEnum16() { return Read<std::uint16_t>(); }
  std::int32_t ReadEnum32() { return Read<std::int32_t>(); }

  bool ReadBytes(std::span<std::uint8_t> out);
  Uuid ReadUuid();
  ContextHandle ReadContextHandle();

  // Checks that `count` elements of at least `min_wire_size` bytes each fit
  // in the bytes left and in the allocation budget (charging it with
  // count * memory_size). False (and a recorded error) otherwise.
  bool CheckCount(std::uint64_t count, std::size_t min_wire_size, std::size_t memory_size);

  std::uint32_t ReadConformance() { return Read<std::uint32_t>(); }
  // Reads offset and actual_count and checks offset + actual <= max_count.
  bool ReadVariance(std::uint32_t max_count, std::uint32_t& offset, std::uint32_t& actual_count);

  template <Primitive T>
  bool ReadElements(std::uint32_t count, std::vector<T>& out) {
    out.clear();
    if (!CheckCount(count, sizeof(T), sizeof(T))) return false;
    if (count == 0) return true;
    if (!Align(sizeof(T))) return false;
    if (std::uint64_t{count} * sizeof(T) > Remaining()) {  // the alignment ate into it
      Fail(Errc::kTruncated);
      return false;
    }
    if constexpr (sizeof(T) == 1) {
      // Bytes: copied straight in, without zero-filling the vector first
      // (a 16 MiB array would otherwise be written twice).
      const auto* first = reinterpret_cast<const T*>(data_.data() + pos_);
      out.assign(first, first + count);
      pos_ += count;
      return true;
    }
    out.resize(count);
    if (!swap_ && std::endian::native == std::endian::little) {
      std::memcpy(out.data(), data_.data() + pos_, count * sizeof(T));
      pos_ += count * sizeof(T);
      return true;
    }
    for (auto& e : out) e = ReadUnaligned<T>();
    return Ok();
  }
  template <Primitive T>
  bool ReadConformantArray(std::vector<T>& out) {
    return ReadElements(ReadConformance(), out);
  }
  // Conformant varying array; offset must be 0 in what alpaca accepts from
  // the caller's perspective (elements before offset are not transmitted).
  template <Primitive T>
  bool ReadConformantVaryingArray(std::vector<T>& out) {
    std::uint32_t max = ReadConformance(), offset = 0, actual = 0;
    if (!ReadVariance(max, offset, actual)) return false;
    return ReadElements(actual, out);
  }

  // [string] char* / wchar_t*: the terminator must be the last transmitted
  // element; it is stripped from the result.
  bool ReadString(std::string& out);
  bool ReadWideString(std::u16string& out);
  // Without the conformance (read elsewhere, or a fixed array's bound):
  // the variance must fit in `max_count`.
  bool ReadStringBody(std::uint32_t max_count, std::string& out);
  bool ReadWideStringBody(std::uint32_t max_count, std::u16string& out);

  // Pointers: returns true when a pointee follows (now for top-level unique
  // pointers, or deferred for embedded ones).
  bool ReadUniquePointer();
  // Full pointer: *first_time is false when the referent id was seen before
  // (the pointee is then not transmitted again).
  bool ReadFullPointer(std::uint32_t& referent_id, bool& first_time);
  // Top-level [ref] pointers have no wire form. An embedded one is a
  // referent id that must not be 0 (kNullRefPointer).
  bool ReadRefPointer();
  // Full pointers decode to one shared object per referent id. The first
  // occurrence registers it; later ones find it. `type` identifies the
  // pointee's C++ type, so a peer that reuses an id for a pointee of another
  // type fails (kBadReferent) instead of aliasing unrelated objects.
  void SetFullPointee(std::uint32_t referent_id, const void* type, std::shared_ptr<void> object);
  std::shared_ptr<void> FullPointee(std::uint32_t referent_id, const void* type);

  void Defer(PointeeReader reader) { deferred_.push_back(std::move(reader)); }
  // Reads queued pointees depth first; counts nesting against max_depth.
  void FlushDeferred();

  // Bounds nesting of recursive structures; use as a scope guard.
  class DepthGuard {
   public:
    explicit DepthGuard(Decoder& d) : d_(d) {
      if (++d_.depth_ > d_.limits_.max_depth) d_.Fail(Errc::kDepthExceeded);
    }
    ~DepthGuard() { --d_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Decoder& d_;
  };

 private:
  template <Primitive T>
  T ReadUnaligned() {
    if (Remaining() < sizeof(T)) {
      Fail(Errc::kTruncated);
      return T{};
    }
    std::uint8_t b[sizeof(T)];
    std::memcpy(b, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    if (swap_) {
      for (std::size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
    }
    T value;
    std::memcpy(&value, b, sizeof(T));
    return value;
  }

  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  Limits limits_;
  bool swap_ = false;
  std::size_t allocated_ = 0;
  std::size_t depth_ = 0;
  std::error_code error_;
  std::deque<PointeeReader> deferred_;
  std::unordered_set<std::uint32_t> full_referents_;
  struct FullPointeeSlot {
    const void* type = nullptr;
    std::shared_ptr<void> object;
  };
  std::unordered_map<std::uint32_t, FullPointeeSlot> full_pointees_;
};

}  // namespace alpaca::ndr
