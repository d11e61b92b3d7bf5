// lpc_local_attacker — a hostile local process for the resource-limit tests
// (lpc_local_attacker_limits_test.cc). It speaks the port wire directly or
// through the client library, optionally as uid/gid 65534, reports what it
// achieved on stdout (one line per event) and then holds everything it
// opened until the test kills it (its sockets then close at once).
//
//   lpc_local_attacker silent  --name N --count K [--as-nobody] [--wait-cut]
//       connect K raw sockets to the port and never say anything; with
//       --wait-cut, report (CUT n) once the server has hung up all of them,
//       or after 20 s how many it had
//   lpc_local_attacker burst   --name N --count K [--as-nobody]
//       connect K raw sockets without speaking (SILENT n), then on SIGUSR1
//       send a connect request on each and report (ANSWERED accepted refused)
//   lpc_local_attacker connect --name N --count K [--section S] [--as-nobody]
//       open up to K real connections; stops at the first refusal
//   lpc_local_attacker trickle --name N --count K [--as-nobody]
//       open K connections (speaking the wire itself, to own the section's
//       control page), announce on each a streamed view and publish its data
//       a KiB at a time every few ms, nudging as the protocol asks; never
//       finishes (TRICKLING n once every stream has moved)
//   lpc_local_attacker stall   --name N --count K [--as-nobody]
//       open K connections and announce on each a streamed view whose data
//       never arrives
//   lpc_local_attacker nudge-flood --name N --count K [--as-nobody]
//       as trickle, but publish nothing and send nudges as fast as the
//       sockets take them (NUDGING n); once the server has cut every
//       connection, CUT n NUDGES total
//   lpc_local_attacker overrun|rewind --name N --count K [--as-nobody]
//       as trickle, then publish a progress past the announced length, or
//       2 KiB and then (once the server has copied it) 1 KiB; LIED n, then
//       CUT n once the server has hung up on them (or after 20 s)
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "alpaca/base/unique_fd.h"
#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/port_name.h"
#include "alpaca/lpc/section.h"
#include "alpaca/lpc/status.h"
#include "alpaca/lpc/wire.h"
#include "socket_io.h"

namespace lpc = alpaca::lpc;

namespace {

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void DropToNobody() {
  if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
    Say("DROP_FAILED");
    std::exit(3);
  }
}

// Holds what was opened until the test kills us.
[[noreturn]] void HoldUntilReleased() {
  for (;;) ::pause();
}

// Counts the sockets the server has hung up on, waiting up to 20 s for all.
size_t WaitUntilCut(std::vector<alpaca::UniqueFd>& held) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::vector<pollfd> fds;
  for (auto& fd : held) fds.push_back({fd.Get(), POLLIN, 0});
  size_t cut = 0;
  while (cut < fds.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0) continue;
    for (auto& p : fds) {
      if (p.fd >= 0 && (p.revents & (POLLHUP | POLLERR)) != 0) {
        p.fd = -1;  // poll ignores it from now on
        ++cut;
      } else if (p.fd >= 0 && (p.revents & POLLIN) != 0) {
        char reply[256];  // a refusal before the hang-up: read it
        (void)!::recv(p.fd, reply, sizeof(reply), MSG_DONTWAIT);
      }
    }
  }
  return cut;
}

std::vector<alpaca::UniqueFd> ConnectRaw(const std::string& name, size_t count) {
  std::vector<alpaca::UniqueFd> held;
  lpc::ResolvedPortName resolved;
  if (lpc::ResolvePortName(name, resolved)) {
    Say("RESOLVE_FAILED");
    std::exit(2);
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, resolved.socket_path.c_str(), sizeof(addr.sun_path) - 1);
  for (size_t i = 0; i < count; ++i) {
    alpaca::UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!fd) break;
    if (::connect(fd.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) break;
    held.push_back(std::move(fd));
  }
  return held;
}

int Silent(const std::string& name, size_t count, bool wait_cut) {
  std::vector<alpaca::UniqueFd> held = ConnectRaw(name, count);
  Say("SILENT " + std::to_string(held.size()));
  if (wait_cut) Say("CUT " + std::to_string(WaitUntilCut(held)));
  HoldUntilReleased();
}

// Real clients preempted between connect() and their request: all of them
// look silent to the server until they speak at once.
int Burst(const std::string& name, size_t count) {
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, nullptr);
  std::vector<alpaca::UniqueFd> held = ConnectRaw(name, count);
  Say("SILENT " + std::to_string(held.size()));
  int signal = 0;
  sigwait(&usr1, &signal);
  lpc::wire::ConnectRequest request;
  for (auto& fd : held) {
    (void)!::send(fd.Get(), &request, sizeof(request), MSG_NOSIGNAL);
  }
  size_t accepted = 0;
  size_t refused = 0;
  for (auto& fd : held) {
    lpc::wire::ConnectReply reply;
    ssize_t got = ::recv(fd.Get(), &reply, sizeof(reply), 0);
    if (got >= static_cast<ssize_t>(sizeof(reply)) && reply.status == 0) {
      ++accepted;
    } else {
      ++refused;
    }
  }
  Say("ANSWERED " + std::to_string(accepted) + " " + std::to_string(refused));
  HoldUntilReleased();
}

