// Channel — one end of a connected port pair: the socket, the connection
// section and the counters. Used by both ClientPort and ServerPort; it picks
// how a message's data travels (inline, in the connection section, or in a
// per-message section) and validates what arrives before anything is read.
//
// Thread contract: Send and Receive may be called from several threads; the
// section slot of each direction is guarded internally. Receive must not run
// on two threads at once (its callers serialise it).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <system_error>

#include "base/unique_fd.h"
#include "lpc/peer_fd.h"
#include "lpc/port_attributes.h"
#include "lpc/port_message.h"
#include "lpc/section.h"
#include "lpc/wire.h"

namespace alpaca::lpc {

enum class ChannelSide { kClient, kServer };

struct ChannelLimits {
  size_t max_inline = PortMessage::kMaxInlineData;  // inline data either way
  size_t max_data_length = 0;                       // what the peer accepts
  size_t max_receive_length = 0;                    // what we accept
};

// What a validated incoming frame said besides the message itself.
struct FrameInfo {
  int32_t status = 0;
  uint64_t payload_length = 0;
};

class Channel {
 public:
  Channel(UniqueFd socket, Section section, ChannelSide side, ChannelLimits limits);
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  int Fd() const { return socket_.Get(); }
  const Section& GetSection() const { return section_; }
  const ChannelLimits& Limits() const { return limits_; }

  // Sends `message` with the given type and id. Data longer than the inline
  // limit goes through the section. `nonblocking`: a full queue is
  // kQuotaExceeded at once (servers never block on a client).
  std::error_code Send(const PortMessage& message, MessageType type, uint32_t message_id,
                       int32_t status, bool nonblocking, std::optional<Clock::time_point> deadline);

  // ALPC-style view: lease the whole send half so the caller writes request
  // data in place (saving the copy into the section), then send frames that
  // point at it. kInvalidView when there is no section or it is too small;
  // kQuotaExceeded while the peer still reads an earlier message there.
  std::error_code LeaseSendView(size_t size, std::byte*& base);
  void ReturnSendView();
  // kQuotaExceeded while the peer has not copied out the previous view.
  std::error_code SendFromView(const PortMessage& message, size_t size, MessageType type,
                               uint32_t message_id, std::optional<Clock::time_point> deadline);

  // Reads one frame (header only): kTimeout, kPortDisconnected, kInvalidMessage.
  // Then FinishReceive copies the payload into `out` (exactly once out of
  // shared memory) — split so that the caller can charge quotas in between.
  std::error_code ReceiveHeader(std::optional<Clock::time_point> deadline, FrameInfo& info,
                                PortMessage& out);
  std::error_code FinishReceive(PortMessage& out);
  // Drops a received frame's payload without copying it (quota refusals).
  void DiscardPayload();

  // Server side: the connection belongs to the identity that connected
  // (SO_PEERCRED: effective uid and gid). From then on every frame must carry
  // kernel credentials with that uid and gid, or ReceiveHeader fails with
  // kAccessDenied and the caller cuts the client off: a connected socket
  // handed to another uid is refused, not served as the connector.
  void BindPeerIdentity(const ClientIdentity& peer) { bound_peer_ = peer; }

  // Stops both directions; blocked peers see end of stream.
  void Shutdown();

  PortInformation Counters() const;
  // Sleeps taken waiting for streamed data since the last call.
  uint64_t TakeStreamWaits() { return stream_waits_.exchange(0, std::memory_order_relaxed); }

 private:
  void FillFrame(const PortMessage& message, MessageType type, uint32_t message_id, int32_t status,
                 wire::Frame& frame) const;
  std::error_code SendLarge(const PortMessage& message, wire::Frame& frame,
                            std::span<const std::byte> data_info_bytes, bool nonblocking,
                            std::optional<Clock::time_point> deadline);
  void AbandonSequence();
  std::atomic_ref<uint32_t> ConsumedByPeer() const;
  std::atomic_ref<uint32_t> ConsumedByUs() const;
  std::atomic_ref<uint64_t> ProgressByUs() const;
  std::atomic_ref<uint64_t> ProgressByPeer() const;
  std::atomic_ref<uint64_t> CopiedByUs() const;
  std::atomic_ref<uint64_t> CopiedByPeer() const;
  // Writes a ring stream's data as the receiver makes room (see wire.h).
  std::error_code FillRing(const PortMessage& message);
  // Copies a streamed view out as it lands (destination null: just waits);
  // `ring`: the view is a ring stream (wire::kFrameRing).
  std::error_code CopyOutStreamed(std::byte* destination, uint64_t length, bool ring);
  // Waits until the peer's progress word leaves `seen` or `until` passes
  // (false): a short spin, then a futex sleep the sender ends.
  bool WaitForPeerProgress(uint64_t seen, unsigned& idle_rounds, Clock::time_point until);
  // After publishing progress: wakes a receiver that sleeps on it.
  void WakeProgressWaiter();
  // What a client attaches as SCM_CREDENTIALS: null unless our real and
  // effective ids differed at connect (a setuid program), when the kernel's
  // default (the real ids) would not be the identity we connected as.
  const ClientIdentity* Credentials() const { return credentials_ ? &*credentials_ : nullptr; }
  std::byte* SendHalf() const;
  std::byte* ReceiveHalf() const;

  PeerSocket socket_;  // the peer may leave descriptors queued on it: closed off-thread
  Section section_;
  ChannelSide side_;
  ChannelLimits limits_;
  size_t half_size_ = 0;
  std::optional<ClientIdentity> bound_peer_;   // server: who connected (set before use)
  std::optional<ClientIdentity> credentials_;  // client: ids to send (pid 0: ours)

  std::mutex send_slot_mutex_;
  uint32_t sent_sequence_ = 0;  // last view sequence we placed (guarded)
  bool view_leased_ = false;    // the send half belongs to a SectionView (guarded)

  // State between ReceiveHeader and FinishReceive (single receiver at a time).
  wire::Frame pending_frame_{};
  PeerFd pending_fd_;
  std::array<std::byte, wire::kMaxFrameSize> receive_buffer_{};

  std::atomic<uint64_t> sent_{0}, received_{0}, section_messages_{0}, large_messages_{0};
  std::atomic<uint64_t> stream_waits_{0};
};

}  // namespace alpaca::lpc
