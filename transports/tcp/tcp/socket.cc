#include "alpaca/tcp/socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio.hpp>

namespace alpaca::tcp {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// The key connections are counted under for max_connections_per_address:
// the address itself, or the /64 prefix of an IPv6 address.
std::string AddressKey(const asio::ip::address& a) {
  if (a.is_v6() && !a.to_v6().is_v4_mapped()) {
    auto bytes = a.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return asio::ip::address_v6(bytes).to_string() + "/64";
  }
  if (a.is_v6()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

}  // namespace

std::error_code ListenSocket(const std::string& address, std::uint16_t port, UniqueFd& out,
                             std::uint16_t& bound_port) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) return std::make_error_code(std::errc::invalid_argument);
  asio::io_context io;
  tcp::acceptor acceptor(io);
  tcp::endpoint ep(ip, port);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) bound_port = acceptor.local_endpoint(ec).port();
  if (ec) return std::error_code(ec.value(), std::system_category());
  out = UniqueFd(acceptor.release(ec));
  if (ec) return std::error_code(ec.value(), std::system_category());
  return {};
}

std::optional<co_stream::Admission> AdmitPeer(int fd) {
  tcp::endpoint remote;
  socklen_t length = static_cast<socklen_t>(remote.capacity());
  if (::getpeername(fd, remote.data(), &length) != 0) return std::nullopt;  // already gone
  remote.resize(length);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  co_stream::Admission admission;
  admission.peer.protseq = "ncacn_ip_tcp";
  admission.peer.address = remote.address().to_string();
  admission.peer.port = remote.port();
  admission.key = AddressKey(remote.address());
  return admission;
}

}  // namespace alpaca::tcp