int Connect(const std::string& name, size_t count, size_t section) {
  lpc::ConnectOptions options;
  options.section_size = section;
  std::string info = "attacker";
  std::vector<std::unique_ptr<lpc::ClientPort>> held;
  std::error_code last;
  for (size_t i = 0; i < count; ++i) {
    std::unique_ptr<lpc::ClientPort> port;
    last = lpc::ClientPort::Connect(name, std::as_bytes(std::span(info)), options, port);
    if (last) break;
    held.push_back(std::move(port));
  }
  Say("CONNECTED " + std::to_string(held.size()) + " " +
      (last ? std::to_string(last.value()) : std::string("0")));
  HoldUntilReleased();
}

// A request frame announcing a streamed view of `length` bytes in the
// connection section (wire::kFrameStreamed): the server waits for its data.
bool AnnounceStreamedView(int socket, uint64_t length) {
  lpc::wire::Frame frame{};
  frame.message.total_length = sizeof(lpc::PortMessageHeader);
  frame.message.type = lpc::MessageType::kRequest;
  frame.message.message_id = 1;
  frame.kind = lpc::wire::PayloadKind::kView;
  frame.flags = lpc::wire::kFrameStreamed;
  frame.payload_length = length;
  frame.view_sequence = 1;
  return ::send(socket, &frame, sizeof(frame), MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof(frame));
}

// A connection spoken on the wire by hand, so that the attacker owns its
// section's control page and can publish what it likes as its progress.
struct RawStream {
  alpaca::UniqueFd socket;
  lpc::Section section;
  uint64_t published = 0;

  lpc::wire::SectionControl& Control() {
    return *reinterpret_cast<lpc::wire::SectionControl*>(section.Base());
  }
  // Publishes `progress` as the protocol asks: the word, then a nudge if
  // the server has parked the stream (or always, with `force`).
  void Publish(uint64_t progress, bool force = false) {
    published = progress;
    std::atomic_ref<uint64_t>(Control().client_to_server_progress)
        .store(progress, std::memory_order_seq_cst);
    std::atomic_ref<uint32_t> waiting(Control().client_to_server_receiver_waiting);
    if (waiting.exchange(0, std::memory_order_seq_cst) == lpc::wire::kReceiverParked || force) {
      (void)SendNudge();
    }
  }
  bool SendNudge() {
    lpc::wire::Frame nudge{};
    nudge.kind = lpc::wire::PayloadKind::kNudge;
    return ::send(socket.Get(), &nudge, sizeof(nudge), MSG_NOSIGNAL | MSG_DONTWAIT) ==
           static_cast<ssize_t>(sizeof(nudge));
  }
  // Sleeps until the server parks this stream: Channel::ParkInbound wakes
  // the flag's futex. The minute is a safety net against a hang.
  bool WaitServerParked() {
    uint32_t* word = &Control().client_to_server_receiver_waiting;
    std::atomic_ref<uint32_t> flag(*word);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    for (;;) {
      const uint32_t seen = flag.load(std::memory_order_seq_cst);
      if (seen == lpc::wire::kReceiverParked) return true;
      if (std::chrono::steady_clock::now() > give_up) return false;
      const timespec slice{1, 0};
      ::syscall(SYS_futex, word, FUTEX_WAIT, seen, &slice, nullptr, 0);
    }
  }
};

constexpr uint64_t kStreamLength = 400 * 1024;  // fits a 1 MiB section's half

// K connections, each with its own 1 MiB section and a streamed view of
// kStreamLength announced, with `published` bytes of it already published.
std::vector<RawStream> OpenRawStreams(const std::string& name, size_t count,
                                      uint64_t published = 0) {
  std::vector<alpaca::UniqueFd> sockets = ConnectRaw(name, count);
  std::vector<RawStream> held;
  for (auto& socket : sockets) {
    RawStream t;
    t.socket = std::move(socket);
    if (lpc::Section::Create(size_t{1} << 20, "attacker", t.section)) break;
    lpc::wire::ConnectRequest request;
    request.flags = lpc::wire::kConnectHasSection;
    request.section_size = t.section.Size();
    iovec part{&request, sizeof(request)};
    if (lpc::SendPacket(t.socket.Get(), std::span(&part, 1), t.section.Fd(), false, std::nullopt)) {
      break;
    }
    lpc::wire::ConnectReply reply;
    if (::recv(t.socket.Get(), &reply, sizeof(reply), 0) < static_cast<ssize_t>(sizeof(reply)) ||
        reply.status != 0) {
      break;
    }
    t.published = published;
    std::atomic_ref<uint64_t>(t.Control().client_to_server_progress)
        .store(published, std::memory_order_seq_cst);
    if (!AnnounceStreamedView(t.socket.Get(), kStreamLength)) break;
    held.push_back(std::move(t));
  }
  return held;
}

