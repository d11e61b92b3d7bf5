// ConnectionPort — a named NT connection port (NtCreatePort /
// NtCreateWaitablePort), the server's end of the local port transport.
//
// Clients connect by name; each connect surfaces as a kConnectionRequest
// (ReplyWaitReceive or Listen) carrying the caller's kernel-verified identity
// and connect info, unless the port's security refused it first. The server
// accepts (getting a ServerPort per client) and completes, or refuses. All
// messages from all clients then arrive through ReplyWaitReceive, from any
// number of server threads at once.
//
// Thread contract: every method may be called from any thread. Close() wakes
// all waiters; destroy the port only after its waiting threads have returned.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <variant>
#include <vector>

#include "alpaca/base/unique_fd.h"
#include "alpaca/lpc/port_attributes.h"
#include "alpaca/lpc/port_message.h"
#include "alpaca/lpc/section.h"
#include "alpaca/lpc/server_port.h"

namespace alpaca::lpc {

// A client waiting to be accepted or refused (the LPC_CONNECTION_REQUEST).
// Move-only; dropping it without Accept/Refuse refuses the client.
class ConnectionRequest {
 public:
  ConnectionRequest() = default;
  ConnectionRequest(ConnectionRequest&&) noexcept = default;
  ConnectionRequest& operator=(ConnectionRequest&&) noexcept = default;

  const ClientIdentity& Client() const { return client_; }
  std::span<const std::byte> ConnectInfo() const { return connect_info_; }
  size_t SectionSize() const { return section_.Valid() ? section_.Size() : 0; }
  // The client allowed NtReadRequestData / NtWriteRequestData at connect.
  bool AllowsMemoryAccess() const { return allows_memory_access_; }
  bool Valid() const { return socket_.Valid(); }

 private:
  friend class ConnectionPort;
  PeerSocket socket_;
  Section section_;
  ClientIdentity client_;
  std::vector<std::byte> connect_info_;
  bool allows_memory_access_ = false;
};

// What ReplyWaitReceive returns: a message and the port it came from.
struct ReceivedMessage {
  PortMessage message;               // type, id, data, sender identity
  std::shared_ptr<ServerPort> port;  // null for a connection request
  ConnectionRequest connection;      // valid for kConnectionRequest
};

class ConnectionPort {
 public:
  ~ConnectionPort();
  ConnectionPort(const ConnectionPort&) = delete;
  ConnectionPort& operator=(const ConnectionPort&) = delete;

  // NtCreatePort: kObjectNameCollision when a live server holds the name,
  // kObjectNameInvalid for a bad name.
  static std::error_code Create(std::string_view name, const PortAttributes& attributes,
                                const PortSecurity& security, std::unique_ptr<ConnectionPort>& out);

  // NtReplyWaitReceivePort: the next message from any client (requests,
  // datagrams, lost replies, port closed, client died) or connection request.
  std::error_code ReplyWaitReceive(ReceivedMessage& out, Timeout timeout = std::nullopt);
  // Same, after replying to `request` on `port` first.
  std::error_code ReplyWaitReceive(ServerPort& port, const PortMessage& request,
                                   const PortMessage& reply, ReceivedMessage& out,
                                   Timeout timeout = std::nullopt);
  // NtListenPort: the next connection request only.
  std::error_code Listen(ConnectionRequest& out, Timeout timeout = std::nullopt);

  // NtAcceptConnectPort(accept=TRUE): the client's communication port, not yet
  // live; then NtCompleteConnectPort wakes the client with the reply info.
  std::error_code Accept(ConnectionRequest&& request, std::span<const std::byte> reply_info,
                         std::shared_ptr<void> context, std::shared_ptr<ServerPort>& out);
  std::error_code Complete(const std::shared_ptr<ServerPort>& port);
  // NtAcceptConnectPort(accept=FALSE): the client gets kConnectionRefused.
  std::error_code Refuse(ConnectionRequest&& request, std::span<const std::byte> reply_info = {});
  // Accept and Complete in one step.
  std::error_code AcceptAndComplete(ConnectionRequest&& request,
                                    std::span<const std::byte> reply_info,
                                    std::shared_ptr<void> context,
                                    std::shared_ptr<ServerPort>& out);

  // Waitable port: readable whenever ReplyWaitReceive has something to do.
  // Suitable for epoll or an Asio posix::stream_descriptor.
  int WaitHandle() const { return main_epoll_.Get(); }

  // Wakes every waiter with kPortDisconnected and closes all clients.
  void Close();

  const std::string& Name() const { return name_; }
  const PortAttributes& Attributes() const { return attributes_; }
  PortInformation Query() const;

