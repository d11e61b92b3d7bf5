#include "alpaca/lpc/client_port.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "alpaca/lpc/port_name.h"
#include "alpaca/lpc/status.h"
#include "alpaca/lpc/wire.h"
#include "socket_io.h"

namespace alpaca::lpc {
namespace {

constexpr size_t kMaxIncoming = 1024;

std::error_code StatusFromWire(int32_t value) {
  if (value == 0) return {};
  if (value < 0 || value > static_cast<int32_t>(Status::kSystemError)) {
    return Status::kInvalidMessage;
  }
  return static_cast<Status>(value);
}

}  // namespace

ClientPort::ClientPort(UniqueFd socket, Section section, ChannelLimits limits,
                       ClientIdentity server)
    : channel_(std::move(socket), std::move(section), ChannelSide::kClient, limits),
      server_(server) {}

ClientPort::~ClientPort() { Close(); }

std::error_code ClientPort::Connect(std::string_view name, std::span<const std::byte> connect_info,
                                    const ConnectOptions& options, std::unique_ptr<ClientPort>& out,
                                    std::vector<std::byte>* reply_info) {
  if (connect_info.size() > wire::kMaxConnectInfo) return Status::kConnectInfoTooLong;
  ResolvedPortName resolved;
  if (auto ec = ResolvePortName(name, resolved)) return ec;
  // As NtSecureConnectPort checks the server's SID: in the default namespace
  // the server must be whoever owns it (us, or root for /run/alpaca), unless
  // the caller names the uid it expects.
  std::optional<uid_t> namespace_owner;
  if (auto ec = CheckNamespaceForClient(resolved.directory, namespace_owner)) return ec;
  std::optional<uid_t> required_server_uid =
      options.required_server_uid ? options.required_server_uid : namespace_owner;
  auto deadline = DeadlineFrom(options.timeout);

  UniqueFd socket(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!socket) return ErrnoCode(errno);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, resolved.socket_path.c_str(), resolved.socket_path.size() + 1);
  if (::connect(socket.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    switch (errno) {
      case ENOENT:
      case ECONNREFUSED:  // a socket file whose server is gone
      case ENOTDIR:
        return Status::kObjectNameNotFound;
      case EACCES:
      case EPERM:
        return Status::kAccessDenied;
      case EAGAIN:
        return Status::kQuotaExceeded;  // backlog full
      default:
        return ErrnoCode(errno);
    }
  }

  // SO_PEERCRED of a connected, not yet accepted socket names the process
  // that called listen(): check it before sending anything.
  ClientIdentity listener;
  if (auto ec = PeerIdentity(socket.Get(), listener)) return ec;
  if (required_server_uid && listener.uid != *required_server_uid) return Status::kAccessDenied;
  if (options.allow_server_memory_access) {
    // The server opens our memory when it accepts, so under Yama
    // (ptrace_scope=1) it must be named before the request goes out. Without
    // Yama this fails with EINVAL and the normal uid rules apply.
    (void)::prctl(PR_SET_PTRACER, static_cast<unsigned long>(listener.pid), 0, 0, 0);
  }

  Section section;
  if (options.section_size > 0) {
    size_t size = std::max(options.section_size, wire::kMinSectionSize);
    if (auto ec = Section::Create(size, "alpaca-lpc-view", section)) return ec;
  }
  wire::ConnectRequest request;
  request.flags = section.Valid() ? wire::kConnectHasSection : 0;
  if (options.allow_server_memory_access) request.flags |= wire::kConnectAllowsMemoryAccess;
  request.connect_info_length = static_cast<uint32_t>(connect_info.size());
  request.section_size = section.Size();
  iovec parts[2] = {{&request, sizeof(request)},
                    {const_cast<std::byte*>(connect_info.data()), connect_info.size()}};
  // A server that refuses at once (security, quota) may already have written
  // its answer and closed: read that answer even when our send fails.
  auto send_ec =
      SendPacket(socket.Get(), parts, section.Valid() ? section.Fd() : -1, false, deadline);
  if (send_ec && send_ec != Status::kPortDisconnected) return send_ec;

  std::vector<std::byte> buffer(sizeof(wire::ConnectReply) + wire::kMaxConnectInfo);
  ReceivedPacket packet;
  if (auto ec = ReceivePacket(socket.Get(), buffer, deadline, packet)) return ec;
  wire::ConnectReply reply;
  if (packet.size < sizeof(reply) || packet.truncated || packet.fd) return Status::kInvalidMessage;
  std::memcpy(&reply, buffer.data(), sizeof(reply));
  if (reply.magic != wire::kMagic || reply.version != wire::kVersion ||
      reply.reply_info_length != packet.size - sizeof(reply)) {
    return Status::kInvalidMessage;
  }
  if (reply_info != nullptr) {
    reply_info->assign(buffer.begin() + sizeof(reply), buffer.begin() + packet.size);
  }
  if (auto status = StatusFromWire(reply.status)) return status;

  ClientIdentity server;
  if (auto ec = PeerIdentity(socket.Get(), server)) return ec;
  ChannelLimits limits;
  limits.max_inline = std::min<size_t>(reply.max_message_length, PortMessage::kMaxInlineData);
  limits.max_data_length = reply.max_data_length;
  limits.max_receive_length = options.max_receive_length;
  out.reset(new ClientPort(std::move(socket), std::move(section), limits, server));
  return {};
}

uint32_t ClientPort::NextMessageId() {
  // Ids wrap after 2^32 requests; skip 0 and any id still waiting.
  for (;;) {
    uint32_t id = next_message_id_++;
    if (id != 0 && !waiters_.contains(id)) return id;
  }
}

void ClientPort::Disconnect(std::error_code why) {
  if (!disconnected_) disconnected_ = why;
  changed_.notify_all();
}

std::error_code ClientPort::PumpAsReader(std::unique_lock<std::mutex>& lock,
                                         std::optional<Clock::time_point> deadline) {
  reader_active_ = true;
  lock.unlock();
  auto ec = PumpOne(deadline);
  lock.lock();
  reader_active_ = false;
  changed_.notify_all();
  return ec;
}

std::error_code ClientPort::PumpOne(std::optional<Clock::time_point> deadline) {
  FrameInfo info;
  PortMessage header;
  auto ec = channel_.ReceiveHeader(deadline, info, header);
  if (ec == Status::kTimeout) return ec;
  if (ec) {
    // End of stream, or a server that sent garbage: either way this port is
    // done; every waiter returns kPortDisconnected.
    std::lock_guard lock(mutex_);
    Disconnect(Status::kPortDisconnected);
    return ec;
  }
  header.SetSender(server_);

  if (header.Type() == MessageType::kReply) {
    Waiter* waiter = nullptr;
    {
      std::lock_guard lock(mutex_);
      auto it = waiters_.find(header.MessageId());
      if (it == waiters_.end()) {
        ++dropped_replies_;  // its requester timed out: a lost reply
      } else {
        waiter = it->second;
        waiter->filling = true;
      }
    }
    if (waiter == nullptr) {
      channel_.DiscardPayload();
      return {};
    }
    PortMessage& reply = *waiter->reply;
    reply.MutableHeader() = header.Header();
    reply.SetSender(server_);
    reply.SetDataInfo({});
    auto copy_ec = channel_.FinishReceive(reply);
    std::lock_guard lock(mutex_);
    waiter->filling = false;
    waiter->done = true;
    waiter->status = copy_ec ? copy_ec : StatusFromWire(info.status);
    waiters_.erase(header.MessageId());
    if (copy_ec) Disconnect(Status::kPortDisconnected);
    changed_.notify_all();
    return {};
  }

  auto copy_ec = channel_.FinishReceive(header);
  std::lock_guard lock(mutex_);
  if (copy_ec) {
    Disconnect(Status::kPortDisconnected);
    return copy_ec;
  }
  bool port_closed = header.Type() == MessageType::kPortClosed;
  if (incoming_.size() < kMaxIncoming || port_closed) incoming_.push_back(std::move(header));
  if (port_closed) Disconnect(Status::kPortDisconnected);
  changed_.notify_all();
  return {};
}

SectionView& SectionView::operator=(SectionView&& other) noexcept {
  if (this != &other) {
    if (port_ != nullptr) port_->channel_.ReturnSendView();
    port_ = std::exchange(other.port_, nullptr);
    data_ = std::exchange(other.data_, {});
  }
  return *this;
}

SectionView::~SectionView() {
  if (port_ != nullptr) port_->channel_.ReturnSendView();
}

std::error_code ClientPort::AcquireView(size_t size, SectionView& out) {
  std::byte* base = nullptr;
  if (auto ec = channel_.LeaseSendView(size, base)) return ec;
  out = SectionView();
  out.port_ = this;
  out.data_ = std::span(base, size);
  return {};
}

std::error_code ClientPort::RequestWaitReply(const SectionView& view, const PortMessage& request,
                                             PortMessage& reply, Timeout timeout) {
  if (view.port_ != this) return Status::kInvalidParameter;
  return Call(request, &view, reply, timeout);
}

std::error_code ClientPort::RequestWaitReply(const PortMessage& request, PortMessage& reply,
                                             Timeout timeout) {
  return Call(request, nullptr, reply, timeout);
}

std::error_code ClientPort::Call(const PortMessage& request, const SectionView* view,
                                 PortMessage& reply, Timeout timeout) {
  auto deadline = DeadlineFrom(timeout);
  Waiter waiter;
  waiter.reply = &reply;
  uint32_t id;
  {
    std::lock_guard lock(mutex_);
    if (disconnected_) return disconnected_;
    id = NextMessageId();
    waiters_[id] = &waiter;
  }
  auto give_up = [&](std::unique_lock<std::mutex>& lock, std::error_code why) {
    waiters_.erase(id);
    lock.unlock();
    if (why == Status::kTimeout) {
      // Tell the server nobody waits any more (NT's LPC_LOST_REPLY), so it
      // can release what it holds for the request.
      PortMessage lost;
      (void)channel_.Send(lost, MessageType::kLostReply, id, 0, true, std::nullopt);
    }
    return why;
  };

  auto send_ec =
      view != nullptr
          ? channel_.SendFromView(request, view->data_.size(), MessageType::kRequest, id, deadline)
          : channel_.Send(request, MessageType::kRequest, id, 0, false, deadline);
  if (auto ec = send_ec) {
    std::unique_lock lock(mutex_);
    waiters_.erase(id);
    return ec;
  }

  std::unique_lock lock(mutex_);
  while (!waiter.done) {
    if (waiter.filling) {
      changed_.wait(lock);
      continue;
    }
    if (disconnected_) return give_up(lock, disconnected_);
    if (!reader_active_) {
      auto ec = PumpAsReader(lock, deadline);
      if (ec == Status::kTimeout && !waiter.done && !waiter.filling) {
        return give_up(lock, Status::kTimeout);
      }
      continue;
    }
    if (deadline) {
      if (changed_.wait_until(lock, *deadline) == std::cv_status::timeout && !waiter.done &&
          !waiter.filling) {
        return give_up(lock, Status::kTimeout);
      }
    } else {
      changed_.wait(lock);
    }
  }
  return waiter.status;
}

std::error_code ClientPort::BeginRequest(const PortMessage& request, PortMessage& reply,
                                         uint32_t& id) {
  auto waiter = std::make_unique<Waiter>();
  waiter->reply = &reply;
  {
    std::lock_guard lock(mutex_);
    if (disconnected_) return disconnected_;
    id = NextMessageId();
    waiters_[id] = waiter.get();
    async_waiters_[id] = std::move(waiter);
  }
  if (auto ec = channel_.Send(request, MessageType::kRequest, id, 0, true, std::nullopt)) {
    std::lock_guard lock(mutex_);
    waiters_.erase(id);
    async_waiters_.erase(id);
    return ec;
  }
  return {};
}

std::error_code ClientPort::PollRequest(uint32_t id) {
  std::unique_lock lock(mutex_);
  for (;;) {
    auto it = async_waiters_.find(id);
    if (it == async_waiters_.end()) return Status::kInvalidParameter;
    Waiter& waiter = *it->second;
    if (waiter.done) {
      auto status = waiter.status;
      async_waiters_.erase(it);
      return status;
    }
    if (reader_active_ || waiter.filling) {
      changed_.wait(lock);  // brief: async readers never block
      continue;
    }
    if (disconnected_) {
      auto status = disconnected_;
      waiters_.erase(id);
      async_waiters_.erase(it);
      return status;
    }
    auto ec = PumpAsReader(lock, Clock::now());
    if (ec == Status::kTimeout) {
      auto again = async_waiters_.find(id);
      if (again != async_waiters_.end() && !again->second->done) return Status::kTimeout;
    }
  }
}

void ClientPort::CancelRequest(uint32_t id) {
  std::unique_lock lock(mutex_);
  auto it = async_waiters_.find(id);
  if (it == async_waiters_.end()) return;
  while (it->second->filling) {
    changed_.wait(lock);
    it = async_waiters_.find(id);
  }
  bool answered = it->second->done;
  waiters_.erase(id);
  async_waiters_.erase(id);
  lock.unlock();
  if (!answered) {
    PortMessage lost;
    (void)channel_.Send(lost, MessageType::kLostReply, id, 0, true, std::nullopt);
  }
}

std::error_code ClientPort::Request(const PortMessage& datagram) {
  {
    std::lock_guard lock(mutex_);
    if (disconnected_) return disconnected_;
  }
  return channel_.Send(datagram, MessageType::kDatagram, 0, 0, /*nonblocking=*/true, std::nullopt);
}

std::error_code ClientPort::Receive(PortMessage& out, Timeout timeout) {
  auto deadline = DeadlineFrom(timeout);
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!incoming_.empty()) {
      out = std::move(incoming_.front());
      incoming_.pop_front();
      return {};
    }
    if (disconnected_) return disconnected_;
    if (!reader_active_) {
      auto ec = PumpAsReader(lock, deadline);
      if (ec == Status::kTimeout && incoming_.empty()) return Status::kTimeout;
      continue;
    }
    if (deadline) {
      if (changed_.wait_until(lock, *deadline) == std::cv_status::timeout && incoming_.empty()) {
        return Status::kTimeout;
      }
    } else {
      changed_.wait(lock);
    }
  }
}

void ClientPort::Close() {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  if (!disconnected_) {
    PortMessage closing;
    (void)channel_.Send(closing, MessageType::kPortClosed, 0, 0, true, std::nullopt);
  }
  channel_.Shutdown();
  Disconnect(Status::kPortDisconnected);
}

PortInformation ClientPort::Query() const {
  PortInformation info = channel_.Counters();
  info.peer = server_;
  return info;
}

}  // namespace alpaca::lpc
