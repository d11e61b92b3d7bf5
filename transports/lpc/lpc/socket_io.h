// Packet I/O on a Unix SOCK_SEQPACKET socket, with descriptor passing
// (SCM_RIGHTS) and kernel credentials (SCM_CREDENTIALS). One packet is one
// message; the kernel keeps boundaries and order.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <span>
#include <system_error>

#include "alpaca/base/unique_fd.h"
#include "alpaca/lpc/peer_fd.h"
#include "alpaca/lpc/port_attributes.h"
#include "alpaca/lpc/port_message.h"

namespace alpaca::lpc {

struct ReceivedPacket {
  size_t size = 0;
  bool truncated = false;  // the packet was longer than the buffer
  PeerFd fd;               // at most one passed descriptor is kept
  bool extra_fds = false;  // more than one was passed (the others are closed off-thread)
  bool has_credentials = false;
  ClientIdentity credentials;  // SCM_CREDENTIALS, if the socket has SO_PASSCRED
};

// Sends one packet. `nonblocking` maps a full queue to kQuotaExceeded at once;
// otherwise waits until `deadline` (kTimeout). A vanished peer gives
// kPortDisconnected. `credentials`, if given, are sent as SCM_CREDENTIALS
// (the kernel checks them: our pid, and ids we hold; pid 0 means ours);
// otherwise a receiver
// with SO_PASSCRED gets our pid and *real* uid and gid.
std::error_code SendPacket(int fd, std::span<const iovec> parts, int pass_fd, bool nonblocking,
                           std::optional<Clock::time_point> deadline,
                           const ClientIdentity* credentials = nullptr);

// Receives one packet; kTimeout when none arrives by `deadline` (a deadline in
// the past polls), kPortDisconnected at end of stream.
std::error_code ReceivePacket(int fd, std::span<std::byte> buffer,
                              std::optional<Clock::time_point> deadline, ReceivedPacket& out);

// Waits for `events` on fd until deadline: {} when ready, kTimeout otherwise.
std::error_code WaitFd(int fd, short events, std::optional<Clock::time_point> deadline);

std::optional<Clock::time_point> DeadlineFrom(const Timeout& timeout);

// SO_PEERCRED of a connected Unix socket.
std::error_code PeerIdentity(int fd, ClientIdentity& out);

}  // namespace alpaca::lpc
