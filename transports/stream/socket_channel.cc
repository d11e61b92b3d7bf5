#include "alpaca/co_stream/socket_channel.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "alpaca/base/syscall.h"
#include "alpaca/base/unique_fd.h"
#include "alpaca/dcerpc/constants.h"
#include "alpaca/dcerpc/pdu.h"

namespace alpaca::co_stream {
namespace {

using Clock = std::chrono::steady_clock;

std::error_code Errno() { return {errno, std::system_category()}; }

class SocketChannel final : public dcerpc::ClientChannel {
 public:
  explicit SocketChannel(UniqueFd fd) : fd_(std::move(fd)) {}

  std::error_code Send(std::span<const std::uint8_t> m) override {
    while (!m.empty()) {
      ssize_t n = RetryEintr([&] { return ::send(fd_.Get(), m.data(), m.size(), MSG_NOSIGNAL); });
      if (n < 0) return Errno();
      m = m.subspan(static_cast<std::size_t>(n));
    }
    return {};
  }

  std::error_code Receive(std::vector<std::uint8_t>& message, Clock::time_point deadline,
                          const std::atomic<bool>* cancel) override {
    // A PDU cut short by a timeout or a cancel is kept and resumed by the
    // next Receive: the connection stays in step with the byte stream.
    if (have_ < dcerpc::kCommonHeaderSize) {
      partial_.resize(dcerpc::kCommonHeaderSize);
      if (auto ec = ReadInto(deadline, cancel)) return ec;
    }
    std::uint16_t frag_length = 0;
    if (auto ec = dcerpc::PeekFragLength(std::span<const std::uint8_t, dcerpc::kCommonHeaderSize>(
                                             partial_.data(), dcerpc::kCommonHeaderSize),
                                         frag_length)) {
      return ec;
    }
    partial_.resize(frag_length);
    if (auto ec = ReadInto(deadline, cancel)) return ec;
    message = std::move(partial_);
    partial_ = {};
    have_ = 0;
    return {};
  }

  void Close() override { fd_.Reset(); }

 private:
  // Fills partial_ from have_ to its size.
  std::error_code ReadInto(Clock::time_point deadline, const std::atomic<bool>* cancel) {
    while (have_ < partial_.size()) {
      if (!fd_) return std::make_error_code(std::errc::not_connected);
      if (cancel && cancel->load()) return std::make_error_code(std::errc::operation_canceled);
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::make_error_code(std::errc::timed_out);
      // Wake at least every 20 ms to notice cancellation.
      int wait = static_cast<int>(std::min<long long>(left.count(), cancel ? 20 : 1 << 30));
      pollfd p{fd_.Get(), POLLIN, 0};
      int r = RetryEintr([&] { return ::poll(&p, 1, wait); });
      if (r < 0) return Errno();
      if (r == 0) continue;
      ssize_t n = RetryEintr(
          [&] { return ::recv(fd_.Get(), partial_.data() + have_, partial_.size() - have_, 0); });
      if (n < 0) return Errno();
      if (n == 0) return std::make_error_code(std::errc::connection_reset);
      have_ += static_cast<std::size_t>(n);
    }
    return {};
  }

  std::vector<std::uint8_t> partial_;
  std::size_t have_ = 0;
  UniqueFd fd_;
};

}  // namespace

std::unique_ptr<dcerpc::ClientChannel> MakeSocketChannel(UniqueFd fd) {
  return std::make_unique<SocketChannel>(std::move(fd));
}

std::error_code ConnectSocket(int fd, const sockaddr* address, socklen_t length,
                              std::chrono::milliseconds timeout) {
  int flags = 1;
  ::ioctl(fd, FIONBIO, &flags);
  int r = ::connect(fd, address, length);
  if (r < 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    r = RetryEintr([&] { return ::poll(&p, 1, static_cast<int>(timeout.count())); });
    if (r == 0) return std::make_error_code(std::errc::timed_out);
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    r = err ? -1 : 0;
    errno = err;
  }
  if (r < 0) return Errno();
  // Back to blocking: reads are bounded by poll(), writes block.
  flags = 0;
  ::ioctl(fd, FIONBIO, &flags);
  return {};
}

}  // namespace alpaca::co_stream
