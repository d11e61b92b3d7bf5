#include "alpaca/unix_stream/transport.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "alpaca/base/log.h"
#include "alpaca/co_stream/socket_channel.h"
#include "alpaca/co_stream/stream_endpoint.h"
#include "alpaca/lpc/port_name.h"
#include "alpaca/lpc/status.h"
#include "alpaca/transport/status.h"

namespace alpaca::unix_stream {
namespace {

namespace status = rpc::status;

std::error_code Errno() { return {errno, std::system_category()}; }

struct SocketPath {
  std::string path;
  bool in_namespace = false;  // a name: guarded like the port names
};

// The socket path of an endpoint, or RPC_S_INVALID_ENDPOINT_FORMAT.
SocketPath Resolve(std::string_view endpoint) {
  // What would change a string binding's structure cannot be in one.
  if (endpoint.find_first_of("[]@,=") != std::string_view::npos) {
    throw RpcError(status::kInvalidEndpointFormat, std::string(endpoint));
  }
  std::string path;
  bool in_namespace = false;
  if (!endpoint.empty() && endpoint.front() == '/') {
    path = std::string(endpoint);
  } else {
    in_namespace = true;
    // A name: one path component in the namespace's unix/ directory.
    if (endpoint.empty() || endpoint == "." || endpoint == ".." ||
        endpoint.find('/') != std::string_view::npos ||
        std::any_of(endpoint.begin(), endpoint.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      throw RpcError(status::kInvalidEndpointFormat, std::string(endpoint));
    }
    path = lpc::NamespaceDirectory() + "/unix/" + std::string(endpoint);
  }
  if (path.find('\0') != std::string::npos || path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw RpcError(status::kInvalidEndpointFormat,
                   std::string(endpoint) + ": too long for a Unix socket address");
  }
  return {path, in_namespace};
}

std::string Directory(const std::string& path) { return path.substr(0, path.rfind('/')); }

sockaddr_un Address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.data(), path.size());
  return a;
}

std::optional<ucred> PeerCredentials(int fd) {
  ucred cred{};
  socklen_t length = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) return std::nullopt;
  return cred;
}

bool Allowed(const rpc::LocalSecurity& security, const ucred& who) {
  if (security.allow_everyone || who.uid == ::geteuid()) return true;
  for (auto uid : security.allowed_uids) {
    if (uid == who.uid) return true;
  }
  for (auto gid : security.allowed_gids) {
    if (gid == who.gid) return true;
  }
  return false;
}

class UnixEndpoint final : public co_stream::StreamEndpoint {
 public:
  UnixEndpoint(std::string endpoint, SocketPath where, const rpc::ServerOptions& options,
               std::shared_ptr<transport::ServerHost> host)
      : StreamEndpoint(options, std::move(host)),
        endpoint_(std::move(endpoint)),
        path_(std::move(where.path)),
        in_namespace_(where.in_namespace),
        security_(options.local_security) {}

  ~UnixEndpoint() override { Stop(); }

  void Start() override {
    const std::string name = std::string(kProtseq) + ":[" + path_ + "]";
    UniqueFd socket;
    if (auto ec = Listen(socket)) {
      throw RpcError(ec == lpc::Status::kObjectNameCollision ? status::kDuplicateEndpoint
                                                             : status::kCantCreateEndpoint,
                     "cannot listen on " + name + ": " + ec.message());
    }
    auto admit = [security = security_, path = path_](int fd) { return Admit(fd, security, path); };
    if (auto ec = Serve(std::move(socket), name, admit, path_)) {
      ReleaseName();
      throw RpcError(status::kCantCreateEndpoint, "cannot listen on " + name + ": " + ec.message());
    }
  }

  void Stop() override {
    StreamEndpoint::Stop();
    ReleaseName();
  }

  // As configured: a name stays a name, so a client given this binding
  // gets the namespace's squatting checks too.
  rpc::StringBinding Binding() const override {
    rpc::StringBinding b;
    b.protseq = kProtseq;
    b.endpoint = endpoint_;
    return b;
  }

 private:
  static std::optional<co_stream::Admission> Admit(int fd, const rpc::LocalSecurity& security,
                                                   const std::string& path) {
    auto who = PeerCredentials(fd);
    if (!who) return std::nullopt;
    if (!Allowed(security, *who)) {
      Log(LogLevel::kDebug, std::string(kProtseq) + ":[" + path + "]: uid " +
                                std::to_string(who->uid) + " refused (local_security)");
      return std::nullopt;
    }
    co_stream::Admission admission;
    admission.peer.protseq = kProtseq;
    admission.peer.address = path;
    admission.peer.local = dcerpc::LocalIdentity{who->pid, who->uid, who->gid};
    admission.key = "uid " + std::to_string(who->uid);
    return admission;
  }

