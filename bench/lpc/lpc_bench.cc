// lpc_bench — the local port transport against the kernel baselines it is
// built from, measured in one run on this machine:
//
//   raw Unix SOCK_SEQPACKET ping-pong (the baseline for small messages)
//   LPC request/reply, 32 B and 256 B inline
//   LPC request of 4 KiB, 1 MiB, 16 MiB through the connection section
//   NtReadRequestData of 16 MiB (process_vm_readv of the client's buffer)
//   plain Unix stream-socket copy of 16 MiB (the baseline for bulk data)
//   single-thread memcpy of 16 MiB
//
// Each row: median and p99 of the round trip, bandwidth for bulk rows, and
// the ratio to its baseline. The server is a forked process; --pin puts the
// client on CPU 0 and the server on CPU 1 so runs compare.
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/connection_port.h"

namespace lpc = alpaca::lpc;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  bool pin = false;
  double scale = 1.0;
  std::string markdown;
};

void Pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  ::sched_setaffinity(0, sizeof(set), &set);
}

struct Stats {
  double median_us = 0;
  double p99_us = 0;
};

Stats Measure(size_t iterations, const std::function<void()>& once) {
  for (size_t i = 0; i < std::max<size_t>(iterations / 20, 2); ++i) once();  // warm up
  std::vector<double> samples;
  samples.reserve(iterations);
  for (size_t i = 0; i < iterations; ++i) {
    auto start = Clock::now();
    once();
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2],
          samples[std::min(samples.size() - 1, samples.size() * 99 / 100)]};
}

void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

// ---- baselines --------------------------------------------------------

pid_t ForkServer(const Options& options, const std::function<void()>& serve) {
  pid_t pid = ::fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    if (options.pin) Pin(1);
    serve();
    ::_exit(0);
  }
  return pid;
}

void Reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

Stats RawSeqpacket(const Options& options, size_t size, size_t iterations) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) Die("socketpair");
  pid_t server = ForkServer(options, [&] {
    ::close(sv[0]);
    std::vector<char> buffer(size + 1);
    for (;;) {
      ssize_t n = ::recv(sv[1], buffer.data(), buffer.size(), 0);
      if (n <= 0) return;
      ::send(sv[1], buffer.data(), static_cast<size_t>(n), MSG_NOSIGNAL);
    }
  });
  ::close(sv[1]);
  std::vector<char> out(size, 'x'), in(size + 1);
  auto stats = Measure(iterations, [&] {
    ::send(sv[0], out.data(), out.size(), 0);
    ::recv(sv[0], in.data(), in.size(), 0);
  });
  ::close(sv[0]);
  Reap(server);
  return stats;
}

Stats StreamCopy(const Options& options, size_t size, size_t iterations) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) Die("socketpair");
  pid_t server = ForkServer(options, [&] {
    ::close(sv[0]);
    std::vector<char> buffer(size);
    for (;;) {
      size_t got = 0;
      while (got < size) {
        ssize_t n = ::read(sv[1], buffer.data() + got, size - got);
        if (n <= 0) return;
        got += static_cast<size_t>(n);
      }
      char ack = 1;
      if (::write(sv[1], &ack, 1) != 1) return;
    }
  });
  ::close(sv[1]);
  std::vector<char> out(size, 'x');
  auto stats = Measure(iterations, [&] {
    size_t sent = 0;
    while (sent < size) {
      ssize_t n = ::write(sv[0], out.data() + sent, size - sent);
      if (n <= 0) Die("write");
      sent += static_cast<size_t>(n);
    }
    char ack;
    if (::read(sv[0], &ack, 1) != 1) Die("read ack");
  });
  ::close(sv[0]);
  Reap(server);
  return stats;
}

Stats Memcpy(size_t size, size_t iterations) {
  std::vector<char> a(size, 'a'), b(size, 'b');
  return Measure(iterations, [&] {
    std::memcpy(b.data(), a.data(), size);
    asm volatile("" : : "r"(b.data()) : "memory");
  });
}

// ---- LPC ----------------------------------------------------------------

constexpr const char* kPortName = "\\RPC Control\\lpc-bench";

