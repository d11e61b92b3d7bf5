#include "hostile_peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "alpaca/base/unique_fd.h"
#include "alpaca/dcerpc/constants.h"
#include "alpaca/dcerpc/fragments.h"
#include "alpaca/dcerpc/pdu.h"
#include "test_interface.h"

namespace alpaca::soak {
namespace {

using dcerpc::Bytes;

UniqueFd Connect(std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.Get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return {};
  return fd;
}

bool SendAll(int fd, const Bytes& b) {
  std::size_t off = 0;
  while (off < b.size()) {
    ssize_t n = ::send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// One whole PDU, or false at EOF/error.
bool ReceivePdu(int fd, Bytes& out) {
  out.resize(dcerpc::kCommonHeaderSize);
  auto read = [fd](std::uint8_t* p, std::size_t n) {
    while (n > 0) {
      ssize_t r = ::recv(fd, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  };
  if (!read(out.data(), out.size())) return false;
  std::uint16_t frag = static_cast<std::uint16_t>(out[8] | out[9] << 8);
  if (frag < dcerpc::kCommonHeaderSize) return false;
  out.resize(frag);
  return read(out.data() + dcerpc::kCommonHeaderSize, frag - dcerpc::kCommonHeaderSize);
}

void Abort(UniqueFd& fd) {
  linger l{1, 0};
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  fd.Reset();
}

UniqueFd ConnectAndBind(std::uint16_t port) {
  UniqueFd fd = Connect(port);
  if (!fd) return fd;
  dcerpc::BindPdu bind;
  bind.max_xmit_frag = bind.max_recv_frag = dcerpc::kDefaultFragSize;
  bind.contexts.push_back({0, rpc::testing::kAlpacaTest.Syntax(), {dcerpc::Ndr20Syntax()}});
  Bytes reply;
  if (!SendAll(fd.Get(), dcerpc::EncodeBind(dcerpc::PacketType::kBind, 1, bind)) ||
      !ReceivePdu(fd.Get(), reply)) {
    return {};
  }
  return fd;
}

// Greet's [in, string] wchar_t* name: a conformant varying string.
Bytes GreetStub(std::size_t chars) {
  Bytes stub;
  auto put32 = [&stub](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) stub.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  auto n = static_cast<std::uint32_t>(chars + 1);
  put32(n);
  put32(0);
  put32(n);
  for (std::size_t i = 0; i < chars; ++i) {
    stub.push_back('a');
    stub.push_back(0);
  }
  stub.push_back(0);
  stub.push_back(0);
  while (stub.size() % 4) stub.push_back(0);
  return stub;
}

Bytes Request(std::uint32_t call_id, const Bytes& stub, std::uint8_t flags, std::uint32_t hint) {
  dcerpc::RequestPdu r;
  r.alloc_hint = hint;
  r.opnum = 2;  // Greet
  r.stub = stub;
  return dcerpc::EncodeRequest(call_id, flags, r);
}

constexpr std::uint8_t kWhole = dcerpc::kPfcFirstFrag | dcerpc::kPfcLastFrag;

void PipelineThenReset(std::uint16_t port, const std::atomic<bool>& stop,
                       std::atomic<std::uint64_t>& rounds) {
  Bytes stub = GreetStub(2000);
  for (std::uint32_t i = 0; !stop; ++i) {
    ++rounds;
    UniqueFd fd = ConnectAndBind(port);
    if (!fd) continue;
    Bytes burst;
    for (std::uint32_t c = 1; c <= 2 + i % 15; ++c) {
      Bytes r = Request(c, stub, kWhole, static_cast<std::uint32_t>(stub.size()));
      burst.insert(burst.end(), r.begin(), r.end());
    }
    SendAll(fd.Get(), burst);
    Abort(fd);
  }
}

void NeverReadReplies(std::uint16_t port, const std::atomic<bool>& stop,
                      std::atomic<std::uint64_t>& rounds) {
  Bytes stub = GreetStub(2000);
  Bytes request = Request(1, stub, kWhole, static_cast<std::uint32_t>(stub.size()));
  while (!stop) {
    ++rounds;
    UniqueFd fd = ConnectAndBind(port);
    if (!fd) continue;
    int small = 4096;
    ::setsockopt(fd.Get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    // Until the server stops reading us (our send would block), or stop.
    for (std::uint32_t c = 2; !stop; ++c) {
      request[12] = static_cast<std::uint8_t>(c);
      request[13] = static_cast<std::uint8_t>(c >> 8);
      ssize_t n = ::send(fd.Get(), request.data(), request.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) break;  // EAGAIN: the server pushed back
      if (static_cast<std::size_t>(n) < request.size()) break;
    }
    Abort(fd);
  }
}

void SilentConnections(std::uint16_t port, const std::atomic<bool>& stop,
                       std::atomic<std::uint64_t>& rounds) {
  // Holds 64 connections that never send; each one the server closes (its
  // handshake deadline) is replaced.
  std::vector<UniqueFd> held(64);
  while (!stop) {
    std::vector<pollfd> fds;
    for (auto& h : held) {
      if (!h) {
        h = Connect(port);
        ++rounds;
      }
      fds.push_back({h.Get(), POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0) held[i].Reset();
    }
  }
}

void UnfinishedLargeCalls(std::uint16_t port, const std::atomic<bool>& stop,
                          std::atomic<std::uint64_t>& rounds) {
  Bytes chunk((dcerpc::kDefaultFragSize - dcerpc::kRequestHeaderSize) & ~std::size_t{7});
  while (!stop) {
    ++rounds;
    UniqueFd fd = ConnectAndBind(port);
    if (!fd) continue;
    for (std::size_t sent = 0; sent < (3u << 20) && !stop; sent += chunk.size()) {
      if (!SendAll(fd.Get(), Request(1, chunk, sent == 0 ? dcerpc::kPfcFirstFrag : 0, 0))) break;
    }
    Abort(fd);
  }
}

void OversizedCalls(std::uint16_t port, const std::atomic<bool>& stop,
                    std::atomic<std::uint64_t>& rounds) {
  Bytes stub = GreetStub(5u << 20);  // 10 MiB, over the default 4 MiB
  auto frags = dcerpc::BuildRequestFragments(1, 0, 2, std::nullopt, stub, dcerpc::kDefaultFragSize);
  while (!stop) {
    ++rounds;
    UniqueFd fd = ConnectAndBind(port);
    if (!fd) continue;
    for (const auto& f : frags) {
      if (stop || !SendAll(fd.Get(), f)) break;
    }
    Bytes fault;
    ReceivePdu(fd.Get(), fault);
  }
}

void Garbage(std::uint16_t port, const std::atomic<bool>& stop,
             std::atomic<std::uint64_t>& rounds) {
  std::mt19937 rng(42);
  while (!stop) {
    ++rounds;
    UniqueFd fd = Connect(port);
    if (!fd) continue;
    Bytes junk(64 + rng() % 4000);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    if (rng() % 2) junk[0] = 5;  // past the version check, into framing
    SendAll(fd.Get(), junk);
    ::shutdown(fd.Get(), SHUT_WR);  // the server sees the end, not a wait
    Bytes reply;
    ReceivePdu(fd.Get(), reply);  // until the server closes us
  }
}

}  // namespace

std::vector<HostileProbe> TcpProbes() {
  return {{"pipeline+RST", PipelineThenReset},    {"never read replies", NeverReadReplies},
          {"silent connects", SilentConnections}, {"unfinished 3 MiB calls", UnfinishedLargeCalls},
          {"10 MiB calls", OversizedCalls},       {"garbage framing", Garbage}};
}

}  // namespace alpaca::soak
