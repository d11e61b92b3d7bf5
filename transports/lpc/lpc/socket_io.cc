#include "socket_io.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "alpaca/base/syscall.h"
#include "alpaca/lpc/status.h"

namespace alpaca::lpc {
namespace {

int PollTimeoutMs(std::optional<Clock::time_point> deadline) {
  if (!deadline) return -1;
  auto left = *deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

}  // namespace

std::optional<Clock::time_point> DeadlineFrom(const Timeout& timeout) {
  if (!timeout) return std::nullopt;
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(*timeout);
}

std::error_code WaitFd(int fd, short events, std::optional<Clock::time_point> deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, PollTimeoutMs(deadline));
    if (rc < 0) {
      if (errno == EINTR) continue;
      return ErrnoCode(errno);
    }
    if (rc == 0) {
      if (deadline && Clock::now() < *deadline) continue;  // rounding
      return Status::kTimeout;
    }
    return {};
  }
}

std::error_code SendPacket(int fd, std::span<const iovec> parts, int pass_fd, bool nonblocking,
                           std::optional<Clock::time_point> deadline,
                           const ClientIdentity* credentials) {
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(parts.data());
  msg.msg_iovlen = parts.size();
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(ucred))];
  if (pass_fd >= 0 || credentials != nullptr) {
    std::memset(control, 0, sizeof(control));
    msg.msg_control = control;
    msg.msg_controllen = (pass_fd >= 0 ? CMSG_SPACE(sizeof(int)) : 0) +
                         (credentials != nullptr ? CMSG_SPACE(sizeof(ucred)) : 0);
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    if (pass_fd >= 0) {
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
      cm = CMSG_NXTHDR(&msg, cm);
    }
    if (credentials != nullptr) {
      // pid 0: ours, taken now (the kernel accepts only our own, and a
      // forked child is another process).
      ucred cred{credentials->pid != 0 ? credentials->pid : ::getpid(), credentials->uid,
                 credentials->gid};
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_CREDENTIALS;
      cm->cmsg_len = CMSG_LEN(sizeof(ucred));
      std::memcpy(CMSG_DATA(cm), &cred, sizeof(cred));
    }
  }
  for (;;) {
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return {};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (nonblocking) return Status::kQuotaExceeded;
      if (auto ec = WaitFd(fd, POLLOUT, deadline)) return ec;
      continue;
    }
    if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN) {
      return Status::kPortDisconnected;
    }
    if (errno == EMSGSIZE) return Status::kMessageTooLong;
    if (errno == ENOBUFS || errno == ENOMEM) return Status::kQuotaExceeded;
    return ErrnoCode(errno);
  }
}

std::error_code ReceivePacket(int fd, std::span<std::byte> buffer,
                              std::optional<Clock::time_point> deadline, ReceivedPacket& out) {
  out = ReceivedPacket{};
  // Room for as many descriptors as the kernel passes in one message
  // (SCM_MAX_FD): descriptors that do not fit are dropped by the kernel on
  // this very thread, and a peer can make such a close block (see peer_fd.h).
  // All are received, so that all but one go to the closer thread.
  constexpr size_t kMaxPassedFds = 253;
  alignas(
      cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPassedFds) + CMSG_SPACE(sizeof(ucred))];
  for (;;) {
    iovec iov{buffer.data(), buffer.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    // Without a deadline a blocking socket is read with one blocking call
    // (one syscall, as in a raw ping-pong); otherwise poll, then read.
    int flags = MSG_CMSG_CLOEXEC | (deadline ? MSG_DONTWAIT : 0);
    ssize_t n = ::recvmsg(fd, &msg, flags);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (deadline && *deadline <= Clock::now()) return Status::kTimeout;
        if (auto ec = WaitFd(fd, POLLIN, deadline)) return ec;
        continue;
      }
      if (errno == ECONNRESET || errno == ENOTCONN) return Status::kPortDisconnected;
      return ErrnoCode(errno);
    }
    for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
      if (cm->cmsg_level != SOL_SOCKET) continue;
      if (cm->cmsg_type == SCM_RIGHTS) {
        size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
          int received;
          std::memcpy(&received, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
          if (!out.fd) {
            out.fd.Reset(received);
          } else {
            ClosePeerFd(received);
            out.extra_fds = true;
          }
        }
      } else if (cm->cmsg_type == SCM_CREDENTIALS && cm->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
        ucred cred;
        std::memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
        out.credentials = {cred.pid, cred.uid, cred.gid};
        out.has_credentials = true;
      }
    }
    if ((msg.msg_flags & MSG_CTRUNC) != 0) out.extra_fds = true;
    if (n == 0 && !out.fd) return Status::kPortDisconnected;  // end of stream
    out.size = static_cast<size_t>(n);
    out.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    return {};
  }
}

std::error_code PeerIdentity(int fd, ClientIdentity& out) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return ErrnoCode(errno);
  out = {cred.pid, cred.uid, cred.gid};
  return {};
}

}  // namespace alpaca::lpc
