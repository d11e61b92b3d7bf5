// Descriptors a peer can make expensive to close.
//
// The last close of a descriptor runs its file's release code on the closing
// thread, and some of it blocks for as long as the file's owner likes: a TCP
// socket with SO_LINGER and a full send queue (tcp_close waits up to the
// linger time), a FUSE file (flush waits for the FUSE daemon), a Unix socket
// whose queue carries such descriptors in turn. A peer can pass any of these
// with SCM_RIGHTS, and a socket whose receive queue still holds passed
// descriptors hands them to whoever closes it. So nothing a peer supplied is
// closed on a thread that serves others: it goes to one process-wide closer
// thread. Sockets among them are first made abortive (SO_LINGER 0), so the
// well-known blocking close does not even hold the closer.
//
// A descriptor checked to be a tmpfs file (a section, see section.cc) is safe
// to close anywhere and leaves PeerFd through Release().
#pragma once

#include <cstddef>
#include <utility>

#include "alpaca/base/unique_fd.h"

namespace alpaca::lpc {

// Closes a descriptor received from a peer on the closer thread.
void ClosePeerFd(int fd) noexcept;

// Closes one of our sockets on the closer thread after shutting it down and
// draining what the peer queued on it (passed descriptors included, which are
// closed there too). A reply we queued before stays readable for the peer:
// closing with unread data would reset the connection and lose it.
void CloseSocketOffThread(UniqueFd socket) noexcept;

// Descriptors handed to the closer and not yet closed (for tests/diagnostics).
size_t PeerFdsPendingClose() noexcept;

// A descriptor received from a peer: closed on the closer thread unless the
// holder checked it and took it with Release().
class PeerFd {
 public:
  PeerFd() noexcept = default;
  explicit PeerFd(int fd) noexcept : fd_(fd) {}
  PeerFd(PeerFd&& other) noexcept : fd_(other.Release()) {}
  PeerFd& operator=(PeerFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  PeerFd(const PeerFd&) = delete;
  PeerFd& operator=(const PeerFd&) = delete;
  ~PeerFd() { Reset(); }

  int Get() const noexcept { return fd_; }
  bool Valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return Valid(); }
  int Release() noexcept { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) noexcept {
    if (fd_ >= 0) ClosePeerFd(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A socket a peer writes to: its queue may hold passed descriptors, so it is
// closed like them (CloseSocketOffThread) when it goes.
class PeerSocket {
 public:
  PeerSocket() noexcept = default;
  // Implicit: every Unix socket the port library owns is one of these.
  PeerSocket(UniqueFd fd) noexcept : fd_(std::move(fd)) {}  // NOLINT(google-explicit-constructor)
  PeerSocket(PeerSocket&&) noexcept = default;
  PeerSocket& operator=(PeerSocket&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::move(other.fd_);
    }
    return *this;
  }
  PeerSocket(const PeerSocket&) = delete;
  PeerSocket& operator=(const PeerSocket&) = delete;
  ~PeerSocket() { Reset(); }

  int Get() const noexcept { return fd_.Get(); }
  bool Valid() const noexcept { return fd_.Valid(); }
  explicit operator bool() const noexcept { return Valid(); }
  void Reset() noexcept {
    if (fd_) CloseSocketOffThread(std::move(fd_));
  }
  // Hands the socket on as a plain descriptor (the taker closes it).
  UniqueFd Take() && noexcept { return std::move(fd_); }

 private:
  UniqueFd fd_;
};

}  // namespace alpaca::lpc
