#include "alpaca/lpc/server_port.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>

#include "alpaca/lpc/status.h"

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

void ServerPort::OpenClientMemory() {
  // Called at accept, while the connecting process waits for its reply. A
  // pid is only a number that the kernel recycles once the process exits, so
  // every later copy goes through a descriptor instead: /proc/<pid>/mem is
  // bound to the address space it was opened on and reads or writes nothing
  // after that process exits or execs. The /proc/<pid> directory descriptor
  // pins one process the way a pidfd does (its entries fail once that process
  // is gone, even if the pid is reused), so "mem" and the owner checked below
  // are the same process's. The owner check (euid/egid, as SO_PEERCRED
  // reported them at connect) refuses a pid that was recycled to another
  // identity before we got here, e.g. a root process, and a non-dumpable
  // (setuid) one, which /proc shows as root.
  auto fail = [&](std::error_code ec) { client_memory_error_ = ec; };
  if (client_.pid <= 0) return fail(Status::kAccessDenied);  // not in our pid namespace
  std::string path = "/proc/" + std::to_string(client_.pid);
  UniqueFd dir(::open(path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!dir) return fail(Status::kPortDisconnected);
  UniqueFd memory(::openat(dir.Get(), "mem", O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!memory) {
    switch (errno) {
      case EACCES:
      case EPERM:
        return fail(Status::kAccessDenied);  // ptrace policy (Yama, uids)
      case ENOENT:
      case ESRCH:
        return fail(Status::kPortDisconnected);
      default:
        return fail(ErrnoCode(errno));
    }
  }
  struct stat owner {};
  if (::fstat(dir.Get(), &owner) != 0 || owner.st_uid != client_.uid ||
      owner.st_gid != client_.gid) {
    return fail(Status::kAccessDenied);
  }
  client_memory_ = std::move(memory);
}

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

// One pread/pwrite loop on /proc/<pid>/mem. A return of 0 means the address
// space is gone (the process exited or exec'd); EIO means the range is not
// all mapped.
template <typename Io>
std::error_code CopyClientMemory(int memory, uint64_t address, size_t length, Io io) {
  size_t done = 0;
  while (done < length) {
    // Offsets are signed: no user address lies beyond INT64_MAX.
    if (address + done > static_cast<uint64_t>(INT64_MAX)) return Status::kPartialCopy;
    ssize_t n = io(memory, done, static_cast<off_t>(address + done));
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) return Status::kPortDisconnected;
    switch (errno) {
      case EINTR:
        continue;
      case EIO:
      case EFAULT:
      case EINVAL:
        return Status::kPartialCopy;
      case EPERM:
      case EACCES:
        return Status::kAccessDenied;
      default:
        return ErrnoCode(errno);
    }
  }
  return {};
}

}  // namespace

std::error_code ServerPort::CheckMemoryAccess(const PortMessage& request) const {
  if (client_memory_error_) return client_memory_error_;
  // Only the connecting process's own requests name buffers in the address
  // space we hold. A forked child sharing the connection has another one
  // (and its pid may already belong to someone else): refused.
  if (request.Sender().pid != client_.pid) return Status::kAccessDenied;
  return {};
}

std::error_code ServerPort::ReadRequestData(const PortMessage& request, size_t index,
                                            uint64_t offset, std::span<std::byte> destination) {
  if (auto ec = CheckRange(request, index, offset, destination.size(), kDataRead)) return ec;
  if (auto ec = CheckMemoryAccess(request)) return ec;
  if (destination.empty()) return {};
  const DataInfoEntry& entry = request.DataInfo()[index];
  return CopyClientMemory(client_memory_.Get(), entry.address + offset, destination.size(),
                          [&](int fd, size_t done, off_t at) {
                            return ::pread(fd, destination.data() + done, destination.size() - done,
                                           at);
                          });
}

std::error_code ServerPort::WriteRequestData(const PortMessage& request, size_t index,
                                             uint64_t offset, std::span<const std::byte> source) {
  if (auto ec = CheckRange(request, index, offset, source.size(), kDataWrite)) return ec;
  if (auto ec = CheckMemoryAccess(request)) return ec;
  if (source.empty()) return {};
  const DataInfoEntry& entry = request.DataInfo()[index];
  return CopyClientMemory(client_memory_.Get(), entry.address + offset, source.size(),
                          [&](int fd, size_t done, off_t at) {
                            return ::pwrite(fd, source.data() + done, source.size() - done, at);
                          });
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
