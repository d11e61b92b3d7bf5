#include "alpaca/lpc/peer_fd.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace alpaca::lpc {
namespace {

// The kernel passes at most SCM_MAX_FD (253) descriptors in one message.
constexpr size_t kMaxPassedFds = 253;
// A peer that keeps writing while we drain gets no more than this many reads.
constexpr int kMaxDrainPackets = 1024;

void CloseAbortively(int fd) {
  // Last close of a lingering TCP socket waits up to its linger time, and
  // only for unsent data; linger 0 turns it into a reset, which is what a
  // socket nobody here will ever use deserves.
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
    linger abortive{1, 0};
    (void)::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive));
  }
  ::close(fd);
}

void DrainAndClose(int fd) {
  // Refuse anything further, then take what is queued out, so that the passed
  // descriptors are closed abortively here and not by the kernel as the queue
  // is freed, and so that closing does not reset a reply the peer has yet to
  // read.
  ::shutdown(fd, SHUT_RDWR);
  for (int i = 0; i < kMaxDrainPackets; ++i) {
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPassedFds) + CMSG_SPACE(64)];
    char byte;
    iovec iov{&byte, 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    bool had_fds = false;
    for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
      if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t k = 0; k < count; ++k) {
        int passed;
        std::memcpy(&passed, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
        CloseAbortively(passed);
        had_fds = true;
      }
    }
    // Zero bytes without descriptors: end of stream (or an empty packet).
    if (n == 0 && !had_fds && (msg.msg_flags & MSG_TRUNC) == 0) break;
  }
  ::close(fd);
}

class Closer {
 public:
  void Push(int fd, bool drain) noexcept {
    pending_.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(mutex_);
      if (!started_) {
        try {
          std::thread([this] { Run(); }).detach();
          started_ = true;
        } catch (...) {
          // No thread to be had (resource limits): closing here is all that
          // is left; better than leaking the descriptor.
        }
      }
      if (started_) {
        try {
          jobs_.push_back({fd, drain});
          changed_.notify_one();
          return;
        } catch (...) {
        }
      }
    }
    Close({fd, drain});
  }

  size_t Pending() const noexcept { return pending_.load(std::memory_order_relaxed); }

 private:
  struct Job {
    int fd;
    bool drain;
  };

  void Close(Job job) noexcept {
    if (job.drain) {
      DrainAndClose(job.fd);
    } else {
      CloseAbortively(job.fd);
    }
    pending_.fetch_sub(1, std::memory_order_relaxed);
  }

  void Run() noexcept {
    // Signals are for the application's threads; this one may sit in a close
    // for a long time.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !jobs_.empty(); });
        job = jobs_.front();
        jobs_.pop_front();
      }
      Close(job);
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> jobs_;
  bool started_ = false;
  std::atomic<size_t> pending_{0};
};

// Never destroyed: the closer thread may be inside a close at exit. A forked
// child starts afresh (the parent's thread does not exist there, and its
// mutex may have been held at the fork).
std::atomic<Closer*> g_closer{nullptr};

Closer& TheCloser() noexcept {
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, [] { g_closer.store(nullptr); });
    return true;
  }();
  (void)registered;
  Closer* closer = g_closer.load(std::memory_order_acquire);
  if (closer != nullptr) return *closer;
  auto* fresh = new Closer();
  if (g_closer.compare_exchange_strong(closer, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;  // another thread won; its closer has not started a thread for us
  return *closer;
}

}  // namespace

void ClosePeerFd(int fd) noexcept {
  if (fd >= 0) TheCloser().Push(fd, false);
}

void CloseSocketOffThread(UniqueFd socket) noexcept {
  if (socket) TheCloser().Push(socket.Release(), true);
}

size_t PeerFdsPendingClose() noexcept {
  Closer* closer = g_closer.load(std::memory_order_acquire);
  return closer == nullptr ? 0 : closer->Pending();
}

}  // namespace alpaca::lpc