std::vector<alpaca::UniqueFd> SocketsOf(std::vector<RawStream>& streams) {
  std::vector<alpaca::UniqueFd> sockets;
  for (auto& t : streams) sockets.push_back(std::move(t.socket));
  return sockets;
}

int Trickle(const std::string& name, size_t count) {
  std::vector<RawStream> held = OpenRawStreams(name, count);
  bool announced = false;
  for (;;) {
    for (auto& t : held) {
      if (t.published + 2048 >= kStreamLength) continue;  // never the last byte
      t.Publish(t.published + 1024);
    }
    if (!announced) {
      Say("TRICKLING " + std::to_string(held.size()));
      announced = true;
    }
    ::usleep(5000);  // the attacker's pace: well inside any stall limit
  }
}

// Nudges without publishing anything, as fast as the sockets take them:
// each nudge wakes a server thread, which must find nothing to copy, park
// the stream again and never let the nudges push its deadline back.
int NudgeFlood(const std::string& name, size_t count) {
  std::vector<RawStream> held = OpenRawStreams(name, count);
  std::vector<pollfd> fds;
  for (auto& t : held) fds.push_back({t.socket.Get(), POLLOUT, 0});
  uint64_t nudges = 0;
  size_t cut = 0;
  bool announced = false;
  while (cut < fds.size()) {
    for (size_t i = 0; i < held.size(); ++i) {
      if (fds[i].fd < 0) continue;
      while (held[i].SendNudge()) ++nudges;  // until the socket is full
    }
    if (!announced) {
      Say("NUDGING " + std::to_string(held.size()));
      announced = true;
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;
    for (auto& p : fds) {
      if (p.fd >= 0 && (p.revents & (POLLHUP | POLLERR)) != 0) {
        p.fd = -1;
        ++cut;
      }
    }
  }
  Say("CUT " + std::to_string(cut) + " NUDGES " + std::to_string(nudges));
  HoldUntilReleased();
}

// Progress words that lie: past the announced length ("overrun"), or
// backwards after the server has copied ("rewind"). Either is a protocol
// violation the server must cut at once, whatever the stream's deadline.
int Lie(const std::string& name, size_t count, bool rewind) {
  // For a rewind, 2 KiB are published before the view is announced, so the
  // server's first look copies them and it parks only after that: the
  // parked flag then means "has copied 2 KiB" (it is never set earlier).
  std::vector<RawStream> held = OpenRawStreams(name, count, rewind ? 2048 : 0);
  for (auto& t : held) {
    if (!rewind) {
      t.Publish(kStreamLength + 1);
      continue;
    }
    // Only once the server has those bytes is going back a lie about data
    // it has.
    if (!t.WaitServerParked()) {
      Say("NEVER_PARKED");
      std::exit(4);
    }
    t.Publish(1024, /*force=*/true);
  }
  Say("LIED " + std::to_string(held.size()));
  std::vector<alpaca::UniqueFd> sockets = SocketsOf(held);
  Say("CUT " + std::to_string(WaitUntilCut(sockets)));
  HoldUntilReleased();
}

// A view frame announced as streamed (wire::kFrameStreamed) whose progress
// word never moves: the receiver waits for data that never comes.
int Stall(const std::string& name, size_t count) {
  lpc::ConnectOptions options;
  std::string info = "attacker";
  std::vector<std::unique_ptr<lpc::ClientPort>> held;
  for (size_t i = 0; i < count; ++i) {
    std::unique_ptr<lpc::ClientPort> port;
    if (lpc::ClientPort::Connect(name, std::as_bytes(std::span(info)), options, port)) break;
    if (!AnnounceStreamedView(port->WaitHandle(), 400 * 1024)) break;  // fits the half
    held.push_back(std::move(port));
  }
  Say("STALLING " + std::to_string(held.size()));
  HoldUntilReleased();
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  // A test may have lowered its own soft limit before starting us.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  CLI::App app{"alpaca local attacker for the port resource-limit tests"};
  app.require_subcommand(1);
  std::string name;
  size_t count = 1;
  size_t section = size_t{1} << 20;
  bool nobody = false;
  bool wait_cut = false;
  for (const char* op :
       {"silent", "burst", "connect", "stall", "trickle", "nudge-flood", "overrun", "rewind"}) {
    auto* sub = app.add_subcommand(op);
    sub->add_option("--name", name)->required();
    sub->add_option("--count", count);
    sub->add_option("--section", section);
    sub->add_flag("--as-nobody", nobody);
    sub->add_flag("--wait-cut", wait_cut);
  }
  CLI11_PARSE(app, argc, argv);
  if (nobody) DropToNobody();
  std::string op = app.get_subcommands().front()->get_name();
  if (op == "silent") return Silent(name, count, wait_cut);
  if (op == "burst") return Burst(name, count);
  if (op == "trickle") return Trickle(name, count);
  if (op == "nudge-flood") return NudgeFlood(name, count);
  if (op == "overrun" || op == "rewind") return Lie(name, count, op == "rewind");
  if (op == "connect") return Connect(name, count, section);
  return Stall(name, count);
}
