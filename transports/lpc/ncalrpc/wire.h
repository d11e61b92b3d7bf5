// ncalrpc over local ports: what travels in the port messages. MS-RPCE does
// not specify LRPC (Windows' is private), so this is alpaca's own, shaped
// after the DCE/RPC it replaces locally:
//
//   connect info   LrpcBind: the bind (abstract + transfer syntax), so a
//                  connection is bound before its first request;
//   reply info     LrpcBindReply: status (0, RPC_S_UNKNOWN_IF, ...) and
//                  the association group;
//   request        LrpcRequestHeader [+ object UUID] + NDR20 stub data;
//   reply          LrpcReplyHeader + NDR20 stub data, or a fault status.
//
// The port message id is the call id. Integers are in the host's byte order
// (both ends run on this host); UUIDs in NDR order. Each struct is read with
// memcpy after its size was checked: the peer is hostile.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "alpaca/base/uuid.h"
#include "alpaca/ndr/types.h"

namespace alpaca::ncalrpc::wire {

inline constexpr std::uint32_t kBindMagic = 0x42524c41;       // "ALRB"
inline constexpr std::uint32_t kBindReplyMagic = 0x41524c41;  // "ALRA"
inline constexpr std::uint16_t kVersion = 1;

// A UUID as 16 bytes in NDR order (time_low etc. little-endian).
using UuidBytes = std::array<std::uint8_t, 16>;
inline UuidBytes ToBytes(const Uuid& u) {
  UuidBytes b{};
  for (int i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(u.time_low >> (8 * i));
  for (int i = 0; i < 2; ++i) b[4 + i] = static_cast<std::uint8_t>(u.time_mid >> (8 * i));
  for (int i = 0; i < 2; ++i)
    b[6 + i] = static_cast<std::uint8_t>(u.time_hi_and_version >> (8 * i));
  for (int i = 0; i < 8; ++i) b[8 + i] = u.clock_seq_and_node[i];
  return b;
}
inline Uuid FromBytes(const UuidBytes& b) {
  Uuid u;
  for (int i = 0; i < 4; ++i) u.time_low |= std::uint32_t{b[i]} << (8 * i);
  u.time_mid = static_cast<std::uint16_t>(b[4] | b[5] << 8);
  u.time_hi_and_version = static_cast<std::uint16_t>(b[6] | b[7] << 8);
  for (int i = 0; i < 8; ++i) u.clock_seq_and_node[i] = b[8 + i];
  return u;
}

struct Bind {
  std::uint32_t magic = kBindMagic;
  std::uint16_t version = kVersion;
  std::uint16_t flags = 0;
  UuidBytes abstract_uuid{};
  std::uint16_t abstract_major = 0;
  std::uint16_t abstract_minor = 0;
  UuidBytes transfer_uuid{};
  std::uint32_t transfer_version = 0;
};
static_assert(sizeof(Bind) == 48);

struct BindReply {
  std::uint32_t magic = kBindReplyMagic;
  std::uint32_t status = 0;  // an rpc::status value
  std::uint32_t assoc_group_id = 0;
  std::uint32_t max_request_bytes = 0;  // largest stub the server takes
};
static_assert(sizeof(BindReply) == 16);

inline constexpr std::uint16_t kRequestHasObject = 0x1;

struct RequestHeader {
  std::uint16_t opnum = 0;
  std::uint16_t flags = 0;  // kRequestHasObject: 16 UUID bytes follow
  std::array<std::uint8_t, 4> drep{0x10, 0, 0, 0};
};
static_assert(sizeof(RequestHeader) == 8);

inline constexpr std::uint32_t kReplyDidNotExecute = 0x1;

struct ReplyHeader {
  std::uint32_t status = 0;  // 0: stub data follows; else the fault status
  std::uint32_t flags = 0;   // kReplyDidNotExecute
  std::array<std::uint8_t, 4> drep{0x10, 0, 0, 0};
  std::uint32_t reserved = 0;
};
static_assert(sizeof(ReplyHeader) == 16);

// Reads a T from the front of `bytes` when it is long enough.
template <typename T>
std::optional<T> Peek(std::span<const std::byte> bytes) {
  if (bytes.size() < sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

}  // namespace alpaca::ncalrpc::wire
