#include "alpaca/tcp/client_channel.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

#include "alpaca/base/unique_fd.h"
#include "alpaca/co_stream/socket_channel.h"

namespace alpaca::tcp {

std::error_code ConnectChannel(const std::string& host, std::uint16_t port,
                               std::chrono::milliseconds timeout,
                               std::unique_ptr<dcerpc::ClientChannel>& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &list) != 0 || !list) {
    return std::make_error_code(std::errc::host_unreachable);
  }
  std::error_code last = std::make_error_code(std::errc::host_unreachable);
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) {
      last = {errno, std::system_category()};
      continue;
    }
    if (auto ec = co_stream::ConnectSocket(fd.Get(), ai->ai_addr, ai->ai_addrlen, timeout)) {
      last = ec;
      continue;
    }
    int one = 1;
    ::setsockopt(fd.Get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::freeaddrinfo(list);
    out = co_stream::MakeSocketChannel(std::move(fd));
    return {};
  }
  ::freeaddrinfo(list);
  return last;
}

}  // namespace alpaca::tcp
