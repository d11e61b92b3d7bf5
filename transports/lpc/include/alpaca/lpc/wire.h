// The bytes alpaca's local ports put on their Unix SOCK_SEQPACKET sockets.
//
// Internal to transports/lpc: a connect request and its reply on a freshly
// connected socket, then one Frame per PortMessage. Every field read from a
// peer is validated by the receiver (see channel.cc and connection_port.cc).
#pragma once

#include <cstddef>
#include <cstdint>

#include "alpaca/lpc/port_message.h"

namespace alpaca::lpc::wire {

inline constexpr uint32_t kMagic = 0x43504c41;  // "ALPC"
// 2: parked inbound streams (kNudge frames, the *_receiver_waiting value 2
// and the ring senders' futex words).
inline constexpr uint16_t kVersion = 2;
inline constexpr uint16_t kConnectHasSection = 1;
// The client lets the server read and write the buffers it declares (it
// named the server with PR_SET_PTRACER before sending the request). Only
// then does the server open the client's memory: one descriptor per client
// otherwise.
inline constexpr uint16_t kConnectAllowsMemoryAccess = 2;
// Upper bound on connect info a client will send, whatever the server allows.
inline constexpr size_t kMaxConnectInfo = 64 * 1024;

struct ConnectRequest {
  uint32_t magic = kMagic;
  uint16_t version = kVersion;
  uint16_t flags = 0;
  uint32_t connect_info_length = 0;
  uint32_t reserved = 0;
  uint64_t section_size = 0;
  // followed by connect_info_length bytes; the section fd rides in SCM_RIGHTS
};
static_assert(sizeof(ConnectRequest) == 24);

struct ConnectReply {
  uint32_t magic = kMagic;
  uint16_t version = kVersion;
  uint16_t reserved = 0;
  int32_t status = 0;  // lpc::Status
  uint32_t reply_info_length = 0;
  uint32_t max_message_length = 0;
  uint32_t reserved2 = 0;
  uint64_t max_data_length = 0;
  // followed by reply_info_length bytes
};
static_assert(sizeof(ConnectReply) == 32);

enum class PayloadKind : uint8_t {
  kInline = 0,   // data follows the frame header
  kView = 1,     // data sits in the sender's half of the connection section
  kSection = 2,  // data sits in a per-message memfd passed with SCM_RIGHTS
  // No message: a client's "I published progress" for a streamed view the
  // server parked (receiver_waiting == kReceiverParked). A bare Frame, all
  // other fields zero.
  kNudge = 3,
};

struct Frame {
  PortMessageHeader message;
  PayloadKind kind = PayloadKind::kInline;
  uint8_t data_info_count = 0;
  uint16_t flags = 0;           // kFrameStreamed
  int32_t status = 0;           // lpc::Status the library attaches to a reply
  uint64_t payload_length = 0;  // whole data length
  uint64_t view_offset = 0;     // kView: offset in the sender's half
  uint32_t view_sequence = 0;   // kView: what the receiver acknowledges
  uint32_t reserved2 = 0;
  // followed by data_info_count DataInfoEntry, then inline data
};
static_assert(sizeof(Frame) == 56);

// A kView frame sent before its data: the sender copies the data into its
// half in chunks and publishes how much is there in the control page, and
// the receiver copies each chunk out as it lands, so the two copies overlap
// on two cores instead of running one after the other.
inline constexpr uint16_t kFrameStreamed = 1;
// A streamed view larger than the sender's half: the half is used as a
// ring. The sender writes a chunk only where the receiver has copied the
// bytes out already (the receiver publishes how many in the control page),
// so data of any length moves at streaming speed through a small section.
// Only blocking senders (clients) use it: a server never waits on a client.
inline constexpr uint16_t kFrameRing = 2;
// Ring streams move in small pieces so that several are in flight in the
// half at once and the two copies overlap.
inline constexpr size_t kRingPiece = size_t{64} << 10;
inline constexpr size_t kStreamThreshold = size_t{512} << 10;
inline constexpr size_t kStreamChunk = size_t{256} << 10;

inline constexpr size_t kMaxFrameSize =
    sizeof(Frame) + kMaxDataInfoEntries * sizeof(DataInfoEntry) + PortMessage::kMaxInlineData;

// Layout of the connection section: a control page whose words the receiver
// of each direction writes (sequence of the last view it copied out), then
// the client-to-server half, then the server-to-client half.
inline constexpr size_t kControlSize = 4096;
struct SectionControl {
  alignas(64) uint32_t client_to_server_consumed;  // written by the server
  alignas(64) uint32_t server_to_client_consumed;  // written by the client
  alignas(64) uint64_t client_to_server_progress;  // written by the client
  // kReceiverSleeping while the receiver sleeps (futex) on the low half of
  // the progress word above: the sender wakes it after publishing progress.
  // kReceiverParked: the server parked the stream and no thread waits; the
  // client sends a kNudge frame after publishing progress. Parking wakes
  // futex waiters on this word (a client may wait for the event).
  uint32_t client_to_server_receiver_waiting;      // written by the server
  alignas(64) uint64_t server_to_client_progress;  // written by the server
  uint32_t server_to_client_receiver_waiting;      // written by the client
  // Ring streams: bytes of the current message the receiver copied out.
  // Reset to 0 by the sender before it announces a ring message (the
  // receiver is done with the previous one then); written by the receiver.
  alignas(64) uint64_t client_to_server_copied;  // written by the server
  // Non-zero while a ring sender sleeps (futex) on the low half of the
  // copied word above, waiting for room: the receiver wakes it.
  uint32_t client_to_server_sender_waiting;      // written by the client
  alignas(64) uint64_t server_to_client_copied;  // written by the client
  uint32_t server_to_client_sender_waiting;      // written by the server
};
inline constexpr uint32_t kReceiverSleeping = 1;
inline constexpr uint32_t kReceiverParked = 2;
static_assert(sizeof(SectionControl) <= kControlSize);

inline constexpr size_t kMinSectionSize = kControlSize + 2 * 4096;

inline size_t SectionHalfSize(size_t section_size) {
  if (section_size < kMinSectionSize) return 0;
  return ((section_size - kControlSize) / 2) & ~size_t{63};
}

}  // namespace alpaca::lpc::wire
