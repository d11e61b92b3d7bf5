// calc_server: serves the Calculator interface on ncalrpc:[calc] and
// ncacn_ip_tcp port 4747 (both configurable) until SIGINT/SIGTERM.
#include "alpaca/rpc/server.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <string>

#include "calc_server.h"

namespace {

// Describes who is calling, as the transport reports it.
std::string Caller() {
  const auto& peer = alpaca::rpc::CurrentCall().peer;
  if (peer.local) {
    return peer.protseq + " pid " + std::to_string(peer.local->pid) + " uid " +
           std::to_string(peer.local->uid);
  }
  return peer.protseq + " " + peer.address;
}

struct Memory {
  double total = 0;
};

class Calculator final : public calc::CalculatorServer {
 public:
  std::int32_t Add(std::int32_t a, std::int32_t b) override {
    std::printf("server: Add(%d, %d) from %s\n", a, b, Caller().c_str());
    return a + b;
  }
  std::int32_t Divide(std::int32_t a, std::int32_t b, std::int32_t& remainder) override {
    if (b == 0) throw alpaca::RpcError(alpaca::rpc::status::kNcaFaultIntDivByZero);
    remainder = a % b;
    return a / b;
  }
  std::int64_t Sum(const std::vector<std::int32_t>& values) override {
    std::int64_t sum = 0;
    for (auto v : values) sum += v;
    return sum;
  }
  void Multiply(const calc::Complex& a, const calc::Complex& b, calc::Complex& product) override {
    product = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  }
  void Describe(std::int32_t value, std::optional<std::string>& text) override {
    text = value % 2 == 0 ? "even" : "odd";
  }
  void OpenMemory(alpaca::rpc::ServerContext& memory) override {
    memory = alpaca::rpc::ServerContext::Make<Memory>();
  }
  double Accumulate(const alpaca::rpc::ServerContext& memory, double value) override {
    Memory* m = memory.Get<Memory>();
    std::lock_guard lock(mu_);  // one client may call from several threads
    m->total += value;
    return m->total;
  }
  void CloseMemory(alpaca::rpc::ServerContext& memory) override { memory.Reset(); }
  void MEMORY_rundown(alpaca::rpc::ServerContext& memory) override {
    std::printf("server: rundown of a memory holding %g (its client went away)\n",
                memory.Get<Memory>()->total);
  }

 private:
  std::mutex mu_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"calc_server: the Calculator interface over ncalrpc and ncacn_ip_tcp"};
  std::string endpoint = "calc";
  std::string port = "4747";
  app.add_option("--endpoint", endpoint, "ncalrpc endpoint (a port name)");
  app.add_option("--port", port, "ncacn_ip_tcp port (0: any)");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the server's threads start

  try {
    alpaca::rpc::Server server;
    server.UseProtseqEp("ncalrpc", endpoint);
    server.UseProtseqEp("ncacn_ip_tcp", port);
    server.RegisterInterface(calc::CalculatorServer::Registration(std::make_shared<Calculator>()));
    server.Listen();
    for (const auto& binding : server.Bindings())
      std::printf("server: listening on %s\n", binding.c_str());
    int signal = 0;
    sigwait(&signals, &signal);
    std::printf("server: stopping\n");
    server.Stop();
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "calc_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
