// alpaca_test_server: serves AlpacaTest over ncacn_ip_tcp (and, with
// --ncalrpc NAME, over local ports too; with --epm-port, an endpoint mapper
// that maps it) until SIGTERM/SIGINT, then stops gracefully.
// Prints "READY <port> <epm_port>" once listening, for the test drivers.
//
// With --stats, each line "stats" on standard input is answered on standard
// output with "STATS {json}": the server's counters (rpc::ServerStats) and
// the process's RSS (after malloc_trim), open descriptors and threads, so
// hostile-peer tests and the soak benchmark can watch what a peer makes the
// server hold. --fd-headroom N lowers RLIMIT_NOFILE to N descriptors above
// the highest one open once listening (descriptor exhaustion tests).
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "alpaca/base/unique_fd.h"
#include "alpaca/rpc/endpoint_mapper.h"
#include "alpaca/rpc/server.h"
#include "alpaca/rpc/status.h"
#include "test_interface.h"

namespace {

// Under ASan, freed memory waits in a quarantine (RSS says nothing about
// what the server holds), and UBSan's vptr check, which probes memory
// through a pipe, cannot work once descriptors run out: the tests that
// depend on either need to know.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// A "Name:   value" field of /proc/self/status, or -1. Read with plain
// read(2): the EMFILE test asks for stats while no descriptor is free, when
// a std::ifstream would fail (and trip UBSan's vptr check, which needs one).
long StatusField(const std::string& name) {
  alpaca::UniqueFd fd(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
  if (!fd) return -1;
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd.Get(), buf, sizeof buf)) > 0;) {
    text.append(buf, static_cast<std::size_t>(n));
  }
  auto at = text.find("\n" + name + ":");
  if (at == std::string::npos) return -1;
  return std::strtol(text.c_str() + at + name.size() + 2, nullptr, 10);
}

// Both -1 when the process is out of descriptors (the EMFILE test asks
// for stats then): the caller learns that rather than the server dying.
int HighestDescriptor() {
  int high = -1;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    high = std::max(high, std::stoi(it->path().filename().string()));
  }
  return ec ? -1 : high;
}

long OpenDescriptors() {
  long n = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return ec ? -1 : n - 1;  // the directory's own descriptor
}

