// rpc_bench — generated proxies and stubs (bench.idl) over ncalrpc and
// ncacn_ip_tcp, next to the kernel baselines, measured in one run:
//
//   raw Unix SOCK_SEQPACKET ping-pong of 32 bytes (the baseline for calls)
//   long Add(long, long)                       ncalrpc, ncacn_ip_tcp
//   Send([in] byte[n]) for 1 KiB .. 16 MiB      ncalrpc, ncacn_ip_tcp
//   single-thread memcpy of the same sizes (the baseline for bulk data)
//
// Each row: median and p99 round trip, bandwidth for the byte arrays, and
// the ratio to its baseline. The server is a forked process (fork happens
// before any thread exists); --pin puts the client on CPU 0 and the server
// on CPU 1.
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alpaca/rpc/server.h"
#include "bench_client.h"
#include "bench_server.h"

using Clock = std::chrono::steady_clock;

namespace {

struct Stats {
  double median_us = 0;
  double p99_us = 0;
};

void Pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  ::sched_setaffinity(0, sizeof(set), &set);
}

Stats Measure(std::size_t iterations, const std::function<void()>& once) {
  for (std::size_t i = 0; i < std::max<std::size_t>(iterations / 10, 2); ++i) once();  // warm up
  std::vector<double> samples;
  samples.reserve(iterations);
  for (std::size_t i = 0; i < iterations; ++i) {
    auto start = Clock::now();
    once();
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2],
          samples[std::min(samples.size() - 1, samples.size() * 99 / 100)]};
}

class BenchImpl final : public bench::BenchServer {
 public:
  std::int32_t Add(std::int32_t a, std::int32_t b) override { return a + b; }
  std::int32_t Send(const std::vector<std::uint8_t>& data) override {
    return static_cast<std::int32_t>(data.size());
  }
};

// The server process: serves until SIGTERM. Signals readiness on `ready`.
[[noreturn]] void Serve(const std::string& endpoint, int ready, bool pin) {
  if (pin) Pin(1);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  alpaca::rpc::ServerOptions options;
  options.tcp_address = "127.0.0.1";
  options.max_call_bytes = 64u << 20;
  options.worker_threads = 2;
  alpaca::rpc::Server server(options);
  server.UseProtseqEp("ncalrpc", endpoint);
  server.UseProtseqEp("ncacn_ip_tcp", "0");
  server.RegisterInterface(bench::BenchServer::Registration(std::make_shared<BenchImpl>()));
  server.Listen();
  std::uint16_t port = server.TcpPorts()[0];
  if (::write(ready, &port, sizeof(port)) != sizeof(port)) std::_Exit(1);
  int sig = 0;
  sigwait(&set, &sig);
  server.Stop();
  if (std::getenv("RPC_BENCH_VERBOSE") != nullptr) {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    std::fprintf(stderr, "server: %ld minor faults\n", usage.ru_minflt);
  }
  std::_Exit(0);
}

// Raw seqpacket ping-pong with an echoing child process.
Stats SeqpacketPingPong(std::size_t iterations, bool pin) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) != 0) std::exit(1);
  pid_t child = ::fork();
  if (child == 0) {
    if (pin) Pin(1);
    ::close(fds[0]);
    char buffer[64];
    for (;;) {
      ssize_t n = ::recv(fds[1], buffer, sizeof(buffer), 0);
      if (n <= 0) std::_Exit(0);
      if (::send(fds[1], buffer, static_cast<std::size_t>(n), 0) != n) std::_Exit(1);
    }
  }
  ::close(fds[1]);
  char message[32] = {1};
  char reply[64];
  Stats s = Measure(iterations, [&] {
    if (::send(fds[0], message, sizeof(message), 0) != sizeof(message)) std::exit(1);
    if (::recv(fds[0], reply, sizeof(reply), 0) != sizeof(message)) std::exit(1);
  });
  ::close(fds[0]);
  ::waitpid(child, nullptr, 0);
  return s;
}

Stats Memcpy(std::size_t bytes, std::size_t iterations) {
  std::vector<std::uint8_t> from(bytes, 1), to(bytes, 2);
  return Measure(iterations, [&] {
    std::memcpy(to.data(), from.data(), bytes);
    asm volatile("" : : "r"(to.data()) : "memory");
  });
}

