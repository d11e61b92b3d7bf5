// rpc_tcp: one table comparing an alpaca call over ncacn_ip_tcp (a small
// call: two u32 in, one u32 out) with raw TCP ping-pong of the same byte
// counts (request PDU 32 bytes, response PDU 28 bytes), measured in the same
// run on loopback, with 1 and 16 client threads.
//
// usage: rpc_tcp [calls_per_thread]   (default 20000)
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "alpaca/base/unique_fd.h"
#include "alpaca/rpc/client.h"
#include "alpaca/rpc/server.h"
#include "alpaca/rpc/status.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace alpaca;

const rpc::InterfaceId kBench{UuidFromLiteral("a3f9e0c4-51d2-4c3b-8f1e-6b7a9c0d2e4f"), 1, 0};
constexpr std::size_t kRequestBytes = 24 + 8;   // request header + two u32
constexpr std::size_t kResponseBytes = 24 + 4;  // response header + u32

struct Result {
  double median_us = 0, p99_us = 0, calls_per_s = 0;
};

template <typename PerThread>
Result Measure(int threads, int calls, PerThread make_caller) {
  std::vector<std::vector<double>> lat(threads);
  std::vector<std::thread> pool;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point start;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto call = make_caller();
      for (int i = 0; i < 200; ++i) call();  // warm-up
      lat[t].reserve(calls);
      ++ready;
      while (!go) std::this_thread::yield();
      for (int i = 0; i < calls; ++i) {
        auto a = Clock::now();
        call();
        lat[t].push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
      }
    });
  }
  while (ready < threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  start = Clock::now();
  go = true;
  for (auto& th : pool) th.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  Result r;
  r.median_us = all[all.size() / 2];
  r.p99_us = all[all.size() * 99 / 100];
  r.calls_per_s = all.size() / secs;
  return r;
}

// Raw TCP: a thread per connection reads 32 bytes and writes 28.
class RawServer {
 public:
  RawServer() {
    fd_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_.Get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
    ::listen(fd_.Get(), 64);
    socklen_t len = sizeof(a);
    ::getsockname(fd_.Get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    accept_ = std::thread([this] {
      for (;;) {
        int c = ::accept(fd_.Get(), nullptr, nullptr);
        if (c < 0) return;
        workers_.emplace_back([c] {
          UniqueFd conn(c);
          int one = 1;
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          char in[kRequestBytes], out[kResponseBytes] = {};
          for (;;) {
            if (!ReadAll(c, in, sizeof(in))) return;
            if (::send(c, out, sizeof(out), MSG_NOSIGNAL) != sizeof(out)) return;
          }
        });
      }
    });
  }
  ~RawServer() {
    ::shutdown(fd_.Get(), SHUT_RDWR);
    accept_.join();
    for (auto& w : workers_) w.join();
  }
  std::uint16_t Port() const { return port_; }

  static bool ReadAll(int fd, char* p, std::size_t n) {
    while (n) {
      ssize_t r = ::recv(fd, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  }

 private:
  UniqueFd fd_;
  std::uint16_t port_ = 0;
  std::thread accept_;
  std::vector<std::thread> workers_;
};

struct RawClient {
  UniqueFd fd;
  explicit RawClient(std::uint16_t port) {
    fd.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    ::connect(fd.Get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
    int one = 1;
    ::setsockopt(fd.Get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  void operator()() {
    char out[kRequestBytes] = {}, in[kResponseBytes];
    ::send(fd.Get(), out, sizeof(out), MSG_NOSIGNAL);
    RawServer::ReadAll(fd.Get(), in, sizeof(in));
  }
};

rpc::InterfaceRegistration BenchInterface() {
  rpc::InterfaceRegistration reg;
  reg.id = kBench;
  reg.methods.push_back([](rpc::CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
    auto a = in.Read<std::uint32_t>();
    auto b = in.Read<std::uint32_t>();
    if (in.Finish()) return rpc::status::kBadStubData;
    out.Write(a + b);
    return rpc::status::kOk;
  });
  return reg;
}

std::unique_ptr<rpc::Server> StartServer(std::size_t worker_threads) {
  rpc::ServerOptions options;
  options.tcp_address = "127.0.0.1";
  options.worker_threads = worker_threads;
  options.max_concurrent_calls = 1024;
  auto server = std::make_unique<rpc::Server>(options);
  server->UseProtseqEp("ncacn_ip_tcp", "0");
  server->RegisterInterface(BenchInterface());
  server->Listen();
  return server;
}

Result MeasureRpc(const std::string& binding, int threads, int calls) {
  return Measure(threads, calls, [&] {
    auto client = std::make_shared<rpc::Client>(binding, kBench);
    return [client] {
      ndr::Encoder e;
      e.Write<std::uint32_t>(1);
      e.Write<std::uint32_t>(2);
      auto reply = client->Call(0, e.Bytes());
      if (reply.size() != 4) std::abort();
    };
  });
}

void Row(const char* name, int threads, const Result& r) {
  std::printf("%-26s %8d %12.1f %10.1f %12.0f\n", name, threads, r.median_us, r.p99_us,
              r.calls_per_s);
}

}  // namespace

int main(int argc, char** argv) {
  int calls = argc > 1 ? std::atoi(argv[1]) : 20000;
  auto pooled = StartServer(4);
  auto inline_calls = StartServer(0);
  auto binding = [](rpc::Server& s) {
    return "ncacn_ip_tcp:127.0.0.1[" + std::to_string(s.TcpPorts()[0]) + "]";
  };
  RawServer raw;

  std::printf("rpc_tcp: %d calls per thread, request %zu B, response %zu B, loopback, %u cores\n",
              calls, kRequestBytes, kResponseBytes, std::thread::hardware_concurrency());
  std::printf("%-26s %8s %12s %10s %12s\n", "transport", "threads", "median(us)", "p99(us)",
              "calls/s");
  for (int threads : {1, 16}) {
    Row("alpaca (call pool of 4)", threads, MeasureRpc(binding(*pooled), threads, calls));
    Row("alpaca (calls on I/O)", threads, MeasureRpc(binding(*inline_calls), threads, calls));
    Row("raw TCP ping-pong", threads, Measure(threads, calls, [&] {
          auto c = std::make_shared<RawClient>(raw.Port());
          return [c] { (*c)(); };
        }));
  }
  pooled->Stop();
  inline_calls->Stop();
  return 0;
}