std::string StatsJson(const alpaca::rpc::Server& server) {
  ::malloc_trim(0);  // what the allocator could give back, it does first
  auto s = server.Stats();
  std::string j = "{";
  auto add = [&j](const char* k, auto v) {
    if (j.size() > 1) j += ",";
    j += "\"" + std::string(k) + "\":" + std::to_string(v);
  };
  add("tcp_connections", s.tcp_connections);
  add("tcp_queued_bytes", s.tcp_queued_bytes);
  add("tcp_peak_queued_bytes", s.tcp_peak_queued_bytes);
  add("tcp_paused_connections", s.tcp_paused_connections);
  add("tcp_accept_errors", s.tcp_accept_errors);
  add("tcp_refused_connections", s.tcp_refused_connections);
  add("tcp_handshake_timeouts", s.tcp_handshake_timeouts);
  add("reassembly_bytes", s.reassembly_bytes);
  add("active_calls", s.active_calls);
  add("rss_kb", StatusField("VmRSS"));
  add("threads", StatusField("Threads"));
  add("fds", OpenDescriptors());
  add("sanitized", kSanitized ? 1 : 0);
  return j + "}";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace alpaca::rpc;
  std::string port = "0";
  std::string epm_port;
  std::string ncalrpc;
  std::string address = "127.0.0.1";
  bool stats = false;
  int fd_headroom = 0;
  ServerOptions options;
  options.worker_threads = 8;
  options.max_concurrent_calls = 256;
  long handshake_ms = -1;
  long idle_ms = -1;

  CLI::App app{"alpaca_test_server: the AlpacaTest interface for multi-process tests"};
  app.add_option("--port", port, "ncacn_ip_tcp port (0: any free one)");
  app.add_option("--epm-port", epm_port, "also serve an endpoint mapper on this port");
  app.add_option("--ncalrpc", ncalrpc, "also serve on this ncalrpc endpoint");
  app.add_option("--address", address, "address the TCP endpoints listen on");
  app.add_flag("--stats", stats, "answer \"stats\" lines on stdin with STATS {json}");
  app.add_option("--fd-headroom", fd_headroom,
                 "lower RLIMIT_NOFILE to this many descriptors above those open once listening");
  app.add_option("--worker-threads", options.worker_threads);
  app.add_option("--max-connections", options.max_connections);
  app.add_option("--max-per-address", options.max_connections_per_address);
  app.add_option("--handshake-timeout-ms", handshake_ms);
  app.add_option("--idle-timeout-ms", idle_ms);
  app.add_option("--max-queued-bytes", options.max_queued_bytes_per_connection);
  app.add_option("--max-calls-per-connection", options.max_calls_per_connection);
  app.add_option("--max-call-bytes", options.max_call_bytes);
  app.add_option("--reassembly-budget", options.reassembly_budget);
  CLI11_PARSE(app, argc, argv);
  if (handshake_ms >= 0) options.handshake_timeout = std::chrono::milliseconds(handshake_ms);
  if (idle_ms >= 0) options.idle_timeout = std::chrono::milliseconds(idle_ms);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts

  try {
    options.tcp_address = address;
    Server server(options);
    server.UseProtseqEp("ncacn_ip_tcp", port);
    if (!ncalrpc.empty()) server.UseProtseqEp("ncalrpc", ncalrpc);
    server.RegisterInterface(testing::AlpacaTestRegistration());
    server.Listen();
    std::uint16_t bound = server.TcpPorts()[0];

    EndpointMapper epm;
    std::unique_ptr<Server> epm_server;
    std::uint16_t epm_bound = 0;
    if (!epm_port.empty()) {
      epm.AddTcpEndpoint(testing::kAlpacaTest, bound, 0x7f000001);
      epm_server = std::make_unique<Server>(options);
      epm_server->UseProtseqEp("ncacn_ip_tcp", epm_port);
      epm_server->RegisterInterface(epm.Registration());
      epm_server->Listen();
      epm_bound = epm_server->TcpPorts()[0];
    }
    // Before the stats channel's eventfd: the headroom is for connections.
    alpaca::UniqueFd stop(::eventfd(0, EFD_CLOEXEC));
    if (fd_headroom > 0) {
      rlimit r{};
      getrlimit(RLIMIT_NOFILE, &r);
      r.rlim_cur = static_cast<rlim_t>(HighestDescriptor() + 1 + fd_headroom);
      if (setrlimit(RLIMIT_NOFILE, &r) != 0) {
        std::perror("setrlimit");
        return 1;
      }
    }
    std::printf("READY %u %u\n", bound, epm_bound);
    std::fflush(stdout);
    // The stats thread waits on stdin and on `stop`.
    std::thread stats_thread;
    if (stats) {
      stats_thread = std::thread([&server, stop_fd = stop.Get()] {
        std::string pending;
        for (;;) {
          pollfd fds[2] = {{0, POLLIN, 0}, {stop_fd, POLLIN, 0}};
          if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
          if (fds[1].revents != 0) return;
          if (fds[0].revents == 0) continue;
          char buf[256];
          ssize_t n = ::read(0, buf, sizeof buf);
          if (n <= 0) return;  // the driver closed stdin
          pending.append(buf, static_cast<std::size_t>(n));
          for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            if (line != "stats") continue;
            std::string j = StatsJson(server);
            std::printf("STATS %s\n", j.c_str());
            std::fflush(stdout);
          }
        }
      });
    }
    int sig = 0;
    sigwait(&set, &sig);
    std::uint64_t one = 1;
    (void)!::write(stop.Get(), &one, sizeof one);
    if (stats_thread.joinable()) stats_thread.join();
    if (epm_server) epm_server->Stop();
    server.Stop();
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "alpaca_test_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