  std::error_code Listen(UniqueFd& out) {
    if (in_namespace_) {
      const std::string directory = Directory(path_);
      if (auto ec = lpc::MakeDirectories(directory)) return ec;
      if (auto ec = lpc::CheckNamespaceOwnership(directory)) return ec;
    }
    // Held while serving: a second server on the path is a duplicate, a
    // socket a dead one left is replaced, nothing else is ever removed.
    if (auto ec = lpc::ClaimSocketName(path_, lock_)) return ec;
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return Errno();
    sockaddr_un address = Address(path_);
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size() + 1);
    if (::bind(fd.Get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
      auto ec = Errno();
      ReleaseName();
      return ec;
    }
    // Connecting needs write permission on the socket: others get it only
    // when the security lets some of them in (each peer is checked anyway).
    const bool others = security_.allow_everyone || !security_.allowed_uids.empty() ||
                        !security_.allowed_gids.empty();
    struct stat bound {};
    std::error_code ec = lpc::SetOwnSocketMode(path_, others ? 0666 : 0600, bound);
    if (!ec) {
      socket_ = {bound.st_dev, bound.st_ino};
      if (::listen(fd.Get(), SOMAXCONN) != 0) ec = Errno();
    }
    if (ec) {
      ReleaseName();
      return ec;
    }
    out = std::move(fd);
    return {};
  }

  // Removes our socket (only ours: the device and inode we bound) and gives
  // up the name.
  void ReleaseName() {
    struct stat st {};
    if (socket_ && ::lstat(path_.c_str(), &st) == 0 && st.st_dev == socket_->first &&
        st.st_ino == socket_->second) {
      ::unlink(path_.c_str());
    }
    socket_.reset();
    if (lock_) {
      ::unlink((path_ + ".lock").c_str());
      lock_.Reset();
    }
  }

  std::string endpoint_;
  std::string path_;
  bool in_namespace_;
  rpc::LocalSecurity security_;
  UniqueFd lock_;                                  // the name's claim while serving
  std::optional<std::pair<dev_t, ino_t>> socket_;  // the socket we bound
};

class UnixServer final : public transport::ServerTransport {
 public:
  std::unique_ptr<transport::ServerEndpoint> CreateEndpoint(
      std::string_view endpoint, const rpc::ServerOptions& options,
      std::shared_ptr<transport::ServerHost> host) const override {
    return std::make_unique<UnixEndpoint>(std::string(endpoint), Resolve(endpoint), options,
                                          std::move(host));
  }
};

class UnixClient final : public transport::ClientTransport {
 public:
  void Validate(const rpc::StringBinding& b) const override {
    if (!b.network_address.empty() && b.network_address != "localhost") {
      throw RpcError(status::kInvalidNetAddr, b.network_address + ": " + kProtseq + " is local");
    }
    (void)Resolve(b.endpoint);
  }

  std::unique_ptr<transport::ClientAssociation> Connect(
      const transport::ConnectRequest& request) const override {
    Validate(request.binding);
    const SocketPath where = Resolve(request.binding.endpoint);
    const std::string& path = where.path;
    const std::string name = std::string(kProtseq) + ":[" + path + "]";
    // As for ncalrpc: in the shared namespace, a directory someone else
    // made could hold a squatter's socket, and the server must run as the
    // namespace's owner unless the options name another uid.
    std::optional<std::uint32_t> server_uid = request.options.local_server_uid;
    if (where.in_namespace) {
      std::optional<uid_t> owner;
      if (auto ec = lpc::CheckNamespaceForClient(Directory(path), owner)) {
        throw RpcError(
            ec == lpc::Status::kAccessDenied ? status::kAccessDenied : status::kServerUnavailable,
            name + ": " + ec.message());
      }
      if (!server_uid && owner) server_uid = *owner;
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw RpcError(status::kServerUnavailable, name + ": " + Errno().message());
    sockaddr_un address = Address(path);
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    if (auto ec = co_stream::ConnectSocket(fd.Get(), reinterpret_cast<const sockaddr*>(&address),
                                           length, request.options.connect_timeout)) {
      throw RpcError(
          ec == std::errc::permission_denied ? status::kAccessDenied : status::kServerUnavailable,
          name + ": " + ec.message());
    }
    if (server_uid) {
      auto server = PeerCredentials(fd.Get());
      if (!server || server->uid != *server_uid) {
        throw RpcError(status::kAccessDenied,
                       name + ": the server does not run as uid " + std::to_string(*server_uid));
      }
    }
    return request.host.NewCoAssociation(co_stream::MakeSocketChannel(std::move(fd)), name);
  }
};

}  // namespace

void Register(transport::TransportRegistry& registry) {
  registry.Add(kProtseq, std::make_shared<UnixServer>(), std::make_shared<UnixClient>());
}

}  // namespace alpaca::unix_stream
