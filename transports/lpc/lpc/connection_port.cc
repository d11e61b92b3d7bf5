#include "alpaca/lpc/connection_port.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "alpaca/base/log.h"
#include "alpaca/base/syscall.h"
#include "alpaca/lpc/port_name.h"
#include "alpaca/lpc/status.h"
#include "alpaca/lpc/wire.h"
#include "socket_io.h"

namespace alpaca::lpc {
namespace {

constexpr uint64_t kListenerToken = 0;
constexpr uint64_t kCloseToken = 1;
constexpr uint64_t kAcceptTimerToken = 2;
constexpr uint64_t kPendingTimerToken = 3;
constexpr uint64_t kReadyToken = 4;
constexpr uint64_t kStreamTimerToken = 5;
// Longest a thread copies one client's streamed view before it lets the
// others' messages go first (about 10 MiB at memory speed).
constexpr auto kStreamSlice = std::chrono::milliseconds(2);

// Accept backoff while descriptors or memory are short, as the TCP listener
// does: without it the still-readable listener wakes every worker at once.
constexpr std::chrono::milliseconds kAcceptBackoffFirst{10};
constexpr std::chrono::milliseconds kAcceptBackoffMax{1000};

bool IsResourceShortage(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

int EpollTimeoutMs(std::optional<Clock::time_point> deadline) {
  if (!deadline) return -1;
  auto left = *deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

std::error_code SendConnectReply(int fd, std::error_code status,
                                 std::span<const std::byte> reply_info,
                                 const PortAttributes& attributes) {
  wire::ConnectReply reply;
  reply.status = status ? status.value() : 0;
  if (status && status.category() != LpcCategory()) {
    reply.status = static_cast<int32_t>(Status::kSystemError);
  }
  reply.reply_info_length = static_cast<uint32_t>(reply_info.size());
  reply.max_message_length = static_cast<uint32_t>(attributes.max_message_length);
  reply.max_data_length = attributes.max_data_length;
  iovec parts[2] = {{&reply, sizeof(reply)},
                    {const_cast<std::byte*>(reply_info.data()), reply_info.size()}};
  return SendPacket(fd, parts, -1, /*nonblocking=*/true, std::nullopt);
}

// chmod 0666 of the socket we just bound, without following a symlink that
// someone with write access to the directory may have put in its place.
}  // namespace

std::error_code ConnectionPort::Create(std::string_view name, const PortAttributes& attributes,
                                       const PortSecurity& security,
                                       std::unique_ptr<ConnectionPort>& out) {
  if (attributes.max_message_length > PortMessage::kMaxInlineData ||
      attributes.max_connect_info_length > wire::kMaxConnectInfo) {
    return Status::kInvalidParameter;
  }
  ResolvedPortName resolved;
  if (auto ec = ResolvePortName(name, resolved)) return ec;
  if (auto ec = MakeDirectories(resolved.directory)) return ec;
  if (auto ec = CheckNamespaceOwnership(resolved.directory)) return ec;

  std::unique_ptr<ConnectionPort> port(new ConnectionPort());
  port->name_ = resolved.nt_name;
  port->socket_path_ = resolved.socket_path;
  port->lock_path_ = resolved.socket_path + ".lock";
  port->attributes_ = attributes;
  port->security_ = security;
  if (port->security_.owner == static_cast<uid_t>(-1)) port->security_.owner = ::geteuid();

  if (auto ec = ClaimSocketName(port->socket_path_, port->lock_file_)) return ec;

  port->listener_.Reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!port->listener_) return ErrnoCode(errno);
  int one = 1;
  ::setsockopt(port->listener_.Get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, port->socket_path_.c_str(), port->socket_path_.size() + 1);
  if (::bind(port->listener_.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return ErrnoCode(errno);
  }
  // Anyone may reach the socket; the port's own security (checked against
  // SO_PEERCRED) decides who is served, and refused callers learn only that.
  struct stat bound {};
  if (auto ec = SetOwnSocketMode(port->socket_path_, 0666, bound)) return ec;
  if (::listen(port->listener_.Get(), SOMAXCONN) != 0) return ErrnoCode(errno);

  port->main_epoll_.Reset(::epoll_create1(EPOLL_CLOEXEC));
  port->connect_epoll_.Reset(::epoll_create1(EPOLL_CLOEXEC));
  port->close_event_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  port->accept_timer_.Reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  port->pending_timer_.Reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  port->ready_event_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE));
  port->stream_timer_.Reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!port->main_epoll_ || !port->connect_epoll_ || !port->close_event_ || !port->accept_timer_ ||
      !port->pending_timer_ || !port->ready_event_ || !port->stream_timer_) {
    return ErrnoCode(errno);
  }
  {
    // Level-triggered: each ready_ entry is one count, taken by one waiter.
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kReadyToken;
    ::epoll_ctl(port->main_epoll_.Get(), EPOLL_CTL_ADD, port->ready_event_.Get(), &ev);
    ev.data.u64 = kStreamTimerToken;
    ::epoll_ctl(port->main_epoll_.Get(), EPOLL_CTL_ADD, port->stream_timer_.Get(), &ev);
  }
  port->ArmBoth(port->listener_.Get(), kListenerToken, true);
  for (int epfd : {port->main_epoll_.Get(), port->connect_epoll_.Get()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;  // level-triggered: wakes every waiter after Close()
    ev.data.u64 = kCloseToken;
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, port->close_event_.Get(), &ev);
    // Level-triggered too: whichever set's waiter reads the expiry first
    // re-arms the listener; the other finds the timer drained.
    ev.data.u64 = kAcceptTimerToken;
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, port->accept_timer_.Get(), &ev);
    ev.data.u64 = kPendingTimerToken;
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, port->pending_timer_.Get(), &ev);
  }
  out = std::move(port);
  return {};
}