 private:
  struct Pending {
    PeerSocket socket;  // closed off-thread: its queue may hold passed descriptors
    ClientIdentity client;
    Clock::time_point since;
    // Set when security or quota already refused the caller; the refusal is
    // sent once its request has been read, because closing a Unix socket with
    // unread data resets it and the caller would lose the status.
    std::error_code verdict;
  };
  struct Entry {
    std::variant<Pending, std::shared_ptr<ServerPort>> value;
  };
  enum class Filter { kAnything, kConnectionsOnly };

  ConnectionPort() = default;
  std::error_code WaitLoop(int epoll_fd, Filter filter, ReceivedMessage& out, Timeout timeout);
  // Each handler returns true when it produced something for the caller.
  bool HandleListener(int epoll_fd);
  bool HandlePending(int epoll_fd, uint64_t token, ReceivedMessage& out);
  bool HandleClient(uint64_t token, ReceivedMessage& out);
  // A client with a parked inbound stream waits on its socket for a nudge
  // (with its deadline on the stream timer); one whose stream has data now
  // goes to the ready queue. Otherwise its socket is re-armed.
  void ParkOrRearm(const std::shared_ptr<ServerPort>& port);
  // Hands the connection to the next free thread, behind what epoll has.
  void QueueReady(uint64_t token);
  void ForgetStreamDeadline(uint64_t token);
  void HandleStreamTimer();
  // Fires the stream timer at `at` (steady_clock is CLOCK_MONOTONIC; mutex_ held).
  void ArmStreamTimer(Clock::time_point at);
  // Whether a pending caller's request (or end of stream) is queued already.
  static bool HasSpoken(const Pending& pending);
  void DropClient(const std::shared_ptr<ServerPort>& port);
  void ArmBoth(int fd, uint64_t token, bool add);
  void Rearm(int epoll_fd, int fd, uint64_t token);
  bool Allowed(const ClientIdentity& who) const;
  void RejectSocket(int fd, std::error_code status);
  void PurgeStalePending();
  // Per-uid and refused shares of the pending table (mutex_ held).
  size_t& PendingShare(const Pending& pending);
  // How many entries of that share have not sent anything yet: those who
  // have are read as soon as a thread is free, so a burst of real clients
  // from one uid is not cut by its share (mutex_ held; only at the share).
  size_t SilentPending(const Pending& pending) const;
  // Full table: disconnects the oldest silent entry of a uid holding more
  // than its share (mutex_ held). False if there is none to take back.
  bool EvictSilentBorrower();
  // Arms the handshake timer unless armed (mutex_ held); on expiry, silent
  // pending connections past the deadline are purged even if nobody new
  // connects.
  void ArmPendingTimer(Clock::duration delay);
  void HandlePendingTimer();
  // Accept failed for lack of descriptors or memory: the listener stays
  // readable, so it is disarmed and a timer re-arms it (doubling backoff).
  void BackOffAccepting(int error);
  void HandleBackoffTimer();

  std::string name_;
  std::string socket_path_;
  std::string lock_path_;
  PortAttributes attributes_;
  PortSecurity security_;
  UniqueFd lock_file_;
  UniqueFd listener_;
  UniqueFd main_epoll_;     // listener + pending + clients: ReplyWaitReceive
  UniqueFd connect_epoll_;  // listener + pending: Listen
  UniqueFd close_event_;    // eventfd in both sets; signalled by Close()
  UniqueFd pending_timer_;  // timerfd in both sets: the connect handshake deadline
  UniqueFd accept_timer_;   // timerfd in both sets: re-arms the listener after a backoff
  UniqueFd ready_event_;    // semaphore eventfd in main: one count per ready_ entry
  UniqueFd stream_timer_;   // timerfd in main: the earliest parked stream deadline
  std::atomic<bool> closed_{false};

  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Entry> entries_;
  uint64_t next_token_ = 16;
  size_t pending_count_ = 0;
  size_t client_count_ = 0;
  std::unordered_map<uid_t, size_t> pending_by_uid_;  // allowed callers' pending entries
  std::unordered_map<uid_t, size_t> clients_by_uid_;  // connected clients per uid
  size_t refused_pending_ = 0;                        // refused callers' pending entries
  bool pending_timer_armed_ = false;
  std::deque<uint64_t> ready_;                              // clients to continue
  std::unordered_map<uint64_t, Clock::time_point> parked_;  // token -> stream deadline
  std::optional<Clock::time_point> stream_timer_at_;        // when stream_timer_ fires
  std::chrono::milliseconds accept_backoff_{0};             // 0: not backing off (guarded)
  std::atomic<uint64_t> accept_failures_{0};
  std::atomic<uint64_t> stream_waits_{0};  // summed from the clients' channels
};

}  // namespace alpaca::lpc
