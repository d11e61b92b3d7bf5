// ClientPort — the client's communication port (what NtConnectPort returns).
//
// Connect sends the connect info (and the connection section, created here)
// to a named ConnectionPort and blocks until the server accepts or refuses.
// Then RequestWaitReply sends a request and waits for the reply with the
// same message id; several threads may wait at once (one of them reads the
// socket and hands each reply to its waiter). Request sends a datagram;
// Receive takes datagrams the server sent and the server's "port closed".
//
// Thread contract: every method may be called from any thread. Lifetime:
// destroying the port closes it (the server sees port closed).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "alpaca/lpc/channel.h"
#include "alpaca/lpc/port_attributes.h"
#include "alpaca/lpc/port_message.h"

namespace alpaca::lpc {

class ClientPort;

// An ALPC-style section view: the client's half of the connection section,
// leased so that request data is written in place instead of copied in.
// Move-only; one per port at a time; returned on destruction.
class SectionView {
 public:
  SectionView() = default;
  SectionView(SectionView&& other) noexcept { *this = std::move(other); }
  SectionView& operator=(SectionView&& other) noexcept;
  SectionView(const SectionView&) = delete;
  SectionView& operator=(const SectionView&) = delete;
  ~SectionView();

  std::span<std::byte> Data() const { return data_; }

 private:
  friend class ClientPort;
  ClientPort* port_ = nullptr;
  std::span<std::byte> data_;
};

class ClientPort {
 public:
  ~ClientPort();
  ClientPort(const ClientPort&) = delete;
  ClientPort& operator=(const ClientPort&) = delete;

  // NtConnectPort. Statuses: kObjectNameNotFound (no such port),
  // kAccessDenied (the port's security), kConnectionRefused (the server
  // refused; reply info still delivered), kConnectInfoTooLong, kQuotaExceeded,
  // kTimeout. `reply_info` receives the server's reply info when not null.
  static std::error_code Connect(std::string_view name, std::span<const std::byte> connect_info,
                                 const ConnectOptions& options, std::unique_ptr<ClientPort>& out,
                                 std::vector<std::byte>* reply_info = nullptr);

  // NtRequestWaitReplyPort. `reply` gets the reply's data; a status the
  // server's port attached (e.g. kQuotaExceeded) is returned as the error.
  // A server that dies makes this return kPortDisconnected at once.
  std::error_code RequestWaitReply(const PortMessage& request, PortMessage& reply,
                                   Timeout timeout = std::nullopt);
  // Leases the section view for requests of up to `size` bytes
  // (kInvalidView when the connection section's half is smaller).
  std::error_code AcquireView(size_t size, SectionView& out);
  // RequestWaitReply whose data is view.Data() as written in place; the
  // header and declared buffers come from `request` (its data is ignored).
  std::error_code RequestWaitReply(const SectionView& view, const PortMessage& request,
                                   PortMessage& reply, Timeout timeout = std::nullopt);

  // NtRequestPort: a datagram, no reply. A full server queue is
  // kQuotaExceeded at once rather than a block.
  std::error_code Request(const PortMessage& datagram);
  // Datagrams from the server, or a kPortClosed message once it closed.
  std::error_code Receive(PortMessage& out, Timeout timeout = std::nullopt);

  // Non-blocking form of RequestWaitReply for event loops (the Asio front):
  // BeginRequest sends and registers; PollRequest completes it without
  // blocking, or returns kTimeout ("not yet": wait for WaitHandle() to be
  // readable, then poll again); CancelRequest abandons it. Do not mix these
  // with blocking waits on the same port at the same time.
  std::error_code BeginRequest(const PortMessage& request, PortMessage& reply, uint32_t& id);
  std::error_code PollRequest(uint32_t id);
  void CancelRequest(uint32_t id);

  // Readable when the server sent something (for epoll / Asio).
  int WaitHandle() const { return channel_.Fd(); }
  const ClientIdentity& Server() const { return server_; }
  PortInformation Query() const;
  void Close();

 private:
  struct Waiter {
    PortMessage* reply = nullptr;
    bool filling = false;
    bool done = false;
    std::error_code status;
  };

  friend class SectionView;
  ClientPort(UniqueFd socket, Section section, ChannelLimits limits, ClientIdentity server);
  std::error_code Call(const PortMessage& request, const SectionView* view, PortMessage& reply,
                       Timeout timeout);
  // Reads one message as the current reader and hands it to its owner.
  // Called without mutex_ held; returns the receive error, if any.
  std::error_code PumpOne(std::optional<Clock::time_point> deadline);
  // Takes the reader role (mutex_ held by `lock`, no reader active), pumps
  // one message with the lock released, and gives the role back.
  std::error_code PumpAsReader(std::unique_lock<std::mutex>& lock,
                               std::optional<Clock::time_point> deadline);
  void Disconnect(std::error_code why);  // mutex_ held
  uint32_t NextMessageId();              // mutex_ held

  Channel channel_;
  ClientIdentity server_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool reader_active_ = false;
  std::error_code disconnected_;
  bool closed_ = false;
  uint32_t next_message_id_ = 1;
  std::unordered_map<uint32_t, Waiter*> waiters_;
  std::unordered_map<uint32_t, std::unique_ptr<Waiter>> async_waiters_;
  std::deque<PortMessage> incoming_;  // datagrams and port-closed, bounded
  uint64_t dropped_replies_ = 0;
};

}  // namespace alpaca::lpc
