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
#include <chrono>
#include <cstdint>
#include <mutex>
#include <system_error>

#include "alpaca/base/unique_fd.h"
#include "alpaca/lpc/peer_fd.h"
#include "alpaca/lpc/port_attributes.h"
#include "alpaca/lpc/port_message.h"
#include "alpaca/lpc/section.h"
#include "alpaca/lpc/wire.h"

namespace alpaca::lpc {

enum class ChannelSide { kClient, kServer };

struct ChannelLimits {
  size_t max_inline = PortMessage::kMaxInlineData;  // inline data either way
  size_t max_data_length = 0;                       // what the peer accepts
  size_t max_receive_length = 0;                    // what we accept
  // A streamed view must be whole within this plus its length at 64 MiB/s.
  std::chrono::milliseconds stream_grace{1000};
};

// What a validated incoming frame said besides the message itself.
struct FrameInfo {
  int32_t status = 0;
  uint64_t payload_length = 0;
  bool streamed = false;  // a streamed view: its data is still being written
  bool nudge = false;     // no message: the peer published progress of a parked stream
};

// Where a server-side inbound stream stands after a slice of copying.
enum class StreamStep {
  kDone,     // every byte copied out; the message is complete
  kWaiting,  // nothing more has arrived: park it until the peer nudges
  kMore,     // the slice ended with data still arriving: queue it behind others
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
  // Drops a received frame's payload without copying it. `wait`: a streamed
  // view is acknowledged only once its sender is done (blocking); without
  // it the view is left unacknowledged (the connection is going away).
  void DiscardPayload(bool wait = true);

  // Server side: a streamed view is not copied on one thread until it ends,
  // since the thread serves other clients too. BeginInbound takes the frame
  // ReceiveHeader just returned (and `out`, the message it started) as the
  // inbound stream; `discard`: copy nothing (a quota refusal), just wait for
  // the sender to finish. ContinueInbound copies what has arrived for at
  // most until `slice_end`; kDone moves the message into `out`.
  // ParkInbound asks the peer to nudge us (a kNudge frame on the socket) when
  // it publishes more; false when more has arrived meanwhile (not parked).
  bool HasInbound() const { return inbound_.active; }
  void BeginInbound(PortMessage&& out, bool discard);
  std::error_code ContinueInbound(Clock::time_point slice_end, StreamStep& step, PortMessage& out);
  bool ParkInbound();
  bool InboundDiscarded() const { return inbound_.discard; }
  Clock::time_point InboundDeadline() const { return inbound_.deadline; }

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
  // Copies the bytes the peer published past `copied` up to `available`
  // (validated by the caller) out of the receive half; returns `available`.
  uint64_t CopyArrived(std::byte* destination, uint64_t copied, uint64_t available, bool ring);
  // Waits until the peer's progress word leaves `seen` or `until` passes
  // (false): a short spin, then a futex sleep the sender ends.
  bool WaitForPeerProgress(uint64_t seen, unsigned& idle_rounds, Clock::time_point until);
  // After publishing progress: wakes a receiver that sleeps on it, or
  // nudges one that parked the stream (client side).
  void WakeProgressWaiter();
  // Ring sender: waits until the receiver's copied word leaves `seen` (a
  // short spin, then a futex sleep the receiver ends); false past `until`.
  bool WaitForPeerCopied(uint64_t seen, unsigned& idle_rounds, Clock::time_point until);
  // Ring receiver: after publishing how much it copied, wakes a sender that
  // sleeps on it.
  void WakeCopiedWaiter();
  void SendNudge();
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

  // The server's parked streamed view (see BeginInbound); touched only by
  // the thread that holds the connection (EPOLLONESHOT or the ready queue).
  struct Inbound {
    bool active = false;
    bool discard = false;
    wire::Frame frame{};
    PortMessage message;
    uint64_t copied = 0;
    Clock::time_point deadline{};
  };
  Inbound inbound_;

  std::atomic<uint64_t> sent_{0}, received_{0}, section_messages_{0}, large_messages_{0};
  std::atomic<uint64_t> stream_waits_{0};
};

}  // namespace alpaca::lpc
