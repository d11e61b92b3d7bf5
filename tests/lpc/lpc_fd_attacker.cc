// lpc_fd_attacker — a hostile local process for lpc_local_attacker_fds_test:
// it passes descriptors a server cannot close cheaply, hands its connection to
// another uid, or offers sections a server must not map. It reports what
// happened on stdout, one line per event, and then holds what it opened until
// the test kills it.
//
//   lpc_fd_attacker refused-linger --name N --count K [--fds F] [--as-nobody]
//       K raw connect requests, each carrying F descriptors, the last a TCP
//       socket whose close blocks (SO_LINGER, full send queue); prints
//       "REPLY <i> <status>" with the status the server answered (-1: none)
//   lpc_fd_attacker allowed-linger --name N --count K --kind frame|section ...
//       as a caller the port admits: the blocking socket rides on a frame
//       (among F descriptors) or is offered as the connection section;
//       prints "AFTER <i> <status>" once the server dealt with it
//   lpc_fd_attacker hugetlb-section --name N [--as-nobody]
//       offers a hugetlbfs memfd as the connection section ("CONNECT <status>")
//       and, if the server maps it, takes its page away and uses a view
//   lpc_fd_attacker sparse-sections --name N [--as-nobody]
//       offers never-allocated memfds as connection and per-message sections
//   lpc_fd_attacker handoff --name N       (run as root)
//       connects, then uses the connection from a forked child of the same
//       uid and from one running as 65534 ("CHILD_NOBODY <status>")
//   lpc_fd_attacker setuid-like --name N   (run as root)
//       real uid 65534, effective 0: connects and calls as uid 0
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "alpaca/base/unique_fd.h"
#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/port_name.h"
#include "alpaca/lpc/status.h"
#include "alpaca/lpc/wire.h"

namespace lpc = alpaca::lpc;
using alpaca::UniqueFd;

namespace {

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

[[noreturn]] void Die(const std::string& what) {
  Say("ERROR " + what + ": " + std::strerror(errno));
  std::exit(2);
}

void DropToNobody() {
  if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) Die("drop");
}