ConnectionPort::~ConnectionPort() {
  Close();
  if (listener_) ::unlink(socket_path_.c_str());
  // Connections never accepted die with the listener, and with them what
  // they queued, passed descriptors included: released off-thread.
  CloseSocketOffThread(std::move(listener_));
  if (lock_file_) ::unlink(lock_path_.c_str());
}

void ConnectionPort::Close() {
  if (closed_.exchange(true)) return;
  uint64_t one = 1;
  if (close_event_) (void)!::write(close_event_.Get(), &one, sizeof(one));
  std::unordered_map<uint64_t, Entry> entries;
  {
    std::lock_guard lock(mutex_);
    entries.swap(entries_);
    pending_count_ = client_count_ = 0;
    pending_by_uid_.clear();
    clients_by_uid_.clear();
    refused_pending_ = 0;
  }
  for (auto& [token, entry] : entries) {
    if (auto* port = std::get_if<std::shared_ptr<ServerPort>>(&entry.value)) (*port)->Close();
  }
}

void ConnectionPort::ArmBoth(int fd, uint64_t token, bool add) {
  for (int epfd : {main_epoll_.Get(), connect_epoll_.Get()}) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = token;
    ::epoll_ctl(epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
  }
}

void ConnectionPort::Rearm(int epoll_fd, int fd, uint64_t token) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.u64 = token;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev);
}

bool ConnectionPort::Allowed(const ClientIdentity& who) const {
  if (security_.allow_everyone) return true;
  if (security_.allow_owner && who.uid == security_.owner) return true;
  if (std::find(security_.allowed_uids.begin(), security_.allowed_uids.end(), who.uid) !=
      security_.allowed_uids.end()) {
    return true;
  }
  return std::find(security_.allowed_gids.begin(), security_.allowed_gids.end(), who.gid) !=
         security_.allowed_gids.end();
}

void ConnectionPort::RejectSocket(int fd, std::error_code status) {
  (void)SendConnectReply(fd, status, {}, attributes_);
}

std::error_code ConnectionPort::ReplyWaitReceive(ReceivedMessage& out, Timeout timeout) {
  return WaitLoop(main_epoll_.Get(), Filter::kAnything, out, timeout);
}

std::error_code ConnectionPort::ReplyWaitReceive(ServerPort& port, const PortMessage& request,
                                                 const PortMessage& reply, ReceivedMessage& out,
                                                 Timeout timeout) {
  auto ec = port.Reply(request, reply);
  // A client that died before its reply is the next message's news, not an
  // error of this receive.
  if (ec && ec != Status::kPortDisconnected && ec != Status::kQuotaExceeded) return ec;
  return ReplyWaitReceive(out, timeout);
}

std::error_code ConnectionPort::Listen(ConnectionRequest& out, Timeout timeout) {
  ReceivedMessage received;
  if (auto ec = WaitLoop(connect_epoll_.Get(), Filter::kConnectionsOnly, received, timeout)) {
    return ec;
  }
  out = std::move(received.connection);
  return {};
}

