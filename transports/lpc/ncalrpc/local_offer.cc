#include "local_offer.h"

#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "alpaca/lpc/port_name.h"

namespace alpaca::ncalrpc {
namespace {

constexpr const char* kMagic = "alpaca-local-offer 1";
constexpr std::size_t kMaxOfferBytes = 64 * 1024;

// The inode of this process's network namespace: TCP ports are per netns.
std::string NetworkNamespaceId() {
  char link[64] = {};
  ssize_t n = ::readlink("/proc/self/ns/net", link, sizeof(link) - 1);
  if (n <= 0) return "0";
  std::string text(link, static_cast<std::size_t>(n));  // "net:[4026531840]"
  auto open = text.find('['), close = text.find(']');
  if (open == std::string::npos || close == std::string::npos || close <= open) return "0";
  return text.substr(open + 1, close - open - 1);
}

std::string OfferDirectory() { return lpc::NamespaceDirectory() + "/tcp"; }

std::string OfferPath(std::uint16_t port) {
  return OfferDirectory() + "/" + NetworkNamespaceId() + "-" + std::to_string(port);
}

bool ProcessAlive(std::int32_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

std::optional<LocalOffer> ReadOffer(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(kMaxOfferBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxOfferBytes) return std::nullopt;
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line) || line != kMagic) return std::nullopt;
  LocalOffer offer;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "pid") {
      fields >> offer.pid;
    } else if (key == "endpoint") {
      fields >> offer.endpoint;
    } else if (key == "interface") {
      std::string uuid;
      unsigned major = 0, minor = 0;
      fields >> uuid >> major >> minor;
      auto parsed = Uuid::Parse(uuid);
      if (!parsed || major > 0xffff || minor > 0xffff) return std::nullopt;
      offer.interfaces.push_back(
          {*parsed, static_cast<std::uint16_t>(major), static_cast<std::uint16_t>(minor)});
    }
    if (fields.fail()) return std::nullopt;
  }
  if (offer.pid <= 0 || offer.endpoint.empty()) return std::nullopt;
  return offer;
}

bool IsLoopback(const sockaddr* addr) {
  if (addr->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (addr->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
           (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
  }
  return false;
}

bool SameAddress(const sockaddr* a, const sockaddr* b) {
  if (a->sa_family != b->sa_family) return false;
  if (a->sa_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(a)->sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in*>(b)->sin_addr.s_addr;
  }
  if (a->sa_family == AF_INET6) {
    return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr,
                       &reinterpret_cast<const sockaddr_in6*>(b)->sin6_addr, sizeof(in6_addr)) == 0;
  }
  return false;
}

}  // namespace

bool LocalOffer::Offers(const rpc::InterfaceId& iface) const {
  for (const auto& i : interfaces) {
    if (i.uuid == iface.uuid && i.major == iface.major && i.minor >= iface.minor) return true;
  }
  return false;
}

std::error_code PublishLocalOffer(std::uint16_t tcp_port, const LocalOffer& offer) {
  std::string dir = OfferDirectory();
  if (auto ec = lpc::MakeDirectories(dir)) return ec;
  if (auto ec = lpc::CheckNamespaceOwnership(dir)) return ec;
  std::ostringstream text;
  text << kMagic << "\n"
       << "pid " << offer.pid << "\n"
       << "endpoint " << offer.endpoint << "\n";
  for (const auto& i : offer.interfaces) {
    text << "interface " << i.uuid.ToString() << " " << i.major << " " << i.minor << "\n";
  }
  std::string path = OfferPath(tcp_port);
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text.str();
    if (!out) return std::make_error_code(std::errc::io_error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return {err, std::system_category()};
  }
  return {};
}

void WithdrawLocalOffer(std::uint16_t tcp_port) {
  std::string path = OfferPath(tcp_port);
  auto offer = ReadOffer(path);
  if (offer && offer->pid == ::getpid()) ::unlink(path.c_str());
}

std::optional<LocalOffer> FindLocalOffer(std::uint16_t tcp_port) {
  if (lpc::CheckNamespaceOwnership(OfferDirectory())) return std::nullopt;
  auto offer = ReadOffer(OfferPath(tcp_port));
  if (!offer || !ProcessAlive(offer->pid)) return std::nullopt;
  return offer;
}

bool IsLocalHost(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return false;
  ifaddrs* interfaces = nullptr;
  if (::getifaddrs(&interfaces) != 0) interfaces = nullptr;
  bool local = false;
  for (addrinfo* a = found; a != nullptr && !local; a = a->ai_next) {
    if (IsLoopback(a->ai_addr)) {
      local = true;
      break;
    }
    for (ifaddrs* i = interfaces; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr != nullptr && SameAddress(a->ai_addr, i->ifa_addr)) {
        local = true;
        break;
      }
    }
  }
  if (interfaces != nullptr) ::freeifaddrs(interfaces);
  ::freeaddrinfo(found);
  return local;
}

}  // namespace alpaca::ncalrpc
