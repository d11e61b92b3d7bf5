// Deterministic byte patterns so that transfers can be checked byte by byte
// on the other side without sending the expected bytes along.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace alpaca::lpc::testing {

inline std::byte PatternByte(size_t index, uint32_t seed) {
  uint64_t x = (index + 1) * 0x9E3779B97F4A7C15ull ^ seed * 0xBF58476D1CE4E5B9ull;
  x ^= x >> 31;
  return static_cast<std::byte>(x & 0xff);
}

inline void FillPattern(std::span<std::byte> out, uint32_t seed) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = PatternByte(i, seed);
}

// Index of the first byte that differs from the pattern, or size if none.
inline size_t FirstMismatch(std::span<const std::byte> data, uint32_t seed) {
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != PatternByte(i, seed)) return i;
  }
  return data.size();
}

}  // namespace alpaca::lpc::testing