// Echoes requests up to 256 bytes; answers larger ones with 8 bytes; for a
// request whose data is "read:N" reads N bytes of its declared buffer.
void LpcServe() {
  std::unique_ptr<lpc::ConnectionPort> port;
  if (lpc::ConnectionPort::Create(kPortName, {}, {}, port)) Die("create port");
  std::printf("%s", "");  // nothing: readiness is the port existing
  lpc::ReceivedMessage in;
  lpc::PortMessage reply, ack;
  ack.SetData("ack-ack!");
  std::vector<std::byte> scratch;
  for (;;) {
    if (port->ReplyWaitReceive(in)) return;
    switch (in.message.Type()) {
      case lpc::MessageType::kConnectionRequest: {
        std::shared_ptr<lpc::ServerPort> comm;
        (void)port->AcceptAndComplete(std::move(in.connection), {}, nullptr, comm);
        break;
      }
      case lpc::MessageType::kRequest: {
        if (!in.message.DataInfo().empty()) {
          scratch.resize(in.message.DataInfo()[0].length);
          (void)in.port->ReadRequestData(in.message, 0, 0, scratch);
          (void)in.port->Reply(in.message, ack);
        } else if (in.message.DataSize() <= lpc::PortMessage::kMaxInlineData) {
          reply.SetData(in.message.Data());
          (void)in.port->Reply(in.message, reply);
        } else {
          (void)in.port->Reply(in.message, ack);
        }
        break;
      }
      default:
        break;
    }
    in.port.reset();
  }
}

struct LpcRows {
  Stats inline32, inline256, kib4, mib1, mib16, view16, read16;
};

LpcRows MeasureLpc(const Options& options, size_t small_iterations, size_t big_iterations) {
  pid_t server = ForkServer(options, LpcServe);
  lpc::ConnectOptions connect;
  connect.section_size = size_t{40} << 20;  // 16 MiB fits in each half
  connect.allow_server_memory_access = true;
  std::unique_ptr<lpc::ClientPort> client;
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (!lpc::ClientPort::Connect(kPortName, {}, connect, client)) break;
    ::usleep(2000);
  }
  if (!client) Die("connect");
  lpc::PortMessage request, reply;
  auto rows = LpcRows{};
  auto call = [&] {
    if (auto ec = client->RequestWaitReply(request, reply)) {
      std::fprintf(stderr, "call failed: %s\n", ec.message().c_str());
      std::exit(1);
    }
  };
  request.ResizeData(32);
  rows.inline32 = Measure(small_iterations, call);
  request.ResizeData(256);
  rows.inline256 = Measure(small_iterations, call);
  request.ResizeData(4096);
  rows.kib4 = Measure(small_iterations, call);
  request.ResizeData(size_t{1} << 20);
  std::memset(request.MutableData().data(), 'm', request.DataSize());
  rows.mib1 = Measure(big_iterations * 4, call);
  request.ResizeData(size_t{16} << 20);
  std::memset(request.MutableData().data(), 'm', request.DataSize());
  rows.mib16 = Measure(big_iterations, call);
  if (client->Query().large_section_messages != 0) {
    std::fprintf(stderr, "warning: some messages missed the connection section\n");
  }
  {
    // ALPC-style: the request is written in the section view once, in
    // place; each call moves it into the server's memory (one copy).
    lpc::SectionView view;
    if (client->AcquireView(size_t{16} << 20, view)) Die("acquire view");
    std::memset(view.Data().data(), 'v', view.Data().size());
    lpc::PortMessage header;
    rows.view16 = Measure(big_iterations, [&] {
      if (client->RequestWaitReply(view, header, reply)) Die("view request");
    });
  }
  std::vector<std::byte> source(size_t{16} << 20, std::byte{'r'});
  lpc::PortMessage read_request;
  read_request.SetData("read");
  read_request.DeclareBuffer(std::span<const std::byte>(source));
  rows.read16 = Measure(big_iterations, [&] {
    if (client->RequestWaitReply(read_request, reply)) Die("read request");
  });
  client.reset();
  Reap(server);
  return rows;
}

