#include "alpaca/lpc/channel.h"

#include <linux/futex.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "alpaca/lpc/status.h"
#include "socket_io.h"

namespace alpaca::lpc {
namespace {

bool ValidTypeFrom(ChannelSide receiver, MessageType type) {
  switch (type) {
    case MessageType::kDatagram:
    case MessageType::kPortClosed:
      return true;
    case MessageType::kRequest:
    case MessageType::kLostReply:
      return receiver == ChannelSide::kServer;
    case MessageType::kReply:
      return receiver == ChannelSide::kClient;
    default:
      return false;
  }
}

}  // namespace

Channel::Channel(UniqueFd socket, Section section, ChannelSide side, ChannelLimits limits)
    : socket_(std::move(socket)),
      section_(std::move(section)),
      side_(side),
      limits_(limits),
      half_size_(section_.Valid() ? wire::SectionHalfSize(section_.Size()) : 0) {
  // The ids as of connect, which SO_PEERCRED reported to the server (the
  // effective ones). The kernel's default credentials are the real ids; they
  // differ in a setuid program, whose frames would otherwise be refused.
  if (side == ChannelSide::kClient && (::geteuid() != ::getuid() || ::getegid() != ::getgid())) {
    credentials_ = ClientIdentity{0, ::geteuid(), ::getegid()};
  }
}

namespace {

// The bytes of a message being sent: one piece, or several for a gathered
// message (PortMessage::BorrowGather), copied out range by range.
class Payload {
 public:
  explicit Payload(const PortMessage& message) : pieces_(message.Pieces()) {}
  void CopyTo(std::byte* destination, size_t offset, size_t length) const {
    for (auto piece : pieces_) {
      if (length == 0) return;
      if (offset >= piece.size()) {
        offset -= piece.size();
        continue;
      }
      size_t n = std::min(length, piece.size() - offset);
      std::memcpy(destination, piece.data() + offset, n);
      destination += n;
      length -= n;
      offset = 0;
    }
  }

