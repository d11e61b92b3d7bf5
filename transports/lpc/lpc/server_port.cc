#include "lpc/server_port.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "lpc/status.h"

namespace alpaca::lpc {
namespace {

// Every held request costs at least this much, so that a flood of empty
// requests is bounded by MaxPoolUsage too.
constexpr size_t kMinimumCharge = 512;

}  // namespace

ServerPort::ServerPort(UniqueFd socket, Section section, ChannelLimits limits,
                       ClientIdentity client, std::vector<std::byte> connect_info,
                       size_t max_pool_usage, std::shared_ptr<void> context)
    : channel_(std::move(socket), std::move(section), ChannelSide::kServer, limits),
      client_(client),
      connect_info_(std::move(connect_info)),
      max_pool_usage_(max_pool_usage),
      context_(std::move(context)),
      pool_usage_(channel_.GetSection().Size()) {}

ServerPort::Admission ServerPort::AdmitRequest(uint32_t message_id, uint64_t payload_length) {
  size_t charge = std::max<uint64_t>(payload_length, kMinimumCharge);
  std::lock_guard lock(pool_mutex_);
  if (pending_.contains(message_id)) return Admission::kDuplicate;
  if (charge > max_pool_usage_ || pool_usage_ > max_pool_usage_ - charge) {
    return Admission::kOverQuota;
  }
  pending_.emplace(message_id, charge);
  pool_usage_ += charge;
  return Admission::kAdmitted;
}

void ServerPort::ForgetRequest(uint32_t message_id) {
  std::lock_guard lock(pool_mutex_);
  auto it = pending_.find(message_id);
  if (it == pending_.end()) return;
  pool_usage_ -= it->second;
  pending_.erase(it);
}

void ServerPort::MarkDisconnected() {
  connected_.store(false, std::memory_order_release);
  std::lock_guard lock(pool_mutex_);
  pending_.clear();
  pool_usage_ = channel_.GetSection().Size();
}

bool ServerPort::IsPending(const PortMessage& request) const {
  if (request.Type() != MessageType::kRequest) return false;
  std::lock_guard lock(pool_mutex_);
  return pending_.contains(request.MessageId());
}

std::error_code ServerPort::Reply(const PortMessage& request, const PortMessage& reply) {
  if (!Connected()) return Status::kPortDisconnected;
  {
    std::lock_guard lock(pool_mutex_);
    auto it = request.Type() == MessageType::kRequest ? pending_.find(request.MessageId())
                                                      : pending_.end();
    if (it == pending_.end()) return Status::kReplyMismatch;
    pool_usage_ -= it->second;
    pending_.erase(it);
  }
  auto ec = channel_.Send(reply, MessageType::kReply, request.MessageId(), 0, /*nonblocking=*/true,
                          std::nullopt);
  if (ec == Status::kQuotaExceeded) {
    // The client does not read its socket. Dropping the reply silently would
    // leave its caller waiting forever; cut it off instead, so it sees
    // kPortDisconnected (and the server hears "client died").
    MarkDisconnected();
    channel_.Shutdown();
  }
  return ec;
}

std::error_code ServerPort::SendDatagram(const PortMessage& message) {
  if (!Connected()) return Status::kPortDisconnected;
  return channel_.Send(message, MessageType::kDatagram, 0, 0, /*nonblocking=*/true, std::nullopt);
}

std::error_code ServerPort::CheckRange(const PortMessage& request, size_t index, uint64_t offset,
                                       size_t length, uint32_t access) const {
  if (!Connected()) return Status::kPortDisconnected;
  if (!IsPending(request)) return Status::kReplyMismatch;
  auto entries = request.DataInfo();
  if (index >= entries.size()) return Status::kInvalidDataInfo;
  const DataInfoEntry& entry = entries[index];
  if ((entry.access & access) == 0) return Status::kInvalidDataInfo;
  if (offset > entry.length || length > entry.length - offset) return Status::kInvalidDataInfo;
  if (entry.address > UINT64_MAX - entry.length) return Status::kInvalidDataInfo;
  return {};
}

namespace {

std::error_code MapVmError(ssize_t done, size_t wanted) {
  if (done >= 0) {
    return static_cast<size_t>(done) == wanted ? std::error_code{} : Status::kPartialCopy;
  }
  switch (errno) {
    case EPERM:
    case EACCES:
      return Status::kAccessDenied;
    case ESRCH:
      return Status::kPortDisconnected;
    case EFAULT:
      return Status::kPartialCopy;
    default:
      return ErrnoCode(errno);
  }
}

}  // namespace

std::error_code ServerPort::ReadRequestData(const PortMessage& request, size_t index,
                                            uint64_t offset, std::span<std::byte> destination) {
  if (auto ec = CheckRange(request, index, offset, destination.size(), kDataRead)) return ec;
  if (destination.empty()) return {};
  const DataInfoEntry& entry = request.DataInfo()[index];
  iovec local{destination.data(), destination.size()};
  iovec remote{reinterpret_cast<void*>(entry.address + offset), destination.size()};
  // The pid is the kernel's (SCM_CREDENTIALS of this very request), never a
  // number from the message bytes.
  ssize_t n = ::process_vm_readv(request.Sender().pid, &local, 1, &remote, 1, 0);
  return MapVmError(n, destination.size());
}

std::error_code ServerPort::WriteRequestData(const PortMessage& request, size_t index,
                                             uint64_t offset, std::span<const std::byte> source) {
  if (auto ec = CheckRange(request, index, offset, source.size(), kDataWrite)) return ec;
  if (source.empty()) return {};
  const DataInfoEntry& entry = request.DataInfo()[index];
  iovec local{const_cast<std::byte*>(source.data()), source.size()};
  iovec remote{reinterpret_cast<void*>(entry.address + offset), source.size()};
  ssize_t n = ::process_vm_writev(request.Sender().pid, &local, 1, &remote, 1, 0);
  return MapVmError(n, source.size());
}

void ServerPort::Close() {
  if (!connected_.exchange(false)) return;
  PortMessage closing;
  (void)channel_.Send(closing, MessageType::kPortClosed, 0, 0, true, std::nullopt);
  channel_.Shutdown();
}

PortInformation ServerPort::Query() const {
  PortInformation info = channel_.Counters();
  info.peer = client_;
  std::lock_guard lock(pool_mutex_);
  info.pool_usage = pool_usage_;
  return info;
}

}  // namespace alpaca::lpc