std::error_code ConnectionPort::WaitLoop(int epoll_fd, Filter filter, ReceivedMessage& out,
                                         Timeout timeout) {
  auto deadline = DeadlineFrom(timeout);
  for (;;) {
    if (closed_.load(std::memory_order_acquire)) return Status::kPortDisconnected;
    epoll_event ev{};
    int n = ::epoll_wait(epoll_fd, &ev, 1, EpollTimeoutMs(deadline));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoCode(errno);
    }
    if (n == 0) {
      if (deadline && Clock::now() < *deadline) continue;
      return Status::kTimeout;
    }
    uint64_t token = ev.data.u64;
    if (token == kCloseToken) return Status::kPortDisconnected;
    bool produced = false;
    if (token == kAcceptTimerToken) {
      HandleBackoffTimer();
    } else if (token == kPendingTimerToken) {
      HandlePendingTimer();
    } else if (token == kStreamTimerToken) {
      HandleStreamTimer();
    } else if (token == kReadyToken) {
      uint64_t count = 0;
      if (::read(ready_event_.Get(), &count, sizeof(count)) != sizeof(count)) continue;
      uint64_t ready = 0;
      {
        std::lock_guard lock(mutex_);
        if (ready_.empty()) continue;
        ready = ready_.front();
        ready_.pop_front();
      }
      produced = HandleClient(ready, out);
    } else if (token == kListenerToken) {
      produced = HandleListener(epoll_fd);
    } else if (filter == Filter::kConnectionsOnly) {
      produced = HandlePending(epoll_fd, token, out);
    } else {
      bool is_pending;
      {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(token);
        is_pending = it != entries_.end() && std::holds_alternative<Pending>(it->second.value);
      }
      produced = is_pending ? HandlePending(epoll_fd, token, out) : HandleClient(token, out);
    }
    if (produced) return {};
  }
}

void ConnectionPort::PurgeStalePending() {
  // Called with mutex_ held. A caller that connects and never speaks holds a
  // socket only until the timeout, and never more than its share of them.
  auto now = Clock::now();
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto* pending = std::get_if<Pending>(&it->second.value);
    if (pending == nullptr || now - pending->since <= attributes_.pending_connection_timeout) {
      ++it;
      continue;
    }
    // A request already queued is only waiting for a busy server thread:
    // not the caller's fault, so it gets another period.
    if (HasSpoken(*pending)) {
      pending->since = now;
      ++it;
      continue;
    }
    ::epoll_ctl(main_epoll_.Get(), EPOLL_CTL_DEL, pending->socket.Get(), nullptr);
    ::epoll_ctl(connect_epoll_.Get(), EPOLL_CTL_DEL, pending->socket.Get(), nullptr);
    --PendingShare(*pending);
    it = entries_.erase(it);
    --pending_count_;
  }
}

bool ConnectionPort::EvictSilentBorrower() {
  auto victim = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const auto* pending = std::get_if<Pending>(&it->second.value);
    if (pending == nullptr || pending->verdict ||
        pending_by_uid_[pending->client.uid] <= attributes_.max_pending_per_uid) {
      continue;
    }
    if (HasSpoken(*pending)) continue;
    if (victim == entries_.end() ||
        pending->since < std::get<Pending>(victim->second.value).since) {
      victim = it;
    }
  }
  if (victim == entries_.end()) return false;
  auto& pending = std::get<Pending>(victim->second.value);
  int fd = pending.socket.Get();
  ::epoll_ctl(main_epoll_.Get(), EPOLL_CTL_DEL, fd, nullptr);
  ::epoll_ctl(connect_epoll_.Get(), EPOLL_CTL_DEL, fd, nullptr);
  RejectSocket(fd, Status::kQuotaExceeded);
  --PendingShare(pending);
  entries_.erase(victim);  // the socket closes off-thread with it
  --pending_count_;
  return true;
}

size_t& ConnectionPort::PendingShare(const Pending& pending) {
  if (pending.verdict) return refused_pending_;
  return pending_by_uid_[pending.client.uid];
}

