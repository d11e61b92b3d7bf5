// ServerPort — the server's communication port for one connected client
// (what NtAcceptConnectPort returns). Messages from its client arrive through
// the owning ConnectionPort's ReplyWaitReceive; replies and datagrams to the
// client, and direct access to the client's declared buffers, go through here.
//
// Thread contract: every method may be called from any thread. Lifetime: held
// by shared_ptr; the ConnectionPort drops its reference when the client
// closes, dies or misbehaves, after which sends return kPortDisconnected.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "alpaca/base/unique_fd.h"
#include "alpaca/lpc/channel.h"
#include "alpaca/lpc/port_attributes.h"
#include "alpaca/lpc/port_message.h"

namespace alpaca::lpc {

class ConnectionPort;

class ServerPort {
 public:
  ServerPort(UniqueFd socket, Section section, ChannelLimits limits, ClientIdentity client,
             std::vector<std::byte> connect_info, size_t max_pool_usage,
             std::shared_ptr<void> context);
  ServerPort(const ServerPort&) = delete;
  ServerPort& operator=(const ServerPort&) = delete;

  const ClientIdentity& Client() const { return client_; }
  std::span<const std::byte> ConnectInfo() const { return connect_info_; }
  const std::shared_ptr<void>& Context() const { return context_; }
  bool Connected() const { return connected_.load(std::memory_order_acquire); }

  // NtReplyPort: answers a request received from this port. kReplyMismatch
  // when `request` is not a request of this client still awaiting a reply.
  std::error_code Reply(const PortMessage& request, const PortMessage& reply);
  // NtRequestPort towards the client: a datagram. Never blocks on a client
  // that does not read: a full queue is kQuotaExceeded.
  std::error_code SendDatagram(const PortMessage& message);

  // NtReadRequestData / NtWriteRequestData: copies between our memory and
  // buffer `index` that the client declared in `request` (still pending),
  // at `offset`. kInvalidDataInfo for an undeclared range or access,
  // kAccessDenied when the client did not allow it at connect
  // (ConnectOptions::allow_server_memory_access), the kernel refuses (ptrace
  // policy) or the request was
  // sent by another process than the one that connected (a forked child
  // sharing the connection), kPartialCopy when the client's memory is not
  // all there, kPortDisconnected once the connecting process has exited or
  // exec'd. Copies go through the connecting process's /proc/<pid>/mem
  // opened at accept, never through a pid: they reach that address space or
  // nothing, whatever process holds the pid later.
  std::error_code ReadRequestData(const PortMessage& request, size_t index, uint64_t offset,
                                  std::span<std::byte> destination);
  std::error_code WriteRequestData(const PortMessage& request, size_t index, uint64_t offset,
                                   std::span<const std::byte> source);

  // NtClose of the communication port: the client sees port closed.
  void Close();

  PortInformation Query() const;

 private:
  friend class ConnectionPort;

  enum class Admission { kAdmitted, kOverQuota, kDuplicate };
  Admission AdmitRequest(uint32_t message_id, uint64_t payload_length);
  void ForgetRequest(uint32_t message_id);
  bool IsPending(const PortMessage& request) const;
  // Stops replies and memory access: pending requests are forgotten, so a
  // recycled pid can never be read through a request of a dead client.
  void MarkDisconnected();
  std::error_code CheckRange(const PortMessage& request, size_t index, uint64_t offset,
                             size_t length, uint32_t access) const;
  // Opens client_memory_ for the connecting process (see ReadRequestData).
  void OpenClientMemory();
  std::error_code CheckMemoryAccess(const PortMessage& request) const;

  Channel channel_;
  const ClientIdentity client_;
  const std::vector<std::byte> connect_info_;
  const size_t max_pool_usage_;
  std::shared_ptr<void> context_;
  // The connecting process's address space, bound at accept; or why not.
  UniqueFd client_memory_;
  std::error_code client_memory_error_;
  std::atomic<bool> connected_{true};
  std::atomic<bool> closed_by_peer_{false};
  uint64_t token_ = 0;                   // epoll key; set once by ConnectionPort
  std::vector<std::byte> accept_reply_;  // reply info held from Accept to Complete

  mutable std::mutex pool_mutex_;
  std::unordered_map<uint32_t, size_t> pending_;  // message id -> pool charge
  size_t pool_usage_ = 0;
};

}  // namespace alpaca::lpc
