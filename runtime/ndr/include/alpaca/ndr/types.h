// Small NDR20 value types shared by the encoder and decoder: the data
// representation label (C706 14.2.5), the 20-byte context handle wire form
// (C706 14.3.11 / MS-RPCE 2.2.2.4) and the decoder limits.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>

#include "alpaca/base/uuid.h"

namespace alpaca::ndr {

// Integer/float types that NDR marshals with natural alignment.
template <typename T>
concept Primitive = (std::integral<T> && !std::same_as<T, bool>) || std::same_as<T, float> ||
                    std::same_as<T, double>;

// The 4-byte data representation format label (C706 14.2.5). alpaca writes
// little-endian / ASCII / IEEE (10 00 00 00) and reads little- or big-endian
// integers and IEEE floats in either order; EBCDIC and VAX/Cray/IBM floats
// are rejected (Errc::kUnsupportedDrep).
struct Drep {
  std::array<std::uint8_t, 4> bytes{0x10, 0, 0, 0};

  bool LittleEndian() const { return (bytes[0] & 0xf0) == 0x10; }
  bool Ascii() const { return (bytes[0] & 0x0f) == 0; }
  bool Ieee() const { return bytes[1] == 0; }
  bool Supported() const { return Ascii() && Ieee() && (bytes[0] & 0xe0) == 0; }
};

// A context handle on the wire (C706 14.3.11): attributes + UUID.
// All-zero means the NULL handle.
struct ContextHandle {
  std::uint32_t attributes = 0;
  Uuid uuid;
  friend bool operator==(const ContextHandle&, const ContextHandle&) = default;
  bool IsNull() const { return attributes == 0 && uuid.IsNil(); }
};
inline constexpr std::size_t kContextHandleWireSize = 20;

// Decoder limits. Each names the attack it stops.
struct Limits {
  // Nested pointees/structures: stops stack exhaustion from a chain of
  // unique pointers (a linked list of a million nodes) sent by the peer.
  std::size_t max_depth = 64;
  // Total bytes the decoder lets callers allocate for one message: stops
  // amplification, e.g. a conformance of 2^30 for an array of structs whose
  // in-memory size is far larger than their 1-byte wire form.
  std::size_t max_allocation = 64u << 20;
};

// NDR20 transfer syntax 8a885d04-1ceb-11c9-9fe8-08002b104860 version 2.0.
inline const Uuid kNdr20Uuid = UuidFromLiteral("8a885d04-1ceb-11c9-9fe8-08002b104860");
inline constexpr std::uint32_t kNdr20Version = 2;

// Referent ids in the style of MIDL: first 0x00020000, then +4.
inline constexpr std::uint32_t kFirstReferentId = 0x00020000;

}  // namespace alpaca::ndr