double GBps(std::size_t bytes, double us) { return static_cast<double>(bytes) / (us * 1e3); }

std::string Size(std::size_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rpc_bench: generated RPC over ncalrpc and TCP against raw baselines"};
  bool pin = false;
  double scale = 1.0;
  app.add_flag("--pin", pin, "client on CPU 0, server on CPU 1");
  app.add_option("--scale", scale, "iteration multiplier (0.1 for a quick run)");
  CLI11_PARSE(app, argc, argv);
  auto iterations = [&](std::size_t n) {
    return std::max<std::size_t>(5, static_cast<std::size_t>(static_cast<double>(n) * scale));
  };

  std::string endpoint = "rpc-bench-" + std::to_string(::getpid());
  // Baselines first, while this process has no threads (fork).
  Stats raw = SeqpacketPingPong(iterations(20000), pin);
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return 1;
  pid_t server = ::fork();
  if (server == 0) Serve(endpoint, pipe_fds[1], pin);
  std::uint16_t port = 0;
  if (::read(pipe_fds[0], &port, sizeof(port)) != sizeof(port)) return 1;
  if (pin) Pin(0);

  std::printf("| case | median us | p99 us | GB/s | ratio |\n|---|---:|---:|---:|---|\n");
  std::printf("| raw seqpacket ping-pong 32 B (baseline) | %.1f | %.1f |  | 1.00x |\n",
              raw.median_us, raw.p99_us);
  alpaca::rpc::ClientOptions no_upgrade;
  no_upgrade.local_upgrade = alpaca::rpc::LocalUpgrade::kNever;
  struct Transport {
    const char* name;
    std::string binding;
  };
  const Transport transports[] = {
      {"ncalrpc", "ncalrpc:[" + endpoint + "]"},
      {"ncacn_ip_tcp", "ncacn_ip_tcp:127.0.0.1[" + std::to_string(port) + "]"}};
  std::vector<std::unique_ptr<bench::BenchClient>> clients;
  for (const auto& t : transports) {
    clients.push_back(std::make_unique<bench::BenchClient>(t.binding, no_upgrade));
  }
  for (std::size_t i = 0; i < 2; ++i) {
    std::int32_t k = 0;
    Stats s = Measure(iterations(20000), [&] {
      if (clients[i]->Add(k, 1) != k + 1) std::exit(1);
      ++k;
    });
    std::printf("| Add(long, long) %s | %.1f | %.1f |  | %.2fx raw |\n", transports[i].name,
                s.median_us, s.p99_us, s.median_us / raw.median_us);
  }
  for (std::size_t bytes :
       {std::size_t{1} << 10, std::size_t{64} << 10, std::size_t{1} << 20, std::size_t{16} << 20}) {
    std::size_t n =
        bytes >= (1u << 20) ? iterations(bytes > (1u << 20) ? 60 : 400) : iterations(4000);
    Stats copy = Memcpy(bytes, n);
    std::vector<std::uint8_t> data(bytes, 0x5a);
    for (std::size_t i = 0; i < 2; ++i) {
      rusage before{}, after{};
      ::getrusage(RUSAGE_SELF, &before);
      Stats s = Measure(n, [&] {
        if (clients[i]->Send(data) != static_cast<std::int32_t>(bytes)) std::exit(1);
      });
      ::getrusage(RUSAGE_SELF, &after);
      if (std::getenv("RPC_BENCH_VERBOSE") != nullptr) {
        std::fprintf(stderr, "client: %ld minor faults over %zu calls\n",
                     after.ru_minflt - before.ru_minflt, n + std::max<std::size_t>(n / 10, 2));
      }
      std::printf("| Send %s %s | %.1f | %.1f | %.2f | %.2fx memcpy BW |\n", Size(bytes).c_str(),
                  transports[i].name, s.median_us, s.p99_us, GBps(bytes, s.median_us),
                  GBps(bytes, s.median_us) / GBps(bytes, copy.median_us));
    }
    std::printf("| memcpy %s (baseline) | %.1f | %.1f | %.2f | 1.00x |\n", Size(bytes).c_str(),
                copy.median_us, copy.p99_us, GBps(bytes, copy.median_us));
  }
  clients.clear();
  ::kill(server, SIGTERM);
  ::waitpid(server, nullptr, 0);
  return 0;
}