size_t ConnectionPort::SilentPending(const Pending& like) const {
  size_t silent = 0;
  for (const auto& [token, entry] : entries_) {
    const auto* pending = std::get_if<Pending>(&entry.value);
    if (pending == nullptr ||
        static_cast<bool>(pending->verdict) != static_cast<bool>(like.verdict) ||
        (!like.verdict && pending->client.uid != like.client.uid)) {
      continue;
    }
    if (!HasSpoken(*pending)) ++silent;
  }
  return silent;
}

void ConnectionPort::ArmPendingTimer(Clock::duration delay) {
  if (pending_timer_armed_) return;
  auto ns = std::max<int64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count() + 1000000, 1);
  itimerspec spec{};
  spec.it_value.tv_sec = ns / 1000000000;
  spec.it_value.tv_nsec = ns % 1000000000;
  if (::timerfd_settime(pending_timer_.Get(), 0, &spec, nullptr) == 0) pending_timer_armed_ = true;
}

void ConnectionPort::HandlePendingTimer() {
  uint64_t expirations = 0;
  if (::read(pending_timer_.Get(), &expirations, sizeof(expirations)) !=
      static_cast<ssize_t>(sizeof(expirations))) {
    return;  // another waiter drained this expiry
  }
  std::lock_guard lock(mutex_);
  pending_timer_armed_ = false;
  PurgeStalePending();
  // Next expiry: when the oldest survivor's deadline passes.
  std::optional<Clock::time_point> oldest;
  for (auto& [token, entry] : entries_) {
    if (auto* pending = std::get_if<Pending>(&entry.value)) {
      if (!oldest || pending->since < *oldest) oldest = pending->since;
    }
  }
  if (oldest) ArmPendingTimer(*oldest + attributes_.pending_connection_timeout - Clock::now());
}

void ConnectionPort::BackOffAccepting(int error) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mutex_);
    if (accept_backoff_.count() == 0) {
      // Once per episode: the log would otherwise repeat at the retry rate.
      Log(LogLevel::kError, "lpc port " + name_ + ": accept failed (" + std::strerror(error) +
                                "); retrying with backoff, connected clients are still served");
      accept_backoff_ = kAcceptBackoffFirst;
    } else {
      accept_backoff_ = std::min(accept_backoff_ * 2, kAcceptBackoffMax);
    }
    delay = accept_backoff_;
  }
  // Disarmed in both sets (no events, still registered) until the timer fires.
  for (int epfd : {main_epoll_.Get(), connect_epoll_.Get()}) {
    epoll_event ev{};
    ev.events = EPOLLONESHOT;
    ev.data.u64 = kListenerToken;
    ::epoll_ctl(epfd, EPOLL_CTL_MOD, listener_.Get(), &ev);
  }
  itimerspec spec{};
  spec.it_value.tv_sec = delay.count() / 1000;
  spec.it_value.tv_nsec = (delay.count() % 1000) * 1000000;
  ::timerfd_settime(accept_timer_.Get(), 0, &spec, nullptr);
}

void ConnectionPort::HandleBackoffTimer() {
  uint64_t expirations = 0;
  // Only the waiter that drains the expiry re-arms; a second one woken by the
  // same expiry finds nothing to read.
  if (::read(accept_timer_.Get(), &expirations, sizeof(expirations)) !=
      static_cast<ssize_t>(sizeof(expirations))) {
    return;
  }
  ArmBoth(listener_.Get(), kListenerToken, false);
}