double GBps(size_t bytes, const Stats& s) {
  return static_cast<double>(bytes) / (s.median_us * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"alpaca local port benchmark: LPC against raw kernel baselines"};
  app.add_flag("--pin", options.pin, "pin client to CPU 0 and server to CPU 1");
  app.add_option("--scale", options.scale, "multiply iteration counts (e.g. 0.1 for a smoke run)");
  app.add_option("--markdown", options.markdown, "also write the table as Markdown to this file");
  CLI11_PARSE(app, argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  if (!std::getenv("ALPACA_LPC_DIR")) {
    static std::string dir = "/tmp/alpaca-lpc-bench-" + std::to_string(::getpid());
    ::setenv("ALPACA_LPC_DIR", dir.c_str(), 1);
  }
  if (options.pin) Pin(0);
  auto n = [&](size_t base) {
    return std::max<size_t>(5, static_cast<size_t>(base * options.scale));
  };
  constexpr size_t k16M = size_t{16} << 20;

  Stats raw32 = RawSeqpacket(options, 32, n(20000));
  Stats raw256 = RawSeqpacket(options, 256, n(20000));
  LpcRows lpc_rows = MeasureLpc(options, n(20000), n(60));
  Stats stream16 = StreamCopy(options, k16M, n(60));
  Stats memcpy16 = Memcpy(k16M, n(60));

  struct Row {
    std::string name;
    Stats stats;
    size_t bytes;
    std::string ratio;
  };
  char buf[64];
  auto ratio = [&](double a, double b, const char* what) {
    std::snprintf(buf, sizeof(buf), "%.2fx %s", a / b, what);
    return std::string(buf);
  };
  std::vector<Row> rows = {
      {"raw seqpacket ping-pong 32 B (baseline)", raw32, 0, "1.00x"},
      {"raw seqpacket ping-pong 256 B", raw256, 0,
       ratio(raw256.median_us, raw32.median_us, "raw32")},
      {"LPC request/reply 32 B inline", lpc_rows.inline32, 0,
       ratio(lpc_rows.inline32.median_us, raw32.median_us, "raw32")},
      {"LPC request/reply 256 B inline", lpc_rows.inline256, 0,
       ratio(lpc_rows.inline256.median_us, raw256.median_us, "raw256")},
      {"LPC request 4 KiB via section", lpc_rows.kib4, 4096,
       ratio(lpc_rows.kib4.median_us, raw32.median_us, "raw32")},
      {"LPC request 1 MiB via section", lpc_rows.mib1, size_t{1} << 20,
       ratio(GBps(size_t{1} << 20, lpc_rows.mib1), GBps(k16M, memcpy16), "memcpy(16 MiB) BW")},
      {"LPC request 16 MiB via section (copied in)", lpc_rows.mib16, k16M,
       ratio(GBps(k16M, lpc_rows.mib16), GBps(k16M, stream16), "stream BW") + ", " +
           ratio(GBps(k16M, lpc_rows.mib16), GBps(k16M, memcpy16), "memcpy BW")},
      {"LPC request 16 MiB in a section view (written in place)", lpc_rows.view16, k16M,
       ratio(GBps(k16M, lpc_rows.view16), GBps(k16M, stream16), "stream BW") + ", " +
           ratio(GBps(k16M, lpc_rows.view16), GBps(k16M, memcpy16), "memcpy BW")},
      {"NtReadRequestData 16 MiB (process_vm_readv)", lpc_rows.read16, k16M,
       ratio(GBps(k16M, lpc_rows.read16), GBps(k16M, stream16), "stream BW")},
      {"Unix stream copy 16 MiB (baseline)", stream16, k16M, "1.00x"},
      {"memcpy 16 MiB, one thread", memcpy16, k16M,
       ratio(GBps(k16M, memcpy16), GBps(k16M, stream16), "stream BW")},
  };

  std::string table;
  table += "| case | median us | p99 us | GB/s | ratio |\n|---|---:|---:|---:|---|\n";
  for (const auto& r : rows) {
    char line[256];
    std::snprintf(line, sizeof(line), "| %s | %.1f | %.1f | %s | %s |\n", r.name.c_str(),
                  r.stats.median_us, r.stats.p99_us,
                  r.bytes ? std::to_string(GBps(r.bytes, r.stats)).substr(0, 5).c_str() : "",
                  r.ratio.c_str());
    table += line;
  }
  std::printf("lpc_bench (%s, scale %.2f)\n%s", options.pin ? "pinned" : "unpinned", options.scale,
              table.c_str());
  if (!options.markdown.empty()) {
    if (FILE* f = std::fopen(options.markdown.c_str(), "w")) {
      std::fputs(table.c_str(), f);
      std::fclose(f);
    }
  }
  return 0;
}