// Both ends of loopback TCP connections whose sending end cannot finish
// closing: the receiving end (kept here, never read) has a full window and
// the sender's queue is full too, so with SO_LINGER its last close waits for
// the linger time (100000 s) in tcp_close.
class LingerFactory {
 public:
  LingerFactory() {
    listener_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int small = 4096;
    ::setsockopt(listener_.Get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listener_.Get(), 64) != 0) {
      Die("tcp listen");
    }
    socklen_t len = sizeof(addr_);
    ::getsockname(listener_.Get(), reinterpret_cast<sockaddr*>(&addr_), &len);
  }

  // A socket whose last close blocks; the caller passes it and closes its copy.
  UniqueFd Make() {
    UniqueFd sender(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int small = 4096;
    ::setsockopt(sender.Get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    if (::connect(sender.Get(), reinterpret_cast<sockaddr*>(&addr_), sizeof(addr_)) != 0) {
      Die("tcp connect");
    }
    UniqueFd receiver(::accept4(listener_.Get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!receiver) Die("tcp accept");
    receivers_.push_back(std::move(receiver));
    std::vector<char> chunk(65536, 'x');
    size_t queued = 0;
    while (::send(sender.Get(), chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL) > 0) {
      queued += chunk.size();
    }
    if (queued == 0) Die("tcp fill");
    linger slow{1, 100000};
    ::setsockopt(sender.Get(), SOL_SOCKET, SO_LINGER, &slow, sizeof(slow));
    return sender;
  }

 private:
  UniqueFd listener_;
  sockaddr_in addr_{};
  std::vector<UniqueFd> receivers_;
};

UniqueFd ConnectRaw(const std::string& name) {
  lpc::ResolvedPortName resolved;
  if (lpc::ResolvePortName(name, resolved)) Die("resolve");
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, resolved.socket_path.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(fd.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Die("connect");
  return fd;
}

// Sends `bytes` with `fds` in one SCM_RIGHTS message.
bool SendWithFds(int socket, const void* bytes, size_t size, const std::vector<int>& fds) {
  iovec iov{const_cast<void*>(bytes), size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cm), fds.data(), sizeof(int) * fds.size());
  }
  return ::sendmsg(socket, &msg, MSG_NOSIGNAL) == static_cast<ssize_t>(size);
}

// `count` descriptors, the blocking one last (past the 8 an old receive
// buffer had room for, when count > 8).
std::vector<UniqueFd> Payload(LingerFactory& factory, size_t count) {
  std::vector<UniqueFd> fds;
  for (size_t i = 1; i < count; ++i) fds.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  fds.push_back(factory.Make());
  return fds;
}

std::vector<int> Raw(const std::vector<UniqueFd>& fds) {
  std::vector<int> raw;
  for (auto& fd : fds) raw.push_back(fd.Get());
  return raw;
}

// The status of a connect reply, or -1 if none came within 10 s.
int ReadConnectStatus(int socket) {
  pollfd p{socket, POLLIN, 0};
  if (::poll(&p, 1, 10000) != 1) return -1;
  lpc::wire::ConnectReply reply{};
  ssize_t n = ::recv(socket, &reply, sizeof(reply), 0);
  if (n < static_cast<ssize_t>(sizeof(reply))) return -1;
  return reply.status;
}

[[noreturn]] void HoldUntilKilled() {
  for (;;) ::pause();
}

int RefusedLinger(const std::string& name, size_t count, size_t fds_per_request) {
  LingerFactory factory;
  std::vector<UniqueFd> sockets;
  for (size_t i = 0; i < count; ++i) {
    auto fds = Payload(factory, fds_per_request);
    UniqueFd socket = ConnectRaw(name);
    lpc::wire::ConnectRequest request;
    request.flags = lpc::wire::kConnectHasSection;
    request.section_size = 65536;
    if (!SendWithFds(socket.Get(), &request, sizeof(request), Raw(fds))) Die("send request");
    fds.clear();  // the server now holds the only reference
    Say("REPLY " + std::to_string(i) + " " + std::to_string(ReadConnectStatus(socket.Get())));
    sockets.push_back(std::move(socket));
  }
  Say("DONE");
  HoldUntilKilled();
}

int AllowedLinger(const std::string& name, size_t count, size_t fds_per_message,
                  const std::string& kind) {
  LingerFactory factory;
  std::vector<std::unique_ptr<lpc::ClientPort>> ports;
  std::vector<UniqueFd> sockets;
  for (size_t i = 0; i < count; ++i) {
    if (kind == "section") {
      // The blocking socket offered as the connection section.
      UniqueFd blocking = factory.Make();
      UniqueFd socket = ConnectRaw(name);
      lpc::wire::ConnectRequest request;
      request.flags = lpc::wire::kConnectHasSection;
      request.section_size = 65536;
      if (!SendWithFds(socket.Get(), &request, sizeof(request), {blocking.Get()})) Die("send");
      blocking.Reset();
      Say("AFTER " + std::to_string(i) + " " + std::to_string(ReadConnectStatus(socket.Get())));
      sockets.push_back(std::move(socket));
      continue;
    }
    // A connected client sends a frame carrying many descriptors.
    std::unique_ptr<lpc::ClientPort> port;
    lpc::ConnectOptions options;
    options.section_size = 0;
    if (auto ec = lpc::ClientPort::Connect(name, {}, options, port)) {
      Say("CONNECT_FAILED " + std::to_string(ec.value()));
      return 1;
    }
    auto fds = Payload(factory, fds_per_message);
    lpc::wire::Frame frame{};
    frame.message.type = lpc::MessageType::kDatagram;
    frame.message.total_length = sizeof(lpc::PortMessageHeader);
    frame.kind = lpc::wire::PayloadKind::kSection;
    frame.payload_length = 4096;
    if (!SendWithFds(port->WaitHandle(), &frame, sizeof(frame), Raw(fds))) Die("send frame");
    fds.clear();
    // The server cuts us off for the extra descriptors; until it has read
    // the frame, this request waits behind it.
    lpc::PortMessage request, reply;
    request.SetData("after");
    auto ec = port->RequestWaitReply(request, reply, std::chrono::seconds(10));
    Say("AFTER " + std::to_string(i) + " " + std::to_string(ec.value()));
    ports.push_back(std::move(port));
  }
  Say("DONE");
  HoldUntilKilled();
}

// Finding 6: a sealed hugetlbfs memfd as the connection section. Once the
// server has mapped it, the attacker faults its page in and punches it out
// (which drops the reservation) and uses up the huge page pool, then points a view frame at
// it: the server's copy out of the section is SIGBUS.
int HugetlbSection(const std::string& name) {
  constexpr size_t kHuge = size_t{2} << 20;
  UniqueFd section(::memfd_create("alpaca-hugetlb", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB));
  if (!section) Die("memfd hugetlb");
  if (::ftruncate(section.Get(), kHuge) != 0) Die("ftruncate");
  if (::fcntl(section.Get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) Die("seal");
  UniqueFd socket = ConnectRaw(name);
  lpc::wire::ConnectRequest request;
  request.flags = lpc::wire::kConnectHasSection;
  request.section_size = kHuge;
  if (!SendWithFds(socket.Get(), &request, sizeof(request), {section.Get()})) Die("send");
  int status = ReadConnectStatus(socket.Get());
  Say("CONNECT " + std::to_string(status));
  if (status != 0) {
    Say("DONE");
    HoldUntilKilled();
  }
  // Fault the page in (using up the reservation the server's mapping made),
  // then punch it out: that frees the page and drops the reservation with it.
  void* mine = ::mmap(nullptr, kHuge, PROT_READ | PROT_WRITE, MAP_SHARED, section.Get(), 0);
  if (mine == MAP_FAILED) Die("mmap section");
  static_cast<volatile char*>(mine)[lpc::wire::kControlSize] = 1;
  ::munmap(mine, kHuge);
  int punched = ::fallocate(section.Get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, kHuge);
  Say("PUNCHED " + std::to_string(punched));
  std::vector<UniqueFd> hogs;
  for (int i = 0; i < 4096; ++i) {
    UniqueFd hog(::memfd_create("alpaca-hog", MFD_CLOEXEC | MFD_HUGETLB));
    if (!hog || ::ftruncate(hog.Get(), kHuge) != 0) break;
    void* base = ::mmap(nullptr, kHuge, PROT_READ | PROT_WRITE, MAP_SHARED, hog.Get(), 0);
    if (base == MAP_FAILED) break;  // the pool is used up
    static_cast<volatile char*>(base)[0] = 1;
    hogs.push_back(std::move(hog));
  }
  Say("HOGGED " + std::to_string(hogs.size()));
  lpc::wire::Frame frame{};
  frame.message.type = lpc::MessageType::kRequest;
  frame.message.message_id = 1;
  frame.message.total_length = sizeof(lpc::PortMessageHeader);
  frame.kind = lpc::wire::PayloadKind::kView;
  frame.payload_length = 4096;
  frame.view_sequence = 1;
  if (!SendWithFds(socket.Get(), &frame, sizeof(frame), {})) Die("send frame");
  Say("DONE");
  HoldUntilKilled();
}

// A sealed memfd of `size` bytes whose pages were never allocated.
UniqueFd SparseMemfd(size_t size) {
  UniqueFd fd(::memfd_create("alpaca-sparse", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd || ::ftruncate(fd.Get(), static_cast<off_t>(size)) != 0) Die("memfd");
  if (::fcntl(fd.Get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) Die("seal");
  return fd;
}

// Finding 5: sections whose pages the attacker never allocated, as the
// connection section ("CONNECT <status>") and as a request's per-message
// section ("SECTION_REQUEST replied|disconnected|timeout"). Before the fix
// the server mapped both and paid for every page it touched.
int SparseSections(const std::string& name) {
  constexpr size_t kSize = size_t{64} << 20;
  {
    UniqueFd section = SparseMemfd(kSize);
    UniqueFd socket = ConnectRaw(name);
    lpc::wire::ConnectRequest request;
    request.flags = lpc::wire::kConnectHasSection;
    request.section_size = kSize;
    if (!SendWithFds(socket.Get(), &request, sizeof(request), {section.Get()})) Die("send");
    Say("CONNECT " + std::to_string(ReadConnectStatus(socket.Get())));
  }
  UniqueFd socket = ConnectRaw(name);
  lpc::wire::ConnectRequest request;  // no connection section
  if (!SendWithFds(socket.Get(), &request, sizeof(request), {})) Die("send");
  int status = ReadConnectStatus(socket.Get());
  if (status != 0) {
    Say("PLAIN_CONNECT " + std::to_string(status));
    return 1;
  }
  UniqueFd data = SparseMemfd(kSize / 2);
  lpc::wire::Frame frame{};
  frame.message.type = lpc::MessageType::kRequest;
  frame.message.message_id = 1;
  frame.message.total_length = sizeof(lpc::PortMessageHeader);
  frame.kind = lpc::wire::PayloadKind::kSection;
  frame.payload_length = kSize / 2;
  if (!SendWithFds(socket.Get(), &frame, sizeof(frame), {data.Get()})) Die("send frame");
  pollfd p{socket.Get(), POLLIN, 0};
  std::string outcome = "timeout";
  if (::poll(&p, 1, 10000) == 1) {
    char byte;
    ssize_t n = ::recv(socket.Get(), &byte, 1, MSG_TRUNC);
    outcome = n > 0 ? "replied" : "disconnected";
  }
  Say("SECTION_REQUEST " + outcome);
  Say("DONE");
  HoldUntilKilled();
}

// One request on `port`, bounded; the status as a number.
int Call(lpc::ClientPort& port, const std::string& text) {
  lpc::PortMessage request, reply;
  request.SetData(text);
  auto ec = port.RequestWaitReply(request, reply, std::chrono::seconds(10));
  return ec.value();
}

// Runs `body` in a forked child and waits for it.
template <typename Body>
void InChild(Body body) {
  pid_t pid = ::fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    body();
    std::fflush(stdout);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
}

// Finding 11: identity is per connection. The connector (root here) is
// served; a forked child of the same uid too; the connection handed to a
// process running as uid 65534 is cut off at its first frame.
int Handoff(const std::string& name) {
  std::unique_ptr<lpc::ClientPort> port;
  auto ec = lpc::ClientPort::Connect(name, {}, {}, port);
  Say("CONNECT " + std::to_string(ec.value()));
  if (ec) return 1;
  Say("ROOT " + std::to_string(Call(*port, "root")));
  InChild([&] { Say("CHILD_SAME " + std::to_string(Call(*port, "same uid"))); });
  InChild([&] {
    DropToNobody();
    Say("CHILD_NOBODY " + std::to_string(Call(*port, "handed to nobody")));
  });
  Say("PARENT_AFTER " + std::to_string(Call(*port, "root again")));
  Say("DONE");
  return 0;
}

// A setuid-like process (real uid 65534, effective 0) connects as uid 0 and
// must be served as such: its frames carry its effective ids.
int SetuidLike(const std::string& name) {
  if (::setresgid(65534, 0, 0) != 0 || ::setresuid(65534, 0, 0) != 0) Die("setresuid");
  std::unique_ptr<lpc::ClientPort> port;
  auto ec = lpc::ClientPort::Connect(name, {}, {}, port);
  Say("CONNECT " + std::to_string(ec.value()));
  if (ec) return 1;
  Say("SETUID_LIKE " + std::to_string(Call(*port, "setuid-like")));
  lpc::PortMessage large, reply;  // through the section too
  large.ResizeData(size_t{300} << 10);
  ec = port->RequestWaitReply(large, reply, std::chrono::seconds(10));
  Say("SETUID_LIKE_LARGE " + std::to_string(ec.value()));
  Say("DONE");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"hostile local process for the descriptor/identity/section tests"};
  std::string op, name, kind = "frame";
  size_t count = 1, fds = 1;
  bool nobody = false;
  app.add_option("op", op)->required();
  app.add_option("--name", name)->required();
  app.add_option("--count", count);
  app.add_option("--fds", fds);
  app.add_option("--kind", kind);
  app.add_flag("--as-nobody", nobody);
  CLI11_PARSE(app, argc, argv);
  if (nobody) DropToNobody();
  if (op == "refused-linger") return RefusedLinger(name, count, fds);
  if (op == "sparse-sections") return SparseSections(name);
  if (op == "handoff") return Handoff(name);
  if (op == "setuid-like") return SetuidLike(name);
  if (op == "hugetlb-section") return HugetlbSection(name);
  if (op == "allowed-linger") return AllowedLinger(name, count, fds, kind);
  Say("UNKNOWN_OP");
  return 2;
}