bool ConnectionPort::HandleListener(int epoll_fd) {
  for (int accepted = 0; accepted < 64; ++accepted) {
    UniqueFd socket(::accept4(listener_.Get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!socket) {
      int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK) break;
      accept_failures_.fetch_add(1, std::memory_order_relaxed);
      if (IsResourceShortage(error)) {
        // The connection stays queued and the listener readable: re-arming
        // now would spin every worker on accept. The timer re-arms it.
        BackOffAccepting(error);
        return false;
      }
      break;  // e.g. ECONNABORTED: that caller only; try on the next wake
    }
    ClientIdentity who;
    // A connection that is not kept may already carry its request and the
    // descriptors on it: closed off-thread (peer_fd.h), like every socket.
    if (PeerIdentity(socket.Get(), who)) {
      CloseSocketOffThread(std::move(socket));
      continue;
    }
    std::error_code verdict;
    if (!Allowed(who)) verdict = Status::kAccessDenied;
    std::lock_guard lock(mutex_);
    accept_backoff_ = std::chrono::milliseconds(0);  // descriptors were available again
    if (!verdict && client_count_ + pending_count_ >= attributes_.max_clients) {
      verdict = Status::kQuotaExceeded;
    }
    if (!verdict) {
      auto connected = clients_by_uid_.find(who.uid);
      auto waiting = pending_by_uid_.find(who.uid);
      size_t held = (connected != clients_by_uid_.end() ? connected->second : 0) +
                    (waiting != pending_by_uid_.end() ? waiting->second : 0);
      if (held >= attributes_.max_clients_per_uid) verdict = Status::kQuotaExceeded;
    }
    PurgeStalePending();
    Pending pending{std::move(socket), who, Clock::now(), verdict};
    size_t& share = PendingShare(pending);
    size_t share_limit =
        verdict ? attributes_.max_refused_pending : attributes_.max_pending_per_uid;
    bool over_share = share >= share_limit && SilentPending(pending) >= share_limit;
    // An allowed uid past its share borrows free entries (a burst of real
    // clients, preempted between connect() and their request, looks silent
    // for a moment); a caller within its share takes a borrowed entry back
    // when the table is full. Refused callers never borrow.
    bool admit = pending_count_ < attributes_.max_pending_connections
                     ? !(over_share && verdict)
                     : !over_share && EvictSilentBorrower();
    if (!admit) {
      RejectSocket(pending.socket.Get(), Status::kQuotaExceeded);
      continue;  // its socket closes with `pending`
    }
    uint64_t token = next_token_++;
    int fd = pending.socket.Get();
    ++share;
    entries_.emplace(token, Entry{std::move(pending)});
    ++pending_count_;
    ArmPendingTimer(attributes_.pending_connection_timeout);
    ArmBoth(fd, token, true);
  }
  Rearm(epoll_fd, listener_.Get(), kListenerToken);
  return false;
}

bool ConnectionPort::HandlePending(int epoll_fd, uint64_t token, ReceivedMessage& out) {
  Pending pending;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(token);
    if (it == entries_.end() || !std::holds_alternative<Pending>(it->second.value)) return false;
    pending = std::move(std::get<Pending>(it->second.value));
    entries_.erase(it);
    --pending_count_;
    --PendingShare(pending);
  }
  if (pending.verdict) {
    // Refused already (security or quota): nothing it sent is received on
    // this thread, least of all the descriptors riding on its request. We are
    // woken because its request (or end of stream) arrived, so the verdict
    // answers it now; the socket is then drained and closed on the closer
    // thread (peer_fd.h), which keeps the verdict readable for the caller and
    // keeps a descriptor whose close blocks away from the threads that serve.
    int fd = pending.socket.Get();
    ::epoll_ctl(main_epoll_.Get(), EPOLL_CTL_DEL, fd, nullptr);
    ::epoll_ctl(connect_epoll_.Get(), EPOLL_CTL_DEL, fd, nullptr);
    RejectSocket(fd, pending.verdict);
    return false;
  }
  std::vector<std::byte> buffer(sizeof(wire::ConnectRequest) + attributes_.max_connect_info_length +
                                1);
  ReceivedPacket packet;
  auto ec = ReceivePacket(pending.socket.Get(), buffer, Clock::now(), packet);
  if (ec == Status::kTimeout) {
    std::lock_guard lock(mutex_);
    int fd = pending.socket.Get();
    ++PendingShare(pending);
    entries_.emplace(token, Entry{std::move(pending)});
    ++pending_count_;
    ArmBoth(fd, token, false);
    (void)epoll_fd;
    return false;
  }
  int fd = pending.socket.Get();
  ::epoll_ctl(main_epoll_.Get(), EPOLL_CTL_DEL, fd, nullptr);
  ::epoll_ctl(connect_epoll_.Get(), EPOLL_CTL_DEL, fd, nullptr);
  if (ec) return false;  // gone before it spoke

  // From here on the bytes are the caller's: check every field.
  wire::ConnectRequest request;
  if (packet.size < sizeof(request) || packet.extra_fds) {
    RejectSocket(fd, Status::kInvalidMessage);
    return false;
  }
  std::memcpy(&request, buffer.data(), sizeof(request));
  if (request.magic != wire::kMagic || request.version != wire::kVersion) {
    RejectSocket(fd, Status::kInvalidMessage);
    return false;
  }
  if (packet.truncated || request.connect_info_length > attributes_.max_connect_info_length) {
    RejectSocket(fd, Status::kConnectInfoTooLong);
    return false;
  }
  if (packet.size != sizeof(request) + request.connect_info_length) {
    RejectSocket(fd, Status::kInvalidMessage);
    return false;
  }
  bool wants_section = (request.flags & wire::kConnectHasSection) != 0;
  constexpr uint16_t kKnownFlags = wire::kConnectHasSection | wire::kConnectAllowsMemoryAccess;
  if (wants_section != packet.fd.Valid() || (request.flags & ~kKnownFlags) != 0) {
    RejectSocket(fd, Status::kInvalidMessage);
    return false;
  }
  ConnectionRequest connection;
  if (wants_section) {
    if (request.section_size < wire::kMinSectionSize ||
        request.section_size > attributes_.max_pool_usage) {
      RejectSocket(fd, request.section_size > attributes_.max_pool_usage ? Status::kQuotaExceeded
                                                                         : Status::kInvalidView);
      return false;
    }
    if (auto map_ec = Section::MapForeign(std::move(packet.fd), request.section_size, true,
                                          connection.section_)) {
      RejectSocket(fd, map_ec);
      return false;
    }
  }
  connection.client_ = pending.client;
  connection.allows_memory_access_ = (request.flags & wire::kConnectAllowsMemoryAccess) != 0;
  auto info = std::span(buffer.data() + sizeof(request), request.connect_info_length);
  connection.connect_info_.assign(info.begin(), info.end());
  connection.socket_ = std::move(pending.socket);

  out.message.Clear();
  out.message.MutableHeader().type = MessageType::kConnectionRequest;
  out.message.MutableHeader().process_id = static_cast<uint32_t>(connection.client_.pid);
  out.message.MutableHeader().callback_id = static_cast<uint32_t>(connection.SectionSize());
  out.message.SetSender(connection.client_);
  out.message.SetData(connection.ConnectInfo());
  out.port.reset();
  out.connection = std::move(connection);
  return true;
}