 private:
  std::span<const std::span<const std::byte>> pieces_;
};

}  // namespace

std::atomic_ref<uint32_t> Channel::ConsumedByPeer() const {
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  return std::atomic_ref<uint32_t>(side_ == ChannelSide::kClient
                                       ? control->client_to_server_consumed
                                       : control->server_to_client_consumed);
}

std::atomic_ref<uint32_t> Channel::ConsumedByUs() const {
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  return std::atomic_ref<uint32_t>(side_ == ChannelSide::kClient
                                       ? control->server_to_client_consumed
                                       : control->client_to_server_consumed);
}

std::atomic_ref<uint64_t> Channel::ProgressByUs() const {
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  return std::atomic_ref<uint64_t>(side_ == ChannelSide::kClient
                                       ? control->client_to_server_progress
                                       : control->server_to_client_progress);
}

std::atomic_ref<uint64_t> Channel::ProgressByPeer() const {
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  return std::atomic_ref<uint64_t>(side_ == ChannelSide::kClient
                                       ? control->server_to_client_progress
                                       : control->client_to_server_progress);
}

std::atomic_ref<uint64_t> Channel::CopiedByUs() const {
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  return std::atomic_ref<uint64_t>(side_ == ChannelSide::kClient
                                       ? control->server_to_client_copied
                                       : control->client_to_server_copied);
}

std::atomic_ref<uint64_t> Channel::CopiedByPeer() const {
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  return std::atomic_ref<uint64_t>(side_ == ChannelSide::kClient
                                       ? control->client_to_server_copied
                                       : control->server_to_client_copied);
}

std::byte* Channel::SendHalf() const {
  size_t offset = wire::kControlSize + (side_ == ChannelSide::kClient ? 0 : half_size_);
  return section_.Base() + offset;
}

std::byte* Channel::ReceiveHalf() const {
  size_t offset = wire::kControlSize + (side_ == ChannelSide::kClient ? half_size_ : 0);
  return section_.Base() + offset;
}

void Channel::FillFrame(const PortMessage& message, MessageType type, uint32_t message_id,
                        int32_t status, wire::Frame& frame) const {
  frame = {};
  frame.message = message.Header();
  frame.message.type = type;
  frame.message.message_id = message_id;
  frame.status = status;
  auto data_info = message.DataInfo();
  frame.data_info_count = static_cast<uint8_t>(data_info.size());
  frame.message.data_info_offset =
      data_info.empty() ? 0 : static_cast<uint16_t>(sizeof(PortMessageHeader));
  frame.payload_length = message.DataSize();
}

std::error_code Channel::Send(const PortMessage& message, MessageType type, uint32_t message_id,
                              int32_t status, bool nonblocking,
                              std::optional<Clock::time_point> deadline) {
  if (message.DataInfo().size() > kMaxDataInfoEntries) return Status::kInvalidParameter;
  wire::Frame frame;
  FillFrame(message, type, message_id, status, frame);
  auto data_info_bytes = std::as_bytes(message.DataInfo());
  size_t size = message.DataSize();

  if (size > limits_.max_inline) {
    return SendLarge(message, frame, data_info_bytes, nonblocking, deadline);
  }
  frame.kind = wire::PayloadKind::kInline;
  frame.message.data_length = static_cast<uint16_t>(size);
  frame.message.total_length = static_cast<uint16_t>(sizeof(PortMessageHeader) + size);
  // One piece goes out as it is; a gathered message is put together here
  // (it is at most 256 bytes).
  std::array<std::byte, PortMessage::kMaxInlineData> gathered;
  const std::byte* inline_data =
      message.Pieces().size() == 1 ? message.Pieces()[0].data() : nullptr;
  if (inline_data == nullptr) {
    Payload(message).CopyTo(gathered.data(), 0, size);
    inline_data = gathered.data();
  }
  iovec parts[3] = {
      {&frame, sizeof(frame)},
      {const_cast<std::byte*>(data_info_bytes.data()), data_info_bytes.size()},
      {const_cast<std::byte*>(inline_data), size},
  };
  auto ec = SendPacket(socket_.Get(), parts, -1, nonblocking, deadline, Credentials());
  if (!ec) sent_.fetch_add(1, std::memory_order_relaxed);
  return ec;
}

std::error_code Channel::SendLarge(const PortMessage& message, wire::Frame& frame,
                                   std::span<const std::byte> data_info_bytes, bool nonblocking,
                                   std::optional<Clock::time_point> deadline) {
  Payload data(message);
  const size_t size = message.DataSize();
  if (size > limits_.max_data_length) return Status::kMessageTooLong;
  frame.message.data_length = 0;
  frame.message.total_length = sizeof(PortMessageHeader);
  iovec parts[2] = {
      {&frame, sizeof(frame)},
      {const_cast<std::byte*>(data_info_bytes.data()), data_info_bytes.size()},
  };

  if (size <= half_size_) {
    std::unique_lock lock(send_slot_mutex_);
    // The slot is ours again once the peer has acknowledged (copied out) the
    // last view we placed; a lying peer only hurts itself, since we never read
    // what we write there.
    if (!view_leased_ && ConsumedByPeer().load(std::memory_order_acquire) == sent_sequence_) {
      frame.kind = wire::PayloadKind::kView;
      frame.view_offset = 0;
      frame.view_sequence = ++sent_sequence_;
      bool streamed = size >= wire::kStreamThreshold;
      if (!streamed) {
        data.CopyTo(SendHalf(), 0, size);
        lock.unlock();
        auto ec = SendPacket(socket_.Get(), parts, -1, nonblocking, deadline, Credentials());
        if (ec) {
          AbandonSequence();
          return ec;
        }
        sent_.fetch_add(1, std::memory_order_relaxed);
        section_messages_.fetch_add(1, std::memory_order_relaxed);
        return {};
      }
      // Announce first, then fill chunk by chunk; the slot stays ours until
      // the peer acknowledges the sequence, so the lock can go now.
      frame.flags = wire::kFrameStreamed;
      ProgressByUs().store(0, std::memory_order_release);
      lock.unlock();
      if (auto ec = SendPacket(socket_.Get(), parts, -1, nonblocking, deadline, Credentials())) {
        AbandonSequence();
        return ec;
      }
      for (size_t done = 0; done < size;) {
        size_t chunk = std::min(wire::kStreamChunk, size - done);
        data.CopyTo(SendHalf() + done, done, chunk);
        done += chunk;
        ProgressByUs().store(done, std::memory_order_seq_cst);
        WakeProgressWaiter();
      }
      sent_.fetch_add(1, std::memory_order_relaxed);
      section_messages_.fetch_add(1, std::memory_order_relaxed);
      return {};
    }
  }

  // Larger than the half: a blocking sender streams it through the half as
  // a ring (the receiver makes room as it copies out).
  if (size > half_size_ && !nonblocking && half_size_ >= wire::kStreamChunk) {
    std::unique_lock lock(send_slot_mutex_);
    if (!view_leased_ && ConsumedByPeer().load(std::memory_order_acquire) == sent_sequence_) {
      frame.kind = wire::PayloadKind::kView;
      frame.view_offset = 0;
      frame.view_sequence = ++sent_sequence_;
      frame.flags = wire::kFrameStreamed | wire::kFrameRing;
      ProgressByUs().store(0, std::memory_order_release);
      CopiedByPeer().store(0, std::memory_order_release);
      lock.unlock();
      if (auto ec = SendPacket(socket_.Get(), parts, -1, nonblocking, deadline, Credentials())) {
        AbandonSequence();
        return ec;
      }
      // On failure the sequence stays unacknowledged: later messages take
      // per-message sections, and the receiver gives up on this one.
      if (auto ec = FillRing(message)) return ec;
      sent_.fetch_add(1, std::memory_order_relaxed);
      section_messages_.fetch_add(1, std::memory_order_relaxed);
      return {};
    }
  }

  // Too large for the view, or the view is still in use: a per-message
  // section, created, filled and sealed here, mapped by the peer once.
  Section section;
  if (auto ec = Section::Create(size, "alpaca-lpc-message", section)) return ec;
  data.CopyTo(section.Base(), 0, size);
  frame.kind = wire::PayloadKind::kSection;
  frame.view_offset = 0;
  auto ec = SendPacket(socket_.Get(), parts, section.Fd(), nonblocking, deadline, Credentials());
  if (!ec) {
    sent_.fetch_add(1, std::memory_order_relaxed);
    large_messages_.fetch_add(1, std::memory_order_relaxed);
  }
  return ec;
}

std::error_code Channel::LeaseSendView(size_t size, std::byte*& base) {
  std::lock_guard lock(send_slot_mutex_);
  if (half_size_ == 0 || size > half_size_) return Status::kInvalidView;
  if (view_leased_) return Status::kInvalidParameter;  // one view per port
  // The half may still hold a message the peer has not copied out (or a
  // stream still filling): writing it now would change that message.
  if (ConsumedByPeer().load(std::memory_order_acquire) != sent_sequence_) {
    return Status::kQuotaExceeded;
  }
  view_leased_ = true;
  base = SendHalf();
  return {};
}

void Channel::ReturnSendView() {
  std::lock_guard lock(send_slot_mutex_);
  view_leased_ = false;
}

std::error_code Channel::SendFromView(const PortMessage& message, size_t size, MessageType type,
                                      uint32_t message_id,
                                      std::optional<Clock::time_point> deadline) {
  if (message.DataInfo().size() > kMaxDataInfoEntries) return Status::kInvalidParameter;
  if (size > half_size_ || size > limits_.max_data_length) return Status::kInvalidView;
  wire::Frame frame;
  FillFrame(message, type, message_id, 0, frame);
  frame.kind = wire::PayloadKind::kView;
  frame.payload_length = size;
  frame.message.data_length = 0;
  frame.message.total_length = sizeof(PortMessageHeader);
  {
    std::lock_guard lock(send_slot_mutex_);
    if (ConsumedByPeer().load(std::memory_order_acquire) != sent_sequence_) {
      return Status::kQuotaExceeded;
    }
    frame.view_sequence = ++sent_sequence_;
  }
  auto data_info_bytes = std::as_bytes(message.DataInfo());
  iovec parts[2] = {
      {&frame, sizeof(frame)},
      {const_cast<std::byte*>(data_info_bytes.data()), data_info_bytes.size()},
  };
  auto ec = SendPacket(socket_.Get(), parts, -1, false, deadline, Credentials());
  if (ec) {
    AbandonSequence();
    return ec;
  }
  sent_.fetch_add(1, std::memory_order_relaxed);
  section_messages_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

void Channel::AbandonSequence() {
  // The frame carrying the newest sequence never left, so the peer will never
  // acknowledge it; nobody else can have taken a newer one meanwhile (the
  // slot was not acknowledged), so step back.
  std::lock_guard lock(send_slot_mutex_);
  --sent_sequence_;
}

std::error_code Channel::ReceiveHeader(std::optional<Clock::time_point> deadline, FrameInfo& info,
                                       PortMessage& out) {
  ReceivedPacket packet;
  if (auto ec = ReceivePacket(socket_.Get(), receive_buffer_, deadline, packet)) return ec;
  pending_fd_ = std::move(packet.fd);
  // Identity is per connection (see BindPeerIdentity): a frame sent by any
  // other uid or gid, e.g. through a socket the connector handed on, ends it.
  if (bound_peer_ && (!packet.has_credentials || packet.credentials.uid != bound_peer_->uid ||
                      packet.credentials.gid != bound_peer_->gid)) {
    return Status::kAccessDenied;
  }
  // Everything below treats the bytes as hostile: sizes are checked before any
  // field is trusted, and a violation closes the conversation.
  if (packet.truncated || packet.extra_fds || packet.size < sizeof(wire::Frame)) {
    return Status::kInvalidMessage;
  }
  wire::Frame frame;
  std::memcpy(&frame, receive_buffer_.data(), sizeof(frame));
  info = {};
  if (frame.kind == wire::PayloadKind::kNudge) {
    // Only clients nudge, and a nudge carries nothing: any other byte set is
    // a malformed frame.
    static const wire::Frame kBareNudge = [] {
      wire::Frame bare{};
      bare.kind = wire::PayloadKind::kNudge;
      return bare;
    }();
    if (side_ != ChannelSide::kServer || pending_fd_ || packet.size != sizeof(frame) ||
        std::memcmp(&frame, &kBareNudge, sizeof(frame)) != 0) {
      return Status::kInvalidMessage;
    }
    info.nudge = true;
    return {};
  }
  if (!ValidTypeFrom(side_, frame.message.type)) return Status::kInvalidMessage;
  if (frame.data_info_count > kMaxDataInfoEntries) return Status::kInvalidMessage;
  if (side_ == ChannelSide::kClient && frame.data_info_count != 0) return Status::kInvalidMessage;
  size_t info_bytes = frame.data_info_count * sizeof(DataInfoEntry);
  size_t inline_bytes = frame.message.data_length;
  if (packet.size != sizeof(wire::Frame) + info_bytes + inline_bytes) {
    return Status::kInvalidMessage;
  }
  if (frame.message.total_length != sizeof(PortMessageHeader) + inline_bytes) {
    return Status::kInvalidMessage;
  }
  switch (frame.kind) {
    case wire::PayloadKind::kInline:
      if (frame.flags != 0) return Status::kInvalidMessage;
      if (inline_bytes > limits_.max_inline || frame.payload_length != inline_bytes ||
          pending_fd_) {
        return Status::kInvalidMessage;
      }
      break;
    case wire::PayloadKind::kView:
      if (inline_bytes != 0 || pending_fd_ || half_size_ == 0) return Status::kInvalidMessage;
      if ((frame.flags & ~(wire::kFrameStreamed | wire::kFrameRing)) != 0 ||
          ((frame.flags & wire::kFrameStreamed) != 0 && frame.view_offset != 0)) {
        return Status::kInvalidMessage;
      }
      if ((frame.flags & wire::kFrameRing) != 0) {
        // A ring carries any length (bounded below by max_receive_length)
        // through a half of at least one chunk.
        if ((frame.flags & wire::kFrameStreamed) == 0 || half_size_ < wire::kStreamChunk ||
            frame.payload_length <= half_size_) {
          return Status::kInvalidMessage;
        }
        break;
      }
      if (frame.view_offset > half_size_ || frame.payload_length > half_size_ - frame.view_offset) {
        return Status::kInvalidView;
      }
      break;
    case wire::PayloadKind::kSection:
      if (inline_bytes != 0 || frame.flags != 0 || !pending_fd_ || frame.view_offset != 0 ||
          frame.payload_length == 0) {
        return Status::kInvalidMessage;
      }
      break;
    default:
      return Status::kInvalidMessage;
  }
  if (frame.payload_length > limits_.max_receive_length &&
      frame.kind != wire::PayloadKind::kInline) {
    return Status::kMessageTooLong;
  }

  pending_frame_ = frame;
  out.MutableHeader() = frame.message;
  out.SetSender(packet.has_credentials ? packet.credentials : ClientIdentity{});
  std::vector<DataInfoEntry> entries(frame.data_info_count);
  if (info_bytes != 0) {
    std::memcpy(entries.data(), receive_buffer_.data() + sizeof(wire::Frame), info_bytes);
  }
  out.SetDataInfo(entries);
  info.status = frame.status;
  info.payload_length = frame.payload_length;
  info.streamed =
      frame.kind == wire::PayloadKind::kView && (frame.flags & wire::kFrameStreamed) != 0;
  received_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

std::error_code Channel::FinishReceive(PortMessage& out) {
  const wire::Frame& frame = pending_frame_;
  switch (frame.kind) {
    case wire::PayloadKind::kInline: {
      size_t skip = sizeof(wire::Frame) + frame.data_info_count * sizeof(DataInfoEntry);
      out.SetData(std::span(receive_buffer_.data() + skip, frame.message.data_length));
      return {};
    }
    case wire::PayloadKind::kView: {
      // Copied out once: the peer can still write the section, so nothing is
      // read from it after this.
      auto dst = out.ResizeData(frame.payload_length);
      if ((frame.flags & wire::kFrameStreamed) != 0) {
        if (auto ec = CopyOutStreamed(dst.data(), frame.payload_length,
                                      (frame.flags & wire::kFrameRing) != 0)) {
          return ec;
        }
      } else {
        std::memcpy(dst.data(), ReceiveHalf() + frame.view_offset, frame.payload_length);
      }
      ConsumedByUs().store(frame.view_sequence, std::memory_order_release);
      section_messages_.fetch_add(1, std::memory_order_relaxed);
      return {};
    }
    case wire::PayloadKind::kSection: {
      Section section;
      if (auto ec =
              Section::MapForeign(std::move(pending_fd_), frame.payload_length, false, section)) {
        return ec;
      }
      auto dst = out.ResizeData(frame.payload_length);
      std::memcpy(dst.data(), section.Base(), frame.payload_length);
      large_messages_.fetch_add(1, std::memory_order_relaxed);
      return {};
    }
    case wire::PayloadKind::kNudge:
      break;  // carries no message (ReceiveHeader reported it)
  }
  return Status::kInvalidMessage;
}

namespace {

// Whole streams must finish within a grace (a second by default) plus the
// time their length takes at a floor rate of 64 MiB/s: a hostile peer (even
// one that trickles, or stops making room) holds its buffers no longer.
Clock::time_point StreamDeadline(uint64_t length, std::chrono::milliseconds grace) {
  constexpr uint64_t kFloorBytesPerMs = uint64_t{64} << 10;
  return Clock::now() + grace + std::chrono::milliseconds(length / kFloorBytesPerMs);
}

}  // namespace

std::error_code Channel::FillRing(const PortMessage& message) {
  Payload data(message);
  const size_t size = message.DataSize();
  auto deadline = StreamDeadline(size, limits_.stream_grace);
  uint64_t done = 0;
  unsigned idle_rounds = 0;
  while (done < size) {
    // What the receiver reports is its business: a receiver that lies only
    // gets its own data overwritten, never anything of ours.
    uint64_t reported = CopiedByPeer().load(std::memory_order_acquire);
    uint64_t copied = std::min<uint64_t>(reported, done);
    size_t position = done % half_size_;
    size_t piece = std::min({wire::kRingPiece, half_size_ - position, size - done});
    if (done + piece - copied > half_size_) {
      if (!WaitForPeerCopied(reported, idle_rounds, deadline)) return Status::kTimeout;
      continue;
    }
    idle_rounds = 0;
    data.CopyTo(SendHalf() + position, done, piece);
    done += piece;
    ProgressByUs().store(done, std::memory_order_seq_cst);
    WakeProgressWaiter();
  }
  return {};
}

namespace {

// A stream whose sender publishes nothing for this long is cut off: the
// receiving thread serves other clients too and must not wait out the whole
// stream deadline for one that stopped.
constexpr auto kStreamStall = std::chrono::milliseconds(200);
// Longest single sleep: bounds the wait for a sender that published progress
// without waking us (it always wakes us; this is only a backstop).
constexpr auto kStreamSleep = std::chrono::milliseconds(20);

long Futex(void* word, int op, uint32_t value, const timespec* timeout) {
  return ::syscall(SYS_futex, word, op, value, timeout, nullptr, 0);
}

}  // namespace

namespace {

// Sleeps on `word` (the low half of a progress or copied word in shared
// memory) while it still reads `seen`, up to `sleep`; `waiting` is set around
// it so the other side knows to wake us. Flag, then re-check: either the
// other side sees the flag after its store and wakes us, or we see its store
// here (both seq_cst).
void SleepOnWord(std::atomic_ref<uint64_t> value, void* word, std::atomic_ref<uint32_t> waiting,
                 uint64_t seen, Clock::duration sleep) {
  waiting.store(wire::kReceiverSleeping, std::memory_order_seq_cst);
  if (value.load(std::memory_order_seq_cst) == seen) {
    timespec timeout{};
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(sleep).count();
    timeout.tv_sec = ns / 1000000000;
    timeout.tv_nsec = ns % 1000000000;
    // Not FUTEX_PRIVATE: the word is in memory shared with another process.
    (void)Futex(word, FUTEX_WAIT, static_cast<uint32_t>(seen), &timeout);
  }
  waiting.store(0, std::memory_order_relaxed);
}

}  // namespace

bool Channel::WaitForPeerProgress(uint64_t seen, unsigned& idle_rounds, Clock::time_point until) {
  // Brief spin first: on two cores the sender is usually a chunk ahead.
  if (++idle_rounds < 64) {
    __builtin_ia32_pause();
    return true;
  }
  auto now = Clock::now();
  if (now > until) return false;
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  bool server = side_ == ChannelSide::kServer;
  // The futex word is the low half of the peer's progress (little endian).
  void* word = server ? static_cast<void*>(&control->client_to_server_progress)
                      : static_cast<void*>(&control->server_to_client_progress);
  std::atomic_ref<uint32_t> waiting(server ? control->client_to_server_receiver_waiting
                                           : control->server_to_client_receiver_waiting);
  stream_waits_.fetch_add(1, std::memory_order_relaxed);
  SleepOnWord(ProgressByPeer(), word, waiting, seen,
              std::min<Clock::duration>(until - now, kStreamSleep));
  return true;
}

bool Channel::WaitForPeerCopied(uint64_t seen, unsigned& idle_rounds, Clock::time_point until) {
  if (++idle_rounds < 64) {
    __builtin_ia32_pause();
    return true;
  }
  auto now = Clock::now();
  if (now > until) return false;
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  bool client = side_ == ChannelSide::kClient;
  void* word = client ? static_cast<void*>(&control->client_to_server_copied)
                      : static_cast<void*>(&control->server_to_client_copied);
  std::atomic_ref<uint32_t> waiting(client ? control->client_to_server_sender_waiting
                                           : control->server_to_client_sender_waiting);
  SleepOnWord(CopiedByPeer(), word, waiting, seen,
              std::min<Clock::duration>(until - now, kStreamSleep));
  return true;
}

void Channel::WakeProgressWaiter() {
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  bool client = side_ == ChannelSide::kClient;
  std::atomic_ref<uint32_t> waiting(client ? control->client_to_server_receiver_waiting
                                           : control->server_to_client_receiver_waiting);
  uint32_t state = waiting.load(std::memory_order_seq_cst);
  if (state == 0) return;  // nobody waits: no syscall
  if (state == wire::kReceiverParked) {
    // Only a server parks; a server never nudges whatever a client writes.
    if (client && waiting.exchange(0, std::memory_order_seq_cst) == wire::kReceiverParked) {
      SendNudge();
    }
    return;
  }
  void* word = client ? static_cast<void*>(&control->client_to_server_progress)
                      : static_cast<void*>(&control->server_to_client_progress);
  (void)Futex(word, FUTEX_WAKE, 1, nullptr);
}

void Channel::WakeCopiedWaiter() {
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  bool server = side_ == ChannelSide::kServer;
  std::atomic_ref<uint32_t> waiting(server ? control->client_to_server_sender_waiting
                                           : control->server_to_client_sender_waiting);
  if (waiting.load(std::memory_order_seq_cst) == 0) return;
  void* word = server ? static_cast<void*>(&control->client_to_server_copied)
                      : static_cast<void*>(&control->server_to_client_copied);
  (void)Futex(word, FUTEX_WAKE, 1, nullptr);
}

void Channel::SendNudge() {
  wire::Frame nudge{};
  nudge.kind = wire::PayloadKind::kNudge;
  iovec part{&nudge, sizeof(nudge)};
  // A full queue needs no nudge: the server reads that queue, and reading
  // it continues the stream first.
  (void)SendPacket(socket_.Get(), std::span(&part, 1), -1, true, std::nullopt, Credentials());
}

uint64_t Channel::CopyArrived(std::byte* destination, uint64_t copied, uint64_t available,
                              bool ring) {
  while (copied < available) {
    // In a ring, hand each piece back as soon as it is copied, so the
    // sender can refill it while we copy the next.
    size_t position = ring ? copied % half_size_ : copied;
    size_t piece =
        ring ? std::min<uint64_t>({available - copied, half_size_ - position, wire::kRingPiece})
             : available - copied;
    if (destination != nullptr) std::memcpy(destination + copied, ReceiveHalf() + position, piece);
    copied += piece;
    if (ring) {
      CopiedByUs().store(copied, std::memory_order_seq_cst);
      WakeCopiedWaiter();
    }
  }
  return copied;
}

std::error_code Channel::CopyOutStreamed(std::byte* destination, uint64_t length, bool ring) {
  // The progress word is the peer's: it may lie or stall. Values past the
  // length (or, in a ring, more than a half ahead of us) are a violation.
  auto deadline = StreamDeadline(length, limits_.stream_grace);
  auto stalled_at = Clock::now() + kStreamStall;
  uint64_t copied = 0;
  unsigned idle_rounds = 0;
  while (copied < length) {
    uint64_t available = ProgressByPeer().load(std::memory_order_acquire);
    if (available > length || available < copied) return Status::kInvalidMessage;
    if (ring && available - copied > half_size_) return Status::kInvalidMessage;
    if (available > copied) {
      copied = CopyArrived(destination, copied, available, ring);
      idle_rounds = 0;
      auto now = Clock::now();
      if (now > deadline) return Status::kTimeout;
      stalled_at = now + kStreamStall;
      continue;
    }
    if (!WaitForPeerProgress(available, idle_rounds, std::min(deadline, stalled_at))) {
      return Status::kTimeout;
    }
  }
  return {};
}

void Channel::DiscardPayload(bool wait) {
  if (pending_frame_.kind == wire::PayloadKind::kView) {
    // A streamed view is still being written: acknowledge it only once the
    // sender is done, or its next message could land under this one.
    bool streamed = (pending_frame_.flags & wire::kFrameStreamed) != 0;
    if (!streamed || (wait && !CopyOutStreamed(nullptr, pending_frame_.payload_length,
                                               (pending_frame_.flags & wire::kFrameRing) != 0))) {
      ConsumedByUs().store(pending_frame_.view_sequence, std::memory_order_release);
    }
  }
  pending_fd_.Reset();
}

void Channel::BeginInbound(PortMessage&& out, bool discard) {
  inbound_.active = true;
  inbound_.discard = discard;
  inbound_.frame = pending_frame_;
  inbound_.message = std::move(out);
  if (!discard) (void)inbound_.message.ResizeData(pending_frame_.payload_length);
  inbound_.copied = 0;
  inbound_.deadline = StreamDeadline(pending_frame_.payload_length, limits_.stream_grace);
}

std::error_code Channel::ContinueInbound(Clock::time_point slice_end, StreamStep& step,
                                         PortMessage& out) {
  // As CopyOutStreamed, but a slice at a time: the progress word is the
  // peer's and may lie or stall; values past the length (or, in a ring, more
  // than a half ahead of us) are a violation.
  const uint64_t length = inbound_.frame.payload_length;
  const bool ring = (inbound_.frame.flags & wire::kFrameRing) != 0;
  std::byte* destination = inbound_.discard ? nullptr : inbound_.message.MutableData().data();
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  std::atomic_ref<uint32_t>(control->client_to_server_receiver_waiting)
      .store(0, std::memory_order_relaxed);
  bool progressed = false;
  unsigned idle_rounds = 0;
  for (;;) {
    auto now = Clock::now();
    if (now > inbound_.deadline) return Status::kTimeout;
    uint64_t copied = inbound_.copied;
    uint64_t available = ProgressByPeer().load(std::memory_order_acquire);
    if (available > length || available < copied) return Status::kInvalidMessage;
    if (ring && available - copied > half_size_) return Status::kInvalidMessage;
    if (available > copied) {
      copied = CopyArrived(destination, copied, available, ring);
      inbound_.copied = copied;
      progressed = true;
      idle_rounds = 0;
      if (copied == length) {
        ConsumedByUs().store(inbound_.frame.view_sequence, std::memory_order_release);
        if (!inbound_.discard) section_messages_.fetch_add(1, std::memory_order_relaxed);
        out = std::move(inbound_.message);
        inbound_ = {};
        step = StreamStep::kDone;
        return {};
      }
      if (Clock::now() > slice_end) {
        step = StreamStep::kMore;
        return {};
      }
      continue;
    }
    // Nothing new. Only a stream that moved in this slice is waited for (a
    // peer must publish data to earn a thread's time, never just nudge),
    // and never past the slice.
    if (!progressed ||
        !WaitForPeerProgress(available, idle_rounds, std::min(slice_end, inbound_.deadline))) {
      step = StreamStep::kWaiting;
      return {};
    }
  }
}

bool Channel::ParkInbound() {
  auto* control = reinterpret_cast<wire::SectionControl*>(section_.Base());
  std::atomic_ref<uint32_t> waiting(control->client_to_server_receiver_waiting);
  // Flag, then re-check, as SleepOnWord: either the client sees the flag
  // after publishing and nudges, or we see what it published.
  waiting.store(wire::kReceiverParked, std::memory_order_seq_cst);
  if (ProgressByPeer().load(std::memory_order_seq_cst) != inbound_.copied) {
    waiting.store(0, std::memory_order_relaxed);
    return false;
  }
  // Parking is an event a client may wait for (a futex on the flag): a
  // test that must act only once the server holds what it copied sleeps
  // on it instead of polling. Parks are the slow path; the wake is cheap.
  (void)Futex(&control->client_to_server_receiver_waiting, FUTEX_WAKE, INT32_MAX, nullptr);
  return true;
}

void Channel::Shutdown() { ::shutdown(socket_.Get(), SHUT_RDWR); }

PortInformation Channel::Counters() const {
  PortInformation info;
  info.max_message_length = limits_.max_inline;
  info.section_size = section_.Valid() ? section_.Size() : 0;
  info.messages_sent = sent_.load(std::memory_order_relaxed);
  info.messages_received = received_.load(std::memory_order_relaxed);
  info.section_messages = section_messages_.load(std::memory_order_relaxed);
  info.large_section_messages = large_messages_.load(std::memory_order_relaxed);
  return info;
}

}  // namespace alpaca::lpc