std::error_code ConnectionPort::Accept(ConnectionRequest&& request,
                                       std::span<const std::byte> reply_info,
                                       std::shared_ptr<void> context,
                                       std::shared_ptr<ServerPort>& out) {
  if (!request.Valid()) return Status::kInvalidParameter;
  if (reply_info.size() > attributes_.max_connect_info_length) return Status::kConnectInfoTooLong;
  int one = 1;
  ::setsockopt(request.socket_.Get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
  ChannelLimits limits;
  limits.max_inline = attributes_.max_message_length;
  limits.max_data_length = attributes_.max_data_length;
  limits.max_receive_length = attributes_.max_data_length;
  limits.stream_grace = attributes_.stream_grace;
  auto port = std::make_shared<ServerPort>(
      std::move(request.socket_).Take(), std::move(request.section_), limits, request.client_,
      std::move(request.connect_info_), attributes_.max_pool_usage, std::move(context));
  // Only a client that allowed it costs a second descriptor (its memory).
  if (request.allows_memory_access_) {
    port->OpenClientMemory();
  } else {
    port->client_memory_error_ = Status::kAccessDenied;
  }
  // Served as the identity that connected, and only as long as that identity
  // is the one sending (see docs/lpc.md, "Identity is per connection").
  port->channel_.BindPeerIdentity(port->client_);
  port->accept_reply_.assign(reply_info.begin(), reply_info.end());
  out = std::move(port);
  return {};
}

std::error_code ConnectionPort::Complete(const std::shared_ptr<ServerPort>& port) {
  if (!port || port->token_ != 0) return Status::kInvalidParameter;
  if (closed_) return Status::kPortDisconnected;
  int fd = port->channel_.Fd();
  {
    std::lock_guard lock(mutex_);
    if (closed_) return Status::kPortDisconnected;
    size_t& of_uid = clients_by_uid_[port->client_.uid];
    if (client_count_ >= attributes_.max_clients || of_uid >= attributes_.max_clients_per_uid) {
      RejectSocket(fd, Status::kQuotaExceeded);
      port->MarkDisconnected();
      return Status::kQuotaExceeded;
    }
    port->token_ = next_token_++;
    entries_.emplace(port->token_, Entry{port});
    ++client_count_;
    ++of_uid;
  }
  if (auto ec = SendConnectReply(fd, {}, port->accept_reply_, attributes_)) {
    DropClient(port);
    return ec;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.u64 = port->token_;
  ::epoll_ctl(main_epoll_.Get(), EPOLL_CTL_ADD, fd, &ev);
  return {};
}

std::error_code ConnectionPort::Refuse(ConnectionRequest&& request,
                                       std::span<const std::byte> reply_info) {
  if (!request.Valid()) return Status::kInvalidParameter;
  if (reply_info.size() > attributes_.max_connect_info_length) return Status::kConnectInfoTooLong;
  auto ec =
      SendConnectReply(request.socket_.Get(), Status::kConnectionRefused, reply_info, attributes_);
  request.socket_.Reset();
  return ec;
}

std::error_code ConnectionPort::AcceptAndComplete(ConnectionRequest&& request,
                                                  std::span<const std::byte> reply_info,
                                                  std::shared_ptr<void> context,
                                                  std::shared_ptr<ServerPort>& out) {
  if (auto ec = Accept(std::move(request), reply_info, std::move(context), out)) return ec;
  return Complete(out);
}

void ConnectionPort::DropClient(const std::shared_ptr<ServerPort>& port) {
  port->MarkDisconnected();
  ::epoll_ctl(main_epoll_.Get(), EPOLL_CTL_DEL, port->channel_.Fd(), nullptr);
  port->channel_.Shutdown();
  std::lock_guard lock(mutex_);
  parked_.erase(port->token_);
  if (entries_.erase(port->token_) != 0) {
    --client_count_;
    --clients_by_uid_[port->client_.uid];
  }
}

bool ConnectionPort::HandleClient(uint64_t token, ReceivedMessage& out) {
  std::shared_ptr<ServerPort> port;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(token);
    if (it == entries_.end()) return false;
    port = std::get<std::shared_ptr<ServerPort>>(it->second.value);
  }
  auto died = [&](MessageType type) {
    DropClient(port);
    out.message.Clear();
    out.message.MutableHeader().type = type;
    out.message.MutableHeader().process_id = static_cast<uint32_t>(port->client_.pid);
    out.message.SetSender(port->client_);
    out.port = std::move(port);
    out.connection = {};
    return true;
  };
  auto deliver = [&] {
    ParkOrRearm(port);
    out.port = std::move(port);
    out.connection = {};
    return true;
  };
  Channel& channel = port->channel_;
  PortMessage& message = out.message;
  // One slice of a streamed view: what it ends in decides where the
  // connection waits next (nothing holds this thread for one peer).
  auto continue_stream = [&](bool& produced) {
    bool discard = channel.InboundDiscarded();
    StreamStep step;
    auto ec = channel.ContinueInbound(Clock::now() + kStreamSlice, step, message);
    stream_waits_.fetch_add(channel.TakeStreamWaits(), std::memory_order_relaxed);
    if (ec) {
      produced = died(MessageType::kClientDied);
      return true;
    }
    if (step == StreamStep::kDone && !discard) {
      produced = deliver();
      return true;
    }
    if (step == StreamStep::kMore) {
      QueueReady(token);
      produced = false;
      return true;
    }
    return false;  // done discarding, or parked: read what woke us
  };

  if (channel.HasInbound()) {
    ForgetStreamDeadline(token);
    bool produced = false;
    if (continue_stream(produced)) return produced;
  }

  FrameInfo info;
  auto ec = channel.ReceiveHeader(Clock::now(), info, message);
  if (ec == Status::kTimeout || (!ec && info.nudge)) {
    // Nothing (or a nudge, already answered above; a stale one is harmless).
    ParkOrRearm(port);
    return false;
  }
  // End of stream without a close message means the process went away; a
  // malformed frame means the peer is broken or hostile: either way it is
  // disconnected and the server hears "client died".
  if (ec) return died(MessageType::kClientDied);
  if (message.Sender().pid == 0) message.SetSender(port->client_);
  message.MutableHeader().process_id = static_cast<uint32_t>(message.Sender().pid);
  // A sender has one view slot: a second streamed view before the first is
  // whole is a protocol violation.
  if (info.streamed && channel.HasInbound()) return died(MessageType::kClientDied);

  switch (message.Type()) {
    case MessageType::kRequest: {
      auto admission = port->AdmitRequest(message.MessageId(), info.payload_length);
      if (admission == ServerPort::Admission::kDuplicate) return died(MessageType::kClientDied);
      if (admission == ServerPort::Admission::kOverQuota) {
        if (info.streamed) {
          channel.BeginInbound({}, true);  // acknowledged once its sender is done
        } else {
          channel.DiscardPayload();
        }
        PortMessage refusal;
        (void)channel.Send(refusal, MessageType::kReply, message.MessageId(),
                           static_cast<int32_t>(Status::kQuotaExceeded), true, std::nullopt);
        ParkOrRearm(port);
        return false;
      }
      break;
    }
    case MessageType::kLostReply:
      port->ForgetRequest(message.MessageId());
      break;
    case MessageType::kPortClosed:
      channel.DiscardPayload(false);
      port->closed_by_peer_ = true;
      return died(MessageType::kPortClosed);
    default:
      break;
  }
  if (info.streamed) {
    channel.BeginInbound(std::move(message), false);
    bool produced = false;
    if (continue_stream(produced)) return produced;
    ParkOrRearm(port);
    return false;
  }
  auto copy_ec = channel.FinishReceive(message);
  stream_waits_.fetch_add(channel.TakeStreamWaits(), std::memory_order_relaxed);
  if (copy_ec) return died(MessageType::kClientDied);
  return deliver();
}

void ConnectionPort::ParkOrRearm(const std::shared_ptr<ServerPort>& port) {
  Channel& channel = port->channel_;
  if (!channel.HasInbound()) {
    Rearm(main_epoll_.Get(), channel.Fd(), port->token_);
    return;
  }
  if (!channel.ParkInbound()) {
    QueueReady(port->token_);
    return;
  }
  auto deadline = channel.InboundDeadline();
  {
    std::lock_guard lock(mutex_);
    parked_[port->token_] = deadline;
    if (!stream_timer_at_ || deadline < *stream_timer_at_) ArmStreamTimer(deadline);
  }
  Rearm(main_epoll_.Get(), channel.Fd(), port->token_);
}

void ConnectionPort::QueueReady(uint64_t token) {
  {
    std::lock_guard lock(mutex_);
    ready_.push_back(token);
  }
  uint64_t one = 1;
  (void)!::write(ready_event_.Get(), &one, sizeof(one));
}

void ConnectionPort::ForgetStreamDeadline(uint64_t token) {
  std::lock_guard lock(mutex_);
  parked_.erase(token);
}

void ConnectionPort::HandleStreamTimer() {
  uint64_t expirations = 0;
  if (::read(stream_timer_.Get(), &expirations, sizeof(expirations)) != sizeof(expirations)) return;
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  stream_timer_at_.reset();
  std::optional<Clock::time_point> next;
  for (auto it = parked_.begin(); it != parked_.end();) {
    if (it->second <= now) {
      // Past its deadline: shut the socket so that its next wake (now) finds
      // the stream late and cuts the client, on a thread, as any death.
      auto entry = entries_.find(it->first);
      if (entry != entries_.end()) {
        if (auto* port = std::get_if<std::shared_ptr<ServerPort>>(&entry->second.value)) {
          (*port)->channel_.Shutdown();
        }
      }
      it = parked_.erase(it);
      continue;
    }
    if (!next || it->second < *next) next = it->second;
    ++it;
  }
  if (next) ArmStreamTimer(*next);
}

void ConnectionPort::ArmStreamTimer(Clock::time_point at) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  itimerspec spec{};
  spec.it_value.tv_sec = ns / 1000000000;
  spec.it_value.tv_nsec = std::max<int64_t>(ns % 1000000000, ns == 0 ? 1 : 0);  // 0 disarms
  ::timerfd_settime(stream_timer_.Get(), TFD_TIMER_ABSTIME, &spec, nullptr);
  stream_timer_at_ = at;
}

bool ConnectionPort::HasSpoken(const Pending& pending) {
  char byte;
  return ::recv(pending.socket.Get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

PortInformation ConnectionPort::Query() const {
  PortInformation info;
  info.max_message_length = attributes_.max_message_length;
  info.max_connect_info_length = attributes_.max_connect_info_length;
  std::lock_guard lock(mutex_);
  info.connected_clients = client_count_;
  info.pending_connections = pending_count_;
  info.parked_streams = parked_.size();
  info.accept_failures = accept_failures_.load(std::memory_order_relaxed);
  info.stream_waits = stream_waits_.load(std::memory_order_relaxed);
  return info;
}

}  // namespace alpaca::lpc
